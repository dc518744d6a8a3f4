// LSST's relative astrometry metrics AMx, AFx, ADx (faro's definitions), over every pair of objects.
//
// For a pair (i, j) and each visit v where both were detected, dᵥ is the angular separation of their
// positions in that visit. Per pair:
//   AM:  rms = std(dᵥ, ddof = 1) over ≥ 2 shared visits;  AMx = median over pairs (mas).
//   AF/AD: over ≥ 3 shared visits, the residuals |dᵥ − median(d)|; all pairs' residuals R together,
//          x = R − median(R);  ADx = 90th percentile of x (numpy's linear interpolation, signed as in faro);
//          AFx = 100 · mean(|x| > t) with t = 20, 20, 30 mas (percent).
// Only differences of dᵥ within a pair enter, so dᵥ is carried as Δᵥ = dᵥ − d₀ (d₀ the first shared visit's)
// from the chords cᵥ = |uᵥ − wᵥ| of the unit vectors: with θ(c) = 2 asin(c/2),
//   Δᵥ = θ′(c₀)(cᵥ − c₀) + ½ θ″(c₀)(cᵥ − c₀)²,  θ′ = (1 − c²/4)^(−½),  θ″ = (c/4)(1 − c²/4)^(−3/2),
// whose neglected third-order term is below 10⁻¹⁵ mas for separations that differ by less than an arcsecond.
//
// The residuals of every pair are too many to keep (10^5 stars give ~10^8–10^9): their median, percentile
// and the count beyond the threshold are found exactly in two passes that compute them: a histogram of
// their top 18 bits (with the per-pair AM statistic), then the values of the few buckets that decide the
// answers, collected and sorted.
import Foundation
import SkyCore

/// One annulus' metrics and its pairs.
public struct AnnulusMetrics: Sendable {
    /// "AM1", "AM2", ... (the annulus' index from 1).
    public var index: Int
    /// Annulus centre and width, arcminutes.
    public var annulus: Double, width: Double
    public var pairs: AnnulusPairs
    /// Per pair: visits where both objects were detected.
    public var sharedVisits: [Int]
    /// Per pair: the standard deviation (ddof 1) of its separations over those visits, mas (NaN with fewer
    /// than 2); the seed method: |sep₂ − sep₁| (NaN unless both visits have both).
    public var rms: [Double]
    /// AMx in mas, AFx in percent, ADx in mas; nil where undefined (see `notes`).
    public var am: Double?, af: Double?, ad: Double?
    /// Residuals that entered AF/AD (faro), pairs that entered AM.
    public var residualCount: Int, amPairs: Int
    /// Why a metric is undefined, by metric name ("AM1": "no pair in the annulus").
    public var notes: [String: String]
    /// The AD threshold t of AFx (mas) and the percentile of ADx.
    public var afThreshold: Double
}

/// The metrics over every annulus.
public struct RelativeAstrometry: Sendable {
    public var options: AstrometryOptions
    public var visits: VisitSet
    public var annuli: [AnnulusMetrics]

    /// AFx's threshold t for annulus k (1-based): faro's 20, 20, 30 mas (the AD design values); 30 beyond.
    public static func afThreshold(index: Int) -> Double { index <= 2 ? 20 : 30 }

    public init(visits: VisitSet, options: AstrometryOptions) throws {
        try options.validate()
        if options.method == .seed && visits.visits < 2 { throw AstrometryError("the seed method needs two visits") }
        self.options = options; self.visits = visits
        let w = options.effectiveWidth
        annuli = options.annuli.enumerated().map { (k, d) in
            let pairs = visits.pairs(innerArcmin: d - w / 2, outerArcmin: d + w / 2)
            return RelativeAstrometry.measure(visits: visits, pairs: pairs, index: k + 1, annulus: d, width: w, method: options.method)
        }
    }

    /// Convenience: visits to objects to metrics.
    public init(visits: [Visit], options: AstrometryOptions) throws {
        try options.validate()
        try self.init(visits: VisitSet(visits: visits, options: options), options: options)
    }

    static let masPerRadian = 180 / Double.pi * 3_600_000

    /// Per pair: the shared visits' separation offsets Δᵥ (mas) into `out` (room for every visit); returns
    /// their count.
    @inline(__always)
    static func offsets(_ vs: VisitSet, _ i: Int, _ j: Int, into out: UnsafeMutablePointer<Double>) -> Int {
        let nv = vs.visits
        var k = 0
        var c0 = -1.0, t1 = 0.0, t2 = 0.0
        vs.vx.withUnsafeBufferPointer { x in vs.vy.withUnsafeBufferPointer { y in vs.vz.withUnsafeBufferPointer { z in
            let a0 = i * nv, b0 = j * nv
            for v in 0..<nv {
                let dx = x[a0 + v] - x[b0 + v], dy = y[a0 + v] - y[b0 + v], dz = z[a0 + v] - z[b0 + v]
                let s = dx * dx + dy * dy + dz * dz
                guard s.isFinite else { continue }
                let c = s.squareRoot()
                if c0 < 0 {
                    c0 = c
                    let q = 1 - c * c / 4
                    t1 = 1 / q.squareRoot(); t2 = (c / 4) / (q * q.squareRoot())
                }
                let e = c - c0
                out[k] = (t1 * e + 0.5 * t2 * e * e) * masPerRadian
                k += 1
            }
        }}}
        return k
    }

    /// numpy's median of `n` values, sorting them in place (insertion sort: n is the number of visits).
    @inline(__always)
    static func medianInPlace(_ v: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
        for a in 1..<max(1, n) {
            let x = v[a]
            var b = a - 1
            while b >= 0 && v[b] > x { v[b + 1] = v[b]; b -= 1 }
            v[b + 1] = x
        }
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
    }

    /// Calls `body(residual)` for each residual |Δᵥ − median(Δ)| of a pair whose k ≥ 3 offsets are in `d`
    /// (`tmp`: scratch of the same size).
    @inline(__always)
    static func residuals(_ d: UnsafeMutablePointer<Double>, _ k: Int, _ tmp: UnsafeMutablePointer<Double>, _ body: (Double) -> Void) {
        for a in 0..<k { tmp[a] = d[a] }
        let med = medianInPlace(tmp, k)
        for a in 0..<k { body(abs(d[a] - med)) }
    }

    /// Top 18 bits of a non-negative Double (sign, exponent, 6 mantissa bits: buckets 1.6 % wide): its
    /// histogram bucket (bit order is value order for x ≥ 0). The histogram, 2 MB, stays in cache.
    static let bucketShift: UInt64 = 46, bucketCount = 1 << 18
    @inline(__always) static func bucket(_ x: Double) -> Int { Int(x.bitPattern >> bucketShift) }
    static func lowerEdge(_ b: Int) -> Double { Double(bitPattern: UInt64(b) << bucketShift) }

    static func measure(visits vs: VisitSet, pairs: AnnulusPairs, index: Int, annulus: Double, width: Double, method: AstrometryMethod) -> AnnulusMetrics {
        let n = pairs.count
        var shared = [Int](repeating: 0, count: n), rms = [Double](repeating: .nan, count: n)
        let t = afThreshold(index: index)
        var notes: [String: String] = [:]
        var result = AnnulusMetrics(index: index, annulus: annulus, width: width, pairs: pairs, sharedVisits: [], rms: [], am: nil, af: nil, ad: nil,
                                    residualCount: 0, amPairs: 0, notes: [:], afThreshold: t)
        let nv = vs.visits
        let parts = max(1, min(Parallel.workers * 2, (n + 4095) / 4096))
        let size = (n + parts - 1) / parts
        // Pass 1: per pair the AM statistic (or the seed method's |sep₂ − sep₁|) and, for faro, the
        // histogram of the residuals' buckets.
        let hists: [[Int]] = shared.withUnsafeMutableBufferPointer { sb in rms.withUnsafeMutableBufferPointer { rb in
            guard let sp = sb.baseAddress, let rp = rb.baseAddress else { return [] }
            let S = UnsafeMutableSendablePointer(sp), R = UnsafeMutableSendablePointer(rp)
            return Parallel.map(parts) { (c: Int) -> [Int] in
                var h = method == .faro ? [Int](repeating: 0, count: bucketCount) : []
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * max(1, nv)) { buf in
                    guard let d = buf.baseAddress else { return }
                    let tmp = d + nv
                    for p in (c * size)..<min(n, (c + 1) * size) {
                        let i = Int(pairs.first[p]), j = Int(pairs.second[p])
                        let k = offsets(vs, i, j, into: d)
                        S.p[p] = k
                        switch method {
                        case .faro:
                            guard k >= 2 else { continue }
                            var mean = 0.0
                            for a in 0..<k { mean += d[a] }
                            mean /= Double(k)
                            var ss = 0.0
                            for a in 0..<k { ss += (d[a] - mean) * (d[a] - mean) }
                            R.p[p] = (ss / Double(k - 1)).squareRoot()
                            if k >= 3 { residuals(d, k, tmp) { h[bucket($0)] += 1 } }
                        case .seed:
                            R.p[p] = seedDifference(vs, i, j)
                        }
                    }
                }
                return h
            }
        }}
        result.sharedVisits = shared; result.rms = rms
        var finite = rms.filter { $0.isFinite }
        result.amPairs = finite.count
        let label = "\(index)"
        if n == 0 {
            notes["AM" + label] = "no pair of objects in the annulus \(annulus - width / 2)′ ≤ D′ < \(annulus + width / 2)′"
        } else if finite.isEmpty {
            notes["AM" + label] = method == .seed ? "no pair detected in both of the first two visits" : "no pair shares 2 visits"
        } else {
            result.am = Selection.median(&finite)
        }
        switch method {
        case .seed:
            if !finite.isEmpty { result.af = 100 * Double(finite.filter { $0 > t }.count) / Double(finite.count) }
            else { notes["AF" + label] = notes["AM" + label] }
            notes["AD" + label] = "undefined for the two-visit seed method"
        case .faro:
            var hist = [Int](repeating: 0, count: bucketCount)
            for h in hists { for b in 0..<h.count where h[b] != 0 { hist[b] += h[b] } }
            let stats = residualStatistics(vs, pairs: pairs, shared: shared, histogram: hist, threshold: t, parts: parts)
            result.residualCount = stats.count
            if stats.count > 1 {
                result.ad = stats.p90 - stats.median
                result.af = 100 * Double(stats.above) / Double(stats.count)
            } else {
                let why = n == 0 ? "no pair in the annulus" : "fewer than 2 residuals: pairs need 3 shared visits (\(stats.count) residuals)"
                notes["AF" + label] = why; notes["AD" + label] = why
            }
        }
        result.notes = notes
        return result
    }

    /// The seed method's per-pair |d(visit 2) − d(visit 1)| in mas, NaN unless both objects are in both.
    static func seedDifference(_ vs: VisitSet, _ i: Int, _ j: Int) -> Double {
        let nv = vs.visits
        func chord(_ v: Int) -> Double {
            let a = i * nv + v, b = j * nv + v
            let dx = vs.vx[a] - vs.vx[b], dy = vs.vy[a] - vs.vy[b], dz = vs.vz[a] - vs.vz[b]
            return (dx * dx + dy * dy + dz * dz).squareRoot()
        }
        let c0 = chord(0), c1 = chord(1)
        guard c0.isFinite, c1.isFinite else { return .nan }
        return abs(2 * asin(c1 / 2) - 2 * asin(c0 / 2)) * masPerRadian
    }

    struct ResidualStatistics { var count = 0, median = Double.nan, p90 = Double.nan, above = 0 }

    /// Exact median and 90th percentile (numpy's linear interpolation) of all residuals, and the number with
    /// |R − median| > t, from pass 1's histogram and one more pass that collects the values of the few
    /// buckets that decide them: those holding the wanted ranks, and those near median ± t (where the count's
    /// outcome depends on the exact median). Every other bucket lies wholly on one side of median ± t by more
    /// than its own width, so the histogram counts it.
    static func residualStatistics(_ vs: VisitSet, pairs: AnnulusPairs, shared: [Int], histogram hist: [Int], threshold t: Double, parts: Int) -> ResidualStatistics {
        let n = pairs.count, nv = vs.visits
        let size = (n + parts - 1) / max(1, parts)
        let total = hist.reduce(0, +)
        var out = ResidualStatistics()
        out.count = total
        guard total > 1 else { return out }
        var cumulative = [Int](repeating: 0, count: bucketCount + 1)
        for b in 0..<bucketCount { cumulative[b + 1] = cumulative[b] + hist[b] }
        func bucket(ofRank r: Int) -> Int {
            var lo = 0, hi = bucketCount
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid + 1] <= r { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        let m0 = (total - 1) / 2, m1 = total / 2
        let pos = 0.9 * Double(total - 1)
        let p0 = Int(pos.rounded(.down)), p1 = min(total - 1, p0 + 1)
        var wanted = [Bool](repeating: false, count: bucketCount)
        for r in [m0, m1, p0, p1] { wanted[bucket(ofRank: r)] = true }
        // The median lies in [lowerEdge(b(m0)), lowerEdge(b(m1) + 1)); buckets meeting that range ± t, and one
        // neighbour on each side, are collected.
        let mLo = lowerEdge(bucket(ofRank: m0)), mHi = lowerEdge(bucket(ofRank: m1) + 1)
        for (a, b) in [(mLo - t, mHi - t), (mLo + t, mHi + t)] where b > 0 {
            let first = max(0, RelativeAstrometry.bucket(max(0, a)) - 1), last = min(bucketCount - 1, RelativeAstrometry.bucket(b) + 1)
            if first <= last { for k in first...last { wanted[k] = true } }
        }
        let want = wanted
        let collected = Parallel.map(parts) { (c: Int) -> [Double] in
            var v: [Double] = []
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * max(1, nv)) { buf in
                guard let d = buf.baseAddress else { return }
                for p in (c * size)..<min(n, (c + 1) * size) where shared[p] >= 3 {
                    let k = offsets(vs, Int(pairs.first[p]), Int(pairs.second[p]), into: d)
                    residuals(d, k, d + nv) { if want[RelativeAstrometry.bucket($0)] { v.append($0) } }
                }
            }
            return v
        }
        var byBucket: [Int: [Double]] = [:]
        for part in collected { for v in part { byBucket[RelativeAstrometry.bucket(v), default: []].append(v) } }
        for k in byBucket.keys { byBucket[k]?.sort() }
        func value(ofRank r: Int) -> Double {
            let b = bucket(ofRank: r)
            return byBucket[b]?[r - cumulative[b]] ?? .nan
        }
        out.median = (value(ofRank: m0) + value(ofRank: m1)) / 2
        let lo = value(ofRank: p0), hi = value(ofRank: p1)
        out.p90 = lo + (pos - Double(p0)) * (hi - lo)
        // |R − median| > t: exactly over the collected buckets near median ± t, by whole buckets elsewhere.
        let med = out.median
        var above = 0
        for b in 0..<bucketCount where hist[b] != 0 {
            if let values = byBucket[b], wanted[b] {
                above += values.filter { abs($0 - med) > t }.count
            } else if abs(lowerEdge(b) - med) > t {
                above += hist[b]
            }
        }
        out.above = above
        return out
    }
}

/// Order statistics by selection (expected linear time), for medians of large arrays.
enum Selection {
    /// numpy's median; reorders `a`. NaN for an empty array.
    static func median(_ a: inout [Double]) -> Double {
        let n = a.count
        guard n > 0 else { return .nan }
        let hi = select(&a, n / 2)
        if n % 2 == 1 { return hi }
        // The next-lower value is the largest of the part before n/2 after selection.
        var lo = -Double.infinity
        for k in 0..<(n / 2) where a[k] > lo { lo = a[k] }
        return (lo + hi) / 2
    }

    /// The k-th smallest (0-based); afterwards a[..<k] ≤ a[k] ≤ a[(k+1)...] (Hoare selection, median of three).
    static func select(_ a: inout [Double], _ k: Int) -> Double {
        var lo = 0, hi = a.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return a[k] }
        }
        return a[k]
    }
}
