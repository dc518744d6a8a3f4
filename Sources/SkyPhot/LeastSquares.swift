// Weighted linear least squares by Householder QR (LAPACK dgeqrf), row chunk by row chunk (TSQR).
// The only file that calls LAPACK.
internal import CSkyLAPACK
import Dispatch
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
    /// QR of a column-major rows×k matrix in place; returns its k×k upper triangle (column-major).
    static func factor(_ M: inout [Double], rows: Int, k: Int) throws(FitError) -> [Double] {
        var tau = [Double](repeating: 0, count: k)
        let info = LAPACKE_dgeqrf(Int32(LAPACK_COL_MAJOR), Int32(rows), Int32(k), &M, Int32(rows), &tau)
        guard info == 0 else { throw FitError(message: "LAPACK dgeqrf failed (info \(info))") }
        var R = [Double](repeating: 0, count: k * k)
        for j in 0..<k { for i in 0..<min(j + 1, rows) { R[j * k + i] = M[j * rows + i] } }
        return R
    }

    /// The triangular factor of rows first..<end, one chunk at a time stacked under the running factor.
    static func reduce(first: Int, end: Int, k: Int, chunk: Int, fill: (Int, Int, UnsafeMutablePointer<Double>, Int) -> Void) throws(FitError) -> [Double] {
        var R = [Double](repeating: 0, count: k * k)
        var started = false
        var row = first
        while row < end {
            let c = min(chunk, end - row)
            let off = started ? k : 0
            let rowsTotal = off + c
            var M = [Double](repeating: 0, count: rowsTotal * k)
            M.withUnsafeMutableBufferPointer { mb in
                guard let base = mb.baseAddress else { return }
                if started { for j in 0..<k { for i in 0...j { base[j * rowsTotal + i] = R[j * k + i] } } }
                fill(row, c, base + off, rowsTotal)
            }
            R = try factor(&M, rows: rowsTotal, k: k)
            started = true
            row += c
        }
        return R
    }

    /// Parts of a TSQR over `m` rows: at least 8 chunks each, at most 8 parts (enough for the cores of a
    /// workstation; more parts only add merge work).
    static func partCount(rows m: Int, chunk: Int) -> Int { max(1, min(8, m / (8 * chunk))) }

    /// `fill(first, count, buffer, ld)` writes rows first..<first+count of the weighted augmented matrix
    /// (n + 1 columns, the last one W·b) into a column-major buffer with leading dimension `ld`.
    static func solve(rows m: Int, unknowns n: Int, chunk: Int = 4096,
                      fill: @Sendable (Int, Int, UnsafeMutablePointer<Double>, Int) -> Void) throws(FitError) -> (coefficients: [Double], chi2: Double) {
        guard m >= n else { throw FitError(message: "\(m) points for \(n) coefficients") }
        let k = n + 1
        // Rows are split into `partCount` parts (a function of the row count only, not of the machine's
        // cores, so that the result is the same bit for bit on any machine); each part is reduced to its
        // triangular factor independently, on all cores, and the stacked factors are reduced once more (TSQR).
        let partCount = LeastSquares.partCount(rows: m, chunk: chunk)
        let per = (m + partCount - 1) / partCount
        let parts = try Parallel.map(partCount) { (w: Int) throws(FitError) -> [Double] in
            let lo = w * per, hi = min(m, lo + per)
            return try reduce(first: lo, end: hi, k: k, chunk: chunk, fill: fill)
        }
        var R = parts.first ?? [Double](repeating: 0, count: k * k)
        if partCount > 1 {
            // Stack the factors (k rows each) and factorise once more.
            let rowsTotal = partCount * k
            var M = [Double](repeating: 0, count: rowsTotal * k)
            for (w, part) in parts.enumerated() {
                for j in 0..<k { for i in 0...j { M[j * rowsTotal + w * k + i] = part[j * k + i] } }
            }
            R = try factor(&M, rows: rowsTotal, k: k)
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
