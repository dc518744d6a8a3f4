// Candidate pairs between two sets of sky positions: both sets are sorted by nested HEALPix pixel, and each
// pixel of set 1 is compared with its own pixel and the neighbouring pixels of set 2. Work is split over
// blocks of pixels on all cores; results do not depend on the number of threads.
import Dispatch
import Foundation
import SkyCore

/// One position set sorted by (nested HEALPix pixel at the block order, z = sin dec), with its positions
/// copied into that order: sweeps read both sets' positions in order (no gathers by row, so positions read
/// in place from a mapped file are touched only sequentially) and compute unit vectors per pixel as they go
/// (`PixelSorted.vectors`). A set costs 28 bytes a row while it is prepared (row, position, pixel in row
/// order and scattered; 29 with edge bits), then 21 (walked: row, position, edge bits) or 20 (searched).
struct PixelSorted: @unchecked Sendable {
    /// What a sweep does with a set. Set 1 is walked pixel by pixel and row by row (it keeps the edge bits of
    /// each entry); set 2 is searched by pixel.
    enum Role: Sendable { case walked, searched }

    private(set) var role: Role
    let rows: [Int32]          // original row of each sorted entry
    /// Positions (degrees) of the sorted entries, in sorted order (a buffer the best-partner sweep reuses).
    let positions: SortedPositions
    var ra: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: positions.ra, count: positions.count) }
    var dec: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: positions.dec, count: positions.count) }
    /// Per sorted entry of a set prepared to be walked (empty for one prepared to be searched): the 4 bits of the pixel edges a disc of
    /// the search radius around it may cross (`HEALPixLayer.edges`).
    let edges: [UInt8]
    let firstValid: Int
    /// The distinct pixels of the set and where their entries start: entries of pixelTags[i] are
    /// pixelStarts[i] ..< pixelStarts[i + 1] (the last element is the entry count). A sweep walks a walked set
    /// by these blocks and looks pixels of a searched set up in them.
    let pixelTags: [UInt32]      // pixel + 1, ascending
    let pixelStarts: [Int]

    /// Rows a bucket of the preparation holds (about; a bucket is whole fine bins).
    static let bucketRows = 32768
    /// The z quantum of the sort key (2/2^28); sweeps widen their z windows by a few of these.
    static let zQuantum = 2.0 / 268435456.0

    /// Sorts positions (degrees) for searches of up to `radius` degrees at HEALPix `order`.
    ///
    /// A bucket sort on all cores: pixels (32-bit) and their range; per-chunk counts of fine bins of the
    /// range, grouped into buckets of consecutive pixels holding about `bucketRows` rows; every row's pixel,
    /// row and position scattered into its bucket (positions read in row order); each bucket sorted, in
    /// cache, by a composite key built there — (pixel + 1) in the high 32 bits, z quantised to 28 bits — and
    /// row, a walked set's edge bits (computed there too) carried along; invalid rows (no pixel) first, in
    /// row order. The order equals a stable sort by key. Large arrays are written once, uninitialised before:
    /// on machines where fresh memory is slow to fault in, the bytes touched set the time.
    init(ra: [Double], dec: [Double], order: Int, radius: Double, role: Role) {
        self.init(PositionSource(ra: ra, dec: dec), order: order, radius: radius, role: role)
    }

    /// Sorts `positions` (see `init(ra:dec:order:radius:role:)`).
    init(_ positions: PositionSource, order: Int, radius: Double, role: Role) {
        let layer = HEALPixLayer.layers[order]
        let n = positions.count
        let chunkCount = max(1, min(4 * Parallel.workers, n >> 15))
        let chunkSize = (n + chunkCount - 1) / chunkCount
        // Scattered pixels (sorted with the rows; the sort keys live only in each bucket's scratch).
        var spix = LargeAllocation.uninitialisedArray(Int32.self, count: n)
        var rows = LargeAllocation.uninitialisedArray(Int32.self, count: n)
        var edgeBits = role == .walked ? LargeAllocation.uninitialisedArray(UInt8.self, count: n) : []
        let sorted = SortedPositions(count: n)
        var invalid = 0
        positions.withReader { pos in
        spix.withUnsafeMutableBufferPointer { kb in rows.withUnsafeMutableBufferPointer { ob in edgeBits.withUnsafeMutableBufferPointer { eb in
            guard n > 0, let kbase = kb.baseAddress, let obase = ob.baseAddress else { return }
            let spp = UnsafeMutableSendablePointer(kbase), op = UnsafeMutableSendablePointer(obase)
            // (An empty array may still have a base address: the role decides.)
            let ep = role == .walked ? eb.baseAddress.map { UnsafeMutableSendablePointer($0) } : nil
            let rap = UnsafeMutableSendablePointer(sorted.ra), dep = UnsafeMutableSendablePointer(sorted.dec)
            // 1. Pixels (-1: invalid position) and, per chunk, their range.
            var pix = LargeAllocation.uninitialisedArray(Int32.self, count: n)
            let ranges = pix.withUnsafeMutableBufferPointer { pb -> [(Int32, Int32)] in
                guard let pbase = pb.baseAddress else { return [] }
                let pp = UnsafeMutableSendablePointer(pbase)
                return Parallel.map(chunkCount) { (c: Int) -> (Int32, Int32) in
                    let lo = c * chunkSize, hi = min(n, lo + chunkSize)
                    var mn = Int32.max, mx = Int32.min
                    let buf = UnsafeMutablePointer<Int64>.allocate(capacity: 16)
                    let rbuf = UnsafeMutablePointer<Double>.allocate(capacity: 32)
                    defer { buf.deallocate(); rbuf.deallocate() }
                    var i = lo
                    while i < hi {
                        let m = min(16, hi - i)
                        for t in 0..<m { rbuf[t] = pos.ra(i + t); rbuf[16 + t] = pos.dec(i + t) }
                        layer.nestedPixels(ra: rbuf, dec: rbuf + 16, into: buf, count: m)
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
            // Buckets by occupancy: the pixel range is cut into at most 2^16 fine bins (runs of 2^fineShift
            // pixels), counted per chunk; consecutive bins are grouped into buckets of about `bucketRows`
            // rows, however sparsely the rows fill their pixel range (a 10° field fills a tenth of its nested
            // range). The scatter's stores are its cost (cache misses): few buckets keep the lines being
            // filled in cache, and a bucket of 32 768 rows still sorts in L2. At 10^7 rows, perf samples of
            // the preparation: buckets of 2048 rows 1.4× those of 32 768 (the scatter 1.8×); 65 536 and 131 072 level with
            // 32 768. Bucket 0 holds the invalid rows (bin 0).
            var fineShift = 0
            if maxPix >= minPix { while (Int(maxPix) - Int(minPix)) >> fineShift >= 1 << 16 { fineShift += 1 } }
            let binCount = maxPix >= minPix ? 2 + (Int(maxPix) - Int(minPix)) >> fineShift : 1
            let base = Int(minPix), sh = fineShift
            var binCounts = [Int32](repeating: 0, count: chunkCount * binCount)
            pix.withUnsafeBufferPointer { pb in binCounts.withUnsafeMutableBufferPointer { cb in
                guard let pbase = pb.baseAddress, let cbase = cb.baseAddress else { return }
                let pp = UnsafeSendablePointer(pbase), cp = UnsafeMutableSendablePointer(cbase)
                Parallel.perform(iterations: chunkCount) { c in
                    let lo = c * chunkSize, hi = min(n, lo + chunkSize)
                    let h = cp.p + c * binCount
                    for i in lo..<hi { let p = Int(pp.p[i]); h[p < 0 ? 0 : 1 + (p - base) >> sh] += 1 }
                }
            } }
            var bucketOfBin = [Int32](repeating: 0, count: binCount)
            let bucketRows = PixelSorted.bucketRows
            var groups = binCount > 1 ? 2 : 1, filled = 0 // bucket 0: invalid rows
            for bin in 1..<binCount {
                var rowsInBin = 0
                for c in 0..<chunkCount { rowsInBin += Int(binCounts[c * binCount + bin]) }
                if filled >= bucketRows && rowsInBin > 0 { groups += 1; filled = 0 }
                bucketOfBin[bin] = Int32(groups - 1)
                filled += rowsInBin
            }
            let bucketCount = groups
            // 2. Per-chunk bucket counts, turned into each chunk's first slot per bucket.
            var counts = [Int32](repeating: 0, count: chunkCount * bucketCount)
            for c in 0..<chunkCount {
                for bin in 0..<binCount { counts[c * bucketCount + Int(bucketOfBin[bin])] += binCounts[c * binCount + bin] }
            }
            binCounts = []
            var bucketStart = [Int](repeating: 0, count: bucketCount + 1)
            pix.withUnsafeBufferPointer { pb in counts.withUnsafeMutableBufferPointer { cb in bucketOfBin.withUnsafeBufferPointer { bb in
                guard let pbase = pb.baseAddress, let cbase = cb.baseAddress, let bbase = bb.baseAddress else { return }
                let pp = UnsafeSendablePointer(pbase), cp = UnsafeMutableSendablePointer(cbase), bp = UnsafeSendablePointer(bbase)
                var sum = 0
                for b in 0..<bucketCount {
                    bucketStart[b] = sum
                    for c in 0..<chunkCount { let k = c * bucketCount + b; let v = Int(cb[k]); cb[k] = Int32(sum); sum += v }
                }
                bucketStart[bucketCount] = sum
                // 3. Pixels, rows and positions scattered into their buckets (positions read in order).
                Parallel.perform(iterations: chunkCount) { c in
                    let lo = c * chunkSize, hi = min(n, lo + chunkSize)
                    let h = cp.p + c * bucketCount
                    for i in lo..<hi {
                        let p = Int(pp.p[i])
                        let b = p < 0 ? 0 : Int(bp.p[1 + (p - base) >> sh])
                        let dst = Int(h[b]); h[b] = Int32(dst + 1)
                        let ra = pos.ra(i), dec = pos.dec(i)
                        op.p[dst] = Int32(truncatingIfNeeded: i); rap.p[dst] = ra; dep.p[dst] = dec
                        spp.p[dst] = Int32(truncatingIfNeeded: p)
                    }
                }
            } } }
            invalid = bucketStart[1 < bucketCount ? 1 : bucketCount]
            if let ep { ep.p.update(repeating: 0, count: invalid) }   // invalid entries: no edges
            pix = []
            // 4. Each bucket of valid rows sorted by key (stably: the scatter kept row order within a bucket),
            // in chunks of buckets holding about equal numbers of rows: the keys (and, for a walked set, the
            // edge bits) are built in the bucket's scratch from its positions, the keys sorted with the rows
            // and positions, and the pixels and edge bits written in sorted order. Bucket 0 (invalid rows)
            // stays in row order.
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
            let scratches = ReusePool(make: { SegmentScratch() })
            Parallel.perform(iterations: sortChunks) { c in
                var scratch = scratches.take()
                defer { scratches.give(scratch) }
                for bk in max(1, fb[c])..<max(max(1, fb[c]), fb[c + 1]) {
                    let lo = starts[bk], hi = starts[bk + 1]
                    guard hi > lo else { continue }
                    scratch.sortBucket(pixels: spp.p + lo, rows: op.p + lo, ra: rap.p + lo, dec: dep.p + lo, edges: ep.map { $0.p + lo },
                                       count: hi - lo, layer: layer, radius: radius)
                }
            }
        } } } }
        self.role = role; self.rows = rows; self.firstValid = invalid
        self.positions = sorted
        // The pixel table, in chunks of entries on all cores: a chunk lists the pixels that start in it
        // (skipping the rest of a pixel begun before it), concatenated in order.
        let first = invalid, valid = n - first
        let tableChunks = max(1, min(4 * Parallel.workers, valid >> 18))
        let tableSize = (valid + tableChunks - 1) / tableChunks
        let tables = spix.withUnsafeBufferPointer { sb -> [([UInt32], [Int])] in
            guard let sbase = sb.baseAddress, valid > 0 else { return [] }
            let sp = UnsafeSendablePointer(sbase)
            return Parallel.map(tableChunks) { (c: Int) -> ([UInt32], [Int]) in
                var k = first + c * tableSize
                let hi = min(n, k + tableSize)
                if c > 0 { while k < hi && sp.p[k] == sp.p[k - 1] { k += 1 } }
                var tags: [UInt32] = [], starts: [Int] = []
                while k < hi {
                    let p = sp.p[k]
                    tags.append(UInt32(truncatingIfNeeded: p + 1)); starts.append(k)
                    k += 1
                    while k < n && sp.p[k] == p { k += 1 }
                }
                return (tags, starts)
            }
        }
        var tags: [UInt32] = [], tagStarts: [Int] = []
        let pixelCount = tables.reduce(0) { $0 + $1.0.count }
        tags.reserveCapacity(pixelCount); tagStarts.reserveCapacity(pixelCount + 1)
        for t in tables { tags += t.0; tagStarts += t.1 }
        tagStarts.append(n)
        spix = []
        edges = edgeBits
        pixelTags = tags; pixelStarts = tagStarts
    }

    /// The unit vector of a position (ra in degrees, sin and cos of its declination): the one formula for
    /// every unit vector of a sweep, so separations do not depend on where a vector was computed.
    @inline(__always) static func unitVector(ra: Double, sinDec sd: Double, cosDec cd: Double) -> (Double, Double, Double) {
        let (sa, ca) = fastSinCos(ra * degreesToRadians)
        return (cd * ca, cd * sa, sd)
    }

    /// Unit vectors (interleaved x, y, z) of `count` consecutive positions in degrees.
    @inline(__always) static func vectors(ra: UnsafePointer<Double>, dec: UnsafePointer<Double>, count: Int,
                                          into out: UnsafeMutablePointer<Double>) {
        for t in 0..<count {
            let (sd, cd) = fastSinCos(dec[t] * degreesToRadians)
            (out[3 * t], out[3 * t + 1], out[3 * t + 2]) = unitVector(ra: ra[t], sinDec: sd, cosDec: cd)
        }
    }

    /// Prepares two position sets, one after the other (each on all cores): set 1 walked, set 2 searched.
    static func both(_ p1: PositionSource, _ p2: PositionSource, order: Int, radius: Double) -> (PixelSorted, PixelSorted) {
        (PixelSorted(p1, order: order, radius: radius, role: .walked),
         PixelSorted(p2, order: order, radius: radius, role: .searched))
    }

    /// This set, to be searched (a walked set holds everything a search needs; nothing is copied): a set
    /// matched against itself is prepared once.
    var searched: PixelSorted {
        var s = self
        s.role = .searched
        return s
    }

    /// The index in `pixelTags` of nested pixel `pix` of a searched set, or -1 when it holds no entry.
    @inline(__always) func tagIndex(ofPixel pix: Int64) -> Int {
        guard pix >= 0, pix < Int64(UInt32.max) else { return -1 }
        let tag = UInt32(pix + 1)
        return pixelTags.withUnsafeBufferPointer { t in
            var lo = 0, hi = t.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if t[mid] < tag { lo = mid + 1 } else { hi = mid }
            }
            return lo < t.count && t[lo] == tag ? lo : -1
        }
    }

    /// The rows with invalid positions (NaN, infinite or |dec| > 90: no pixel), ascending: the first sorted
    /// entries, which the stable sort leaves in row order.
    var invalidRows: [Int] { rows[0..<firstValid].map { Int($0) } }

    /// The sorted-entry range of nested pixel `pix` (a searched set).
    func entries(ofPixel pix: Int64) -> Range<Int> {
        let i = tagIndex(ofPixel: pix)
        return i < 0 ? 0..<0 : pixelStarts[i]..<pixelStarts[i + 1]
    }

    /// The nested pixel of sorted entry `k` (-1 for invalid rows).
    func pixel(_ k: Int) -> Int64 {
        guard k >= firstValid, k < rows.count else { return -1 }
        var lo = 0, hi = pixelTags.count
        while hi - lo > 1 { let mid = (lo + hi) >> 1; if pixelStarts[mid] <= k { lo = mid } else { hi = mid } }
        return Int64(pixelTags[lo]) - 1
    }
}

/// The positions of a `PixelSorted` set in sorted order (degrees): two buffers owned here, freed in `deinit`,
/// written through their pointers during preparation (and, for set 1, by the best-partner sweep, which
/// reuses them for its results once a pixel block's positions are converted).
final class SortedPositions: @unchecked Sendable {
    let ra: UnsafeMutablePointer<Double>, dec: UnsafeMutablePointer<Double>
    let count: Int
    init(count: Int) {
        self.count = count
        ra = .allocate(capacity: max(1, count)); dec = .allocate(capacity: max(1, count))
        LargeAllocation.adviseHugePages(ra, count: count); LargeAllocation.adviseHugePages(dec, count: count)
    }
    deinit { ra.deallocate(); dec.deallocate() }
}

/// Reusable buffers for sorting one bucket of `PixelSorted` in place, stably by key, with its rows and
/// positions: an in-cache LSD radix sort of the keys packed to the bits that vary within the bucket (see
/// `sort`), then one permutation of the rows, positions and (walked sets) edge bits.
struct SegmentScratch {
    var keys: [UInt64] = []
    var edgeBits: [UInt8] = []
    var values: [UInt64] = [], values2: [UInt64] = []
    var from: [Int32] = [], from2: [Int32] = []
    var rows: [Int32] = []
    var ra: [Double] = [], dec: [Double] = []
    /// Radix histograms: up to six passes of 2^11 counters.
    var counts: [Int32] = []

    /// Sorts one bucket of valid entries: builds each entry's key — (pixel + 1) in the high 32 bits, z = sin δ
    /// quantised to 28 bits — and, when `edges` is given (a walked set), its edge bits for a disc of `radius`
    /// degrees; sorts rows and positions by key, and writes the pixels (and edge bits) in sorted order.
    /// (The edge bits travel beside the keys, not in them: four more key bits cost a radix pass at 10^7.)
    mutating func sortBucket(pixels px: UnsafeMutablePointer<Int32>, rows r: UnsafeMutablePointer<Int32>,
                             ra pa: UnsafeMutablePointer<Double>, dec pd: UnsafeMutablePointer<Double>,
                             edges: UnsafeMutablePointer<UInt8>?, count m: Int, layer: HEALPixLayer, radius: Double) {
        var kbuf: [UInt64] = [], ebuf: [UInt8] = []
        swap(&kbuf, &keys); swap(&ebuf, &edgeBits)
        defer { swap(&kbuf, &keys); swap(&ebuf, &edgeBits) }
        if kbuf.count < m { kbuf = Array(repeating: 0, count: max(m, 2 * kbuf.count)) }
        if edges != nil && ebuf.count < m { ebuf = Array(repeating: 0, count: max(m, 2 * ebuf.count)) }
        kbuf.withUnsafeMutableBufferPointer { kb in ebuf.withUnsafeMutableBufferPointer { eb in
            guard let k = kb.baseAddress else { return }
            let e = edges == nil ? nil : eb.baseAddress
            for i in 0..<m {
                let sd = fastSinCos(pd[i] * degreesToRadians).0
                let q = UInt64(min(268435455.0, max(0, (sd + 1) * 134217728.0)))
                if let e { e[i] = layer.edges(ra: pa[i], z: sd, radius: radius).rawValue }
                k[i] = (UInt64(UInt32(truncatingIfNeeded: px[i] + 1)) << 32) | q
            }
            var carried: (in: UnsafePointer<UInt8>, out: UnsafeMutablePointer<UInt8>)? = nil
            if let edges, let e { carried = (UnsafePointer(e), edges) }
            sort(keys: k, rows: r, ra: pa, dec: pd, edges: carried, count: m)
            for i in 0..<m { px[i] = Int32(truncatingIfNeeded: k[i] >> 32) - 1 }
        } }
    }

    /// Sorts the keys stably, permuting rows and positions alike, and `edges.in` (entry order) into
    /// `edges.out` (sorted order; the two must not overlap): an LSD radix sort of the keys packed to the bits
    /// that vary within the bucket. A key is (high 32 bits, low 32 bits) — (pixel + 1, z) — and (h, l) ↦
    /// (h − min h) · 2^S + (l − min l), with S the bits of the low part's range, keeps their order
    /// (l − min l < 2^S). At 10^7 rows (blocks of 32–128 rows) a bucket's keys vary in ~30–33 of their 64
    /// bits: three passes of 11-bit digits (whose histograms are counted in one read of the keys) instead of
    /// four or five of 8-bit digits.
    mutating func sort(keys k: UnsafeMutablePointer<UInt64>, rows r: UnsafeMutablePointer<Int32>,
                       ra pa: UnsafeMutablePointer<Double>, dec pd: UnsafeMutablePointer<Double>,
                       edges: (in: UnsafePointer<UInt8>, out: UnsafeMutablePointer<UInt8>)?, count m: Int) {
        if m == 1, let edges { edges.out[0] = edges.in[0] }
        guard m > 1 else { return }
        var sorted = true
        var hMin = UInt64.max, hMax: UInt64 = 0, lMin = UInt64.max, lMax: UInt64 = 0
        var previous: UInt64 = 0
        for i in 0..<m {
            let x = k[i]
            if x < previous { sorted = false }
            previous = x
            let h = x >> 32, l = x & 0xffff_ffff
            hMin = min(hMin, h); hMax = max(hMax, h); lMin = min(lMin, l); lMax = max(lMax, l)
        }
        if sorted {
            if let edges { edges.out.update(from: edges.in, count: m) }
            return
        }
        @inline(__always) func bits(_ v: UInt64) -> Int { 64 - v.leadingZeroBitCount }
        let shift = UInt64(bits(lMax - lMin)), lowMask: UInt64 = shift == 0 ? 0 : (1 << shift) - 1
        let total = Int(shift) + bits(hMax - hMin)   // ≤ 64
        let passes = max(1, (total + 10) / 11), digit = (total + passes - 1) / passes
        let radix = 1 << digit, digitMask = UInt64(radix - 1)
        if values.count < m {
            values = Array(repeating: 0, count: m); values2 = values
            from = Array(repeating: 0, count: m); from2 = from; rows = from
            ra = Array(repeating: 0, count: m); dec = ra
        }
        if counts.count < passes << 11 { counts = Array(repeating: 0, count: passes << 11) }
        values.withUnsafeMutableBufferPointer { v1 in values2.withUnsafeMutableBufferPointer { v2 in
        from.withUnsafeMutableBufferPointer { f1 in from2.withUnsafeMutableBufferPointer { f2 in
        rows.withUnsafeMutableBufferPointer { rb in ra.withUnsafeMutableBufferPointer { rab in dec.withUnsafeMutableBufferPointer { deb in
        counts.withUnsafeMutableBufferPointer { cb in
            guard var a = v1.baseAddress, var b = v2.baseAddress, var fa = f1.baseAddress, var fb = f2.baseAddress,
                  let rc = rb.baseAddress, let rac = rab.baseAddress, let dec = deb.baseAddress, let c = cb.baseAddress else { return }
            // Packed keys, and every pass's histogram in one read.
            c.update(repeating: 0, count: passes * radix)
            for i in 0..<m {
                let x = k[i]
                let y = ((x >> 32) &- hMin) << shift | ((x & 0xffff_ffff) &- lMin)
                a[i] = y; fa[i] = Int32(truncatingIfNeeded: i)
                for p in 0..<passes { c[p &* radix &+ Int((y >> UInt64(p &* digit)) & digitMask)] &+= 1 }
            }
            // Stable counting passes, least significant digit first (a digit the same in every key is skipped).
            for p in 0..<passes {
                let h = c + p * radix
                let sh = UInt64(p * digit)
                if h[Int((a[0] >> sh) & digitMask)] == Int32(m) { continue }
                var sum: Int32 = 0
                for d in 0..<radix { let t = h[d]; h[d] = sum; sum &+= t }
                for i in 0..<m {
                    let y = a[i]
                    let d = Int((y >> sh) & digitMask)
                    let dst = Int(h[d]); h[d] = Int32(truncatingIfNeeded: dst &+ 1)
                    b[dst] = y; fb[dst] = fa[i]
                }
                swap(&a, &b); swap(&fa, &fb)
            }
            // Permute the rows and positions through copies; the keys are unpacked in order.
            for i in 0..<m { rc[i] = r[i]; rac[i] = pa[i]; dec[i] = pd[i] }
            for i in 0..<m {
                let j = Int(fa[i]), y = a[i]
                k[i] = ((y >> shift) &+ hMin) << 32 | ((y & lowMask) &+ lMin)
                r[i] = rc[j]; pa[i] = rac[j]; pd[i] = dec[j]
            }
            if let edges { for i in 0..<m { edges.out[i] = edges.in[Int(fa[i])] } }
        } } } } } } } }
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

/// Unit vectors of a searched set's pixels for the sweep chunk that holds the cache (chunks borrow caches
/// from a `ReusePool`, one per chunk running at a time), computed when a pixel is first visited and kept in a
/// direct-mapped cache of pixels (by tag index): a pixel is visited as its own and as a neighbour of nearby
/// pixels, and the nested order keeps most neighbours within the last `slotCount` pixels, so each is
/// converted about once. A cache holds up to `slotCount` pixels' vectors, grown as the sweep goes: more slots
/// save few conversions and cost memory, fewer convert rows again; 1024 was the fastest of the sizes tried
/// (Docs/performance.md, "Tuning constants"). Buffers are owned here and freed by `release()` (the pool calls it).
struct VectorCache {
    static let slotCount = 1024
    /// Per cache slot, then per sweep slot (the nine ranges of one pixel block, used when two of them fall
    /// in the same cache slot): tag index held (-1: none), buffer and its capacity in vectors.
    private let tags: UnsafeMutablePointer<Int>
    private let buffers: UnsafeMutablePointer<UnsafeMutablePointer<Double>?>
    private let capacities: UnsafeMutablePointer<Int>
    /// Cache slots in use by the current pixel block.
    private let pinned: UnsafeMutablePointer<Int>
    private var pinnedCount = 0

    init() {
        let n = VectorCache.slotCount + 9
        tags = .allocate(capacity: n); tags.initialize(repeating: -1, count: n)
        buffers = .allocate(capacity: n); buffers.initialize(repeating: nil, count: n)
        capacities = .allocate(capacity: n); capacities.initialize(repeating: 0, count: n)
        pinned = .allocate(capacity: 9); pinned.initialize(repeating: -1, count: 9)
    }

    func release() {
        for i in 0..<(VectorCache.slotCount + 9) { buffers[i]?.deallocate() }
        tags.deallocate(); buffers.deallocate(); capacities.deallocate(); pinned.deallocate()
    }

    /// A new pixel block: no cache slot is in use.
    mutating func beginBlock() { pinnedCount = 0 }

    /// The unit vectors of sorted entries `lo ..< hi` (tag index `t`) of a searched set with the given sorted
    /// positions (degrees), for sweep slot `q` (0...8) of the current block; valid until `beginBlock`.
    mutating func vectors(tag t: Int, lo: Int, hi: Int, slot q: Int,
                          ra: UnsafePointer<Double>, dec: UnsafePointer<Double>) -> UnsafePointer<Double> {
        let s = t & (VectorCache.slotCount - 1)
        var used = false
        for i in 0..<pinnedCount where pinned[i] == s { used = true }
        if tags[s] == t, let b = buffers[s] {
            if !used { pinned[pinnedCount] = s; pinnedCount += 1 }
            return UnsafePointer(b)
        }
        // Fill cache slot s, unless another range of this block holds it: then the block's spare for q.
        let target = used ? VectorCache.slotCount + q : s
        let m = hi - lo
        let buf: UnsafeMutablePointer<Double>
        if let b = buffers[target], capacities[target] >= m { buf = b } else {
            buffers[target]?.deallocate()
            let cap = max(m, 2 * capacities[target], 64)
            buf = .allocate(capacity: 3 * cap)
            buffers[target] = buf; capacities[target] = cap
        }
        PixelSorted.vectors(ra: ra + lo, dec: dec + lo, count: m, into: buf)
        if !used { tags[s] = t; pinned[pinnedCount] = s; pinnedCount += 1 }
        return UnsafePointer(buf)
    }
}

/// Scratch state that parallel chunks borrow and give back (a sweep's vector caches, a preparation's sort
/// buffers), so a loop holds one per chunk running at a time, not one per chunk. Their buffers (megabytes at
/// 10^7 rows) are then faulted in once: allocated and freed per chunk, the allocator returned them to the
/// system between chunks and they were faulted in again (~60 000 page faults at 10^7 rows). Borrowers must
/// not depend on what an earlier borrower left (the vector caches hold vectors of the same set, which a
/// conversion would give again; the sort buffers are overwritten).
final class ReusePool<Item>: @unchecked Sendable {
    private var free: [Item] = []
    private let lock = NSLock()
    private let make: () -> Item
    private let discard: (Item) -> Void

    init(make: @escaping () -> Item, discard: @escaping (Item) -> Void = { _ in }) {
        self.make = make; self.discard = discard
    }

    func take() -> Item {
        lock.lock()
        let item = free.popLast()
        lock.unlock()
        return item ?? make()
    }

    func give(_ item: Item) {
        lock.lock(); free.append(item); lock.unlock()
    }

    deinit { for item in free { discard(item) } }
}

/// Candidate pairs (row1, row2, separation in degrees) with separation ≤ the pair's own limit.
struct PairList {
    var rows1: [Int32] = []
    var rows2: [Int32] = []
    var sep: [Double] = []   // degrees
}

enum PairSearch {
    /// The fewest rows a block (pixel) should hold on average. A row's candidates are the rows of its
    /// pixel inside a z strip 2r high across the pixel, so they grow with the pixel's width, while per-block
    /// costs (nine pixel look-ups, neighbour lists) shrink with it; 32 balances the two (the sizes tried are
    /// in Docs/performance.md, "Tuning constants").
    static let blockRows = 32
    /// The angle (radians) between unit vectors `u` and `v` whose squared chord |u − v|² is `d2`: 2·asin(c/2)
    /// from the chord c below 60° (c < 1), with asin's series to h⁷ for h = c/2 < 2^-10 (its truncation,
    /// ~0.03·h⁹, is 10^-25 of the result), and atan2(|u × v|, u · v) beyond, where the chord form loses
    /// accuracy. The chord's components are differences of nearly equal numbers, each exact to ~10^-16, so a
    /// separation is good to ~10^-16 rad absolute (~2·10^-11 arcsec) at any size; tested against astropy.
    @inline(__always) static func angle(chord2 d2: Double, _ u: (Double, Double, Double), _ v: (Double, Double, Double)) -> Double {
        if d2 < 1 {
            let h = 0.5 * d2.squareRoot()
            if h < 0x1p-10 {
                let h2 = h * h
                return 2 * (h + h * h2 * (1.0 / 6 + h2 * (3.0 / 40 + h2 * (5.0 / 112))))
            }
            return 2 * asin(h)
        }
        let cx = u.1 * v.2 - u.2 * v.1, cy = u.2 * v.0 - u.0 * v.2, cz = u.0 * v.1 - u.1 * v.0
        return atan2((cx * cx + cy * cy + cz * cz).squareRoot(), u.0 * v.0 + u.1 * v.1 + u.2 * v.2)
    }

    /// The block order for a search radius of `maxRadius` degrees over `count` positions spread over
    /// `areaDeg2`: blocks at least 5× the radius (so a block's neighbours hold every partner), holding
    /// `blockRows` to 4·`blockRows` rows each on average, at most order 13 (the composite sort key's room).
    static func order(maxRadius: Double, count: Int, areaDeg2: Double) -> Int {
        var byRadius = 0
        while byRadius < 13 && HEALPixLayer.layers[byRadius + 1].resolution >= 5 * maxRadius { byRadius += 1 }
        let cellArea = max(1e-12, areaDeg2 / max(1, Double(count)) * Double(blockRows))
        var byDensity = 0
        while byDensity < 13 && HEALPixLayer.layers[byDensity + 1].pixelAreaDeg2 >= cellArea { byDensity += 1 }
        return max(0, min(byRadius, byDensity))
    }

    /// Visits every candidate pair within `maxRadius` degrees (chord test, then the exact separation) between
    /// a walked set `a` and a searched set `b`, in chunks of set-1 pixels on all cores (`chunks`: how many;
    /// nil: 16 per core; each chunk converts set 2's pixels at its borders again, see `VectorCache`). Each
    /// chunk gets its own sink from `makeSink(chunk)`; within a chunk, rows of set 1 come one at a time
    /// (`begin`, its pairs, `end`). The sinks are returned in chunk order, so results assembled from them do
    /// not depend on the number of threads or chunks.
    static func sweep<Sink: PairSink>(_ a: PixelSorted, _ b: PixelSorted, order: Int, maxRadius: Double, chunks: Int? = nil,
                                      progress: (@Sendable (Double) -> Void)? = nil,
                                      makeSink: @Sendable (Int) -> Sink) -> [Sink] {
        assert(a.role == .walked && b.role == .searched)
        let counter = ProgressCounter()
        let layer = HEALPixLayer.layers[order]
        // Blocks: the distinct pixels of set 1.
        let ng = a.pixelTags.count
        let chord2 = pow(2 * sin(min(Double.pi, maxRadius * degreesToRadians) / 2) * (1 + 1e-12) + 1e-15, 2)
        let chunkCount = max(1, min(ng, chunks ?? 16 * max(1, Parallel.workers)))
        let chunkSize = (ng + chunkCount - 1) / max(1, chunkCount)
        let starts = a.pixelStarts
        let caches = ReusePool(make: { VectorCache() }, discard: { $0.release() })
        return Parallel.map(chunkCount) { (c: Int) -> Sink in
            var sink = makeSink(c)
            let g0 = c * chunkSize, g1 = min(ng, g0 + chunkSize)
            guard g0 < g1 else { return sink }
            // Up to nine ranges of set 2 (own pixel + 8 neighbours): vectors, rows, length and sweep cursor.
            let vbase = UnsafeMutablePointer<UnsafePointer<Double>?>.allocate(capacity: 9)
            let rbase = UnsafeMutablePointer<UnsafePointer<Int32>?>.allocate(capacity: 9)
            let lengths = UnsafeMutablePointer<Int>.allocate(capacity: 18)
            vbase.initialize(repeating: nil, count: 9); rbase.initialize(repeating: nil, count: 9)
            lengths.initialize(repeating: 0, count: 18)
            let cursor = lengths + 9
            var cache = caches.take()
            defer { vbase.deallocate(); rbase.deallocate(); lengths.deallocate(); caches.give(cache) }
            // The z window of a row at declination δ: [sin(δ − r), sin(δ + r)] = z·cos r ∓ cos δ·sin r (clamped
            // at the poles), widened by 4 quanta of the sort key's z and rounding.
            let rr = min(Double.pi, maxRadius * degreesToRadians)
            let cosR = cos(rr), sinR = sin(rr), zMargin = 4 * PixelSorted.zQuantum + 1e-15
            // Set 1's unit vectors, computed per pixel block into `local`.
            var local = [Double](repeating: 0, count: 3 * 256)
            a.rows.withUnsafeBufferPointer { arb in b.rows.withUnsafeBufferPointer { brb in
            a.edges.withUnsafeBufferPointer { eb in
                guard let ar = arb.baseAddress, let br = brb.baseAddress, let edges1 = eb.baseAddress else { return }
                let ra1 = UnsafePointer(a.positions.ra), dec1 = UnsafePointer(a.positions.dec)
                let ra2 = UnsafePointer(b.positions.ra), dec2 = UnsafePointer(b.positions.dec)
                for g in g0..<g1 {
                    let s = starts[g], e = starts[g + 1]
                    let pix = Int64(a.pixelTags[g]) - 1
                    // Slot 0: the pixel itself; slot 1 + i: neighbour i, looked up only when a row of this
                    // block may reach it (its edge bits, see HEALPixLayer.edges); empty slots have length 0.
                    var union: UInt8 = 0
                    for k in s..<e { union |= HEALPixLayer.neighbourMask(HEALPixLayer.Edges(rawValue: edges1[k])) }
                    cache.beginBlock()
                    let nbs = union != 0 ? layer.neighbours(nested: pix) : []
                    var any = false
                    for q in 0..<9 {
                        lengths[q] = 0; cursor[q] = 0
                        let t: Int
                        if q == 0 { t = b.tagIndex(ofPixel: pix) } else {
                            guard union & (UInt8(1) << UInt8(q - 1)) != 0 else { continue }
                            t = b.tagIndex(ofPixel: nbs[q - 1])
                        }
                        guard t >= 0 else { continue }
                        let lo = b.pixelStarts[t], hi = b.pixelStarts[t + 1]
                        vbase[q] = cache.vectors(tag: t, lo: lo, hi: hi, slot: q, ra: ra2, dec: dec2)
                        rbase[q] = br + lo
                        lengths[q] = hi - lo
                        any = true
                    }
                    if !any {
                        for k in s..<e { sink.begin(row1: Int(ar[k]), entry: k); sink.end() }
                        continue
                    }
                    if local.count < 3 * (e - s) { local = [Double](repeating: 0, count: 3 * (e - s)) }
                    local.withUnsafeMutableBufferPointer { lb in
                    guard let lp = lb.baseAddress else { return }
                    PixelSorted.vectors(ra: ra1 + s, dec: dec1 + s, count: e - s, into: lp)
                    let ax = UnsafePointer(lp)
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
                        sink.begin(row1: Int(ar[k]), entry: k)
                        // Slots to visit: the own pixel, then the neighbours this row's disc may reach.
                        var visit = UInt16(HEALPixLayer.neighbourMask(HEALPixLayer.Edges(rawValue: edges1[k]))) << 1 | 1
                        while visit != 0 {
                            let q = visit.trailingZeroBitCount
                            visit &= visit &- 1
                            let end = lengths[q]
                            guard end > 0, let bx = vbase[q], let rq = rbase[q] else { continue }
                            var m = cursor[q]
                            while m < end && bx[3 * m + 2] < zlo { m += 1 }
                            cursor[q] = m
                            while m < end && bx[3 * m + 2] <= zhi {
                                let bxm = bx[3 * m], bym = bx[3 * m + 1], bzm = bx[3 * m + 2]
                                let dx = bxm - axk, dy = bym - ayk, dz = bzm - azk
                                let d2 = dx * dx + dy * dy + dz * dz
                                if d2 <= chord2 {
                                    let sep = PairSearch.angle(chord2: d2, (axk, ayk, azk), (bxm, bym, bzm)) * radiansToDegrees
                                    sink.pair(row2: Int(rq[m]), sep: sep)
                                }
                                m += 1
                            }
                        }
                        sink.end()
                    }
                    }
                }
            } } }
            if let progress {
                counter.lock.lock(); counter.done += 1; let d = counter.done; counter.lock.unlock()
                progress(Double(d) / Double(chunkCount))
            }
            return sink
        }
    }

    /// All pairs whose separation (degrees) passes `accept(row1, row2, sep)`, given that no accepted pair is
    /// farther apart than `maxRadius` degrees. Pairs come out sorted by row1, then separation, then row2.
    static func pairs(_ a: PixelSorted, _ b: PixelSorted, order: Int, maxRadius: Double, chunks: Int? = nil, progress: (@Sendable (Double) -> Void)? = nil,
                      accept: @escaping @Sendable (Int, Int, Double) -> Bool) -> PairList {
        let parts = sweep(a, b, order: order, maxRadius: maxRadius, chunks: chunks, progress: progress) { _ in PairCollector(accept: accept) }
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
    ///
    /// The sweep writes each set-1 entry's result over that entry's sorted position (separation over ra,
    /// partner over dec: a block's positions are converted to vectors before its rows are searched), so the
    /// search needs no memory of its own; set 2 is released before the results are put in row order.
    static func bestPerRow1<S: PairScoring>(_ a: consuming PixelSorted, _ b: consuming PixelSorted, count1: Int, order: Int, maxRadius: Double, scored: Bool,
                                            progress: (@Sendable (Double) -> Void)? = nil, score: S) -> BestPartners {
        let n = a.rows.count
        var entryScores = scored ? LargeAllocation.uninitialisedArray(Double.self, count: n) : []
        entryScores.withUnsafeMutableBufferPointer { qb in
            let out = BestPartnerOutput(partners: UnsafeMutableSendablePointer(a.positions.dec), seps: UnsafeMutableSendablePointer(a.positions.ra),
                                        scores: scored ? qb.baseAddress.map { UnsafeMutableSendablePointer($0) } : nil)
            _ = sweep(a, b, order: order, maxRadius: maxRadius, progress: progress) { _ in BestPartnerSink(out: out, scoring: score) }
        }
        _ = consume b
        // Row order: partner -1 for every row, then each valid entry's result at its row.
        var rows = LargeAllocation.uninitialisedArray(Int32.self, count: count1)
        var seps = LargeAllocation.uninitialisedArray(Double.self, count: count1)
        var scores = scored ? LargeAllocation.uninitialisedArray(Double.self, count: count1) : []
        rows.withUnsafeMutableBufferPointer { rb in seps.withUnsafeMutableBufferPointer { sb in scores.withUnsafeMutableBufferPointer { qb in
        a.rows.withUnsafeBufferPointer { arb in entryScores.withUnsafeBufferPointer { eqb in
            guard let r = rb.baseAddress, let sp = sb.baseAddress, let ar = arb.baseAddress else { return }
            let orow = UnsafeMutableSendablePointer(r), osep = UnsafeMutableSendablePointer(sp)
            let oq = scored ? qb.baseAddress.map { UnsafeMutableSendablePointer($0) } : nil
            let iq = scored ? eqb.baseAddress.map { UnsafeSendablePointer($0) } : nil
            let erow = UnsafeSendablePointer(ar), partner = UnsafeSendablePointer(a.positions.dec), sep = UnsafeSendablePointer(a.positions.ra)
            Parallel.forEachChunk(count: count1, minChunk: 1 << 16) { lo, hi in (orow.p + lo).update(repeating: -1, count: hi - lo) }
            let first = a.firstValid
            Parallel.forEachChunk(count: n - first, minChunk: 1 << 16) { lo, hi in
                for k in (first + lo)..<(first + hi) where partner.p[k] >= 0 {
                    let row = Int(erow.p[k])
                    orow.p[row] = Int32(partner.p[k]); osep.p[row] = sep.p[k]
                    if let oq, let iq { oq.p[row] = iq.p[k] }
                }
            }
        } } } } }
        return BestPartners(rows: rows, seps: seps, scores: scored ? scores : nil)
    }

    /// The pairs of `bestPerRow1` in row-1 order as (row1, row2, separation in **arcsec**, score), built per
    /// chunk of rows on all cores. The separations reuse the storage of `best.seps` (compacted in place, so
    /// no new array of that size is touched). Without stored scores, the scores array is the separations
    /// array.
    static func rowOrderedPairs(_ best: consuming BestPartners) -> ([Int], [Int], [Double], [Double]) {
        var best = best
        var seps: [Double] = []
        swap(&seps, &best.seps)
        let partners = best.rows
        let n1 = partners.count
        let plan = CompactionPlan(count: n1, chunks: min(64, n1 / 65536)) { partners[$0] >= 0 }
        let chunks = plan.chunks, counts = plan.counts
        let matched = plan.kept
        var rows1 = LargeAllocation.uninitialisedArray(Int.self, count: matched)
        var rows2 = LargeAllocation.uninitialisedArray(Int.self, count: matched)
        var scores = best.scores == nil ? [] : LargeAllocation.uninitialisedArray(Double.self, count: matched)
        let scored = best.scores != nil, inScores = best.scores ?? []
        rows1.withUnsafeMutableBufferPointer { r1b in rows2.withUnsafeMutableBufferPointer { r2b in
        seps.withUnsafeMutableBufferPointer { sb in scores.withUnsafeMutableBufferPointer { qb in
        partners.withUnsafeBufferPointer { br in inScores.withUnsafeBufferPointer { bq in
            guard let r1 = r1b.baseAddress, let r2 = r2b.baseAddress, let sp = sb.baseAddress, let brp = br.baseAddress else { return }
            let o1 = UnsafeMutableSendablePointer(r1), o2 = UnsafeMutableSendablePointer(r2), os = UnsafeMutableSendablePointer(sp)
            let oq = scored ? qb.baseAddress.map { UnsafeMutableSendablePointer($0) } : nil
            let iq = scored ? bq.baseAddress.map { UnsafeSendablePointer($0) } : nil
            let ir = UnsafeSendablePointer(brp)
            let offs = plan.offsets
            // Rows and scores to their final places; separations (degrees → arcsec) to the front of their
            // own chunk (reads never trail writes within a chunk, and chunks do not overlap).
            Parallel.perform(iterations: chunks) { c in
                let items = plan.items(of: c)
                var t = offs[c]
                var u = items.lowerBound
                for r in items {
                    let partner = ir.p[r]
                    guard partner >= 0 else { continue }
                    o1.p[t] = r; o2.p[t] = Int(partner); os.p[u] = os.p[r] * 3600
                    if let oq, let iq { oq.p[t] = iq.p[r] }
                    t += 1; u += 1
                }
            }
            // Then each chunk's separations down to its offset, in chunk order: chunk c's destination ends
            // at offs[c + 1], at or before the end of its items, so no later chunk's block is overwritten
            // before it moves.
            for c in 0..<chunks {
                let first = plan.items(of: c).lowerBound
                guard offs[c] != first && counts[c] > 0 else { continue }
                UnsafeMutableRawPointer(os.p + offs[c]).copyMemory(from: os.p + first, byteCount: counts[c] * MemoryLayout<Double>.stride)
            }
        } } } } } }
        seps.removeLast(seps.count - matched)
        return (rows1, rows2, seps, best.scores == nil ? seps : scores)
    }
}

/// Chunks finished, for progress reports.
final class ProgressCounter: @unchecked Sendable { var done = 0; let lock = NSLock() }

/// Receives the candidate pairs of one chunk of set-1 rows, one row at a time.
protocol PairSink: Sendable {
    /// A new row of set 1 starts: its row and its sorted entry in set 1.
    mutating func begin(row1: Int, entry: Int)
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
    mutating func begin(row1: Int, entry: Int) { self.row1 = row1; hits.removeAll(keepingCapacity: true) }
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

/// Where `BestPartnerSink`s write, by sorted set-1 entry: partner row (as a Double; -1: none), separation
/// (degrees) and, optionally, score.
struct BestPartnerOutput: Sendable {
    let partners: UnsafeMutableSendablePointer<Double>
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

/// Keeps each set-1 row's best partner, written at its sorted entry (each entry belongs to one chunk, so
/// chunks write disjoint elements), for every row the sweep visits.
struct BestPartnerSink<Scoring: PairScoring>: PairSink {
    let out: BestPartnerOutput
    let scoring: Scoring
    var row1 = 0, entry = 0, bestRow = -1, bestSep = 0.0, bestScore = 0.0
    init(out: BestPartnerOutput, scoring: Scoring) { self.out = out; self.scoring = scoring }
    mutating func begin(row1: Int, entry: Int) { self.row1 = row1; self.entry = entry; bestRow = -1 }
    @inline(__always) mutating func pair(row2: Int, sep: Double) {
        guard let sc = scoring.score(row1, row2, sep) else { return }
        if bestRow < 0 || sc < bestScore || (sc == bestScore && row2 < bestRow) { bestRow = row2; bestSep = sep; bestScore = sc }
    }
    mutating func end() {
        out.partners.p[entry] = bestRow >= 0 ? Double(bestRow) : -1
        guard bestRow >= 0 else { return }
        out.seps.p[entry] = bestSep
        out.scores?.p[entry] = bestScore
    }
}
