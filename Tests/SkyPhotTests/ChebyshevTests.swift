// Chebyshev2D against numpy 1.24 (Fixtures/chebyshev2d.json from shared/reference/make_reference.py:
// chebvander2d + lstsq, weights 1/sigma): coefficients to 1e-9 relative, chi2 to 1e-9 (the issue's tolerances).
import Foundation
import Numerics
import Testing
@testable import SkyPhot
import SkyCore

struct ChebyshevCase: Decodable, Sendable, CustomTestStringConvertible {
    let deg_x: Int, deg_y: Int, domain: [Double], weighted: Bool
    let x: [Double], y: [Double], z: [Double], sigma: [Double]
    let coef_ij: [[Double]], chi2: Double, dof: Int
    var testDescription: String { "\(deg_x)x\(deg_y), \(x.count) points\(weighted ? ", weighted" : "")" }
}
struct ChebyshevReference: Decodable {
    let cases: [ChebyshevCase]
    static let shared = PhotFixtures.decode("chebyshev2d.json", as: ChebyshevReference.self)
}

@Suite("Chebyshev2D against numpy")
struct ChebyshevTests {
    @Test func referenceLoads() { #expect(ChebyshevReference.shared?.cases.count == 5) }

    @Test("fit equals numpy lstsq", arguments: ChebyshevReference.shared?.cases ?? [])
    func fit(_ c: ChebyshevCase) throws {
        let domain = try #require(ChebyshevDomain(c.domain))
        let w = c.sigma.map { 1 / $0 }
        let (s, chi2) = try Chebyshev2D.fit(x: c.x, y: c.y, z: c.z, weights: w, degreeX: c.deg_x, degreeY: c.deg_y, domain: domain)
        let scale = c.coef_ij.flatMap { $0 }.map(abs).max() ?? 1
        for i in 0...c.deg_x { for j in 0...c.deg_y {
            // Relative 1e-9; coefficients much smaller than the largest one are compared at 1e-9 of the largest.
            #expect(s.coefficients[i][j].isApproximatelyEqual(to: c.coef_ij[i][j], absoluteTolerance: 1e-9 * scale, relativeTolerance: 1e-9),
                    "c[\(i)][\(j)] = \(s.coefficients[i][j]) vs \(c.coef_ij[i][j])")
        } }
        // Relative 1e-9; one reference case is an exact (noise-free) surface whose chi2 is rounding noise
        // (~1e-28 in both), compared with an absolute floor of 1e-20.
        #expect(chi2.isApproximatelyEqual(to: c.chi2, absoluteTolerance: 1e-20, relativeTolerance: 1e-9), "chi2 \(chi2) vs \(c.chi2)")
        // The model evaluated at the data reproduces chi2.
        let model = s.evaluate(x: c.x, y: c.y)
        let again = zip(zip(c.z, model), c.sigma).reduce(0.0) { $0 + pow(($1.0.0 - $1.0.1) / $1.1, 2) }
        #expect(again.isApproximatelyEqual(to: c.chi2, absoluteTolerance: 1e-20, relativeTolerance: 1e-9))
    }

    @Test func totalDegreeAndDegenerateInput() throws {
        let d = ChebyshevDomain(xmin: 0, xmax: 10, ymin: 0, ymax: 10)
        let s = Chebyshev2D(degreeX: 3, degreeY: 3, totalDegree: 3, domain: d)
        #expect(s.terms.count == 10)   // i + j ≤ 3
        // An exact plane is recovered exactly; too few points is an error.
        var x: [Double] = [], y: [Double] = [], z: [Double] = []
        for i in 0..<10 { for j in 0..<10 { x.append(Double(i)); y.append(Double(j)); z.append(1 + 0.5 * Double(i) - 0.25 * Double(j)) } }
        let (f, chi2) = try Chebyshev2D.fit(x: x, y: y, z: z, degreeX: 1, degreeY: 1, domain: d)
        #expect(abs(f.evaluate(x: 3.3, y: 7.1) - (1 + 1.65 - 1.775)) < 1e-12 && chi2 < 1e-20)
        #expect(throws: FitError.self) { _ = try Chebyshev2D.fit(x: [1, 2], y: [1, 2], z: [1, 2], degreeX: 2, degreeY: 2, domain: d) }
        #expect(throws: FitError.self) { _ = try Chebyshev2D.fit(x: Array(repeating: 5, count: 50), y: Array(repeating: 5, count: 50), z: Array(repeating: 1, count: 50), degreeX: 1, degreeY: 1, domain: d) }
    }

    @Test("the clipped fit with no clipping equals numpy lstsq", arguments: ChebyshevReference.shared?.cases ?? [])
    func clippedWithoutClipping(_ c: ChebyshevCase) throws {
        // clip = 1e9: nothing is ever rejected, so one fit by the normal-equations path is compared with numpy
        // at the issue's tolerances (1e-9 relative; chi2 1e-9, absolute floor 1e-20 for the exact case).
        let domain = try #require(ChebyshevDomain(c.domain))
        let f = try ClippedChebyshevFit(x: c.x, y: c.y, z: c.z, sigma: c.sigma, degreeX: c.deg_x, degreeY: c.deg_y, domain: domain, clip: 1e9)
        let scale = c.coef_ij.flatMap { $0 }.map(abs).max() ?? 1
        for i in 0...c.deg_x { for j in 0...c.deg_y {
            #expect(f.surface.coefficients[i][j].isApproximatelyEqual(to: c.coef_ij[i][j], absoluteTolerance: 1e-9 * scale, relativeTolerance: 1e-9))
        } }
        #expect(f.chi2.isApproximatelyEqual(to: c.chi2, absoluteTolerance: 1e-20, relativeTolerance: 1e-9), "chi2 \(f.chi2) vs \(c.chi2)")
        #expect(f.iterations == 1 && f.kept.allSatisfy { $0 })
    }

    @Test("the clipped fit equals the QR fit on its kept set; the thread count does not change it")
    func clippedEqualsQR() throws {
        var g = SeededGenerator(seed: 5)
        let d = ChebyshevDomain(xmin: 1, xmax: 2048, ymin: 1, ymax: 4096)
        var truth = Chebyshev2D(degreeX: 4, degreeY: 3, domain: d)
        truth.coefficients[0][0] = 0.3; truth.coefficients[1][1] = -0.04; truth.coefficients[4][3] = 0.01
        let m = 60_000
        var x = [Double](repeating: 0, count: m), y = x, z = x, s = x
        for k in 0..<m {
            x[k] = 1 + 2047 * g.uniform(); y[k] = 1 + 4095 * g.uniform(); s[k] = 0.01 + 0.03 * g.uniform()
            z[k] = truth.evaluate(x: x[k], y: y[k]) + s[k] * g.gaussian() + (k % 50 == 0 ? 0.4 : 0)
        }
        let f = try ClippedChebyshevFit(x: x, y: y, z: z, sigma: s, degreeX: 4, degreeY: 3, domain: d, clip: 3)
        #expect(f.iterations >= 2 && f.kept.filter { !$0 }.count >= m / 50)
        let idx = (0..<m).filter { f.kept[$0] }
        let (q, chi2) = try Chebyshev2D.fit(x: idx.map { x[$0] }, y: idx.map { y[$0] }, z: idx.map { z[$0] }, weights: idx.map { 1 / s[$0] },
                                            degreeX: 4, degreeY: 3, domain: d)
        let scale = q.coefficients.flatMap { $0 }.map(abs).max() ?? 1
        for i in 0...4 { for j in 0...3 {
            #expect(f.surface.coefficients[i][j].isApproximatelyEqual(to: q.coefficients[i][j], absoluteTolerance: 1e-10 * scale, relativeTolerance: 1e-10))
        } }
        #expect(f.chi2.isApproximatelyEqual(to: chi2, relativeTolerance: 1e-10) && f.dof == idx.count - 20)
        setenv("SKYTOOL_THREADS", "1", 1)
        defer { unsetenv("SKYTOOL_THREADS") }
        let one = try ClippedChebyshevFit(x: x, y: y, z: z, sigma: s, degreeX: 4, degreeY: 3, domain: d, clip: 3)
        #expect(one.surface == f.surface && one.kept == f.kept && one.chi2 == f.chi2)
        // The QR fit too, on enough points to be cut into several parts (4 here: at least 8 chunks of 4096
        // rows each); on one thread and on all cores the same bits. (It once cut one part per core.)
        let big = 140_000
        let xs = (0..<big).map { x[$0 % m] + Double($0 / m) * 1e-3 }, ys = (0..<big).map { y[$0 % m] }, zs = (0..<big).map { z[$0 % m] }
        unsetenv("SKYTOOL_THREADS")
        let all = try Chebyshev2D.fit(x: xs, y: ys, z: zs, degreeX: 4, degreeY: 3, domain: d)
        setenv("SKYTOOL_THREADS", "1", 1)
        let serial = try Chebyshev2D.fit(x: xs, y: ys, z: zs, degreeX: 4, degreeY: 3, domain: d)
        #expect(all.surface == serial.surface && all.chi2 == serial.chi2)
    }
}
