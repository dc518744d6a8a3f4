// Candidate pairs between two sets of sky positions: both sets are sorted by nested HEALPix pixel, and each
// pixel of set 1 is compared with its own pixel and the neighbouring pixels of set 2. Work is split over
// blocks of pixels on all cores; results do not depend on the number of threads.
import Dispatch
import Foundation
import SkyCore

/// One position set sorted by (nested HEALPix pixel at the block order, z = sin dec), as unit vectors.
struct PixelSorted: @unchecked Sendable {
    /// Sort key of each sorted entry: (pixel + 1) in the high 32 bits (0 for invalid rows, which come
    /// first), z quantised to 28 bits, then the 4 bits of the pixel edges a disc of the search radius around
    /// the row may cross (`HEALPixLayer.edges`).
    let keys: [UInt64]
    let rows: [Int32]          // original row of each sorted entry
    /// Unit vectors in sorted order, interleaved; empty when prepared without them (`storesVectors`
    /// false): sweeps then compute each row's vector from `ra`/`dec`, bit for bit the same values.
    let xyz: [Double]
    /// The positions (degrees) the set was prepared from.
    let ra: [Double], dec: [Double]
    let firstValid: Int
    var storesVectors: Bool { !xyz.isEmpty || keys.isEmpty }
    /// The distinct pixels of the searched set (one with vectors) and where their entries start: lookups
    /// by pixel search this small table instead of the keys (a few cache misses fewer per pixel visited).
    let pixelTags: [UInt32]      // pixel + 1, ascending
    let pixelStarts: [Int]       // entries of pixelTags[i]: pixelStarts[i] ..< pixelStarts[i + 1]

    /// The z quantum of the sort key (2/2^28); sweeps widen their z windows by a few of these.
    static let zQuantum = 2.0 / 268435456.0

    /// Sorts positions (degrees) for searches of up to `radius` degrees at HEALPix `order`.
    ///
    /// A bucket sort on all cores: pixels (32-bit) and their range; per-chunk counts of coarse buckets (runs
    /// of 2^shift pixels, at most 2^18 buckets); every row's composite key and row scattered into its
    /// bucket with its unit vector; each bucket sorted by (key, row). The order equals a stable sort by key.
    /// Large arrays are written once, uninitialised before: on machines where fresh memory is slow to fault
    /// in, the bytes touched set the time. `vectors: false` leaves the unit vectors out (24 of 36 bytes a
    /// row): right for the set a sweep walks row by row (set 1), whose vectors are computed on the way.
    init(ra: [Double], dec: [Double], order: Int, radius: Double, vectors: Bool = true) {
        let layer = HEALPixLayer.layers[order]
        let n = min(ra.count, dec.count)
        let chunkCount = max(1, min(4 * Parallel.workers, n >> 15))
        let chunkSize = (n + chunkCount - 1) / chunkCount
        var keys = LargeAllocation.uninitialisedArray(UInt64.self, count: n)
        var rows = LargeAllocation.uninitialisedArray(Int32.self, count: n)
        var xyz = vectors ? LargeAllocation.uninitialisedArray(Double.self, count: 3 * n) : []
        var invalid = 0
        ra.withUnsafeBufferPointer { rb in dec.withUnsafeBufferPointer { db in
        keys.withUnsafeMutableBufferPointer { kb in rows.withUnsafeMutableBufferPointer { ob in xyz.withUnsafeMutableBufferPointer { xb in
            guard n > 0, let rbase = rb.baseAddress, let dbase = db.baseAddress, let kbase = kb.baseAddress,
                  let obase = ob.baseAddress else { return }
            let rp = UnsafeSendablePointer(rbase), dp = UnsafeSendablePointer(dbase)
            let kp = UnsafeMutableSendablePointer(kbase), op = UnsafeMutableSendablePointer(obase)
            let xp = vectors ? xb.baseAddress.map { UnsafeMutableSendablePointer($0) } : nil
            // 1. Pixels (-1: invalid position) and, per chunk, their range.
            var pix = LargeAllocation.uninitialisedArray(Int32.self, count: n)
            let ranges = pix.withUnsafeMutableBufferPointer { pb -> [(Int32, Int32)] in
                guard let pbase = pb.baseAddress else { return [] }
                let pp = UnsafeMutableSendablePointer(pbase)
                return Parallel.map(chunkCount) { (c: Int) -> (Int32, Int32) in
                    let lo = c * chunkSize, hi = min(n, lo + chunkSize)
                    var mn = Int32.max, mx = Int32.min
                    let buf = UnsafeMutablePointer<Int64>.allocate(capacity: 16)
                    defer { buf.deallocate() }
                    var i = lo
                    while i < hi {
                        let m = min(16, hi - i)
                        layer.nestedPixels(ra: rp.p + i, dec: dp.p + i, into: buf, count: m)
                        for t in 0..<m {
                            let p = Int32(truncatingIfNeeded: buf[t])
                            pp.p[i + t] = p
                            if p >= 0 { mn = min(mn, p); mx = max(mx, p) }
                        }
                        i += m
                    }
                    return (mn, mx)
                }
            }
            let minPix = ranges.map(\.0).min() ?? Int32.max, maxPix = ranges.map(\.1).max() ?? Int32.min
            // Bucket 0 holds the invalid rows; bucket 1 + (p − minPix) >> shift the valid ones.
            var shift = 0
            if maxPix >= minPix { while (Int(maxPix) - Int(minPix)) >> shift >= 1 << 18 { shift += 1 } }
            let bucketCount = maxPix >= minPix ? 2 + (Int(maxPix) - Int(minPix)) >> shift : 1
            let base = Int(minPix), sh = shift
            // 2. Per-chunk bucket counts, turned into each chunk's first slot per bucket.
            var counts = [Int32](repeating: 0, count: chunkCount * bucketCount)
            var bucketStart = [Int](repeating: 0, count: bucketCount + 1)
            pix.withUnsafeBufferPointer { pb in counts.withUnsafeMutableBufferPointer { cb in
                guard let pbase = pb.baseAddress, let cbase = cb.baseAddress else { return }
                let pp = UnsafeSendablePointer(pbase), cp = UnsafeMutableSendablePointer(cbase)
                Parallel.perform(iterations: chunkCount) { c in
                    let lo = c * chunkSize, hi = min(n, lo + chunkSize)
                    let h = cp.p + c * bucketCount
                    for i in lo..<hi { let p = Int(pp.p[i]); h[p < 0 ? 0 : 1 + (p - base) >> sh] += 1 }
                }
                var sum = 0
                for b in 0..<bucketCount {
                    bucketStart[b] = sum
                    for c in 0..<chunkCount { let k = c * bucketCount + b; let v = Int(cb[k]); cb[k] = Int32(sum); sum += v }
                }
                bucketStart[bucketCount] = sum
                // 3. Keys, rows and unit vectors scattered into their buckets (positions read in order).
                Parallel.perform(iterations: chunkCount) { c in
                    let lo = c * chunkSize, hi = min(n, lo + chunkSize)
                    let h = cp.p + c * bucketCount
                    for i in lo..<hi {
                        let p = Int(pp.p[i])
                        let b = p < 0 ? 0 : 1 + (p - base) >> sh
                        let dst = Int(h[b]); h[b] = Int32(dst + 1)
                        op.p[dst] = Int32(truncatingIfNeeded: i)
                        guard p >= 0 else {
                            kp.p[dst] = 0
                            if let xp { xp.p[3 * dst] = .nan; xp.p[3 * dst + 1] = .nan; xp.p[3 * dst + 2] = .nan }
                            continue
                        }
                        let (sd, cd) = fastSinCos(dp.p[i] * degreesToRadians)
                        let q = UInt64(min(268435455.0, max(0, (sd + 1) * 134217728.0)))
                        let edges = UInt64(layer.edges(ra: rp.p[i], z: sd, radius: radius).rawValue)
                        kp.p[dst] = (UInt64(p + 1) << 32) | (q << 4) | edges
                        if let xp {
                            (xp.p[3 * dst], xp.p[3 * dst + 1], xp.p[3 * dst + 2]) = PixelSorted.unitVector(ra: rp.p[i], sinDec: sd, cosDec: cd)
                        }
                    }
                }
            } }
            invalid = bucketStart[1 < bucketCount ? 1 : bucketCount]
            pix = []
            // 4. Each bucket sorted by key (stably: the scatter kept row order within a bucket), in chunks of
            // buckets holding about equal numbers of rows.
            let starts = bucketStart
            let sortChunks = max(1, min(8 * Parallel.workers, n >> 14))
            var firstBucket = [Int](repeating: bucketCount, count: sortChunks + 1)
            var b = 0
            for c in 0..<sortChunks {
                let target = c * n / sortChunks
                while b < bucketCount && starts[b] < target { b += 1 }
                firstBucket[c] = b
            }
            let fb = firstBucket
            Parallel.perform(iterations: sortChunks) { c in
                var scratch = SegmentScratch()
                for bk in fb[c]..<max(fb[c], fb[c + 1]) {
                    let lo = starts[bk], hi = starts[bk + 1]
                    guard hi - lo > 1 else { continue }
                    scratch.sort(keys: kp.p + lo, rows: op.p + lo, xyz: xp.map { $0.p + 3 * lo }, count: hi - lo)
                }
            }
        } } } } }
        self.keys = keys; self.rows = rows; self.xyz = xyz; self.firstValid = invalid
        self.ra = ra; self.dec = dec
        var tags: [UInt32] = [], tagStarts: [Int] = []
        if vectors {
            var k = invalid
            while k < n {
                let t = UInt32(truncatingIfNeeded: keys[k] >> 32)
                tags.append(t); tagStarts.append(k)
                k += 1
                while k < n && UInt32(truncatingIfNeeded: keys[k] >> 32) == t { k += 1 }
            }
            tagStarts.append(n)
        }
        pixelTags = tags; pixelStarts = tagStarts
    }

    /// The unit vector of a position (ra in degrees, sin and cos of its declination): the one formula of the
    /// preparation and of sweeps over a set prepared without vectors, so both give the same bits.
    @inline(__always) static func unitVector(ra: Double, sinDec sd: Double, cosDec cd: Double) -> (Double, Double, Double) {
        let (sa, ca) = fastSinCos(ra * degreesToRadians)
        return (cd * ca, cd * sa, sd)
    }

    /// Prepares two position sets, one after the other (each on all cores); set 1 without its unit vectors
    /// (the sweep walks it row by row).
    static func both(ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double], order: Int, radius: Double) -> (PixelSorted, PixelSorted) {
        (PixelSorted(ra: ra1, dec: dec1, order: order, radius: radius, vectors: false), PixelSorted(ra: ra2, dec: dec2, order: order, radius: radius))
    }

    /// The sorted-entry range of nested pixel `pix` (a set prepared with vectors).
    @inline(__always) func entries(ofPixel pix: Int64) -> Range<Int> {
        guard pix >= 0, pix < Int64(UInt32.max) else { return 0..<0 }
        let tag = UInt32(pix + 1)
        return pixelTags.withUnsafeBufferPointer { t in
            var lo = 0, hi = t.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if t[mid] < tag { lo = mid + 1 } else { hi = mid }
            }
            return lo < t.count && t[lo] == tag ? pixelStarts[lo]..<pixelStarts[lo + 1] : 0..<0
        }
    }

    /// The nested pixel of sorted entry `k` (-1 for invalid rows).
    @inline(__always) func pixel(_ k: Int) -> Int64 { Int64(bitPattern: keys[k] >> 32) &- 1 }
}

/// Reusable buffers for sorting one bucket of `PixelSorted` in place, stably by key, with its rows and unit
/// vectors: an in-cache LSD radix sort over the key bytes that vary within the bucket (typically four:
/// edge bits, the low z bits, perhaps the pixel), then one permutation of the entries.
struct SegmentScratch {
    var values: [UInt64] = [], values2: [UInt64] = []
    var from: [Int32] = [], from2: [Int32] = []
    var rows: [Int32] = []
    var xyz: [Double] = []

    mutating func sort(keys k: UnsafeMutablePointer<UInt64>, rows r: UnsafeMutablePointer<Int32>, xyz x: UnsafeMutablePointer<Double>?, count m: Int) {
        guard m > 1 else { return }
        var sorted = true, varying: UInt64 = 0
        let k0 = k[0]
        for i in 1..<m {
            if k[i] < k[i - 1] { sorted = false }
            varying |= k[i] ^ k0
        }
        if sorted { return }
        if values.count < m {
            values = Array(repeating: 0, count: m); values2 = values
            from = Array(repeating: 0, count: m); from2 = from; rows = from
        }
        if x != nil && xyz.count < 3 * m { xyz = Array(repeating: 0, count: 3 * m) }
        values.withUnsafeMutableBufferPointer { v1 in values2.withUnsafeMutableBufferPointer { v2 in
        from.withUnsafeMutableBufferPointer { f1 in from2.withUnsafeMutableBufferPointer { f2 in
        rows.withUnsafeMutableBufferPointer { rb in xyz.withUnsafeMutableBufferPointer { xb in
            guard var a = v1.baseAddress, var b = v2.baseAddress, var fa = f1.baseAddress, var fb = f2.baseAddress,
                  let rc = rb.baseAddress else { return }
            for i in 0..<m { a[i] = k[i]; fa[i] = Int32(truncatingIfNeeded: i) }
            // Stable counting passes, least significant varying byte first.
            var counts = (0..<256).map { _ in 0 }
            counts.withUnsafeMutableBufferPointer { cb in
                guard let c = cb.baseAddress else { return }
                for byte in 0..<8 {
                    let shift = UInt64(8 * byte)
                    guard (varying >> shift) & 0xff != 0 else { continue }
                    c.update(repeating: 0, count: 256)
                    for i in 0..<m { c[Int((a[i] >> shift) & 0xff)] += 1 }
                    var sum = 0
                    for d in 0..<256 { let t = c[d]; c[d] = sum; sum += t }
                    for i in 0..<m {
                        let d = Int((a[i] >> shift) & 0xff)
                        let dst = c[d]; c[d] = dst + 1
                        b[dst] = a[i]; fb[dst] = fa[i]
                    }
                    swap(&a, &b); swap(&fa, &fb)
                }
            }
            // Permute rows and vectors through copies; the keys are already in order.
            for i in 0..<m { rc[i] = r[i] }
            for i in 0..<m { let j = Int(fa[i]); k[i] = a[i]; r[i] = rc[j] }
            if let x, let xc = xb.baseAddress {
                for i in 0..<(3 * m) { xc[i] = x[i] }
                for i in 0..<m {
                    let j = Int(fa[i])
                    x[3 * i] = xc[3 * j]; x[3 * i + 1] = xc[3 * j + 1]; x[3 * i + 2] = xc[3 * j + 2]
                }
            }
        } } } } } }
    }
}

/// sin and cos of x (radians, |x| < 1e5) to within 2 ulp: Cody–Waite reduction by π/2 and fdlibm's
/// kernel polynomials. Used for unit vectors, where libm's ~20 ns per call dominated preparation.
@inline(__always) func fastSinCos(_ x: Double) -> (Double, Double) {
    // Round to nearest by adding and subtracting 1.5·2^52 (no libm call on baseline x86-64; |x| < 1e5).
    let k = (x * 0.63661977236758134308 + 6755399441055744.0) - 6755399441055744.0
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

    /// Visits every candidate pair within `maxRadius` degrees (chord test, then the exact separation), in
    /// chunks of set-1 pixels on all cores. Each chunk gets its own sink from `makeSink(chunk)`; within a
    /// chunk, rows of set 1 come one at a time (`begin`, its pairs, `end`). The sinks are returned in chunk
    /// order, so results assembled from them do not depend on the number of threads.
    static func sweep<Sink: PairSink>(_ a: PixelSorted, _ b: PixelSorted, order: Int, maxRadius: Double,
                                      progress: (@Sendable (Double) -> Void)? = nil,
                                      makeSink: @Sendable (Int) -> Sink) -> [Sink] {
        let counter = ProgressCounter()
        let layer = HEALPixLayer.layers[order]
        // Distinct pixels of set 1 (start offsets).
        var groupStarts: [Int] = []
        var i = a.firstValid
        while i < a.keys.count {
            groupStarts.append(i)
            let k = a.keys[i] >> 32
            while i < a.keys.count && a.keys[i] >> 32 == k { i += 1 }
        }
        let ng = groupStarts.count
        let chord2 = pow(2 * sin(min(Double.pi, maxRadius * degreesToRadians) / 2) * (1 + 1e-12) + 1e-15, 2)
        let chunkCount = max(1, min(ng, 64 * max(1, Parallel.workers)))
        let chunkSize = (ng + chunkCount - 1) / max(1, chunkCount)
        let starts = groupStarts
        return Parallel.map(chunkCount) { (c: Int) -> Sink in
            var sink = makeSink(c)
            let g0 = c * chunkSize, g1 = min(ng, g0 + chunkSize)
            guard g0 < g1 else { return sink }
            // Up to nine neighbour ranges of set 2 (own pixel + 8 neighbours): start, end and sweep cursor.
            let slots = UnsafeMutablePointer<Int>.allocate(capacity: 27)
            slots.initialize(repeating: 0, count: 27)
            defer { slots.deallocate() }
            let rangeLo = slots, rangeHi = slots + 9, cursor = slots + 18
            // The z window of a row at declination δ: [sin(δ − r), sin(δ + r)] = z·cos r ∓ cos δ·sin r (clamped
            // at the poles), widened by 4 quanta of the sort key's z and rounding.
            let rr = min(Double.pi, maxRadius * degreesToRadians)
            let cosR = cos(rr), sinR = sin(rr), zMargin = 4 * PixelSorted.zQuantum + 1e-15
            // Set 1's unit vectors: stored, or computed per pixel block into `local` (the block's positions are
            // loaded in one tight loop, so their cache misses overlap).
            let storedA = a.storesVectors
            var local = [Double](repeating: 0, count: storedA ? 0 : 3 * 256)
            a.xyz.withUnsafeBufferPointer { axb in b.xyz.withUnsafeBufferPointer { bxb in
            a.rows.withUnsafeBufferPointer { arb in b.rows.withUnsafeBufferPointer { brb in
            a.ra.withUnsafeBufferPointer { rab in a.dec.withUnsafeBufferPointer { dab in
                guard let bx = bxb.baseAddress, let ar = arb.baseAddress, let br = brb.baseAddress else { return }
                for g in g0..<g1 {
                    let s = starts[g], e = g + 1 < ng ? starts[g + 1] : a.keys.count
                    let pix = a.pixel(s)
                    // Slot 0: the pixel itself; slot 1 + i: neighbour i, looked up only when a row of this
                    // block may reach it (its edge bits, see HEALPixLayer.edges); empty slots have lo == hi.
                    var union: UInt8 = 0
                    for k in s..<e { union |= HEALPixLayer.neighbourMask(HEALPixLayer.Edges(rawValue: UInt8(a.keys[k] & 15))) }
                    let own = b.entries(ofPixel: pix)
                    rangeLo[0] = own.lowerBound; rangeHi[0] = own.upperBound; cursor[0] = own.lowerBound
                    var any = !own.isEmpty
                    if union != 0 {
                        let nbs = layer.neighbours(nested: pix)
                        for i in 0..<8 {
                            rangeLo[i + 1] = 0; rangeHi[i + 1] = 0; cursor[i + 1] = 0
                            guard union & (UInt8(1) << UInt8(i)) != 0, nbs[i] >= 0 else { continue }
                            let r = b.entries(ofPixel: nbs[i])
                            rangeLo[i + 1] = r.lowerBound; rangeHi[i + 1] = r.upperBound; cursor[i + 1] = r.lowerBound
                            any = any || !r.isEmpty
                        }
                    }
                    if !any { continue }
                    if !storedA && local.count < 3 * (e - s) { local = [Double](repeating: 0, count: 3 * (e - s)) }
                    local.withUnsafeMutableBufferPointer { lb in
                    let ax: UnsafePointer<Double>
                    if storedA {
                        guard let axp = axb.baseAddress else { return }
                        ax = axp + 3 * s
                    } else {
                        guard let lp = lb.baseAddress else { return }
                        // Gather first (independent loads, many misses in flight), then compute in place.
                        for k in s..<e { let r = Int(ar[k]); lp[3 * (k - s)] = rab[r]; lp[3 * (k - s) + 1] = dab[r] }
                        for t in 0..<(e - s) {
                            let (sd, cd) = fastSinCos(lp[3 * t + 1] * degreesToRadians)
                            (lp[3 * t], lp[3 * t + 1], lp[3 * t + 2]) = PixelSorted.unitVector(ra: lp[3 * t], sinDec: sd, cosDec: cd)
                        }
                        ax = UnsafePointer(lp)
                    }
                    // Rows of this block come in ascending z: sweep each neighbour list.
                    for k in s..<e {
                        let axk = ax[3 * (k - s)], ayk = ax[3 * (k - s) + 1], azk = ax[3 * (k - s) + 2]
                        let cosD = (axk * axk + ayk * ayk).squareRoot()
                        let zc = azk * cosR, zs = cosD * sinR
                        // Past a pole (δ ± r beyond ±90°) the window reaches ±1.
                        // (cos(δ ∓ r) < 0 ⟺ δ ∓ r beyond ∓90°). Rows of set 1 are in z order only up to the key's
                        // quantum, and zlo moves cos(δ − r)/cos δ times as fast as z: the cursor may only skip
                        // what no later row needs, so zlo is lowered by that many quanta (twice, for safety),
                        // and near the poles (cos δ < 1e-4) nothing is skipped.
                        let cosLo = cosD * cosR + azk * sinR
                        let loMargin = zMargin + 8 * PixelSorted.zQuantum * abs(cosLo) / max(cosD, 1e-300)
                        let zlo = (-azk * sinR > cosD * cosR || cosD < 1e-4 ? -2 : zc - zs) - loMargin
                        let zhi = (azk * sinR > cosD * cosR ? 2 : zc + zs) + zMargin
                        sink.begin(row1: Int(ar[k]))
                        // Slots to visit: the own pixel, then the neighbours this row's disc may reach.
                        var visit = UInt16(HEALPixLayer.neighbourMask(HEALPixLayer.Edges(rawValue: UInt8(a.keys[k] & 15)))) << 1 | 1
                        while visit != 0 {
                            let q = visit.trailingZeroBitCount
                            visit &= visit &- 1
                            let end = rangeHi[q]
                            var m = cursor[q]
                            while m < end && bx[3 * m + 2] < zlo { m += 1 }
                            cursor[q] = m
                            while m < end && bx[3 * m + 2] <= zhi {
                                let bxm = bx[3 * m], bym = bx[3 * m + 1], bzm = bx[3 * m + 2]
                                let dx = bxm - axk, dy = bym - ayk, dz = bzm - azk
                                if dx * dx + dy * dy + dz * dz <= chord2 {
                                    let cx = ayk * bzm - azk * bym, cy = azk * bxm - axk * bzm, cz = axk * bym - ayk * bxm
                                    let sep = atan2((cx * cx + cy * cy + cz * cz).squareRoot(), axk * bxm + ayk * bym + azk * bzm) * radiansToDegrees
                                    sink.pair(row2: Int(br[m]), sep: sep)
                                }
                                m += 1
                            }
                        }
                        sink.end()
                    }
                    }
                }
            } } } } } }
            if let progress {
                counter.lock.lock(); counter.done += 1; let d = counter.done; counter.lock.unlock()
                progress(Double(d) / Double(chunkCount))
            }
            return sink
        }
    }

    /// All pairs whose separation (degrees) passes `accept(row1, row2, sep)`, given that no accepted pair is
    /// farther apart than `maxRadius` degrees. Pairs come out sorted by row1, then separation, then row2.
    static func pairs(_ a: PixelSorted, _ b: PixelSorted, order: Int, maxRadius: Double, progress: (@Sendable (Double) -> Void)? = nil,
                      accept: @escaping @Sendable (Int, Int, Double) -> Bool) -> PairList {
        let parts = sweep(a, b, order: order, maxRadius: maxRadius, progress: progress) { _ in PairCollector(accept: accept) }
        // Concatenate, then order by row1 (groups were in pixel order).
        var all = PairList()
        let total = parts.reduce(0) { $0 + $1.list.rows1.count }
        all.rows1.reserveCapacity(total); all.rows2.reserveCapacity(total); all.sep.reserveCapacity(total)
        for p in parts { all.rows1 += p.list.rows1; all.rows2 += p.list.rows2; all.sep += p.list.sep }
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

    /// For each row of set 1, its best partner in set 2: the lowest `score(row1, row2, sep)` (nil: not a
    /// match), ties to the lower row 2 — decided during the sweep, without listing the pairs. `scored`: keep
    /// the scores (when false, the score must be the separation in arcsec, and is not stored).
    static func bestPerRow1<S: PairScoring>(_ a: PixelSorted, _ b: PixelSorted, count1: Int, order: Int, maxRadius: Double, scored: Bool,
                                            progress: (@Sendable (Double) -> Void)? = nil, score: S) -> BestPartners {
        var rows = LargeAllocation.uninitialisedArray(Int32.self, count: count1)
        var seps = LargeAllocation.uninitialisedArray(Double.self, count: count1)
        var scores = scored ? LargeAllocation.uninitialisedArray(Double.self, count: count1) : []
        rows.withUnsafeMutableBufferPointer { rb in seps.withUnsafeMutableBufferPointer { sb in scores.withUnsafeMutableBufferPointer { qb in
            guard let r = rb.baseAddress, let s = sb.baseAddress else { return }
            let out = BestPartnerOutput(rows: UnsafeMutableSendablePointer(r), seps: UnsafeMutableSendablePointer(s),
                                             scores: scored ? qb.baseAddress.map { UnsafeMutableSendablePointer($0) } : nil)
            Parallel.forEachChunk(count: count1, minChunk: 1 << 16) { lo, hi in (out.rows.p + lo).update(repeating: -1, count: hi - lo) }
            _ = sweep(a, b, order: order, maxRadius: maxRadius, progress: progress) { _ in BestPartnerSink(out: out, scoring: score) }
        } } }
        let best = BestPartners(rows: rows, seps: seps, scores: scored ? scores : nil)
        return best
    }

    /// The pairs of `bestPerRow1` in row-1 order as (row1, row2, separation in **arcsec**, score), built per
    /// chunk of rows on all cores. Without stored scores, the scores array is the separations array.
    static func rowOrderedPairs(_ best: BestPartners) -> ([Int], [Int], [Double], [Double]) {
        let n1 = best.rows.count
        let chunks = max(1, min(64, n1 / 65536))
        let size = (n1 + chunks - 1) / chunks
        let counts = Parallel.map(chunks) { (c: Int) -> Int in
            var m = 0
            for r in (c * size)..<min(n1, (c + 1) * size) where best.rows[r] >= 0 { m += 1 }
            return m
        }
        var offsets = [0]
        for c in counts { offsets.append(offsets[offsets.count - 1] + c) }
        let matched = offsets[chunks]
        var rows1 = LargeAllocation.uninitialisedArray(Int.self, count: matched)
        var rows2 = LargeAllocation.uninitialisedArray(Int.self, count: matched)
        var seps = LargeAllocation.uninitialisedArray(Double.self, count: matched)
        var scores = best.scores == nil ? [] : LargeAllocation.uninitialisedArray(Double.self, count: matched)
        let scored = best.scores != nil, inScores = best.scores ?? []
        rows1.withUnsafeMutableBufferPointer { r1b in rows2.withUnsafeMutableBufferPointer { r2b in
        seps.withUnsafeMutableBufferPointer { sb in scores.withUnsafeMutableBufferPointer { qb in
        best.rows.withUnsafeBufferPointer { br in best.seps.withUnsafeBufferPointer { bs in inScores.withUnsafeBufferPointer { bq in
            guard let r1 = r1b.baseAddress, let r2 = r2b.baseAddress, let sp = sb.baseAddress,
                  let brp = br.baseAddress, let bsp = bs.baseAddress else { return }
            let o1 = UnsafeMutableSendablePointer(r1), o2 = UnsafeMutableSendablePointer(r2), os = UnsafeMutableSendablePointer(sp)
            let oq = scored ? qb.baseAddress.map { UnsafeMutableSendablePointer($0) } : nil
            let iq = scored ? bq.baseAddress.map { UnsafeSendablePointer($0) } : nil
            let ir = UnsafeSendablePointer(brp), isp = UnsafeSendablePointer(bsp)
            let offs = offsets
            Parallel.perform(iterations: chunks) { c in
                var t = offs[c]
                for r in (c * size)..<min(n1, (c + 1) * size) {
                    let partner = ir.p[r]
                    guard partner >= 0 else { continue }
                    o1.p[t] = r; o2.p[t] = Int(partner); os.p[t] = isp.p[r] * 3600
                    if let oq, let iq { oq.p[t] = iq.p[r] }
                    t += 1
                }
            }
        } } } } } } }
        return (rows1, rows2, seps, best.scores == nil ? seps : scores)
    }
}

/// Chunks finished, for progress reports.
final class ProgressCounter: @unchecked Sendable { var done = 0; let lock = NSLock() }

/// Receives the candidate pairs of one chunk of set-1 rows, one row at a time.
protocol PairSink: Sendable {
    /// A new row of set 1 starts.
    mutating func begin(row1: Int)
    /// A candidate of the current row: set-2 row and separation in **degrees** (already within the radius).
    mutating func pair(row2: Int, sep: Double)
    /// The current row has no more candidates.
    mutating func end()
}

/// Collects accepted pairs, each row's pairs ordered by separation, then row 2.
struct PairCollector: PairSink {
    let accept: @Sendable (Int, Int, Double) -> Bool
    var list = PairList()
    var row1 = 0
    var hits: [(Int32, Double)] = []
    init(accept: @escaping @Sendable (Int, Int, Double) -> Bool) { self.accept = accept }
    mutating func begin(row1: Int) { self.row1 = row1; hits.removeAll(keepingCapacity: true) }
    mutating func pair(row2: Int, sep: Double) { if accept(row1, row2, sep) { hits.append((Int32(row2), sep)) } }
    mutating func end() {
        if hits.count > 1 { hits.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 } }
        for h in hits { list.rows1.append(Int32(row1)); list.rows2.append(h.0); list.sep.append(h.1) }
    }
}

/// Each set-1 row's best partner, in arrays indexed by set-1 row: set-2 row (-1: none), separation
/// (degrees; unset where there is no partner) and, when kept, the score.
struct BestPartners {
    var rows: [Int32]
    var seps: [Double]
    var scores: [Double]?
}

/// Where `BestPartnerSink`s write: row-indexed arrays of partner, separation and (optionally) score.
struct BestPartnerOutput: Sendable {
    let rows: UnsafeMutableSendablePointer<Int32>
    let seps: UnsafeMutableSendablePointer<Double>
    let scores: UnsafeMutableSendablePointer<Double>?
}

/// Scores a candidate pair (set-1 row, set-2 row, separation in degrees): lower is better, nil rejects it.
protocol PairScoring: Sendable {
    func score(_ row1: Int, _ row2: Int, _ sep: Double) -> Double?
}

/// The plain fixed radius: the score is the separation in arcsec (inlined into the sweep).
struct FixedRadiusScoring: PairScoring {
    let arcsec: Double
    @inline(__always) func score(_ row1: Int, _ row2: Int, _ sep: Double) -> Double? {
        let s = sep * 3600
        return s <= arcsec ? s : nil
    }
}

/// Keeps each set-1 row's best partner, written straight into row-indexed arrays (each row belongs to one
/// chunk, so chunks write disjoint elements).
struct BestPartnerSink<Scoring: PairScoring>: PairSink {
    let out: BestPartnerOutput
    let scoring: Scoring
    var row1 = 0, bestRow = -1, bestSep = 0.0, bestScore = 0.0
    init(out: BestPartnerOutput, scoring: Scoring) { self.out = out; self.scoring = scoring }
    mutating func begin(row1: Int) { self.row1 = row1; bestRow = -1 }
    @inline(__always) mutating func pair(row2: Int, sep: Double) {
        guard let sc = scoring.score(row1, row2, sep) else { return }
        if bestRow < 0 || sc < bestScore || (sc == bestScore && row2 < bestRow) { bestRow = row2; bestSep = sep; bestScore = sc }
    }
    mutating func end() {
        guard bestRow >= 0 else { return }
        out.rows.p[row1] = Int32(truncatingIfNeeded: bestRow); out.seps.p[row1] = bestSep
        out.scores?.p[row1] = bestScore
    }
}
