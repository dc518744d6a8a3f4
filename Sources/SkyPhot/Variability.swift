// Variability statistics of light curves.
import Foundation
import SkyCore

/// Variability statistics of one light curve (magnitudes m with 1σ errors σ, in time order).
///
/// Conventions (those of `shared/reference/variability.json`):
/// - weights wᵢ = 1/σᵢ²; `weightedMean` = Σ wᵢ mᵢ / Σ wᵢ;
/// - `reducedChi2` = Σ ((mᵢ − weightedMean)/σᵢ)² / (N − 1) — the statistic VAST and TraP call **η** (eta);
/// - `V` = sample standard deviation (ddof = 1) / plain mean (the "coefficient of variation" of TraP);
/// - `vonNeumannEta` = Σ (mᵢ₊₁ − mᵢ)² / ((N − 1) · variance), variance with ddof = 1 (time order matters);
/// - `stetsonK` = (1/N) Σ|δᵢ| / sqrt((1/N) Σ δᵢ²), δᵢ = sqrt(N/(N − 1)) (mᵢ − weightedMean)/σᵢ;
/// - `mad` = median |mᵢ − median(m)| (unscaled); `iqr` = q75 − q25 with numpy's default linear interpolation;
/// - two-epoch `Vs` = (mₐ − m_b)/sqrt(σₐ² + σ_b²) and `m` = 2 (mₐ − m_b)/(mₐ + m_b) for every pair a < b;
///   `maxAbsM` is the largest |m| among pairs with |Vs| ≥ `vsThreshold` (4.3 in VAST), nil if none.
/// Non-finite points are dropped first. Statistics that need more points than given are NaN.
public struct LightCurveStatistics: Sendable, Codable, Equatable {
    public var count: Int
    public var weightedMean: Double
    public var reducedChi2: Double
    public var V: Double
    public var vonNeumannEta: Double
    public var stetsonK: Double
    public var mad: Double
    public var iqr: Double
    public var maxAbsM: Double?
    /// Vs of the pair that gave `maxAbsM`.
    public var vsAtMaxM: Double?

    public init(mag m0: [Double], err e0: [Double], vsThreshold: Double = 4.3) {
        var m: [Double] = [], e: [Double] = []
        for i in 0..<min(m0.count, e0.count) where m0[i].isFinite && e0[i].isFinite && e0[i] > 0 { m.append(m0[i]); e.append(e0[i]) }
        let n = m.count
        count = n
        let nan = Double.nan
        guard n > 0 else {
            weightedMean = nan; reducedChi2 = nan; V = nan; vonNeumannEta = nan; stetsonK = nan; mad = nan; iqr = nan
            return
        }
        var sw = 0.0, swm = 0.0
        for i in 0..<n { let w = 1 / (e[i] * e[i]); sw += w; swm += w * m[i] }
        let wm = swm / sw
        weightedMean = wm
        let mean = m.reduce(0, +) / Double(n)
        var chi = 0.0, ss = 0.0
        for i in 0..<n { let r = (m[i] - wm) / e[i]; chi += r * r; ss += (m[i] - mean) * (m[i] - mean) }
        reducedChi2 = n > 1 ? chi / Double(n - 1) : nan
        let variance = n > 1 ? ss / Double(n - 1) : nan
        V = n > 1 ? variance.squareRoot() / mean : nan
        var dsum = 0.0
        for i in 0..<max(0, n - 1) { let d = m[i + 1] - m[i]; dsum += d * d }
        vonNeumannEta = n > 1 ? dsum / (Double(n - 1) * variance) : nan
        if n > 1 {
            let f = (Double(n) / Double(n - 1)).squareRoot()
            var sa = 0.0, s2 = 0.0
            for i in 0..<n { let d = f * (m[i] - wm) / e[i]; sa += abs(d); s2 += d * d }
            stetsonK = (sa / Double(n)) / (s2 / Double(n)).squareRoot()
        } else { stetsonK = nan }
        let med = LightCurveStatistics.percentile(m.sorted(), 50)
        mad = LightCurveStatistics.percentile(m.map { abs($0 - med) }.sorted(), 50)
        let s = m.sorted()
        iqr = LightCurveStatistics.percentile(s, 75) - LightCurveStatistics.percentile(s, 25)
        var best: (Double, Double)? = nil
        if n > 1 {
            for a in 0..<(n - 1) { for b in (a + 1)..<n {
                let vs = (m[a] - m[b]) / (e[a] * e[a] + e[b] * e[b]).squareRoot()
                let mm = 2 * (m[a] - m[b]) / (m[a] + m[b])
                if abs(vs) >= vsThreshold, best.map({ abs(mm) > abs($0.0) }) ?? true { best = (mm, vs) }
            } }
        }
        maxAbsM = best?.0; vsAtMaxM = best?.1
    }

    /// Two-epoch statistics of measurements a and b: (Vs, m) as defined above.
    public static func twoEpoch(_ ma: Double, _ sa: Double, _ mb: Double, _ sb: Double) -> (vs: Double, m: Double) {
        ((ma - mb) / (sa * sa + sb * sb).squareRoot(), 2 * (ma - mb) / (ma + mb))
    }

    /// numpy's default (linear) percentile of sorted values: position (n − 1)·q/100, interpolated.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = Double(sorted.count - 1) * q / 100
        let lo = Int(pos.rounded(.down)), hi = min(sorted.count - 1, lo + 1)
        let f = pos - Double(lo)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * f
    }
}

/// Statistics of every object of a long light-curve table (object id, time, mag, err).
public enum Variability {
    /// One row per object (in order of first appearance): the id column(s), n, weighted_mean, reduced_chi2
    /// (η), V, von_neumann_eta, stetson_k, mad, iqr, max_abs_m, vs_at_max_m. An object is one value of the id
    /// column, or one combination of several (e.g. star and band). Points are ordered by time within an
    /// object. Missing values are dropped.
    public static func statistics(_ table: Catalogue, id: String, time: String, mag: String, err: String, vsThreshold: Double = 4.3) throws -> Catalogue {
        try statistics(table, ids: [id], time: time, mag: mag, err: err, vsThreshold: vsThreshold)
    }

    public static func statistics(_ table: Catalogue, ids: [String], time: String, mag: String, err: String, vsThreshold: Double = 4.3) throws -> Catalogue {
        let idcs = try ids.map { try table.column($0) }
        guard !idcs.isEmpty else { throw CatalogueError(.invalidArgument, "no id column given") }
        let t = try table.doubles(time), m = try table.doubles(mag), e = try table.doubles(err)
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for r in 0..<table.rowCount {
            let k = idcs.map { $0.text(at: r) }.joined(separator: "\u{1F}")
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(r)
        }
        var firstRows: [Int] = []
        var cols: [[Double]] = Array(repeating: [], count: 10)
        var masks: [[Bool]] = Array(repeating: [], count: 10)
        for k in order {
            let rows = (groups[k] ?? []).sorted { t[$0] != t[$1] ? t[$0] < t[$1] : $0 < $1 }
            firstRows.append(rows.first ?? 0)
            let s = LightCurveStatistics(mag: rows.map { m[$0] }, err: rows.map { e[$0] }, vsThreshold: vsThreshold)
            let v: [Double?] = [Double(s.count), s.weightedMean, s.reducedChi2, s.V, s.vonNeumannEta, s.stetsonK, s.mad, s.iqr, s.maxAbsM, s.vsAtMaxM]
            for (c, x) in v.enumerated() { cols[c].append(x ?? .nan); masks[c].append(x == nil || !(x ?? .nan).isFinite) }
        }
        var out = Catalogue(rowCount: order.count)
        for c in idcs { try out.add(c.rows(firstRows)) }
        let names = ["n", "weighted_mean", "reduced_chi2", "V", "von_neumann_eta", "stetson_k", "mad", "iqr", "max_abs_m", "vs_at_max_m"]
        let descriptions = ["points used", "weighted mean magnitude (w = 1/err^2)", "reduced chi2 about the weighted mean (VAST/TraP eta)",
                            "sample std (ddof 1) / mean", "von Neumann ratio (ddof 1)", "Stetson K", "median absolute deviation",
                            "interquartile range (linear percentiles)", "largest |m| among pairs with |Vs| >= threshold", "Vs of that pair"]
        for (c, name) in names.enumerated() {
            if name == "n" { try out.add(Column(name: name, values: .int64(cols[c].map { Int64($0) }), description: descriptions[c])); continue }
            try out.add(Column(name: name, values: .double(cols[c]), missing: masks[c], unit: ["weighted_mean", "mad", "iqr"].contains(name) ? (try table.column(mag).unit) : nil, description: descriptions[c]))
        }
        return out
    }
}
