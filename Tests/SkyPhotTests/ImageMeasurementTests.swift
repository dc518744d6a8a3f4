// Background, detection and aperture photometry against SExtractor's own output on SEP's test image and
// against python-sep on the same pixels (Fixtures/sep/SOURCE.md; Scripts/make_sep_reference.py).
import Foundation
import Numerics
import Testing
@testable import SkyPhot
import SkyCore

struct SEPReference: Decodable {
    struct Case: Decodable { var flux: [Double]; var flux_err: [Double]; var flags: [Int] }
    struct Detect: Decodable { var count: Int; var x: [Double]; var y: [Double]; var flux: [Double]; var flags: [Int]; var a: [Double]; var theta: [Double] }
    struct Cut: Decodable {
        var ra: Double, dec: Double, width: Int, height: Int, first_x: Int, first_y: Int
        var crpix1: Double, crpix2: Double, nan_count: Int, finite_sum: Double
    }
    var global_back: Double, global_rms: Double
    var x: [Double], y: [Double], radius: Double, gain: Double
    var cases: [String: Case]
    var detect: Detect
    var cutouts: [Cut]
}

/// SExtractor's catalogue rows (sep_image.cat): X_IMAGE, Y_IMAGE (1-based) and FLUX_APER (r = 5 px).
func sextractorCatalogue() throws -> [(x: Double, y: Double, fluxAper: Double)] {
    let text = try String(contentsOfFile: PhotFixtures.path("sep/sep_image.cat"), encoding: .utf8)
    return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
        let f = line.split(separator: " ").compactMap { Double($0) }
        return f.count >= 13 ? (f[1], f[2], f[12]) : nil
    }
}

@Suite("Image measurement against SExtractor and python-sep")
struct ImageMeasurementTests {
    static let image = try? SkyImage.read(PhotFixtures.path("sep/sep_image.fits"))
    static let reference = PhotFixtures.decode("sep/sep_reference.json", as: SEPReference.self)

    /// SEP's own test tolerances (its test.py): background rtol 1e-5, rms rtol 1e-4 against SExtractor.
    @Test func backgroundAndRMSEqualSExtractorsMaps() throws {
        let img = try #require(Self.image)
        let ref = try #require(Self.reference)
        let maps = try img.background()
        let back = try SkyImage.read(PhotFixtures.path("sep/sep_back.fits"))
        let rms = try SkyImage.read(PhotFixtures.path("sep/sep_rms.fits"))
        var worstB = 0.0, worstR = 0.0
        for i in 0..<maps.background.count {
            worstB = max(worstB, abs(Double(maps.background[i]) / Double(back.pixels[i]) - 1))
            worstR = max(worstR, abs(Double(maps.rms[i]) / Double(rms.pixels[i]) - 1))
        }
        #expect(worstB <= 1e-5, "background worst relative difference \(worstB)")
        #expect(worstR <= 1e-4, "rms worst relative difference \(worstR)")
        #expect(Double(maps.globalBackground) == ref.global_back)
        #expect(Double(maps.globalRMS) == ref.global_rms)
    }

    /// With deblending off (as SEP's test does), the detections are SExtractor's: same count, positions to
    /// 1e-3 pixel, aperture fluxes to 2e-4 relative (SEP's test tolerances).
    @Test func detectionsAgreeWithSExtractorsCatalogue() throws {
        let img = try #require(Self.image)
        let maps = try img.background()
        var o = DetectionOptions(); o.deblendContrast = 1.0
        let found = try img.detect(maps: maps, options: o)
        let cat = try sextractorCatalogue().sorted { $0.y < $1.y }
        try #require(found.count == cat.count, "\(found.count) detections, SExtractor has \(cat.count)")
        let order = (0..<found.count).sorted { found.y[$0] < found.y[$1] }
        var ap = ApertureOptions(radius: 5)
        ap.subpixels = 5
        let xs = order.map { found.x[$0] }, ys = order.map { found.y[$0] }
        let phot = try img.aperturePhotometry(x: xs, y: ys, maps: maps, options: ap)
        for (k, i) in order.enumerated() {
            #expect(abs(found.x[i] - cat[k].x) <= 1e-3, "x of object \(k): \(found.x[i]) vs \(cat[k].x)")
            #expect(abs(found.y[i] - cat[k].y) <= 1e-3, "y of object \(k): \(found.y[i]) vs \(cat[k].y)")
            #expect(phot.flux[k].isApproximatelyEqual(to: cat[k].fluxAper, relativeTolerance: 2e-4), "FLUX_APER of object \(k)")
        }
        #expect(phot.flags.filter { $0.contains(.truncated) }.count == 4)
    }

    /// With python-sep's defaults (deblending on) the catalogue is python-sep's, to rounding.
    @Test func detectionsEqualPythonSEP() throws {
        let img = try #require(Self.image)
        let ref = try #require(Self.reference)
        let found = try img.detect(maps: try img.background())
        try #require(found.count == ref.detect.count)
        for i in 0..<found.count {
            #expect(abs(found.x[i] - ref.detect.x[i]) <= 1e-9)
            #expect(abs(found.y[i] - ref.detect.y[i]) <= 1e-9)
            #expect(found.flux[i].isApproximatelyEqual(to: ref.detect.flux[i], relativeTolerance: 1e-6))
            #expect(found.flags[i] == ref.detect.flags[i])
            #expect(found.a[i].isApproximatelyEqual(to: ref.detect.a[i], relativeTolerance: 1e-6))
            #expect(abs(found.theta[i] - ref.detect.theta[i] * 180 / .pi) <= 1e-4)
        }
        let cat = try found.catalogue(withSky: false)
        #expect(cat.rowCount == ref.detect.count)
        #expect(try cat.column("theta").unit == "deg")
    }

    /// sum_circle with the rms map and a gain, sub-sampled, exact and with an annulus: 1e-9 relative.
    @Test(arguments: ["subpix5", "exact", "annulus"])
    func apertureSumsEqualPythonSEP(_ name: String) throws {
        let img = try #require(Self.image)
        let ref = try #require(Self.reference)
        let c = try #require(ref.cases[name])
        var o = ApertureOptions(radius: ref.radius)
        o.gain = ref.gain
        o.subpixels = name == "exact" ? 0 : 5
        if name == "annulus" { o.annulusInner = 8; o.annulusOuter = 12 }
        let m = try img.aperturePhotometry(x: ref.x, y: ref.y, maps: try img.background(), options: o)
        for i in 0..<ref.x.count {
            #expect(m.flux[i].isApproximatelyEqual(to: c.flux[i], relativeTolerance: 1e-9), "\(name) flux \(i): \(m.flux[i]) vs \(c.flux[i])")
            #expect(m.fluxError[i].isApproximatelyEqual(to: c.flux_err[i], relativeTolerance: 1e-9), "\(name) error \(i)")
            #expect(m.flags[i].rawValue == c.flags[i], "\(name) flags \(i)")
        }
    }

    @Test func positionsOffTheImageAreFlaggedNotMeasured() throws {
        let img = try #require(Self.image)
        let m = try img.aperturePhotometry(x: [-3, 300, 100, .nan], y: [10, 10, 100, 5], maps: try img.background(), options: ApertureOptions(radius: 3))
        #expect(m.flags[0].contains(.outside) && m.flags[1].contains(.outside))
        #expect(m.flux[0].isNaN && m.flux[1].isNaN && m.flux[2].isFinite)
        #expect(m.flags[3].contains(.noPosition) && m.flux[3].isNaN)
        #expect(throws: ImageError.self) { try img.aperturePhotometry(x: [1], y: [1], maps: try img.background(), options: ApertureOptions(radius: -1)) }
    }

    /// Masked and NaN pixels: masked pixels are flagged; a NaN border (as in radio mosaics) does not stop
    /// detection or photometry inside.
    @Test func nanBordersAndMasks() throws {
        var img = try #require(Self.image)
        for y in 0..<img.height { for x in 0..<img.width where x < 20 || y < 15 { img.pixels[y * img.width + x] = .nan } }
        let maps = try img.background()
        let found = try img.detect(maps: maps)
        #expect(found.count > 40)
        #expect(found.x.allSatisfy { $0 > 20 } && found.y.allSatisfy { $0 > 15 })
        let m = try img.aperturePhotometry(x: [21, 100], y: [100, 100], maps: maps, options: ApertureOptions(radius: 4))
        #expect(m.flags[0].contains(.hasMasked) && !m.flags[1].contains(.hasMasked))
        var mask = [Bool](repeating: false, count: img.width * img.height)
        mask[99 * img.width + 99] = true
        let m2 = try img.aperturePhotometry(x: [100], y: [100], maps: maps, options: ApertureOptions(radius: 4), mask: mask)
        #expect(m2.flags[0].contains(.hasMasked))
        #expect(throws: ImageError.self) { try img.aperturePhotometry(x: [1], y: [1], maps: maps, options: ApertureOptions(radius: 2), mask: [true]) }
    }
}

@Suite("Cutouts against astropy Cutout2D")
struct CutoutTests {
    @Test func cutoutsMatchCutout2D() throws {
        let ref = try #require(ImageMeasurementTests.reference)
        let img = try SkyImage.read(PhotFixtures.path("sep/vla_first_sin.fits"))
        #expect(img.wcs != nil)
        for c in ref.cutouts {
            let cut = try img.cutout(ra: c.ra, dec: c.dec, size: .pixels(c.width, c.height))
            #expect(cut.width == c.width && cut.height == c.height)
            #expect(cut.header["CRPIX1"]?.doubleValue?.isApproximatelyEqual(to: c.crpix1, relativeTolerance: 1e-12) == true)
            #expect(cut.header["CRPIX2"]?.doubleValue?.isApproximatelyEqual(to: c.crpix2, relativeTolerance: 1e-12) == true)
            #expect(cut.pixels.filter(\.isNaN).count == c.nan_count)
            let sum = cut.pixels.filter(\.isFinite).reduce(0.0) { $0 + Double($1) }
            #expect(sum.isApproximatelyEqual(to: c.finite_sum, relativeTolerance: 1e-6))
            // Every pixel keeps its sky position: cutout pixel (i, j) is image pixel (i + first − 1, ...).
            let w = try #require(cut.wcs), w0 = try #require(img.wcs)
            let a = try w.pixelToWorld(x: [1, Double(c.width)], y: [1, Double(c.height)])
            let b = try w0.pixelToWorld(x: [Double(c.first_x), Double(c.first_x + c.width - 1)], y: [Double(c.first_y), Double(c.first_y + c.height - 1)])
            for k in 0..<2 {
                #expect(abs(a.lon[k] - b.lon[k]) < 1e-10 && abs(a.lat[k] - b.lat[k]) < 1e-10)
            }
        }
    }

    @Test func angularSizeAndErrors() throws {
        let img = try SkyImage.read(PhotFixtures.path("sep/vla_first_sin.fits"))
        let w = try #require(img.wcs)
        let centre = try w.pixelToWorld(x: [17], y: [17])
        // 1.8″ pixels: 27″ is 15 pixels.
        let cut = try img.cutout(ra: centre.lon[0], dec: centre.lat[0], size: .angle(27.0 / 3600, 27.0 / 3600))
        #expect(cut.width == 15 && cut.height == 15)
        #expect(throws: WCSError.self) { try img.cutout(ra: centre.lon[0] + 1, dec: centre.lat[0], size: .pixels(5, 5)) }
        let noWCS = try #require(ImageMeasurementTests.image)
        #expect(throws: WCSError.self) { try noWCS.cutout(ra: 10, dec: 10, size: .pixels(5, 5)) }
    }
}
