// Weighted linear least squares by Householder QR (LAPACK dgeqrf), row chunk by row chunk (TSQR).
// The only file that calls LAPACK.
internal import CSkyLAPACK
import Foundation
import SkyCore

/// An error of a fit: too few points, a degenerate design, a LAPACK failure.
public struct FitError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var description: String { "fit: " + message }
}

/// Least squares  min ‖W (A c − b)‖  solved by QR of the augmented matrix [W·A | W·b], accumulated over row
/// chunks (communication-avoiding "TSQR": each chunk is stacked under the running triangular factor and
/// re-factorised). The last diagonal entry of the augmented triangular factor is the residual norm, so
/// χ² = R[n][n]². Never forms the normal equations.
enum LeastSquares {
    /// `fill(first, count, buffer, ld)` writes rows first..<first+count of the weighted augmented matrix
    /// (n + 1 columns, the last one W·b) into a column-major buffer with leading dimension `ld`.
    static func solve(rows m: Int, unknowns n: Int, chunk: Int = 4096,
                      fill: (Int, Int, UnsafeMutablePointer<Double>, Int) -> Void) throws(FitError) -> (coefficients: [Double], chi2: Double) {
        guard m >= n else { throw FitError(message: "\(m) points for \(n) coefficients") }
        let k = n + 1
        var R = [Double](repeating: 0, count: k * k)      // column-major k×k upper triangle
        var first = 0
        var started = false
        while first < m {
            let c = min(chunk, m - first)
            let rowsTotal = (started ? k : 0) + c
            var M = [Double](repeating: 0, count: rowsTotal * k)
            var tau = [Double](repeating: 0, count: k)
            let off = started ? k : 0
            M.withUnsafeMutableBufferPointer { mb in
                guard let base = mb.baseAddress else { return }
                if started { for j in 0..<k { for i in 0...j { base[j * rowsTotal + i] = R[j * k + i] } } }
                fill(first, c, base + off, rowsTotal)
            }
            let info = LAPACKE_dgeqrf(Int32(LAPACK_COL_MAJOR), Int32(rowsTotal), Int32(k), &M, Int32(rowsTotal), &tau)
            guard info == 0 else { throw FitError(message: "LAPACK dgeqrf failed (info \(info))") }
            for j in 0..<k { for i in 0..<k { R[j * k + i] = i <= j && i < rowsTotal ? M[j * rowsTotal + i] : 0 } }
            started = true
            first += c
        }
        // Back substitution R[0..<n, 0..<n] c = R[0..<n, n].
        var coef = [Double](repeating: 0, count: n)
        var maxDiag = 0.0
        for i in 0..<n { maxDiag = max(maxDiag, abs(R[i * k + i])) }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let d = R[i * k + i]
            guard abs(d) > maxDiag * 1e-13 else { throw FitError(message: "the design is rank deficient (too few distinct points for the degrees)") }
            var s = R[n * k + i]
            for j in (i + 1)..<max(i + 1, n) where j < n { s -= R[j * k + i] * coef[j] }
            coef[i] = s / d
        }
        let rn = R[n * k + n]
        return (coef, rn * rn)
    }
}
