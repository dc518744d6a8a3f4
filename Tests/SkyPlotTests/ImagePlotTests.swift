// Image display: zscale and percentile limits against astropy on real images, colour tables against
// matplotlib (Fixtures/plot_reference.json, made by Scripts/make_plot_reference.py), ellipse orientation on
// the sky through TAN and SIN projections, and stamps.
import Foundation
import Numerics
import Testing
@testable import SkyPlot
import SkyCore

struct PlotReference: Decodable {
    struct Limits: Decodable {
        var zscale: [Double]
        var zscale_contrast_0_1: [Double]
        var percentile_99_5: [Double]
        enum CodingKeys: String, CodingKey { case zscale, zscale_contrast_0_1 = "zscale_contrast_0.1", percentile_99_5 = "percentile_99.5" }
    }
    var images: [String: Limits]
    var colormaps: [String: [[Double]]]
}

enum PlotFixtures {
    static func path(_ n: String) -> String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + n).path }
    static let reference: PlotReference? = {
        guard let d = FileManager.default.contents(atPath: path("plot_reference.json")) else { return nil }
        return try? JSONDecoder().decode(PlotReference.self, from: d)
    }()
}

@Suite("Image display")
struct ImagePlotTests {
    @Test(arguments: ["apogee_tansip_small.fits", "dss_proxima_tan.fits.gz", "sep_image.fits", "spitzer_irac_tansip.fits", "vla_first_sin.fits"])
    func intervalsEqualAstropy(_ name: String) throws {
        let ref = try #require(PlotFixtures.reference?.images[name])
        let img = try SkyImage.read(PlotFixtures.path(name))
        for (interval, expected) in [(ImageInterval.zscale(), ref.zscale), (.zscale(contrast: 0.1), ref.zscale_contrast_0_1), (.percentile(99.5), ref.percentile_99_5)] {
            let got = try #require(interval.limits(img.pixels))
            #expect(got.0.isApproximatelyEqual(to: expected[0], relativeTolerance: 1e-6), "\(name) \(interval) low \(got.0) vs \(expected[0])")
            #expect(got.1.isApproximatelyEqual(to: expected[1], relativeTolerance: 1e-6), "\(name) \(interval) high \(got.1) vs \(expected[1])")
        }
    }

    @Test(arguments: Colormap.allCases)
    func colourTablesEqualMatplotlib(_ map: Colormap) throws {
        let ref = try #require(PlotFixtures.reference?.colormaps[map.rawValue])
        let t = map.table
        #expect(t.count == 256 && ref.count == 256)
        for i in 0..<256 {
            #expect(abs(t[i].0 - ref[i][0]) < 1e-12 && abs(t[i].1 - ref[i][1]) < 1e-12 && abs(t[i].2 - ref[i][2]) < 1e-12, "\(map) entry \(i)")
        }
        // matplotlib maps v to entry ⌊256 v⌋ (clipped): 0 → 0, 0.5 → 128, 1 → 255.
        #expect(Colormap.index(0) == 0 && Colormap.index(0.5) == 128 && Colormap.index(1) == 255 && Colormap.index(0.999) == 255)
    }

    static func header(_ ctype: (String, String), crval: (Double, Double), cdelt: Double, rotation: Double) -> WCS? {
        var cards = [FITSHeaderCard("CTYPE1", .string(ctype.0)), FITSHeaderCard("CTYPE2", .string(ctype.1))]
        let c = cos(rotation * .pi / 180), s = sin(rotation * .pi / 180)
        for (k, v) in [("CRVAL1", crval.0), ("CRVAL2", crval.1), ("CRPIX1", 50.0), ("CRPIX2", 50.0),
                       ("CD1_1", -cdelt * c), ("CD1_2", cdelt * s), ("CD2_1", cdelt * s), ("CD2_2", cdelt * c)] {
            cards.append(FITSHeaderCard(k, .double(v)))
        }
        return try? WCS(headerText: FITSHeader(cards).cardText)
    }

    /// An ellipse with PA 0 points north, PA 90 east: the end of its major axis (the outline's first point)
    /// is due north or due east of the centre on the sky, on a TAN and a SIN image, rotated on the sky.
    @Test(arguments: [("RA---TAN", "DEC--TAN"), ("RA---SIN", "DEC--SIN")])
    func ellipseOrientationOnTheSky(_ ctype: (String, String)) throws {
        for rotation in [0.0, 30.0] {
            let wcs = try #require(Self.header(ctype, crval: (80, -40), cdelt: 1.0 / 3600, rotation: rotation))
            let centre = try wcs.pixelToWorld(x: [60], y: [45])
            for (pa, expectEast, expectNorth) in [(0.0, 0.0, 1.0), (90.0, 1.0, 0.0), (45.0, 0.7071, 0.7071)] {
                let e = SkyEllipse(ra: centre.lon[0], dec: centre.lat[0], major: 10, minor: 3, positionAngle: pa)
                let tip = try e.pixelOutline(wcs: wcs)[0]
                let s = try wcs.pixelToWorld(x: [tip.x], y: [tip.y])
                let east = (s.lon[0] - centre.lon[0]) * cos(centre.lat[0] * .pi / 180) * 3600, north = (s.lat[0] - centre.lat[0]) * 3600
                #expect(abs(east - 10 * expectEast) < 0.01 && abs(north - 10 * expectNorth) < 0.01, "\(ctype.0) rot \(rotation) PA \(pa): east \(east)″ north \(north)″")
            }
        }
    }

    /// RA and Dec ticks sit where the WCS gives their round values: each tick's position along the edge,
    /// converted back through the WCS, is within 0.01 s (RA) or 0.1″ (Dec) of a multiple of the step.
    @Test func skyTicksSitOnRoundValues() throws {
        let wcs = try #require(Self.header(("RA---TAN", "DEC--TAN"), crval: (217.43, -62.68), cdelt: 1.7 / 3600, rotation: 10))
        let ra = SkyTicks.along(wcs, from: (0.5, 0.5), to: (100.5, 0.5), .ra)
        let dec = SkyTicks.along(wcs, from: (0.5, 0.5), to: (0.5, 100.5), .dec)
        #expect(ra.count >= 2 && dec.count >= 2)
        for (t, text) in ra {
            let s = try wcs.pixelToWorld(x: [0.5 + 100 * t], y: [0.5])
            let seconds = s.lon[0] * 240
            #expect(abs(seconds - (seconds / 5).rounded() * 5) < 0.01 || abs(seconds - (seconds / 10).rounded() * 10) < 0.01, "RA tick \(text) at \(seconds) s")
            #expect(text.hasPrefix("14h29m") || text.hasPrefix("14h30m"))
        }
        for (t, _) in dec {
            let s = try wcs.pixelToWorld(x: [0.5], y: [0.5 + 100 * t])
            let arcsec = s.lat[0] * 3600
            #expect(abs(arcsec - (arcsec / 30).rounded() * 30) < 0.1 || abs(arcsec - (arcsec / 60).rounded() * 60) < 0.1)
        }
    }

    @Test func stampsOfTwoImagesAndOutside() throws {
        let s = PlotScratch()
        let first = try SkyImage.read(PlotFixtures.path("vla_first_sin.fits"))
        let w = try #require(first.wcs)
        let c = try w.pixelToWorld(x: [17], y: [17])
        var o = StampOptions(size: 30.0 / 3600)
        o.lines = ["FIRST source", "peak 6.8 mJy/beam"]
        var marked = try Stamp.figure(images: [first], ra: c.lon[0], dec: c.lat[0], options: o)
        marked.panels[0].elements += [.skyMark(SkyMark(ra: c.lon[0], dec: c.lat[0], shape: .cross, color: PlotColor(1, 0, 1))),
                                      .skyMark(SkyMark(ra: c.lon[0], dec: c.lat[0], text: "target"))]
        try marked.write(to: s.file("marked.png"))
        // The cross is drawn at the target: the 17-pixel cutout is centred on the pixel holding it (pixel 9).
        let at = try #require(marked.devicePoint(panel: 0, x: 9, y: 9))
        let px = try Canvas.pngPixel(s.file("marked.png"), x: Int(at.x), y: Int(at.y))
        #expect(px.r > 180 && px.b > 180 && px.g < 90, "magenta cross at the target: \(px)")
        let f = try Stamp.figure(images: [first, first], ra: c.lon[0], dec: c.lat[0],
                                 overlays: [[SkyEllipse(ra: c.lon[0], dec: c.lat[0], major: 2.7, minor: 2.7, label: "beam")], []], options: o)
        try f.write(to: s.file("stamp.png"))
        let size = try Figure.pngSize(of: s.file("stamp.png"))
        #expect(size.width == 600 && size.height == 346)   // square image areas: (216 − 9 + 4.7 · 9) pt at 100 dpi
        #expect(throws: PlotError.self) { try Stamp.figure(images: [first], ra: c.lon[0] + 1, dec: c.lat[0], options: o) }
        let noWCS = try SkyImage.read(PlotFixtures.path("sep_image.fits"))
        #expect(throws: PlotError.self) { try Stamp.figure(images: [noWCS], ra: 1, dec: 1, options: o) }
        let n = try Stamp.writeMany(images: [first], ra: [c.lon[0], c.lon[0] + 1], dec: [c.lat[0], c.lat[0]], options: o, directory: s.path)
        #expect(n == 1 && s.contents.contains("000001.png") && !s.contents.contains("000002.png"))
    }
}
