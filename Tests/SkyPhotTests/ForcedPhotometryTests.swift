// Forced PSF photometry on synthetic images with injected stars of known flux: unbiased (|mean pull| < 0.1),
// calibrated errors (pull σ within 10 % of 1), blended pairs one FWHM apart split correctly, a radio beam's
// peak in Jy/beam. The images are drawn here from the definitions (pixel-integrated Gaussian by erf
// differences; the beam by its FWHM and position angle), independently of the fitter's code.
import Foundation
import Numerics
import Testing
@testable import SkyPhot
import SkyCore

/// A synthetic image: a sky gradient, stars, Gaussian noise of a known σ.
struct SyntheticField {
    var width: Int, height: Int
    var pixels: [Float]
    var sky: [Float]
    var sigma: Double

    /// Pixel-integrated circular Gaussian of total flux `flux` at 1-based (x, y), added to `pixels`.
    static func addStar(_ px: inout [Float], width: Int, height: Int, x: Double, y: Double, flux: Double, fwhm: Double) {
        let s = fwhm / (2 * (2 * log(2.0)).squareRoot())
        let r = Int(8 * s) + 2
        let cx = x - 1, cy = y - 1
        func integral(_ a: Double, _ b: Double, _ c: Double) -> Double { 0.5 * (erf((b - c) / (s * 2.0.squareRoot())) - erf((a - c) / (s * 2.0.squareRoot()))) }
        for j in max(0, Int(cy) - r)...min(height - 1, Int(cy) + r) {
            let fy = integral(Double(j) - 0.5, Double(j) + 0.5, cy)
            for i in max(0, Int(cx) - r)...min(width - 1, Int(cx) + r) {
                px[j * width + i] += Float(flux * fy * integral(Double(i) - 0.5, Double(i) + 0.5, cx))
            }
        }
    }

    init(width: Int, height: Int, sigma: Double, seed: UInt64, stars: [(x: Double, y: Double, flux: Double)], fwhm: Double) {
        self.width = width; self.height = height; self.sigma = sigma
        var rng = SeededGenerator(seed: seed)
        var sky = [Float](repeating: 0, count: width * height)
        for j in 0..<height { for i in 0..<width { sky[j * width + i] = Float(100 + 0.05 * Double(i) - 0.03 * Double(j)) } }
        var px = sky
        for s in stars { SyntheticField.addStar(&px, width: width, height: height, x: s.x, y: s.y, flux: s.flux, fwhm: fwhm) }
        for k in 0..<px.count { px[k] += Float(sigma * rng.gaussian()) }
        self.pixels = px; self.sky = sky
    }

    var image: SkyImage { SkyImage(width: width, height: height, pixels: pixels, source: "synthetic") }
    /// The true sky and noise as maps (the fitter is tested apart from the background estimate).
    func trueMaps() throws -> BackgroundMap {
        try BackgroundMap(width: width, height: height, background: sky, rms: [Float](repeating: Float(sigma), count: width * height))
    }
}

extension SyntheticField {
    /// Forced photometry of this field with a Gaussian PSF at the stars' positions, on the true maps.
    func fit(_ stars: [(x: Double, y: Double, flux: Double)], fwhm: Double) throws -> ForcedMeasurements {
        try image.forcedPhotometry(x: stars.map(\.x), y: stars.map(\.y), maps: try trueMaps(),
                                   options: ForcedPhotometryOptions(psf: .gaussian(fwhm: fwhm)))
    }
}

/// Expects fluxes unbiased (|mean pull| < 0.1) with calibrated errors (pull σ within 10 % of 1).
func expectUnbiasedAndCalibrated(_ m: ForcedMeasurements, _ truth: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    let (mean, sigma) = pullStatistics(m.flux, m.fluxError, truth)
    #expect(abs(mean) < 0.1, "mean pull \(mean)", sourceLocation: sourceLocation)
    #expect(abs(sigma - 1) < 0.1, "pull sigma \(sigma)", sourceLocation: sourceLocation)
}

/// Mean and standard deviation of the pulls (fitted − true) / error.
func pullStatistics(_ fitted: [Double], _ errors: [Double], _ truth: [Double]) -> (mean: Double, sigma: Double) {
    let p = zip(zip(fitted, errors), truth).map { ($0.0 - $1) / $0.1 }
    let mean = p.reduce(0, +) / Double(p.count)
    let v = p.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(p.count - 1)
    return (mean, v.squareRoot())
}

@Suite("Forced PSF photometry with injected stars")
struct ForcedPhotometryTests {
    /// Isolated stars on a grid, fluxes from faint to bright (S/N 10 to ~2000), FWHM 2.5 pixels.
    @Test func isolatedStarsAreUnbiasedWithCalibratedErrors() throws {
        var stars: [(x: Double, y: Double, flux: Double)] = []
        var rng = SeededGenerator(seed: 11)
        for gy in 0..<25 { for gx in 0..<25 {
            stars.append((Double(gx) * 20 + 15 + rng.uniform(), Double(gy) * 20 + 15 + rng.uniform(), 200 * pow(10, 2.3 * rng.uniform())))
        } }
        let f = SyntheticField(width: 520, height: 520, sigma: 5, seed: 12, stars: stars, fwhm: 2.5)
        let m = try f.fit(stars, fwhm: 2.5)
        expectUnbiasedAndCalibrated(m, stars.map(\.flux))
        #expect(m.groupSize.allSatisfy { $0 == 1 })
        // The model is right and the noise known: the mean reduced χ² is 1.
        let chi = m.chi2.reduce(0, +) / Double(m.chi2.count)
        #expect(abs(chi - 1) < 0.05, "mean reduced chi2 \(chi)")
    }

    /// At high S/N a Gaussian sampled at pixel centres is visibly biased; the integrated model is not.
    @Test func brightStarsNeedThePixelIntegral() throws {
        var stars: [(x: Double, y: Double, flux: Double)] = []
        for k in 0..<100 { stars.append((Double(k % 10) * 20 + 15.3, Double(k / 10) * 20 + 14.8, 1e6)) }
        let f = SyntheticField(width: 215, height: 215, sigma: 1, seed: 5, stars: stars, fwhm: 2.0)
        let m = try f.fit(stars, fwhm: 2.0)
        let (mean, _) = pullStatistics(m.flux, m.fluxError, stars.map(\.flux))
        #expect(abs(mean) < 0.2, "mean pull \(mean)")
        let s2 = pow(2.0 / (2 * (2 * log(2.0)).squareRoot()), 2)
        let sampled = try f.image.forcedPhotometry(x: stars.map(\.x), y: stars.map(\.y), maps: try f.trueMaps(),
                                                   options: ForcedPhotometryOptions(psf: .sampledGaussian(covarianceXX: s2, covarianceYY: s2, covarianceXY: 0)))
        // A sampled Gaussian of unit peak: its amplitude times 2πσ² would be the flux; it misses by > 1 %.
        let area: Double = 2 * Double.pi * s2
        var bias = 0.0
        for a in sampled.flux { bias += (a * area / 1e6 - 1) / 100 }
        #expect(abs(bias) > 0.01, "sampled-model bias \(bias)")
    }

    /// Pairs one FWHM apart (3 pixels), flux ratios 1 to 4: fitted jointly, both fluxes unbiased with
    /// calibrated errors; fitted one at a time (groups of 1, no coupling) they would each take the other's light.
    @Test func blendedPairsOneFWHMApartAreSplit() throws {
        var stars: [(x: Double, y: Double, flux: Double)] = []
        var rng = SeededGenerator(seed: 21)
        for gy in 0..<20 { for gx in 0..<20 {
            let x = Double(gx) * 25 + 15 + rng.uniform(), y = Double(gy) * 25 + 15 + rng.uniform()
            let angle = 2 * Double.pi * rng.uniform()
            stars.append((x, y, 3000))
            stars.append((x + 3 * cos(angle), y + 3 * sin(angle), 3000 / (1 + 3 * rng.uniform())))
        } }
        let f = SyntheticField(width: 520, height: 520, sigma: 5, seed: 22, stars: stars, fwhm: 3)
        let m = try f.fit(stars, fwhm: 3)
        expectUnbiasedAndCalibrated(m, stars.map(\.flux))
        #expect(m.groupSize.allSatisfy { $0 == 2 })
        // Joint errors are larger than an isolated star's: the pair's amplitudes are anti-correlated.
        let alone = try f.image.forcedPhotometry(x: [stars[0].x], y: [stars[0].y], maps: try f.trueMaps(),
                                                 options: ForcedPhotometryOptions(psf: .gaussian(fwhm: 3)))
        #expect(m.fluxError[0] > alone.fluxError[0])
        #expect(alone.flux[0] > stars[0].flux + 10 * alone.fluxError[0], "fitted alone, a blend takes its neighbour's light")
    }

    /// A crowded field whose groups exceed the exact limit: amplitudes are still the joint solution (equal to
    /// a run with no limit), errors flagged approximate where couplings were cut.
    @Test func groupLimitKeepsTheSolutionExact() throws {
        var stars: [(x: Double, y: Double, flux: Double)] = []
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<600 { stars.append((5 + 110 * rng.uniform(), 5 + 110 * rng.uniform(), 500 + 2000 * rng.uniform())) }
        let f = SyntheticField(width: 120, height: 120, sigma: 3, seed: 32, stars: stars, fwhm: 2.5)
        var o = ForcedPhotometryOptions(psf: .gaussian(fwhm: 2.5))
        o.maxGroupSize = 1000
        let exact = try f.image.forcedPhotometry(x: stars.map(\.x), y: stars.map(\.y), maps: try f.trueMaps(), options: o)
        o.maxGroupSize = 8
        let capped = try f.image.forcedPhotometry(x: stars.map(\.x), y: stars.map(\.y), maps: try f.trueMaps(), options: o)
        #expect(exact.groupSize.max()! > 8)
        #expect(capped.groupSize.max()! <= 8)
        for i in 0..<stars.count where exact.flux[i].isFinite {
            #expect(abs(capped.flux[i] - exact.flux[i]) <= 1e-6 * max(1, exact.fluxError[i]), "star \(i)")
        }
        #expect(capped.flags.contains { $0.contains(.approximateError) })
        #expect(!exact.flags.contains { $0.contains(.approximateError) })
    }

    /// Off-image, NaN-covered and coincident positions give flags, never a crash.
    @Test func degenerateInputsAreFlagged() throws {
        let f = SyntheticField(width: 60, height: 60, sigma: 2, seed: 3, stars: [(30, 30, 1000)], fwhm: 3)
        var img = f.image
        for j in 0..<60 { for i in 0..<12 { img.pixels[j * 60 + i] = .nan } }
        let m = try img.forcedPhotometry(x: [30, 30, -5, 5, .nan, 13], y: [30, 30, 10, 30, 3, 30], maps: try f.trueMaps(),
                                         options: ForcedPhotometryOptions(psf: .gaussian(fwhm: 3)))
        #expect(m.flux[0].isFinite != m.flux[1].isFinite, "one of two coincident sources is measured")
        #expect(m.flags[2].contains(.outside) && m.flux[2].isNaN)
        #expect(m.flags[3].contains(.allMasked) && m.flux[3].isNaN)
        #expect(m.flags[4].contains(.noPosition))
        #expect(m.flags[5].contains(.hasMasked) && m.flux[5].isFinite)
        #expect(throws: ImageError.self) { try img.forcedPhotometry(x: [1], y: [1], maps: try f.trueMaps(), options: ForcedPhotometryOptions(psf: .gaussian(fwhm: -1))) }
    }

    /// A radio image (SIN projection, 1.8″ pixels, Jy/beam) with an elongated beam (BMAJ 9″, BMIN 4.5″,
    /// BPA 30° east of north): point sources drawn as the beam at their positions; the forced fit with the
    /// header's beam gives their peaks in Jy/beam. The beam's pixel-space shape is derived here from the
    /// geometry (north = +y, east = −x for CDELT1 < 0), not from the code under test.
    @Test func radioBeamPeaksInJanskyPerBeam() throws {
        let n = 200, pix = 1.8 / 3600
        let bmaj = 9.0 / 3600, bmin = 4.5 / 3600, bpa = 30.0
        var cards: [FITSHeaderCard] = []
        for (k, v) in [("CTYPE1", "RA---SIN"), ("CTYPE2", "DEC--SIN"), ("BUNIT", "JY/BEAM")] { cards.append(FITSHeaderCard(k, .string(v))) }
        for (k, v) in [("CRVAL1", 150.0), ("CRVAL2", 2.0), ("CRPIX1", 100.5), ("CRPIX2", 100.5), ("CDELT1", -pix), ("CDELT2", pix),
                       ("BMAJ", bmaj), ("BMIN", bmin), ("BPA", bpa)] { cards.append(FITSHeaderCard(k, .double(v))) }
        let header = FITSHeader(cards)
        let wcs = try WCS(headerText: header.cardText, source: "synthetic radio")
        // Truth covariance in pixels: major axis along (−sin PA, cos PA), minor along (cos PA, sin PA).
        let k = 2 * (2 * log(2.0)).squareRoot()
        let sM = bmaj / pix / k, sm = bmin / pix / k
        let pa = bpa * .pi / 180
        let u = (-sin(pa), cos(pa)), v = (cos(pa), sin(pa))
        let cxx = sM * sM * u.0 * u.0 + sm * sm * v.0 * v.0, cyy = sM * sM * u.1 * u.1 + sm * sm * v.1 * v.1
        let cxy = sM * sM * u.0 * u.1 + sm * sm * v.0 * v.1
        let det = cxx * cyy - cxy * cxy
        var rng = SeededGenerator(seed: 41)
        var px = [Float](repeating: 0, count: n * n)
        var sources: [(x: Double, y: Double, peak: Double)] = []
        for gy in 0..<9 { for gx in 0..<9 {
            sources.append((Double(gx) * 20 + 20 + rng.uniform(), Double(gy) * 20 + 20 + rng.uniform(), 0.001 + 0.02 * rng.uniform()))
        } }
        let sigma = 0.00015
        for s in sources {
            for j in 0..<n { for i in 0..<n {
                let dx = Double(i + 1) - s.x, dy = Double(j + 1) - s.y
                guard abs(dx) < 20, abs(dy) < 20 else { continue }
                px[j * n + i] += Float(s.peak * exp(-0.5 * (cyy * dx * dx - 2 * cxy * dx * dy + cxx * dy * dy) / det))
            } }
        }
        for i in 0..<px.count { px[i] += Float(sigma * rng.gaussian()) }
        let img = SkyImage(width: n, height: n, pixels: px, header: header, wcs: wcs, source: "synthetic radio")
        let psf = try PSFModel.beam(of: img)
        guard case let .sampledGaussian(fxx, fyy, fxy) = psf else { Issue.record("not a sampled Gaussian"); return }
        #expect(fxx.isApproximatelyEqual(to: cxx, relativeTolerance: 1e-3))
        #expect(fyy.isApproximatelyEqual(to: cyy, relativeTolerance: 1e-3))
        #expect(fxy.isApproximatelyEqual(to: cxy, relativeTolerance: 1e-3))
        let maps = try BackgroundMap(width: n, height: n, background: nil, rms: [Float](repeating: Float(sigma), count: n * n))
        // Positions go in as sky coordinates, as a catalogue from another survey would give them.
        let sky = try wcs.pixelToWorld(x: sources.map(\.x), y: sources.map(\.y))
        let (x, y) = try img.pixels(ra: sky.lon, dec: sky.lat)
        let m = try img.forcedPhotometry(x: x, y: y, maps: maps, subtract: false, options: ForcedPhotometryOptions(psf: psf))
        let (mean, spread) = pullStatistics(m.flux, m.fluxError, sources.map(\.peak))
        #expect(abs(mean) < 0.25, "mean pull \(mean)")
        #expect(abs(spread - 1) < 0.2, "pull sigma \(spread)")
        // The wrong orientation (PA 120°) fits visibly worse.
        let wrong = try PSFModel.beam(major: bmaj, minor: bmin, positionAngle: bpa + 90, image: img, atX: 100, y: 100)
        let mw = try img.forcedPhotometry(x: x, y: y, maps: maps, subtract: false, options: ForcedPhotometryOptions(psf: wrong))
        #expect(mw.chi2.reduce(0, +) > 3 * m.chi2.reduce(0, +))
        var noBeam = img
        noBeam.header = FITSHeader(cards.filter { !$0.name.hasPrefix("B") })
        #expect(throws: ImageError.self) { try PSFModel.beam(of: noBeam) }
    }
}
