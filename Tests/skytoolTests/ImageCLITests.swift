// The image subcommands end to end: background, detect, photometry, cutout. The numbers behind them are
// checked against SExtractor and python-sep in SkyPhotTests; here: the files, the columns, the exit codes.
import Foundation
import Testing
@testable import skytool
import SkyCore
import SkyPhot
import SkyPlot

enum ImageFixtures {
    /// SkyPhot's fixture folder (SEP's test image, the VLA FIRST cutout; see its SOURCE.md).
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SkyPhotTests/Fixtures/sep/" + name).path
    }

    /// A 100×100 TAN image centred at (ra, dec) with 1″ pixels, a flat sky of 10 and one Gaussian star.
    static func tanImage(_ s: Scratch, ra: Double, dec: Double) throws -> String {
        var cards: [FITSHeaderCard] = [FITSHeaderCard("CTYPE1", .string("RA---TAN")), FITSHeaderCard("CTYPE2", .string("DEC--TAN"))]
        for (k, v) in [("CRVAL1", ra), ("CRVAL2", dec), ("CRPIX1", 50.0), ("CRPIX2", 50.0), ("CDELT1", -1.0 / 3600), ("CDELT2", 1.0 / 3600)] {
            cards.append(FITSHeaderCard(k, .double(v)))
        }
        var rng = SeededGenerator(seed: 9)
        var px = [Float](repeating: 0, count: 100 * 100)
        for j in 0..<100 { for i in 0..<100 {
            let dx = Double(i + 1) - 50, dy = Double(j + 1) - 50
            px[j * 100 + i] = Float(10 + rng.gaussian() + 500 * exp(-(dx * dx + dy * dy) / (2 * 1.5 * 1.5)))
        } }
        let p = s.file("tan.fits")
        try FITSWriter.write(FITSImage<Float>(shape: [100, 100], pixels: px, header: FITSHeader(cards)), to: p)
        return p
    }
}

@Suite("skytool image subcommands", .serialized)
struct ImageCLITests {
    @Test func backgroundWritesMapsOfTheImageSize() throws {
        let s = Scratch()
        let img = ImageFixtures.path("sep_image.fits")
        #expect(SkyTool.run(["background", img, "--out-back", s.file("b.fits"), "--out-rms", s.file("r.fits"), "--json"]) == 0)
        let b = try SkyImage.read(s.file("b.fits")), r = try SkyImage.read(s.file("r.fits"))
        #expect(b.width == 256 && b.height == 256 && r.width == 256)
        // The same maps as the library's (checked against SExtractor's in SkyPhotTests).
        let maps = try SkyImage.read(img).background()
        #expect(b.pixels == maps.background && r.pixels == maps.rms)
        #expect(SkyTool.run(["background", img]) == 1)                                     // nothing to write
        #expect(SkyTool.run(["background", img, "--out-back", s.file("x.fits"), "--box", "0"]) == 1)
        #expect(SkyTool.run(["background", img, "--out-back", img]) == 2)                  // the output is the input
        #expect(SkyTool.run(["background", s.file("missing.fits"), "--out-back", s.file("y.fits")]) == 2)
    }

    /// Given maps instead of the mesh estimate: the mesh's own maps written by `background` and read back
    /// give the same catalogue; a mask removes the sources under it.
    @Test func givenMapsAndMasks() throws {
        let s = Scratch()
        let img = ImageFixtures.path("sep_image.fits")
        #expect(SkyTool.run(["background", img, "--out-back", s.file("b.fits"), "--out-rms", s.file("r.fits")]) == 0)
        #expect(SkyTool.run(["detect", img, "--out", s.file("mesh.fits")]) == 0)
        #expect(SkyTool.run(["detect", img, "--background", s.file("b.fits"), "--rms", s.file("r.fits"), "--noise", "global", "--out", s.file("given.fits")]) == 0)
        // The same background; the global noise of given maps is the rms map's median (SEP's global rms is
        // the median of its mesh), so the threshold moves a little and a faint source may come or go.
        let a = try Catalogue.read(s.file("mesh.fits")), b = try Catalogue.read(s.file("given.fits"))
        #expect(abs(a.rowCount - b.rowCount) <= 3)
        // Per-pixel thresholds against the same (nearly flat) rms map find about as many.
        #expect(SkyTool.run(["detect", img, "--rms", s.file("r.fits"), "--out", s.file("map.fits")]) == 0)
        let perPixel = try Catalogue.read(s.file("map.fits")).rowCount
        #expect(abs(perPixel - a.rowCount) <= 10)
        // Mask the left half: no detection there.
        var cards = [FITSHeaderCard]()
        cards.append(FITSHeaderCard("COMMENT", .none, comment: "left half masked"))
        var m = [Float](repeating: 0, count: 256 * 256)
        for j in 0..<256 { for i in 0..<128 { m[j * 256 + i] = 1 } }
        try FITSWriter.write(FITSImage<Float>(shape: [256, 256], pixels: m, header: FITSHeader(cards)), to: s.file("mask.fits"))
        #expect(SkyTool.run(["detect", img, "--mask", s.file("mask.fits"), "--out", s.file("masked.fits")]) == 0)
        let masked = try Catalogue.read(s.file("masked.fits"))
        let xPeak = try masked.column("x_peak").doubles(), x = try masked.column("x").doubles()
        #expect(masked.rowCount > 10 && xPeak.allSatisfy { $0 > 128 } && x.allSatisfy { $0 > 128 })
        // Maps of the wrong size are data errors.
        #expect(SkyTool.run(["detect", img, "--rms", ImageFixtures.path("vla_first_sin.fits"), "--out", s.file("bad.fits")]) == 2)
        #expect(SkyTool.run(["detect", img, "--noise", "local", "--out", s.file("bad.fits")]) == 1)
        #expect(!s.contents.contains("bad.fits"))
    }

    @Test func detectThenPhotometryByPixelAndBySky() throws {
        let s = Scratch()
        let img = ImageFixtures.path("sep_image.fits")
        #expect(SkyTool.run(["detect", img, "--out", s.file("d.fits")]) == 0)
        let d = try Catalogue.read(s.file("d.fits"))
        #expect(d.rowCount == 69)                                                         // python-sep's count
        #expect(!d.columnNames.contains("ra"))                                            // no WCS: no sky columns
        #expect(SkyTool.run(["photometry", img, "--positions", s.file("d.fits"), "--xy", "x,y", "--aperture", "5pix",
                             "--psf-fwhm", "3", "--out", s.file("p.fits")]) == 0)
        let p = try Catalogue.read(s.file("p.fits"))
        for c in ["id", "x", "y", "flux_aper", "flux_aper_err", "flags_aper", "flux_psf", "flux_psf_err", "chi2_psf", "flags_psf"] {
            #expect(p.columnNames.contains(c), "missing \(c)")
        }
        #expect(try p.column("flux_aper").doubles().allSatisfy(\.isFinite))
        // Sky positions need a WCS; an angle needs one too.
        #expect(SkyTool.run(["photometry", img, "--positions", s.file("d.fits"), "--aperture", "5pix", "--out", s.file("q.fits")]) == 2)
        #expect(SkyTool.run(["photometry", img, "--positions", s.file("d.fits"), "--xy", "x,y", "--aperture", "3arcsec", "--out", s.file("q.fits")]) == 2)
        #expect(SkyTool.run(["photometry", img, "--positions", s.file("d.fits"), "--xy", "x,nope", "--aperture", "3", "--out", s.file("q.fits")]) == 2)
        #expect(SkyTool.run(["photometry", img, "--positions", s.file("d.fits"), "--out", s.file("q.fits")]) == 1)
        #expect(SkyTool.run(["photometry", img, "--positions", s.file("d.fits"), "--xy", "x,y", "--psf", "beam", "--out", s.file("q.fits")]) == 2)
        #expect(!s.contents.contains("q.fits"))

        // A WCS image at a negative declination: detect gives ra/dec, photometry takes them back.
        let tan = try ImageFixtures.tanImage(s, ra: 359.95, dec: -10)
        #expect(SkyTool.run(["detect", tan, "--out", s.file("t.csv"), "--threshold", "5"]) == 0)
        let t = try Catalogue.read(s.file("t.csv"))
        #expect(t.rowCount == 1)
        let (ra, dec) = try t.positions()
        #expect(abs(SkyGeometry.separation(ra[0], dec[0], 359.95, -10) * 3600) < 0.05)
        #expect(SkyTool.run(["photometry", tan, "--positions", s.file("t.csv"), "--aperture", "6arcsec", "--annulus", "10arcsec,15arcsec",
                             "--out", s.file("tp.csv")]) == 0)
        let tp = try Catalogue.read(s.file("tp.csv"))
        // 500 · 2π · 1.5² of star light, nearly all within 4 σ.
        let f = try tp.column("flux_aper").doubles()[0]
        #expect(abs(f / (500 * 2 * .pi * 2.25) - 1) < 0.03, "aperture flux \(f)")
    }

    @Test func cutoutAroundASkyPosition() throws {
        let s = Scratch()
        let tan = try ImageFixtures.tanImage(s, ra: 359.95, dec: -10)
        #expect(SkyTool.run(["cutout", tan, "--ra", "359.95", "--dec", "-10.0", "--size", "21arcsec", "--out", s.file("c.fits")]) == 0)
        let c = try SkyImage.read(s.file("c.fits"))
        #expect(c.width == 21 && c.height == 21)
        // The star (at pixel 50, 50 of the image) is at the centre pixel 11, 11 of the cutout.
        let w = try #require(c.wcs)
        let p = try w.worldToPixel(lon: [359.95], lat: [-10])
        #expect(abs(p.x[0] - 11) < 1e-6 && abs(p.y[0] - 11) < 1e-6)
        #expect(c[10, 10] > 400)
        #expect(SkyTool.run(["cutout", tan, "--ra", "359.95", "--dec", "-10", "--size", "30pix,10pix", "--out", s.file("d.fits")]) == 0)
        let d = try SkyImage.read(s.file("d.fits"))
        #expect(d.width == 30 && d.height == 10)
        // Off the image, no WCS, a bad size, the input as output: errors and no file.
        #expect(SkyTool.run(["cutout", tan, "--ra", "10", "--dec", "-10", "--size", "20arcsec", "--out", s.file("e.fits")]) == 2)
        #expect(SkyTool.run(["cutout", ImageFixtures.path("sep_image.fits"), "--ra", "1", "--dec", "1", "--size", "5pix", "--out", s.file("e.fits")]) == 2)
        #expect(SkyTool.run(["cutout", tan, "--ra", "359.95", "--dec", "-10", "--size", "big", "--out", s.file("e.fits")]) == 1)
        #expect(SkyTool.run(["cutout", tan, "--ra", "359.95", "--dec", "-10", "--size", "5pix", "--out", tan]) == 2)
        #expect(!s.contents.contains("e.fits"))
    }

    @Test func radioBeamFromTheHeader() throws {
        let s = Scratch()
        let img = ImageFixtures.path("vla_first_sin.fits")
        #expect(SkyTool.run(["detect", img, "--box", "33", "--background", "none", "--threshold", "5", "--min-area", "3", "--out", s.file("v.fits")]) == 0)
        #expect(SkyTool.run(["photometry", img, "--positions", s.file("v.fits"), "--psf", "beam", "--background", "none", "--box", "33",
                             "--json", "--out", s.file("f.fits")]) == 0)
        let f = try Catalogue.read(s.file("f.fits"))
        let peaks = try f.column("flux_psf").doubles()
        #expect(f.rowCount >= 1 && peaks.allSatisfy { $0 > 0 })
    }
}

@Suite("skytool stamp", .serialized)
struct StampCLITests {
    @Test func stampsFromTheCommandLine() throws {
        let s = Scratch()
        let tan = try ImageFixtures.tanImage(s, ra: 359.95, dec: -10)
        #expect(SkyTool.run(["stamp", tan, tan, "--ra", "359.95", "--dec", "-10.0", "--size", "40arcsec", "--label", "two panels", "--out", s.file("a.png")]) == 0)
        let size = try Figure.pngSize(of: s.file("a.png"))
        #expect(size.width == 600)
        #expect(SkyTool.run(["stamp", tan, "--ra", "359.95", "--dec", "-10", "--size", "40arcsec", "--cmap", "viridis", "--stretch", "asinh", "--out", s.file("b.svg")]) == 0)
        #expect(SkyTool.run(["stamp", tan, "--ra", "359.95", "--dec", "-10", "--size", "40arcsec", "--out", s.file("c.jpg")]) == 2)    // unknown type
        #expect(SkyTool.run(["stamp", tan, "--ra", "10", "--dec", "-10", "--size", "40arcsec", "--out", s.file("d.png")]) == 2)         // outside
        #expect(SkyTool.run(["stamp", tan, "--ra", "359.95", "--dec", "-10", "--size", "40arcsec", "--cmap", "jet", "--out", s.file("e.png")]) == 1)
        // One stamp per row of a positions table.
        try "id,ra,dec\n7,359.95,-10\n8,359.951,-10.001\n9,20,20\n".write(toFile: s.file("pos.csv"), atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["stamp", tan, "--positions", s.file("pos.csv"), "--name-col", "id", "--size", "20arcsec", "--out-dir", s.file("stamps")]) == 0)
        let made = try FileManager.default.contentsOfDirectory(atPath: s.file("stamps")).sorted()
        #expect(made == ["7.png", "8.png"])
        #expect(!s.contents.contains("c.jpg") && !s.contents.contains("d.png") && !s.contents.contains("e.png"))
    }
}

@Suite("skytool plot", .serialized)
struct PlotCLITests {
    @Test func everyKindDrawsAndBadInputFails() throws {
        let s = Scratch()
        var text = "id,ra,dec,mag,err,band,mjd\n"
        for i in 0..<200 { text += "\(i),\(10 + Double(i % 20) * 0.01),\(-5 + Double(i / 20) * 0.01),\(15 + Double(i % 7) * 0.3),0.05,\(i % 2 == 0 ? "g" : "r"),\(58000 + Double(i))\n" }
        try text.write(toFile: s.file("t.csv"), atomically: true, encoding: .utf8)
        let t = s.file("t.csv")
        #expect(SkyTool.run(["plot", "hist", t, "--col", "mag", "--bins", "10", "--out", s.file("h.png")]) == 0)
        #expect(SkyTool.run(["plot", "hist", t, "--col", "mag", "--cumulative", "--density", "--range", "14,18", "--out", s.file("hc.svg")]) == 0)
        #expect(SkyTool.run(["plot", "scatter", t, "--x", "mag", "--y", "err", "--color", "mjd", "--out", s.file("s.pdf")]) == 0)
        #expect(SkyTool.run(["plot", "lightcurve", t, "--time", "mjd", "--mag", "mag", "--err", "err", "--group", "band", "--out", s.file("lc.png")]) == 0)
        #expect(SkyTool.run(["plot", "sky", t, "--color", "mag", "--width", "5", "--height", "5", "--dpi", "80", "--out", s.file("sky.png")]) == 0)
        let size = try Figure.pngSize(of: s.file("sky.png"))
        #expect(size.width == 400 && size.height == 400)
        let tan = try ImageFixtures.tanImage(s, ra: 10, dec: -5)
        #expect(SkyTool.run(["plot", "image", tan, "--overlay", t, "--stretch", "sqrt", "--out", s.file("im.png")]) == 0)
        // An empty selection draws a "no data" panel; errors leave no file.
        #expect(SkyTool.run(["plot", "hist", t, "--col", "mag", "--where", "mag > 99", "--out", s.file("empty.png")]) == 0)
        #expect(SkyTool.run(["plot", "hist", t, "--col", "nope", "--out", s.file("x1.png")]) == 2)
        #expect(SkyTool.run(["plot", "scatter", t, "--x", "mjd", "--y", "err", "--xlog", "--out", s.file("x2.png")]) == 0)
        try "id,v\n1,-1\n2,3\n".write(toFile: s.file("neg.csv"), atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["plot", "scatter", s.file("neg.csv"), "--x", "id", "--y", "v", "--ylog", "--out", s.file("x3.png")]) == 2)
        #expect(SkyTool.run(["plot", "hist", t, "--col", "mag", "--out", s.file("x4.gif")]) == 2)
        #expect(SkyTool.run(["plot", "image", ImageFixtures.path("sep_image.fits"), "--overlay", t, "--out", s.file("x5.png")]) == 2)
        #expect(!s.contents.contains { $0.hasPrefix("x1") || $0.hasPrefix("x3") || $0.hasPrefix("x4") || $0.hasPrefix("x5") })
    }
}
