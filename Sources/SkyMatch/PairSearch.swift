// Candidate pairs between two sets of sky positions: both sets are sorted by nested HEALPix pixel, and each
// pixel of set 1 is compared with its own pixel and the neighbouring pixels of set 2. Work is split over
// blocks of pixels on all cores; results do not depend on the number of threads.
import Dispatch
import Foundation
import SkyCore

/// Pixel-sorted unit vectors of one position set.
struct PixelSorted: @unchecked Sendable {
    let keys: [Int64]          // sorted pixels, -1 (invalid) first
    let rows: [Int32]          // original row of each sorted entry
    let x: [Double], y: [Double], z: [Double]
    let firstValid: Int

    init(ra: [Double], dec: [Double], order: Int) throws {
        var keys = try HEALPix.nestedPixels(order: order, ra: ra, dec: dec)
        let perm = sortKeys(&keys, order: order)
        let n = keys.count
        var x = [Double](repeating: 0, count: n), y = x, z = x
        let first = keys.prefix { $0 < 0 }.count
        x.withUnsafeMutableBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in z.withUnsafeMutableBufferPointer { zb in
            let px = SendablePtr(xb.baseAddress), py = SendablePtr(yb.baseAddress), pz = SendablePtr(zb.baseAddress)
            forEachChunk(n - first, min: 1 << 14) { lo, hi in
                for k in (lo + first)..<(hi + first) {
                    let r = Int(perm[k])
                    let a = ra[r] * degreesToRadians, d = dec[r] * degreesToRadians
                    let cd = cos(d)
                    px.p?[k] = cd * cos(a); py.p?[k] = cd * sin(a); pz.p?[k] = sin(d)
                }
            }
        } } }
        self.keys = keys; self.rows = perm; self.x = x; self.y = y; self.z = z; self.firstValid = first
    }

    @inline(__always) func lowerBound(_ key: Int64) -> Int {
        var lo = firstValid, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

struct SendablePtr<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>?
    init(_ p: UnsafeMutablePointer<T>?) { self.p = p }
}

/// Radix sort helper (stable, keys of 2·order+4 bits, -1 first).
func sortKeys(_ keys: inout [Int64], order: Int) -> [Int32] {
    let n = keys.count
    var perm = (0..<n).map { Int32($0) }
    guard n > 1 else { return perm }
    var k = keys.map { UInt64(bitPattern: $0 &+ 1) }
    var k2 = [UInt64](repeating: 0, count: n), p2 = [Int32](repeating: 0, count: n)
    let digit = 11, radix = 1 << digit, mask = UInt64(radix - 1)
    let passes = max(1, (2 * order + 5 + digit - 1) / digit)
    var counts = [Int](repeating: 0, count: radix)
    for pass in 0..<passes {
        let shift = UInt64(pass * digit)
        for i in 0..<radix { counts[i] = 0 }
        for v in k { counts[Int((v >> shift) & mask)] += 1 }
        if counts.contains(n) { continue }
        var sum = 0
        for i in 0..<radix { let c = counts[i]; counts[i] = sum; sum += c }
        k.withUnsafeBufferPointer { kb in perm.withUnsafeBufferPointer { pb in
            k2.withUnsafeMutableBufferPointer { k2b in p2.withUnsafeMutableBufferPointer { p2b in
                counts.withUnsafeMutableBufferPointer { cb in
                    for i in 0..<n {
                        let d = Int((kb[i] >> shift) & mask)
                        let dst = cb[d]; cb[d] = dst + 1
                        k2b[dst] = kb[i]; p2b[dst] = pb[i]
                    }
                }
            } }
        } }
        swap(&k, &k2); swap(&perm, &p2)
    }
    for i in 0..<n { keys[i] = Int64(bitPattern: k[i]) &- 1 }
    return perm
}

/// Runs body(lo, hi) over chunks of 0..<count on all cores (deterministic chunking).
func forEachChunk(_ count: Int, min minChunk: Int, _ body: @Sendable (Int, Int) -> Void) {
    guard count > 0 else { return }
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    if workers == 1 || count < 2 * minChunk { body(0, count); return }
    let chunks = min(workers * 8, (count + minChunk - 1) / minChunk)
    let size = (count + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = c * size, hi = Swift.min(count, lo + size)
        if lo < hi { body(lo, hi) }
    }
}

/// Candidate pairs (row1, row2, separation in degrees) with separation ≤ the pair's own limit.
struct PairList {
    var rows1: [Int32] = []
    var rows2: [Int32] = []
    var sep: [Double] = []   // degrees
}

enum PairSearch {
    /// The HEALPix order for a search radius of `maxRadius` degrees over `count` positions spread over
    /// `areaDeg2`: pixels at least 5× the radius (so neighbours suffice), and not much smaller than the
    /// mean spacing (so pixel groups are not tiny).
    static func order(maxRadius: Double, count: Int, areaDeg2: Double) -> Int {
        var byRadius = 0
        while byRadius < 20 && HEALPixLayer.layers[byRadius + 1].resolution >= 5 * maxRadius { byRadius += 1 }
        let perCell = 4.0
        let cellArea = max(1e-12, areaDeg2 / max(1, Double(count)) * perCell)
        var byDensity = 0
        while byDensity < 29 && HEALPixLayer.layers[byDensity + 1].pixelAreaDeg2 >= cellArea { byDensity += 1 }
        return max(0, min(byRadius, byDensity))
    }

    /// All pairs whose separation (degrees) passes `accept(row1, row2, sep)`, given that no accepted pair is
    /// farther apart than `maxRadius` degrees. Pairs come out sorted by row1, then separation, then row2.
    static func pairs(_ a: PixelSorted, _ b: PixelSorted, order: Int, maxRadius: Double,
                      accept: @Sendable (Int, Int, Double) -> Bool) -> PairList {
        let layer = HEALPixLayer.layers[order]
        // Distinct pixels of set 1 (start offsets).
        var groupStarts: [Int] = []
        var i = a.firstValid
        while i < a.keys.count {
            groupStarts.append(i)
            let k = a.keys[i]
            while i < a.keys.count && a.keys[i] == k { i += 1 }
        }
        let ng = groupStarts.count
        let chord2 = pow(2 * sin(min(Double.pi, maxRadius * degreesToRadians) / 2) * (1 + 1e-12) + 1e-15, 2)
        let chunkCount = max(1, min(ng, 64 * max(1, ProcessInfo.processInfo.activeProcessorCount)))
        let chunkSize = (ng + chunkCount - 1) / max(1, chunkCount)
        var parts = [PairList](repeating: PairList(), count: chunkCount)
        parts.withUnsafeMutableBufferPointer { pb in
            let out = SendablePtr(pb.baseAddress)
            let starts = groupStarts
            DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
                var local = PairList()
                let g0 = c * chunkSize, g1 = min(ng, g0 + chunkSize)
                guard g0 < g1 else { return }
                var ranges: [Range<Int>] = []
                ranges.reserveCapacity(9)
                var hits: [(Int32, Double)] = []
                for g in g0..<g1 {
                    let s = starts[g], e = g + 1 < ng ? starts[g + 1] : a.keys.count
                    let pix = a.keys[s]
                    ranges.removeAll(keepingCapacity: true)
                    let lo = b.lowerBound(pix)
                    var hi = lo
                    while hi < b.keys.count && b.keys[hi] == pix { hi += 1 }
                    if lo < hi { ranges.append(lo..<hi) }
                    for nb in layer.neighbours(nested: pix) where nb >= 0 {
                        let l2 = b.lowerBound(nb)
                        var h2 = l2
                        while h2 < b.keys.count && b.keys[h2] == nb { h2 += 1 }
                        if l2 < h2 { ranges.append(l2..<h2) }
                    }
                    if ranges.isEmpty { continue }
                    for k in s..<e {
                        let ax = a.x[k], ay = a.y[k], az = a.z[k]
                        let r1 = Int(a.rows[k])
                        hits.removeAll(keepingCapacity: true)
                        for rg in ranges {
                            for m in rg {
                                let dx = b.x[m] - ax, dy = b.y[m] - ay, dz = b.z[m] - az
                                if dx * dx + dy * dy + dz * dz > chord2 { continue }
                                // Exact angle: atan2(|a×b|, a·b).
                                let cx = ay * b.z[m] - az * b.y[m], cy = az * b.x[m] - ax * b.z[m], cz = ax * b.y[m] - ay * b.x[m]
                                let sep = atan2((cx * cx + cy * cy + cz * cz).squareRoot(), ax * b.x[m] + ay * b.y[m] + az * b.z[m]) * radiansToDegrees
                                let r2 = Int(b.rows[m])
                                if accept(r1, r2, sep) { hits.append((Int32(r2), sep)) }
                            }
                        }
                        hits.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
                        for h in hits { local.rows1.append(Int32(r1)); local.rows2.append(h.0); local.sep.append(h.1) }
                    }
                }
                out.p?[c] = local
            }
        }
        // Concatenate, then order by row1 (groups were in pixel order).
        var all = PairList()
        let total = parts.reduce(0) { $0 + $1.rows1.count }
        all.rows1.reserveCapacity(total); all.rows2.reserveCapacity(total); all.sep.reserveCapacity(total)
        for p in parts { all.rows1 += p.rows1; all.rows2 += p.rows2; all.sep += p.sep }
        // Stable sort of the pair indices by row1 (counting sort on row1).
        let n1 = (all.rows1.max().map { Int($0) } ?? -1) + 1
        var counts = [Int](repeating: 0, count: n1 + 1)
        for r in all.rows1 { counts[Int(r) + 1] += 1 }
        for j in 0..<n1 { counts[j + 1] += counts[j] }
        var sorted = PairList()
        sorted.rows1 = [Int32](repeating: 0, count: total); sorted.rows2 = sorted.rows1; sorted.sep = [Double](repeating: 0, count: total)
        for t in 0..<total {
            let r = Int(all.rows1[t])
            let dst = counts[r]; counts[r] += 1
            sorted.rows1[dst] = all.rows1[t]; sorted.rows2[dst] = all.rows2[t]; sorted.sep[dst] = all.sep[t]
        }
        return sorted
    }
}
