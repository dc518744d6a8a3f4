// Variability statistics against Fixtures/variability.json (numpy 2.4 and light-curve 0.13.3, from
// shared/reference): equal to 1e-10 (the reference values carry 12 significant digits, so the comparison is
// relative 1e-10 with that rounding).
import Foundation
import Numerics
import Testing
@testable import SkyPhot
import SkyCore

struct VariabilityReference: Decodable {
    let t: [Double], m: [Double], e: [Double]
    let weighted_mean: Double, reduced_chi2: Double, V_ddof1: Double, Vs_first_two: Double, m_first_two: Double
    let von_neumann_eta_ddof1: Double, stetson_K: Double, MAD: Double, IQR_numpy_linear: Double
    static let shared = PhotFixtures.decode("variability.json", as: VariabilityReference.self)
}

@Suite("Variability statistics")
struct VariabilityTests {
    @Test func matchTheReference() throws {
        let r = try #require(VariabilityReference.shared)
        let s = LightCurveStatistics(mag: r.m, err: r.e)
        // The reference rounds to 12 significant digits: relative 1e-10 is the tolerance.
        let checks: [(String, Double, Double)] = [
            ("weighted mean", s.weightedMean, r.weighted_mean), ("reduced chi2 (eta)", s.reducedChi2, r.reduced_chi2),
            ("V", s.V, r.V_ddof1), ("von Neumann eta", s.vonNeumannEta, r.von_neumann_eta_ddof1),
            ("Stetson K", s.stetsonK, r.stetson_K), ("MAD", s.mad, r.MAD), ("IQR", s.iqr, r.IQR_numpy_linear),
        ]
        for (name, got, want) in checks {
            #expect(got.isApproximatelyEqual(to: want, relativeTolerance: 1e-10), "\(name): \(got) vs \(want)")
        }
        let (vs, m) = LightCurveStatistics.twoEpoch(r.m[0], r.e[0], r.m[1], r.e[1])
        #expect(vs.isApproximatelyEqual(to: r.Vs_first_two, relativeTolerance: 1e-10))
        #expect(m.isApproximatelyEqual(to: r.m_first_two, relativeTolerance: 1e-10))
    }

    @Test func tableOfObjects() throws {
        let r = try #require(VariabilityReference.shared)
        // Two objects: the reference curve (shuffled: statistics sort by time) and a constant one.
        let n = r.t.count
        let perm = Array((0..<n).reversed())
        let t = try Catalogue(columns: [
            .string("id", Array(repeating: "A", count: n) + ["B", "B", "B"]),
            .double("t", perm.map { r.t[$0] } + [1, 2, 3]),
            .double("mag", perm.map { r.m[$0] } + [12, 12, 12], unit: "mag"),
            .double("err", perm.map { r.e[$0] } + [0.01, 0.01, 0.01]),
        ])
        let s = try Variability.statistics(t, id: "id", time: "t", mag: "mag", err: "err")
        #expect(s.rowCount == 2)
        #expect(try s.doubles("von_neumann_eta")[0].isApproximatelyEqual(to: r.von_neumann_eta_ddof1, relativeTolerance: 1e-10))
        #expect(try s.doubles("reduced_chi2")[1] == 0)
        #expect(try s.column("weighted_mean").unit == "mag")
    }
}

@Suite("Two-epoch m statistic")
struct MaxAbsMTests {
    /// A 3.5 mag jump at 0.03 mag errors (|Vs| ≈ 82 ≥ 4.3): m = 2 (mₐ − m_b)/(mₐ + m_b) = −7/33.5 for the pair
    /// (15, 18.5). The running maximum used to start at 1, above any |m| of ordinary magnitudes, so it stayed empty.
    @Test func aJumpFillsMaxAbsM() throws {
        let s = LightCurveStatistics(mag: [15, 15, 18.5], err: [0.03, 0.03, 0.03])
        let m = try #require(s.maxAbsM)
        #expect(abs(m - (-7.0 / 33.5)) < 1e-15)
        let vs = try #require(s.vsAtMaxM)
        let expectedVs: Double = -3.5 / (2.0 * 0.03 * 0.03).squareRoot()
        #expect(abs(vs - expectedVs) < 1e-9)
        // Below the threshold: nil.
        #expect(LightCurveStatistics(mag: [15, 15.01], err: [0.03, 0.03]).maxAbsM == nil)
    }
}
