// Candidate pairs between two sets of sky positions: both sets are sorted by nested HEALPix pixel, and each
// pixel of set 1 is compared with its own pixel and the neighbouring pixels of set 2. Work is split over
// blocks of pixels on all cores; results do not depend on the number of threads.
import Dispatch
import Foundation
import SkyCore

/// One position set sorted by (nested HEALPix pixel at the block order, declination), as unit vectors.
struct PixelSorted: @unchecked Sendable {
    let keys: [Int64]          // pixel of each sorted entry, -1 (invalid) first
    let rows: [Int32]          // original row of each sorted entry
    let dec: [Double]          // declination (degrees) of each sorted entry
    let xyz: [Double]          // unit vectors, interleaved
    let firstValid: Int

    init(ra: [Double], dec: [Double], order: Int) throws {
        let pix = try HEALPix.nestedPixels(order: order, ra: ra, dec: dec)
        let n = pix.count
        // Composite key: pixel + 1 in the high bits, declination quantised to 32 bits in the low bits; and the
        // unit vectors in the original order (sequential, on all cores), gathered once after the sort.
        var composite = [UInt64](repeating: 0, count: n)
        var xyz0 = [Double](repeating: 0, count: 3 * n)
        composite.withUnsafeMutableBufferPointer { cb in xyz0.withUnsafeMutableBufferPointer { xb in
            pix.withUnsafeBufferPointer { pb in ra.withUnsafeBufferPointer { rb in dec.withUnsafeBufferPointer { db in
                let c = SendablePtr(cb.baseAddress), x = SendablePtr(xb.baseAddress)
                let pp = SendableConstPtr(pb.baseAddress), rp = SendableConstPtr(rb.baseAddress), dp = SendableConstPtr(db.baseAddress)
                Parallel.forEachChunk(count: n, minChunk: 1 << 15) { lo, hi in
                    guard let c = c.p, let x = x.p, let pp = pp.p, let rp = rp.p, let dp = dp.p else { return }
                    for i in lo..<hi {
                        let p = UInt64(bitPattern: pp[i] &+ 1)
                        let d = dp[i]
                        let q: UInt64 = d.isFinite ? UInt64(min(4294967295.0, max(0, (d + 90) / 180 * 4294967296.0))) : 0
                        c[i] = (p << 32) | q
                        guard pp[i] >= 0 else { continue }
                        let (sa, ca) = fastSinCos(rp[i] * degreesToRadians), (sd, cd) = fastSinCos(d * degreesToRadians)
                        x[3 * i] = cd * ca; x[3 * i + 1] = cd * sa; x[3 * i + 2] = sd
                    }
                }
            } } }
        } }
        let perm = RadixSort.sort(&composite, bits: 2 * order + 5 + 32)
        var keys = [Int64](repeating: -1, count: n), sdec = [Double](repeating: 0, count: n)
        var xyz = [Double](repeating: 0, count: 3 * n)
        for k in 0..<n { keys[k] = Int64(bitPattern: composite[k] >> 32) &- 1 }
        let first = keys.prefix { $0 < 0 }.count
        xyz.withUnsafeMutableBufferPointer { xb in sdec.withUnsafeMutableBufferPointer { db in
            xyz0.withUnsafeBufferPointer { x0b in perm.withUnsafeBufferPointer { permb in dec.withUnsafeBufferPointer { decb in
                let px = SendablePtr(xb.baseAddress), pd = SendablePtr(db.baseAddress)
                let x0 = SendableConstPtr(x0b.baseAddress), pm = SendableConstPtr(permb.baseAddress), d0 = SendableConstPtr(decb.baseAddress)
                Parallel.forEachChunk(count: n - first, minChunk: 1 << 14) { lo, hi in
                    guard let px = px.p, let pd = pd.p, let x0 = x0.p, let pm = pm.p, let d0 = d0.p else { return }
                    for k in (lo + first)..<(hi + first) {
                        let r = Int(pm[k])
                        px[3 * k] = x0[3 * r]; px[3 * k + 1] = x0[3 * r + 1]; px[3 * k + 2] = x0[3 * r + 2]
                        pd[k] = d0[r]
                    }
                }
            } } }
        } }
        self.keys = keys; self.rows = perm; self.dec = sdec; self.xyz = xyz; self.firstValid = first
    }

    /// Prepares two position sets concurrently.
    static func both(ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double], order: Int) throws -> (PixelSorted, PixelSorted) {
        let p = try Parallel.map(2) { (i: Int) throws -> PixelSorted in
            i == 0 ? try PixelSorted(ra: ra1, dec: dec1, order: order) : try PixelSorted(ra: ra2, dec: dec2, order: order)
        }
        return (p[0], p[1])
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

/// sin and cos of x (radians, |x| < 1e5) to within 2 ulp: Cody–Waite reduction by π/2 and fdlibm's
/// kernel polynomials. Used for unit vectors, where libm's ~20 ns per call dominated preparation.
@inline(__always) func fastSinCos(_ x: Double) -> (Double, Double) {
    let k = (x * 0.63661977236758134308).rounded()
    // π/2 = p1 + p2 (Cody–Waite split: p1 has 33 significant bits, so k·p1 is exact for |k| < 2^20).
    let y = (x - k * 1.57079632673412561417e+00) - k * 6.07710050650619224932e-11
    let z = y * y
    let s = y + y * z * (-1.66666666666666324348e-01 + z * (8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)))))
    let r = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))))
    let hz = 0.5 * z, w = 1.0 - hz
    let c = w + (((1.0 - w) - hz) + z * r)
    switch Int(k) & 3 {
    case 0: return (s, c)
    case 1: return (c, -s)
    case 2: return (-s, -c)
    default: return (-c, s)
    }
}

struct SendablePtr<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>?
    init(_ p: UnsafeMutablePointer<T>?) { self.p = p }
}

struct SendableConstPtr<T>: @unchecked Sendable {
    let p: UnsafePointer<T>?
    init(_ p: UnsafePointer<T>?) { self.p = p }
}

/// Candidate pairs (row1, row2, separation in degrees) with separation ≤ the pair's own limit.
struct PairList {
    var rows1: [Int32] = []
    var rows2: [Int32] = []
    var sep: [Double] = []   // degrees
}

enum PairSearch {
    /// The block order for a search radius of `maxRadius` degrees over `count` positions spread over
    /// `areaDeg2`: blocks at least 5× the radius (so a block's neighbours hold every partner), holding about
    /// 128 rows each (so per-block work is amortised), at most order 13 (the composite sort key's room).
    static func order(maxRadius: Double, count: Int, areaDeg2: Double) -> Int {
        var byRadius = 0
        while byRadius < 13 && HEALPixLayer.layers[byRadius + 1].resolution >= 5 * maxRadius { byRadius += 1 }
        let cellArea = max(1e-12, areaDeg2 / max(1, Double(count)) * 128)
        var byDensity = 0
        while byDensity < 13 && HEALPixLayer.layers[byDensity + 1].pixelAreaDeg2 >= cellArea { byDensity += 1 }
        return max(0, min(byRadius, byDensity))
    }

    /// All pairs whose separation (degrees) passes `accept(row1, row2, sep)`, given that no accepted pair is
    /// farther apart than `maxRadius` degrees. Pairs come out sorted by row1, then separation, then row2.
    static func pairs(_ a: PixelSorted, _ b: PixelSorted, order: Int, maxRadius: Double, progress: (@Sendable (Double) -> Void)? = nil,
                      accept: @Sendable (Int, Int, Double) -> Bool) -> PairList {
        final class Counter: @unchecked Sendable { var done = 0; let lock = NSLock() }
        let counter = Counter()
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
        let chunkCount = max(1, min(ng, 64 * max(1, Parallel.workers)))
        let chunkSize = (ng + chunkCount - 1) / max(1, chunkCount)
        var parts = [PairList](repeating: PairList(), count: chunkCount)
        parts.withUnsafeMutableBufferPointer { pb in
            let out = SendablePtr(pb.baseAddress)
            let starts = groupStarts
            Parallel.perform(iterations: chunkCount) { c in
                var local = PairList()
                let g0 = c * chunkSize, g1 = min(ng, g0 + chunkSize)
                guard g0 < g1 else { return }

                var ranges: [Range<Int>] = []
                ranges.reserveCapacity(9)
                var cursors: [Int] = []
                cursors.reserveCapacity(9)
                var hits: [(Int32, Double)] = []
                let window = maxRadius + 1e-7   // degrees: covers the 32-bit declination quantum of the sort
                a.xyz.withUnsafeBufferPointer { axb in b.xyz.withUnsafeBufferPointer { bxb in
                a.dec.withUnsafeBufferPointer { adb in b.dec.withUnsafeBufferPointer { bdb in
                    guard let ax = axb.baseAddress, let bx = bxb.baseAddress, let ad = adb.baseAddress, let bd = bdb.baseAddress else { return }
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
                        cursors.removeAll(keepingCapacity: true)
                        for rg in ranges { cursors.append(rg.lowerBound) }
                        // Rows of this block come in ascending declination: sweep each neighbour list.
                        for k in s..<e {
                            let axk = ax[3 * k], ayk = ax[3 * k + 1], azk = ax[3 * k + 2]
                            let dlo = ad[k] - window, dhi = ad[k] + window
                            let r1 = Int(a.rows[k])
                            hits.removeAll(keepingCapacity: true)
                            for q in 0..<ranges.count {
                                let end = ranges[q].upperBound
                                var m = cursors[q]
                                while m < end && bd[m] < dlo { m += 1 }
                                cursors[q] = m
                                while m < end && bd[m] <= dhi {
                                    let bxm = bx[3 * m], bym = bx[3 * m + 1], bzm = bx[3 * m + 2]
                                    let dx = bxm - axk, dy = bym - ayk, dz = bzm - azk
                                    if dx * dx + dy * dy + dz * dz <= chord2 {
                                        let cx = ayk * bzm - azk * bym, cy = azk * bxm - axk * bzm, cz = axk * bym - ayk * bxm
                                        let sep = atan2((cx * cx + cy * cy + cz * cz).squareRoot(), axk * bxm + ayk * bym + azk * bzm) * radiansToDegrees
                                        let r2 = Int(b.rows[m])
                                        if accept(r1, r2, sep) { hits.append((Int32(r2), sep)) }
                                    }
                                    m += 1
                                }
                            }
                            if hits.count > 1 { hits.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 } }
                            for h in hits { local.rows1.append(Int32(r1)); local.rows2.append(h.0); local.sep.append(h.1) }
                        }
                    }
                } } } }
                out.p?[c] = local
                if let progress {
                    counter.lock.lock(); counter.done += 1; let d = counter.done; counter.lock.unlock()
                    progress(Double(d) / Double(chunkCount))
                }
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
