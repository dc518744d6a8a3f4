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
// The residuals of every pair are too many to keep (10^5 stars give ~10^9): their median and percentile
// are found exactly by selection over three passes that recompute them: a histogram of their top 20 bits,
// the values in the buckets of the wanted ranks collected and sorted, and a count of |x| > t.
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

    /// Per pair: the shared visits' separation offsets Δᵥ (mas) into `out`; returns their count.
    @inline(__always)
    static func offsets(_ vs: VisitSet, _ i: Int, _ j: Int, into out: inout [Double]) -> Int {
        out.removeAll(keepingCapacity: true)
        let nv = vs.visits
        var c0 = -1.0, t1 = 0.0, t2 = 0.0
        for v in 0..<nv {
            let a = i * nv + v, b = j * nv + v
            let dx = vs.vx[a] - vs.vx[b], dy = vs.vy[a] - vs.vy[b], dz = vs.vz[a] - vs.vz[b]
            let s = dx * dx + dy * dy + dz * dz
            guard s.isFinite else { continue }
            let c = s.squareRoot()
            if c0 < 0 {
                c0 = c
                let q = 1 - c * c / 4
                t1 = 1 / q.squareRoot(); t2 = (c / 4) / (q * q.squareRoot())
            }
            let e = c - c0
            out.append((t1 * e + 0.5 * t2 * e * e) * masPerRadian)
        }
        return out.count
    }

    /// numpy's median of a small buffer (sorted in place).
    @inline(__always)
    static func medianInPlace(_ v: inout [Double]) -> Double {
        v.sort()
        let n = v.count
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
    }

    static func measure(visits vs: VisitSet, pairs: AnnulusPairs, index: Int, annulus: Double, width: Double, method: AstrometryMethod) -> AnnulusMetrics {
        let n = pairs.count
        var shared = [Int](repeating: 0, count: n), rms = [Double](repeating: .nan, count: n)
        let t = afThreshold(index: index)
        var notes: [String: String] = [:]
        var result = AnnulusMetrics(index: index, annulus: annulus, width: width, pairs: pairs, sharedVisits: [], rms: [], am: nil, af: nil, ad: nil,
                                    residualCount: 0, amPairs: 0, notes: [:], afThreshold: t)
        // Per-pair AM statistic (or the seed method's |sep₂ − sep₁|), in parallel chunks.
        shared.withUnsafeMutableBufferPointer { sb in rms.withUnsafeMutableBufferPointer { rb in
            guard let sp = sb.baseAddress, let rp = rb.baseAddress else { return }
            let S = UnsafeMutableSendablePointer(sp), R = UnsafeMutableSendablePointer(rp)
            Parallel.forEachChunk(count: n, minChunk: 4096) { lo, hi in
                var buf: [Double] = []
                for p in lo..<hi {
                    let i = Int(pairs.first[p]), j = Int(pairs.second[p])
                    let k = offsets(vs, i, j, into: &buf)
                    S.p[p] = k
                    switch method {
                    case .faro:
                        guard k >= 2 else { continue }
                        let mean = buf.reduce(0, +) / Double(k)
                        var ss = 0.0
                        for x in buf { ss += (x - mean) * (x - mean) }
                        R.p[p] = (ss / Double(k - 1)).squareRoot()
                    case .seed:
                        R.p[p] = seedDifference(vs, i, j)
                    }
                }
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
            let stats = residualStatistics(vs, pairs: pairs, shared: shared, threshold: t)
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

    /// Calls `body(residual)` for every residual |Δᵥ − median(Δ)| of the pairs p in lo..<hi with ≥ 3 shared visits.
    @inline(__always)
    static func forEachResidual(_ vs: VisitSet, _ pairs: AnnulusPairs, _ shared: [Int], _ lo: Int, _ hi: Int, _ buf: inout [Double], _ sorted: inout [Double], _ body: (Double) -> Void) {
        for p in lo..<hi where shared[p] >= 3 {
            _ = offsets(vs, Int(pairs.first[p]), Int(pairs.second[p]), into: &buf)
            sorted.removeAll(keepingCapacity: true); sorted.append(contentsOf: buf)
            let med = medianInPlace(&sorted)
            for x in buf { body(abs(x - med)) }
        }
    }

    struct ResidualStatistics { var count = 0, median = Double.nan, p90 = Double.nan, above = 0 }

    /// Exact median and 90th percentile (numpy's linear interpolation) of all residuals, and the number with
    /// |R − median| > t, in three passes (see the file comment).
    static func residualStatistics(_ vs: VisitSet, pairs: AnnulusPairs, shared: [Int], threshold t: Double) -> ResidualStatistics {
        let n = pairs.count
        let parts = max(1, min(Parallel.workers * 4, (n + 4095) / 4096))
        let size = (n + parts - 1) / max(1, parts)
        // Pass 1: histogram of the top 20 bits (residuals are ≥ 0, so bit order is value order).
        let shift: UInt64 = 44
        let hists = Parallel.map(parts) { (c: Int) -> [Int] in
            var h = [Int](repeating: 0, count: 1 << 20)
            var buf: [Double] = [], s: [Double] = []
            forEachResidual(vs, pairs, shared, c * size, min(n, (c + 1) * size), &buf, &s) { h[Int($0.bitPattern >> shift)] += 1 }
            return h
        }
        var hist = [Int](repeating: 0, count: 1 << 20)
        for h in hists { for b in 0..<h.count where h[b] != 0 { hist[b] += h[b] } }
        let total = hist.reduce(0, +)
        var out = ResidualStatistics()
        out.count = total
        guard total > 1 else { return out }
        // Ranks wanted: the median's one or two, and the 90th percentile's two neighbours.
        let m0 = (total - 1) / 2, m1 = total / 2
        let pos = 0.9 * Double(total - 1)
        let p0 = Int(pos.rounded(.down)), p1 = min(total - 1, p0 + 1)
        let ranks = [m0, m1, p0, p1]
        var cumulative = [Int](repeating: 0, count: (1 << 20) + 1)
        for b in 0..<(1 << 20) { cumulative[b + 1] = cumulative[b] + hist[b] }
        func bucket(ofRank r: Int) -> Int {
            var lo = 0, hi = 1 << 20
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid + 1] <= r { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        let wanted = Set(ranks.map(bucket(ofRank:)))
        // Pass 2: the values of those buckets, sorted: each wanted rank is at (rank − values before its bucket).
        let collected = Parallel.map(parts) { (c: Int) -> [Double] in
            var v: [Double] = [], buf: [Double] = [], s: [Double] = []
            forEachResidual(vs, pairs, shared, c * size, min(n, (c + 1) * size), &buf, &s) { if wanted.contains(Int($0.bitPattern >> shift)) { v.append($0) } }
            return v
        }
        var byBucket: [Int: [Double]] = [:]
        for part in collected { for v in part { byBucket[Int(v.bitPattern >> shift), default: []].append(v) } }
        for k in byBucket.keys { byBucket[k]?.sort() }
        func value(ofRank r: Int) -> Double {
            let b = bucket(ofRank: r)
            return byBucket[b]?[r - cumulative[b]] ?? .nan
        }
        out.median = (value(ofRank: m0) + value(ofRank: m1)) / 2
        let lo = value(ofRank: p0), hi = value(ofRank: p1)
        out.p90 = lo + (pos - Double(p0)) * (hi - lo)
        // Pass 3: |R − median| > t.
        let med = out.median
        out.above = Parallel.map(parts) { (c: Int) -> Int in
            var k = 0, buf: [Double] = [], s: [Double] = []
            forEachResidual(vs, pairs, shared, c * size, min(n, (c + 1) * size), &buf, &s) { if abs($0 - med) > t { k += 1 } }
            return k
        }.reduce(0, +)
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
