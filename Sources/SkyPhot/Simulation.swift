// Synthetic reference/search epochs with known truth, for validating the recalibration.
import Foundation
import SkyCore

/// A reference catalogue and a search epoch of one chip with known zero-point surface, noise and variables.
public struct SimulatedEpochs: Sendable {
    public var reference: Catalogue
    public var search: Catalogue
    /// The true zero-point surface (search − reference).
    public var truth: Chebyshev2D
    /// The true scatter of Δ relative to the reported combined errors (the expected rescale factor).
    public var errorScale: Double
    /// Search rows of injected variables and their amplitudes (mag).
    public var variableRows: [Int]
    public var variableAmplitudes: [Double]

    /// Stars uniform over a `width` × `height` pixel chip (0.26″/px, centred on ra 150, dec −30), magnitudes
    /// 15–22 with errors 0.004 + 0.02·10^(0.4(m − 21)) (reference 2× deeper), a search epoch = reference +
    /// `truth` surface + Gaussian noise of `errorScale` × the reported combined errors; a fraction of the stars
    /// vary by amplitudes drawn so that |Δ|/σ ≥ `minSignificance`. No two stars are closer than
    /// `minSeparation` arcsec (closer pairs are blends, a deblending matter, not a photometric one).
    public static func make(stars: Int, width: Double = 2048, height: Double = 4096, seed: UInt64 = 1,
                            truth: Chebyshev2D? = nil, errorScale: Double = 2.0, variableFraction: Double = 0.01,
                            minSignificance: Double = 20, minSeparation: Double = 2) throws -> SimulatedEpochs {
        var g = SeededGenerator(seed: seed)
        let domain = ChebyshevDomain(xmin: 1, xmax: width, ymin: 1, ymax: height)
        var surface = truth ?? Chebyshev2D(degreeX: 4, degreeY: 4, domain: domain)
        if truth == nil {
            // About ±0.1 mag across the chip: a gradient, curvature and a little higher-order structure.
            surface.coefficients[0][0] = 0.25; surface.coefficients[1][0] = 0.05; surface.coefficients[0][1] = -0.04
            surface.coefficients[2][0] = 0.02; surface.coefficients[1][1] = 0.015; surface.coefficients[0][2] = -0.025
            surface.coefficients[3][1] = 0.006; surface.coefficients[2][2] = -0.008; surface.coefficients[4][0] = 0.004
            surface.coefficients[0][4] = 0.005
        }
        var id: [Int64] = [], x: [Double] = [], y: [Double] = [], ra: [Double] = [], dec: [Double] = []
        var mr: [Double] = [], er: [Double] = [], ms: [Double] = [], es: [Double] = []
        var vrows: [Int] = [], vamp: [Double] = []
        let scale = 0.26 / 3600, cosd = cos(-30 * Double.pi / 180)
        let minPix = minSeparation / 0.26
        var occupied: [Int64: [(Double, Double)]] = [:]
        func cell(_ a: Double, _ b: Double) -> Int64 { Int64(a / minPix) << 32 | Int64(b / minPix) }
        var k = 0
        var attempts = 0
        while k < stars && attempts < 50 * stars {
            attempts += 1
            let px = 1 + g.uniform() * (width - 1), py = 1 + g.uniform() * (height - 1)
            var crowded = false
            for dx in -1...1 { for dy in -1...1 {
                let c = cell(px + Double(dx) * minPix, py + Double(dy) * minPix)
                for (qx, qy) in occupied[c] ?? [] where (qx - px) * (qx - px) + (qy - py) * (qy - py) < minPix * minPix { crowded = true }
            } }
            if crowded { continue }
            occupied[cell(px, py), default: []].append((px, py))
            defer { k += 1 }
            let m = 15 + 7 * pow(g.uniform(), 0.6)
            let eRef = 0.5 * (0.004 + 0.02 * pow(10, 0.4 * (m - 21))), eSea = 0.004 + 0.02 * pow(10, 0.4 * (m - 21))
            let trueRef = m
            let sigmaTot = (max(eRef, 0.01) * max(eRef, 0.01) + max(eSea, 0.01) * max(eSea, 0.01)).squareRoot()
            var search = trueRef + surface.evaluate(x: px, y: py) + errorScale * sigmaTot * g.gaussian()
            if g.uniform() < variableFraction {
                let amp = (minSignificance + 10 * g.uniform()) * errorScale * max(eSea, 0.01) * (g.uniform() < 0.5 ? -1 : 1) * 1.2
                search += amp
                vrows.append(k); vamp.append(amp)
            }
            id.append(Int64(k + 1)); x.append(px); y.append(py)
            ra.append(150 + (px - width / 2) * scale / cosd); dec.append(-30 + (py - height / 2) * scale)
            mr.append(trueRef); er.append(eRef); ms.append(search); es.append(eSea)
        }
        let ref = try Catalogue(columns: [.int64("id", id), .double("ra", ra, unit: "deg"), .double("dec", dec, unit: "deg"),
                                          .double("x", x, unit: "pix"), .double("y", y, unit: "pix"),
                                          .double("mag", mr, unit: "mag"), .double("mag_err", er, unit: "mag")])
        // The search detections sit 0.05″ (rms) from the reference positions.
        let jra = ra.map { $0 + 0.05 / 3600 * g.gaussian() / cosd }, jdec = dec.map { $0 + 0.05 / 3600 * g.gaussian() }
        let sea = try Catalogue(columns: [.int64("id", id), .double("ra", jra, unit: "deg"), .double("dec", jdec, unit: "deg"),
                                          .double("x", x, unit: "pix"), .double("y", y, unit: "pix"),
                                          .double("mag", ms, unit: "mag"), .double("mag_err", es, unit: "mag")])
        return SimulatedEpochs(reference: ref, search: sea, truth: surface, errorScale: errorScale, variableRows: vrows, variableAmplitudes: vamp)
    }
}
