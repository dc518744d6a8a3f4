// The crossmatch engine: pairs within a radius, then the chosen matching mode (STILTS's vocabulary).
import Foundation
import SkyCore

/// Which pairs a match keeps (STILTS `find=`).
public enum FindMode: String, Sendable, CaseIterable {
    /// Every pair within the radius.
    case all
    /// For each row of table 1, its best partner in table 2 (table-2 rows may repeat).
    case best1
    /// For each row of table 2, its best partner in table 1 (table-1 rows may repeat).
    case best2
    /// Symmetric one-to-one: each row of either table at most once. skytool's default is the globally
    /// optimal assignment (see `Crossmatch`); `greedy: true` gives STILTS's greedy answer.
    case best
}

/// How close two rows must be to match.
public enum MatchCriterion: Sendable {
    /// A fixed radius in **arcseconds**.
    case radius(arcsec: Double)
    /// A radius per row of table 1, in **arcseconds** (one value per row; NaN never matches).
    case radiusPerRow1(arcsec: [Double])
    /// STILTS `skyerr`: match when sep ≤ e1 + e2 (per-row errors in **arcseconds**, scaled by `scale`).
    case sumOfErrors(err1: [Double], err2: [Double], scale: Double)
    /// Match when sep ≤ nsigma · sqrt(e1² + e2²) (per-row 1σ errors in **arcseconds**).
    case combinedErrors(err1: [Double], err2: [Double], nsigma: Double)
    /// The de Ruiter dimensionless radius (VAST, TraP): r = sqrt(Δα*²/(σα1² + σα2²) + Δδ²/(σδ1² + σδ2²)),
    /// Δα* = (α1 − α2)·cos((δ1 + δ2)/2); match when r ≤ `limit`. Errors in **arcseconds**.
    case deRuiter(raErr1: [Double], decErr1: [Double], raErr2: [Double], decErr2: [Double], limit: Double)
}

/// Options of a crossmatch.
public struct MatchOptions: Sendable {
    public var criterion: MatchCriterion
    public var find: FindMode
    /// With `find: .best`: STILTS's greedy assignment instead of the optimal one.
    public var greedy: Bool
    public init(_ criterion: MatchCriterion, find: FindMode = .best, greedy: Bool = false) {
        self.criterion = criterion; self.find = find; self.greedy = greedy
    }
}

/// The result of a crossmatch: parallel arrays of matched rows (the shape of astropy's match results),
/// plus the rows of each table with no partner. Rows are 0-based indices into the input tables.
public struct MatchResult: Sendable, Equatable {
    /// Row in table 1 of each pair.
    public var rows1: [Int]
    /// Row in table 2 of each pair.
    public var rows2: [Int]
    /// Separation of each pair in **arcseconds**.
    public var separations: [Double]
    /// The pair's score used to rank candidates: the separation in arcsec for radius matches, sep/(limit) for
    /// error-based matches, the de Ruiter radius for `deRuiter`.
    public var scores: [Double]
    /// For `find: .all`: the connected group of each pair (1-based), and its number of pairs.
    public var groupIDs: [Int]?
    public var groupSizes: [Int]?
    /// Rows of table 1 / table 2 without a partner in the result, ascending.
    public var unmatched1: [Int]
    public var unmatched2: [Int]
    /// Rows skipped because their position is invalid (NaN or |dec| > 90), ascending.
    public var invalid1: [Int]
    public var invalid2: [Int]
    public var count1: Int
    public var count2: Int

    public var pairCount: Int { rows1.count }
}

/// Crossmatching two position lists or catalogues.
///
/// Candidate pairs come from both tables sorted by nested HEALPix pixel (each pixel of table 1 against its
/// pixel and neighbours in table 2), with exact separations (atan2 of the cross and dot products of unit
/// vectors). Then, by `FindMode`:
/// - `all`: every pair; `groupIDs` are connected components of the pair graph.
/// - `best1` / `best2`: per row, the partner with the lowest score; ties go to the lower row number.
/// - `best` greedy (STILTS): each row of the scanned table (table 1 unless it has fewer rows) keeps its best
///   partner; then pairs in ascending score (ties: lower row1, then lower row2) are kept when neither row
///   occurred in an earlier pair, kept or not (STIL's exact rule).
/// - `best` optimal (default): within each connected group of candidate pairs, the assignment with the most
///   pairs and, among those, the lowest total score (Hungarian algorithm). It never has fewer pairs than
///   the greedy answer, and never a larger total score for the same number of pairs.
public enum Crossmatch {
    /// Matches positions (degrees). `area` is only a hint for the pixel size (square degrees covered).
    public static func match(ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double], options: MatchOptions) throws -> MatchResult {
        let n1 = min(ra1.count, dec1.count), n2 = min(ra2.count, dec2.count)
        let crit = options.criterion
        try validate(crit, n1: n1, n2: n2)
        let maxR = maxRadiusDegrees(crit)
        var result = MatchResult(rows1: [], rows2: [], separations: [], scores: [], groupIDs: nil, groupSizes: nil,
                                 unmatched1: [], unmatched2: [], invalid1: invalidRows(ra1, dec1), invalid2: invalidRows(ra2, dec2),
                                 count1: n1, count2: n2)
        if n1 == 0 || n2 == 0 || !(maxR > 0) {
            result.unmatched1 = (0..<n1).filter { !result.invalid1.contains($0) }
            result.unmatched2 = (0..<n2).filter { !result.invalid2.contains($0) }
            return result
        }
        let area = estimatedArea(ra1, dec1, ra2, dec2)
        let order = PairSearch.order(maxRadius: maxR, count: max(n1, n2), areaDeg2: area)
        // Both tables are prepared at once (one per core).
        let prepared = try PixelSorted.both(ra1: Array(ra1.prefix(n1)), dec1: Array(dec1.prefix(n1)),
                                            ra2: Array(ra2.prefix(n2)), dec2: Array(dec2.prefix(n2)), order: order)
        let a = prepared.0, b = prepared.1
        let scorer = Scorer(crit, ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2)
        let pairs = PairSearch.pairs(a, b, order: order, maxRadius: maxR) { r1, r2, sep in scorer.score(r1, r2, sep) != nil }
        // Scores of the candidate pairs.
        var scores = [Double](repeating: 0, count: pairs.rows1.count)
        for t in 0..<scores.count { scores[t] = scorer.score(Int(pairs.rows1[t]), Int(pairs.rows2[t]), pairs.sep[t]) ?? .infinity }
        let chosen: [Int]
        switch options.find {
        case .all: chosen = Array(0..<pairs.rows1.count)
        case .best1: chosen = bestPerRow(pairs.rows1, pairs.rows2, scores)
        case .best2: chosen = bestPerRow(pairs.rows2, pairs.rows1, scores).sorted { (pairs.rows1[$0], pairs.rows2[$0]) < (pairs.rows1[$1], pairs.rows2[$1]) }
        case .best:
            let scan1 = !(n1 - result.invalid1.count < n2 - result.invalid2.count)
            chosen = options.greedy ? Assignment.greedy(pairs.rows1, pairs.rows2, scores, scanTable1: scan1) : Assignment.optimal(pairs.rows1, pairs.rows2, scores)
        }
        result.rows1 = chosen.map { Int(pairs.rows1[$0]) }
        result.rows2 = chosen.map { Int(pairs.rows2[$0]) }
        result.separations = chosen.map { pairs.sep[$0] * 3600 }
        result.scores = chosen.map { scores[$0] }
        if options.find == .all {
            let (ids, sizes) = Assignment.groups(result.rows1, result.rows2)
            result.groupIDs = ids; result.groupSizes = sizes
        }
        var used1 = [Bool](repeating: false, count: n1), used2 = [Bool](repeating: false, count: n2)
        for r in result.rows1 { used1[r] = true }
        for r in result.rows2 { used2[r] = true }
        for r in result.invalid1 { used1[r] = true }
        for r in result.invalid2 { used2[r] = true }
        result.unmatched1 = (0..<n1).filter { !used1[$0] }
        result.unmatched2 = (0..<n2).filter { !used2[$0] }
        return result
    }

    /// Matches two catalogues by their position columns (see `Catalogue.positions()`).
    public static func match(_ t1: Catalogue, _ t2: Catalogue, options: MatchOptions) throws -> MatchResult {
        let (ra1, dec1) = try t1.positions(), (ra2, dec2) = try t2.positions()
        return try match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: options)
    }

    static func invalidRows(_ ra: [Double], _ dec: [Double]) -> [Int] {
        (0..<min(ra.count, dec.count)).filter { !(ra[$0].isFinite && dec[$0].isFinite && abs(dec[$0]) <= 90) }
    }

    static func validate(_ c: MatchCriterion, n1: Int, n2: Int) throws {
        func check(_ a: [Double], _ n: Int, _ what: String) throws {
            guard a.count == n else { throw CatalogueError(.lengthMismatch, "\(what) has \(a.count) values for \(n) rows") }
        }
        switch c {
        case .radius(let r):
            guard r.isFinite, r >= 0 else { throw CatalogueError(.invalidArgument, "the match radius must be a finite, non-negative number of arcseconds") }
        case .radiusPerRow1(let r): try check(r, n1, "the per-row radius")
        case .sumOfErrors(let e1, let e2, _), .combinedErrors(let e1, let e2, _):
            try check(e1, n1, "the table-1 errors"); try check(e2, n2, "the table-2 errors")
        case .deRuiter(let a1, let d1, let a2, let d2, _):
            try check(a1, n1, "the table-1 RA errors"); try check(d1, n1, "the table-1 Dec errors")
            try check(a2, n2, "the table-2 RA errors"); try check(d2, n2, "the table-2 Dec errors")
        }
    }

    /// The largest separation (degrees) any pair could be accepted at.
    static func maxRadiusDegrees(_ c: MatchCriterion) -> Double {
        func mx(_ a: [Double]) -> Double { a.filter { $0.isFinite && $0 >= 0 }.max() ?? 0 }
        switch c {
        case .radius(let r): return r / 3600
        case .radiusPerRow1(let r): return mx(r) / 3600
        case .sumOfErrors(let e1, let e2, let s): return s * (mx(e1) + mx(e2)) / 3600
        case .combinedErrors(let e1, let e2, let k): return k * (mx(e1) * mx(e1) + mx(e2) * mx(e2)).squareRoot() / 3600
        case .deRuiter(let a1, let d1, let a2, let d2, let lim):
            // r_dR ≥ sep / sqrt(max(σα²) + max(σδ²) sums) up to the cos factor; a 1.01 margin covers it.
            let s = (max(mx(a1), mx(d1)) * max(mx(a1), mx(d1)) + max(mx(a2), mx(d2)) * max(mx(a2), mx(d2))).squareRoot()
            return 1.01 * lim * s * 2.0.squareRoot() / 3600
        }
    }

    /// A rough area (deg²) covered by the positions, for choosing the pixel size.
    static func estimatedArea(_ ra1: [Double], _ dec1: [Double], _ ra2: [Double], _ dec2: [Double]) -> Double {
        let n = ra1.count + ra2.count
        guard n > 0 else { return 41253 }
        let layer = HEALPixLayer.layers[6]
        var cells = Set<Int64>()
        let step = max(1, n / 20000)
        var i = 0
        while i < ra1.count { let p = layer.nestedPixel(ra: ra1[i], dec: dec1[i]); if p >= 0 { cells.insert(p) }; i += step }
        i = 0
        while i < ra2.count { let p = layer.nestedPixel(ra: ra2[i], dec: dec2[i]); if p >= 0 { cells.insert(p) }; i += step }
        return max(layer.pixelAreaDeg2, Double(cells.count) * layer.pixelAreaDeg2)
    }

    /// For each distinct key row, the pair index with the lowest score (ties: lower other row); ascending.
    static func bestPerRow(_ key: [Int32], _ other: [Int32], _ score: [Double]) -> [Int] {
        let n = (key.max().map { Int($0) } ?? -1) + 1
        var best = [Int](repeating: -1, count: n)
        for t in 0..<key.count {
            let k = Int(key[t])
            let b = best[k]
            if b < 0 || score[t] < score[b] || (score[t] == score[b] && other[t] < other[b]) { best[k] = t }
        }
        return best.filter { $0 >= 0 }.sorted()
    }
}

/// Computes the score of a candidate pair, or nil if it is not a match.
struct Scorer: @unchecked Sendable {
    let crit: MatchCriterion
    let ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double]
    init(_ c: MatchCriterion, ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double]) {
        crit = c; self.ra1 = ra1; self.dec1 = dec1; self.ra2 = ra2; self.dec2 = dec2
    }

    /// `sep` in degrees.
    @inline(__always) func score(_ i: Int, _ j: Int, _ sep: Double) -> Double? {
        let s = sep * 3600
        switch crit {
        case .radius(let r): return s <= r ? s : nil
        case .radiusPerRow1(let r): return s <= r[i] ? s : nil
        case .sumOfErrors(let e1, let e2, let k):
            let lim = k * (e1[i] + e2[j])
            return s <= lim ? s / lim : nil
        case .combinedErrors(let e1, let e2, let k):
            let sig = (e1[i] * e1[i] + e2[j] * e2[j]).squareRoot()
            return s <= k * sig ? s / sig : nil
        case .deRuiter(let a1, let d1, let a2, let d2, let lim):
            let r = Crossmatch.deRuiterRadius(ra1: ra1[i], dec1: dec1[i], ra2: ra2[j], dec2: dec2[j],
                                              raErr1: a1[i], decErr1: d1[i], raErr2: a2[j], decErr2: d2[j])
            return r <= lim ? r : nil
        }
    }
}

extension Crossmatch {
    /// The de Ruiter dimensionless distance between two positions (degrees) with 1σ errors (**arcseconds**,
    /// the RA error being σ(α·cos δ)): sqrt(((α1 − α2)·cos((δ1 + δ2)/2))²/(σα1² + σα2²) + (δ1 − δ2)²/(σδ1² + σδ2²)),
    /// with Δα wrapped into (−180°, 180°] (the VAST / TraP definition).
    public static func deRuiterRadius(ra1: Double, dec1: Double, ra2: Double, dec2: Double,
                                      raErr1: Double, decErr1: Double, raErr2: Double, decErr2: Double) -> Double {
        var dra = ra1 - ra2
        dra -= 360 * (dra / 360).rounded()
        let x = dra * cos((dec1 + dec2) / 2 * degreesToRadians) * 3600
        let y = (dec1 - dec2) * 3600
        return (x * x / (raErr1 * raErr1 + raErr2 * raErr2) + y * y / (decErr1 * decErr1 + decErr2 * decErr2)).squareRoot()
    }
}
