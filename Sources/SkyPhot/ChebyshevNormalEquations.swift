// Clipping rounds without refitting from scratch: the normal equations of a 2-D Chebyshev fit, updated by the
// few points each round adds or removes, solved by Cholesky and finished with one step of iterative refinement.
import Foundation
import SkyCore

/// Normal equations N c = r of a weighted Chebyshev fit (N = Aᵀ W² A, r = Aᵀ W² z), accumulated per point.
struct ChebyshevNormalEquations {
    let degreeX: Int, degreeY: Int
    let terms: [(i: Int, j: Int)]
    let domain: ChebyshevDomain
    var n: Int { terms.count }
    /// Upper triangle, row-major n×n.
    var N: [Double]
    var r: [Double]

    init(surface: Chebyshev2D) {
        degreeX = surface.degreeX; degreeY = surface.degreeY; domain = surface.domain
        terms = surface.terms.map { ($0.i, $0.j) }
        N = [Double](repeating: 0, count: terms.count * terms.count)
        r = [Double](repeating: 0, count: terms.count)
    }

    /// The weighted basis row of one point (w · T_i(u) T_j(v) for every term) into `b`.
    @inline(__always) func basis(x: Double, y: Double, w: Double, tu: inout [Double], tv: inout [Double], b: inout [Double]) {
        Chebyshev2D.chebyshev(domain.u(x), degreeX, &tu)
        Chebyshev2D.chebyshev(domain.v(y), degreeY, &tv)
        for c in 0..<terms.count { b[c] = w * tu[terms[c].i] * tv[terms[c].j] }
    }

    /// Adds `sign` · (b bᵀ, b · wz) to the upper triangle of `N` (n×n, row-major) and to `r`.
    @inline(__always) static func accumulate(_ b: UnsafePointer<Double>, _ n: Int, sign: Double, wz: Double,
                                             _ N: UnsafeMutablePointer<Double>, _ r: UnsafeMutablePointer<Double>) {
        for a in 0..<n {
            let ba = sign * b[a]
            r[a] += ba * wz
            let row = N + a * n
            for q in a..<n { row[q] += ba * b[q] }
        }
    }

    /// Adds (sign +1) or removes (sign −1) the points `rows` (weights 1/σ).
    mutating func update(rows: [Int], sign: Double, x: [Double], y: [Double], z: [Double], sigma: [Double]) {
        let n = self.n
        var tu = [Double](repeating: 0, count: degreeX + 1), tv = [Double](repeating: 0, count: degreeY + 1)
        var b = [Double](repeating: 0, count: n)
        for k in rows {
            let w = 1 / sigma[k]
            basis(x: x[k], y: y[k], w: w, tu: &tu, tv: &tv, b: &b)
            b.withUnsafeBufferPointer { bp in N.withUnsafeMutableBufferPointer { np in r.withUnsafeMutableBufferPointer { rp in
                guard let bb = bp.baseAddress, let nb = np.baseAddress, let rb = rp.baseAddress else { return }
                ChebyshevNormalEquations.accumulate(bb, n, sign: sign, wz: w * z[k], nb, rb)
            } } }
        }
    }

    /// Builds the equations of the kept points from scratch: fixed chunks of rows summed in chunk order, so the
    /// result does not depend on the number of threads.
    static func build(surface: Chebyshev2D, keep: [Bool], x: [Double], y: [Double], z: [Double], sigma: [Double]) -> ChebyshevNormalEquations {
        let proto = ChebyshevNormalEquations(surface: surface)
        let n = proto.n, np = keep.count
        let chunk = 16_384, chunks = (np + chunk - 1) / chunk
        let partN = UnsafeMutablePointer<Double>.allocate(capacity: max(1, chunks) * n * n)
        let partR = UnsafeMutablePointer<Double>.allocate(capacity: max(1, chunks) * n)
        partN.initialize(repeating: 0, count: max(1, chunks) * n * n); partR.initialize(repeating: 0, count: max(1, chunks) * n)
        defer { partN.deallocate(); partR.deallocate() }
        struct P: @unchecked Sendable { let n: UnsafeMutablePointer<Double>, r: UnsafeMutablePointer<Double> }
        let out = P(n: partN, r: partR)
        Parallel.forEachChunk(count: chunks, minChunk: 1) { lo, hi in
            var tu = [Double](repeating: 0, count: proto.degreeX + 1), tv = [Double](repeating: 0, count: proto.degreeY + 1)
            var b = [Double](repeating: 0, count: n)
            for c in lo..<hi {
                let NN = out.n + c * n * n, R = out.r + c * n
                for k in (c * chunk)..<min(np, (c + 1) * chunk) where keep[k] {
                    let w = 1 / sigma[k]
                    proto.basis(x: x[k], y: y[k], w: w, tu: &tu, tv: &tv, b: &b)
                    b.withUnsafeBufferPointer { bp in
                        guard let bb = bp.baseAddress else { return }
                        ChebyshevNormalEquations.accumulate(bb, n, sign: 1, wz: w * z[k], NN, R)
                    }
                }
            }
        }
        var eq = proto
        for c in 0..<chunks {
            for i in 0..<(n * n) { eq.N[i] += partN[c * n * n + i] }
            for i in 0..<n { eq.r[i] += partR[c * n + i] }
        }
        return eq
    }

    /// Solves N c = rhs by Cholesky (N symmetric positive definite; only its upper triangle is read).
    func solve(_ rhs: [Double]) throws(FitError) -> [Double] {
        let n = self.n
        var L = [Double](repeating: 0, count: n * n)     // lower, row-major
        var maxDiag = 0.0
        for i in 0..<n { maxDiag = max(maxDiag, N[i * n + i]) }
        for i in 0..<n {
            for j in 0...i {
                var s = N[j * n + i]                     // N[i][j] from the upper triangle
                for k in 0..<j { s -= L[i * n + k] * L[j * n + k] }
                if i == j {
                    guard s > maxDiag * 1e-13 else { throw FitError(message: "the design is rank deficient (too few distinct points for the degrees)") }
                    L[i * n + i] = s.squareRoot()
                } else {
                    L[i * n + j] = s / L[j * n + j]
                }
            }
        }
        var t = rhs
        for i in 0..<n { var s = t[i]; for k in 0..<i { s -= L[i * n + k] * t[k] }; t[i] = s / L[i * n + i] }
        for i in stride(from: n - 1, through: 0, by: -1) { var s = t[i]; for k in (i + 1)..<max(i + 1, n) where k < n { s -= L[k * n + i] * t[k] }; t[i] = s / L[i * n + i] }
        return t
    }

    /// The surface with coefficients `c`.
    func surface(_ template: Chebyshev2D, _ c: [Double]) -> Chebyshev2D {
        var s = template
        for (k, t) in terms.enumerated() { s.coefficients[t.i][t.j] = c[k] }
        return s
    }

    /// One pass over all points: the model, χ² over the kept points, and Aᵀ W² (z − model) over them.
    static func residuals(surface: Chebyshev2D, eq: ChebyshevNormalEquations, keep: [Bool], x: [Double], y: [Double], z: [Double], sigma: [Double]) -> (model: [Double], chi2: Double, gradient: [Double]) {
        let np = keep.count, n = eq.n
        var model = [Double](repeating: 0, count: np)
        let chunk = 16_384, chunks = (np + chunk - 1) / chunk
        let part = UnsafeMutablePointer<Double>.allocate(capacity: max(1, chunks) * (n + 1))
        part.initialize(repeating: 0, count: max(1, chunks) * (n + 1))
        defer { part.deallocate() }
        struct P: @unchecked Sendable { let p: UnsafeMutablePointer<Double>; let m: UnsafeMutablePointer<Double> }
        model.withUnsafeMutableBufferPointer { mb in
            guard let mbase = mb.baseAddress else { return }
            let out = P(p: part, m: mbase)
            Parallel.forEachChunk(count: chunks, minChunk: 1) { lo, hi in
                var tu = [Double](repeating: 0, count: eq.degreeX + 1), tv = [Double](repeating: 0, count: eq.degreeY + 1)
                var b = [Double](repeating: 0, count: n)
                var coef = [Double](repeating: 0, count: n)
                for (k, t) in eq.terms.enumerated() { coef[k] = surface.coefficients[t.i][t.j] }
                for c in lo..<hi {
                    let acc = out.p + c * (n + 1)
                    for k in (c * chunk)..<min(np, (c + 1) * chunk) {
                        eq.basis(x: x[k], y: y[k], w: 1, tu: &tu, tv: &tv, b: &b)
                        var m = 0.0
                        for q in 0..<n { m += coef[q] * b[q] }
                        out.m[k] = m
                        guard keep[k] else { continue }
                        let w = 1 / sigma[k], rw = w * (z[k] - m)
                        acc[n] += rw * rw
                        for q in 0..<n { acc[q] += b[q] * w * rw }
                    }
                }
            }
        }
        var chi2 = 0.0, g = [Double](repeating: 0, count: n)
        for c in 0..<chunks { for q in 0..<n { g[q] += part[c * (n + 1) + q] }; chi2 += part[c * (n + 1) + n] }
        return (model, chi2, g)
    }
}
