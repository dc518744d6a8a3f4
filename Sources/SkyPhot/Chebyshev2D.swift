// Two-dimensional Chebyshev surfaces in detector coordinates.
import Foundation

/// The rectangle of (x, y) mapped onto [-1, 1]²: u = (2x − (xmin + xmax)) / (xmax − xmin), likewise v.
/// State it from the chip (image header or configuration), not from the data, so that fits of different
/// epochs are comparable.
public struct ChebyshevDomain: Sendable, Codable, Equatable {
    public var xmin: Double, xmax: Double, ymin: Double, ymax: Double
    public init(xmin: Double, xmax: Double, ymin: Double, ymax: Double) {
        self.xmin = xmin; self.xmax = xmax; self.ymin = ymin; self.ymax = ymax
    }
    /// From [xmin, xmax, ymin, ymax].
    public init?(_ a: [Double]) {
        guard a.count == 4, a[1] > a[0], a[3] > a[2] else { return nil }
        self.init(xmin: a[0], xmax: a[1], ymin: a[2], ymax: a[3])
    }
    @inline(__always) func u(_ x: Double) -> Double { (2 * x - (xmin + xmax)) / (xmax - xmin) }
    @inline(__always) func v(_ y: Double) -> Double { (2 * y - (ymin + ymax)) / (ymax - ymin) }
}

/// f(x, y) = Σ c[i][j] T_i(u) T_j(v) over i ≤ degreeX, j ≤ degreeY (tensor product), or over i + j ≤
/// `totalDegree` when that is set; T_k are Chebyshev polynomials of the first kind and (u, v) the affine map
/// of (x, y) from `domain` onto [-1, 1]² (numpy's `chebval2d` convention: `coefficients[i][j]` multiplies
/// T_i(u) T_j(v)).
public struct Chebyshev2D: Sendable, Codable, Equatable {
    public var degreeX: Int
    public var degreeY: Int
    public var totalDegree: Int?
    public var domain: ChebyshevDomain
    /// c[i][j]; zero for terms outside the basis.
    public var coefficients: [[Double]]

    public init(degreeX: Int, degreeY: Int, totalDegree: Int? = nil, domain: ChebyshevDomain, coefficients: [[Double]]? = nil) {
        self.degreeX = degreeX; self.degreeY = degreeY; self.totalDegree = totalDegree; self.domain = domain
        self.coefficients = coefficients ?? Array(repeating: Array(repeating: 0, count: degreeY + 1), count: degreeX + 1)
    }

    /// The (i, j) of each basis term, in the order of the least-squares unknowns (i major, j minor).
    public var terms: [(i: Int, j: Int)] {
        var t: [(Int, Int)] = []
        for i in 0...degreeX { for j in 0...degreeY where totalDegree.map({ i + j <= $0 }) ?? true { t.append((i, j)) } }
        return t
    }

    /// T_0(t) ... T_n(t) into `out`.
    @inline(__always) static func chebyshev(_ t: Double, _ n: Int, _ out: inout [Double]) {
        out[0] = 1
        if n >= 1 { out[1] = t }
        if n >= 2 { for k in 2...n { out[k] = 2 * t * out[k - 1] - out[k - 2] } }
    }

    /// The surface at (x, y).
    public func evaluate(x: Double, y: Double) -> Double {
        var tu = [Double](repeating: 0, count: degreeX + 1), tv = [Double](repeating: 0, count: degreeY + 1)
        Chebyshev2D.chebyshev(domain.u(x), degreeX, &tu)
        Chebyshev2D.chebyshev(domain.v(y), degreeY, &tv)
        var s = 0.0
        for i in 0...degreeX { var r = 0.0; for j in 0...degreeY { r += coefficients[i][j] * tv[j] }; s += tu[i] * r }
        return s
    }

    /// The surface at many points.
    public func evaluate(x: [Double], y: [Double]) -> [Double] {
        var tu = [Double](repeating: 0, count: degreeX + 1), tv = [Double](repeating: 0, count: degreeY + 1)
        var out = [Double](repeating: 0, count: min(x.count, y.count))
        for k in 0..<out.count {
            Chebyshev2D.chebyshev(domain.u(x[k]), degreeX, &tu)
            Chebyshev2D.chebyshev(domain.v(y[k]), degreeY, &tv)
            var s = 0.0
            for i in 0...degreeX { var r = 0.0; for j in 0...degreeY { r += coefficients[i][j] * tv[j] }; s += tu[i] * r }
            out[k] = s
        }
        return out
    }

    /// The weighted least-squares fit: minimises Σ wₖ² (zₖ − f(xₖ, yₖ))² with `weights` wₖ = 1/σₖ (all 1 when
    /// nil), by Householder QR (LAPACK), never the normal equations. Returns the surface and χ² (the minimum).
    public static func fit(x: [Double], y: [Double], z: [Double], weights: [Double]? = nil,
                           degreeX: Int, degreeY: Int, totalDegree: Int? = nil, domain: ChebyshevDomain) throws(FitError) -> (surface: Chebyshev2D, chi2: Double) {
        let m = min(x.count, y.count, z.count)
        guard degreeX >= 0, degreeY >= 0 else { throw FitError(message: "degrees must be non-negative") }
        if let w = weights, w.count < m { throw FitError(message: "\(w.count) weights for \(m) points") }
        var surface = Chebyshev2D(degreeX: degreeX, degreeY: degreeY, totalDegree: totalDegree, domain: domain)
        let terms = surface.terms
        let n = terms.count
        let (coef, chi2) = try LeastSquares.solve(rows: m, unknowns: n) { @Sendable first, count, buf, ld in
            var tu = [Double](repeating: 0, count: degreeX + 1), tv = [Double](repeating: 0, count: degreeY + 1)
            for r in 0..<count {
                let k = first + r
                let w = weights?[k] ?? 1
                Chebyshev2D.chebyshev(domain.u(x[k]), degreeX, &tu)
                Chebyshev2D.chebyshev(domain.v(y[k]), degreeY, &tv)
                for (c, t) in terms.enumerated() { buf[c * ld + r] = w * tu[t.i] * tv[t.j] }
                buf[n * ld + r] = w * z[k]
            }
        }
        for (c, t) in terms.enumerated() { surface.coefficients[t.i][t.j] = coef[c] }
        return (surface, chi2)
    }
}

/// A Chebyshev fit with iterative outlier clipping.
public struct ClippedChebyshevFit: Sendable {
    public var surface: Chebyshev2D
    /// χ² of the final fit over the kept points; ν = kept − terms.
    public var chi2: Double
    public var dof: Int
    /// Whether each point was kept in the final fit.
    public var kept: [Bool]
    public var iterations: Int

    /// Fits z(x, y) with weights 1/σ, then repeatedly re-decides every point — kept when
    /// |z − model|/σ ≤ clip · sqrt(χ²/ν) — and refits, until the kept set no longer changes or
    /// `maxIterations` fits were made. The returned surface is the fit on the returned kept set.
    ///
    /// Method: the normal equations AᵀW²A c = AᵀW²z are accumulated once (in fixed row chunks, so results do
    /// not depend on the thread count) and each round only adds or removes the points whose decision changed;
    /// they are solved by Cholesky. The final fit is rebuilt from scratch on the kept set and polished with one
    /// step of iterative refinement (residuals computed directly), which brings it to the accuracy of the QR
    /// solution (`Chebyshev2D.fit`, tested to agree to 1e-10 relative) for the well-conditioned Chebyshev basis.
    public init(x: [Double], y: [Double], z: [Double], sigma: [Double], degreeX: Int, degreeY: Int, totalDegree: Int? = nil,
                domain: ChebyshevDomain, clip: Double = 3, maxIterations: Int = 10) throws(FitError) {
        let np = min(x.count, y.count, z.count, sigma.count)
        let x = Array(x.prefix(np)), y = Array(y.prefix(np)), z = Array(z.prefix(np)), sigma = Array(sigma.prefix(np))
        guard degreeX >= 0, degreeY >= 0 else { throw FitError(message: "degrees must be non-negative") }
        let template = Chebyshev2D(degreeX: degreeX, degreeY: degreeY, totalDegree: totalDegree, domain: domain)
        let nterms = template.terms.count
        var keep = [Bool](repeating: true, count: np)
        var keptCount = np
        var eq = ChebyshevNormalEquations.build(surface: template, keep: keep, x: x, y: y, z: z, sigma: sigma)
        var iterations = 0
        while true {
            iterations += 1
            guard keptCount > nterms else { throw FitError(message: "\(keptCount) points left for \(nterms) coefficients (clip \(clip))") }
            let surface = eq.surface(template, try eq.solve(eq.r))
            let (model, chi2, _) = ChebyshevNormalEquations.residuals(surface: surface, eq: eq, keep: keep, x: x, y: y, z: z, sigma: sigma)
            let scale = (chi2 / Double(keptCount - nterms)).squareRoot()
            var added: [Int] = [], removed: [Int] = []
            if iterations < maxIterations {
                for k in 0..<np {
                    let ok = abs(z[k] - model[k]) / sigma[k] <= clip * scale
                    if ok != keep[k] { if ok { added.append(k) } else { removed.append(k) } }
                }
            }
            if added.isEmpty && removed.isEmpty { break }
            eq.update(rows: removed, sign: -1, x: x, y: y, z: z, sigma: sigma)
            eq.update(rows: added, sign: 1, x: x, y: y, z: z, sigma: sigma)
            for k in removed { keep[k] = false }
            for k in added { keep[k] = true }
            keptCount += added.count - removed.count
        }
        // The final fit: fresh equations on the kept set, then one refinement step.
        let fresh = ChebyshevNormalEquations.build(surface: template, keep: keep, x: x, y: y, z: z, sigma: sigma)
        var c = try fresh.solve(fresh.r)
        let (_, chi2a, g) = ChebyshevNormalEquations.residuals(surface: fresh.surface(template, c), eq: fresh, keep: keep, x: x, y: y, z: z, sigma: sigma)
        let delta = try fresh.solve(g)
        var dg = 0.0
        for q in 0..<nterms { c[q] += delta[q]; dg += delta[q] * g[q] }
        self.surface = fresh.surface(template, c)
        self.chi2 = chi2a - dg            // χ²(c + δ) = χ²(c) − δᵀNδ, and Nδ = g
        self.dof = keptCount - nterms
        self.kept = keep
        self.iterations = iterations
    }
}
