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
    /// Elliptical position errors: each row has semi-major and semi-minor axes (**arcseconds**) and a position
    /// angle of the major axis (**degrees east of north**); two rows match when their ellipses overlap on the
    /// tangent plane. The score is the separation divided by the sum of the two ellipses' radii along the line
    /// joining the centres (below 1 for ellipses that overlap along that line).
    case ellipses(a1: [Double], b1: [Double], pa1: [Double], a2: [Double], b2: [Double], pa2: [Double])
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
    /// Called with the fraction done (0...1) of the pair search, from worker threads; for progress bars.
    public var progress: (@Sendable (Double) -> Void)?
    public init(_ criterion: MatchCriterion, find: FindMode = .best, greedy: Bool = false, progress: (@Sendable (Double) -> Void)? = nil) {
        self.criterion = criterion; self.find = find; self.greedy = greedy; self.progress = progress
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
/// pixel and neighbours in table 2), with exact separations of unit vectors (from their chord below 60°, atan2
/// of their cross and dot products beyond; good to ~10^-16 rad). Then, by `FindMode`:
/// - `all`: every pair; `groupIDs` are connected components of the pair graph.
/// - `best1` / `best2`: per row, the partner with the lowest score; ties go to the lower row number.
/// - `best` greedy (STILTS): each row of the scanned table (table 1 unless it has fewer rows) keeps its best
///   partner; then pairs in ascending score (ties: lower row1, then lower row2) are kept when neither row
///   occurred in an earlier pair, kept or not (STIL's exact rule).
/// - `best` optimal (default): within each connected group of candidate pairs, the assignment with the most
///   pairs and, among those, the lowest total score (Hungarian algorithm). It never has fewer pairs than
///   the greedy answer, and never a larger total score for the same number of pairs.
public enum Crossmatch {
    /// Matches positions (degrees); rows beyond the shorter array of a pair are not used.
    public static func match(ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double], options: MatchOptions) throws -> MatchResult {
        try match(PositionSource(ra: ra1, dec: dec1), PositionSource(ra: ra2, dec: dec2), options: options)
    }

    /// Matches positions (degrees) read where they are stored: arrays, or the fields of mapped FITS tables
    /// (`FITSTableMap.positions`), which are then never decoded (except for the de Ruiter and ellipse
    /// criteria, which decode them).
    public static func match(_ p1: PositionSource, _ p2: PositionSource, options: MatchOptions) throws -> MatchResult {
        let n1 = p1.count, n2 = p2.count
        let crit = options.criterion
        try validate(crit, n1: n1, n2: n2)
        // A pair matches when its separation is ≤ the radius, so radius 0 pairs identical positions: the
        // search runs with a radius of at least 10⁻¹⁰° (0.36 µas), the criterion decides exactly.
        let maxR = maxRadiusDegrees(crit) == 0 ? 1e-10 : maxRadiusDegrees(crit)
        var result = MatchResult(rows1: [], rows2: [], separations: [], scores: [], groupIDs: nil, groupSizes: nil,
                                 unmatched1: [], unmatched2: [], invalid1: [], invalid2: [],
                                 count1: n1, count2: n2)
        if n1 == 0 || n2 == 0 || !(maxR > 0) {
            result.invalid1 = invalidRows(p1); result.invalid2 = invalidRows(p2)
            result.unmatched1 = validRows(n1, invalid: result.invalid1)
            result.unmatched2 = validRows(n2, invalid: result.invalid2)
            return result
        }
        let area = estimatedArea(p1, p2)
        let order = PairSearch.order(maxRadius: maxR, count: max(n1, n2), areaDeg2: area)
        // Each table prepared on all cores (its positions read where they are: arrays or a mapped file).
        let (a, b) = PixelSorted.both(p1, p2, order: order, radius: maxR)
        // The preparation finds the invalid rows (no pixel): no pass of its own over the positions.
        result.invalid1 = a.invalidRows; result.invalid2 = b.invalidRows
        // Handed over (consumed), so that `run` can free them before it builds the result arrays.
        run(consume a, consume b, p1, p2, order: order, maxRadius: maxR, options: options,
            groups: true, into: &result)
        return result
    }

    /// The pair search and the find mode on prepared position sets (HEALPix `order`, radius up to `maxR`
    /// degrees): fills the pairs, groups (for `find: .all` when `groups`) and unmatched rows of `result`,
    /// whose counts and invalid rows are already set.
    static func run(_ a: consuming PixelSorted, _ b: consuming PixelSorted, _ p1: PositionSource, _ p2: PositionSource,
                    order: Int, maxRadius maxR: Double, options: MatchOptions, groups: Bool, into result: inout MatchResult) {
        let n1 = result.count1, n2 = result.count2
        let crit = options.criterion
        let scorer = Scorer(crit, p1, p2)
        if options.find == .best1 {
            // Each row's best partner is decided during the search; no pair list is built.
            let best: BestPartners
            if case .radius(let r) = crit {
                best = PairSearch.bestPerRow1(consume a, consume b, count1: n1, order: order, maxRadius: maxR, scored: false, progress: options.progress,
                                              score: FixedRadiusScoring(arcsec: r))
            } else {
                best = PairSearch.bestPerRow1(consume a, consume b, count1: n1, order: order, maxRadius: maxR, scored: crit.isScored, progress: options.progress,
                                              score: scorer)
            }
            // (The sorted sets were freed before the result arrays are built.)
            (result.rows1, result.rows2, result.separations, result.scores) = PairSearch.rowOrderedPairs(consume best)
        } else {
            let pairs = PairSearch.pairs(a, b, order: order, maxRadius: maxR, progress: options.progress) { r1, r2, sep in scorer.score(r1, r2, sep) != nil }
            _ = consume a; _ = consume b
            // Scores of the candidate pairs.
            var scores = [Double](repeating: 0, count: pairs.rows1.count)
            for t in 0..<scores.count { scores[t] = scorer.score(Int(pairs.rows1[t]), Int(pairs.rows2[t]), pairs.sep[t]) ?? .infinity }
            let chosen: [Int]
            switch options.find {
            case .all: chosen = Array(0..<pairs.rows1.count)
            case .best1: chosen = bestPerRow(pairs.rows1, pairs.rows2, scores)   // not reached: best1 takes the sweep path
            case .best2: chosen = bestPerRow(pairs.rows2, pairs.rows1, scores).sorted { (pairs.rows1[$0], pairs.rows2[$0]) < (pairs.rows1[$1], pairs.rows2[$1]) }
            case .best:
                let scan1 = !(n1 - result.invalid1.count < n2 - result.invalid2.count)
                chosen = options.greedy ? Assignment.greedy(pairs.rows1, pairs.rows2, scores, scanTable1: scan1) : Assignment.optimal(pairs.rows1, pairs.rows2, scores)
            }
            result.rows1 = chosen.map { Int(pairs.rows1[$0]) }
            result.rows2 = chosen.map { Int(pairs.rows2[$0]) }
            result.separations = chosen.map { pairs.sep[$0] * 3600 }
            result.scores = chosen.map { scores[$0] }
            if options.find == .all && groups {
                let (ids, sizes) = Assignment.groups(result.rows1, result.rows2)
                result.groupIDs = ids; result.groupSizes = sizes
            }
        }
        var used1 = [Bool](repeating: false, count: n1), used2 = [Bool](repeating: false, count: n2)
        for r in result.rows1 { used1[r] = true }
        for r in result.rows2 { used2[r] = true }
        for r in result.invalid1 { used1[r] = true }
        for r in result.invalid2 { used2[r] = true }
        result.unmatched1 = Crossmatch.unset(used1)
        result.unmatched2 = Crossmatch.unset(used2)
    }

    /// Matches two catalogues by their position columns (see `Catalogue.positions()`).
    public static func match(_ t1: Catalogue, _ t2: Catalogue, options: MatchOptions) throws -> MatchResult {
        let (ra1, dec1) = try t1.positions(), (ra2, dec2) = try t2.positions()
        return try match(PositionSource(ra: ra1, dec: dec1), PositionSource(ra: ra2, dec: dec2), options: options)
    }

    /// Rows 0..<count not listed in `invalid`, ascending.
    static func validRows(_ count: Int, invalid: [Int]) -> [Int] {
        var flags = [Bool](repeating: false, count: count)
        for r in invalid { flags[r] = true }
        return unset(flags)
    }

    /// Indices of the false flags, ascending (chunks counted, then filled, on all cores).
    static func unset(_ flags: [Bool]) -> [Int] {
        let n = flags.count
        return flags.withUnsafeBufferPointer { f -> [Int] in
            guard let fbase = f.baseAddress, n > 0 else { return [] }
            let fp = UnsafeSendablePointer(fbase)
            let plan = CompactionPlan(count: n, chunks: min(4 * Parallel.workers, n >> 18)) { !fp.p[$0] }
            return [Int](unsafeUninitializedCapacity: plan.kept) { out, count in
                if let obase = out.baseAddress {
                    let op = UnsafeMutableSendablePointer(obase)
                    Parallel.perform(iterations: plan.chunks) { c in
                        var t = plan.offsets[c]
                        for i in plan.items(of: c) where !fp.p[i] { op.p[t] = i; t += 1 }
                    }
                }
                count = plan.kept
            }
        }
    }

    /// Rows whose position has no HEALPix pixel (NaN, infinite, |dec| > 90): the rows a preparation sets
    /// aside (`PixelSorted.invalidRows`), for tables that are not prepared.
    static func invalidRows(_ p: PositionSource) -> [Int] {
        p.withReader { r in (0..<r.count).filter { !HEALPixLayer.hasPixel(ra: r.ra($0), dec: r.dec($0)) } }
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
        case .ellipses(let a1, let b1, let p1, let a2, let b2, let p2):
            try check(a1, n1, "the table-1 semi-major axes"); try check(b1, n1, "the table-1 semi-minor axes"); try check(p1, n1, "the table-1 position angles")
            try check(a2, n2, "the table-2 semi-major axes"); try check(b2, n2, "the table-2 semi-minor axes"); try check(p2, n2, "the table-2 position angles")
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
        case .ellipses(let a1, _, _, let a2, _, _): return (mx(a1) + mx(a2)) / 3600
        }
    }

    /// A rough area (deg²) covered by the positions, for choosing the pixel size.
    static func estimatedArea(_ p1: PositionSource, _ p2: PositionSource) -> Double {
        let n = p1.count + p2.count
        guard n > 0 else { return 41253 }
        let layer = HEALPixLayer.layers[6]
        var cells = Set<Int64>()
        let step = max(1, n / 20000)
        for p in [p1, p2] {
            p.withReader { r in
                var i = 0
                while i < r.count { let c = layer.nestedPixel(ra: r.ra(i), dec: r.dec(i)); if c >= 0 { cells.insert(c) }; i += step }
            }
        }
        return max(layer.pixelAreaDeg2, Double(cells.count) * layer.pixelAreaDeg2)
    }

    /// For each distinct key row, the pair index with the lowest score (ties: lower other row), in key-row
    /// order (so ascending pair indices when the pairs are ordered by their key row, as `PairSearch` orders
    /// them by row 1).
    static func bestPerRow(_ key: [Int32], _ other: [Int32], _ score: [Double]) -> [Int] {
        let n = (key.max().map { Int($0) } ?? -1) + 1
        var best = [Int](repeating: -1, count: n)
        for t in 0..<key.count {
            let k = Int(key[t])
            let b = best[k]
            if b < 0 || score[t] < score[b] || (score[t] == score[b] && other[t] < other[b]) { best[k] = t }
        }
        return best.filter { $0 >= 0 }
    }
}

extension MatchCriterion {
    /// Whether a pair's score differs from its separation in arcsec (error-based criteria).
    var isScored: Bool {
        switch self { case .radius, .radiusPerRow1: return false; default: return true }
    }
}

/// Computes the score of a candidate pair, or nil if it is not a match.
struct Scorer: PairScoring, @unchecked Sendable {
    let crit: MatchCriterion
    /// Positions as arrays, for the criteria that use them (de Ruiter, ellipses; empty otherwise).
    let ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double]
    init(_ c: MatchCriterion, _ p1: PositionSource, _ p2: PositionSource) {
        crit = c
        switch c {
        case .deRuiter, .ellipses:
            (ra1, dec1) = p1.arrays(); (ra2, dec2) = p2.arrays()
        default:
            (ra1, dec1, ra2, dec2) = ([], [], [], [])
        }
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
        case .ellipses(let a1, let b1, let p1, let a2, let b2, let p2):
            guard let off = SkyGeometry.offsets(ra1[i], dec1[i], ra2[j], dec2[j]) else { return nil }
            let e1 = Ellipse(a: a1[i], b: b1[i], pa: p1[i]), e2 = Ellipse(a: a2[j], b: b2[j], pa: p2[j])
            let dx = off.east * 3600, dy = off.north * 3600
            guard Ellipse.overlap(e1, e2, dx: dx, dy: dy) else { return nil }
            let d = (dx * dx + dy * dy).squareRoot()
            if d == 0 { return 0 }
            return d / (e1.radius(towardsEast: dx, north: dy) + e2.radius(towardsEast: -dx, north: -dy))
        }
    }
}

/// An error ellipse on the tangent plane: semi-axes in arcsec, position angle of the major axis in degrees
/// east of north.
struct Ellipse {
    let a: Double, b: Double, pa: Double
    init(a: Double, b: Double, pa: Double) { self.a = max(a, b); self.b = min(a, b); self.pa = pa }

    /// The quadratic form q(x, y) = (u/a)² + (v/b)², u along the major axis: q ≤ 1 inside.
    @inline(__always) func q(_ east: Double, _ north: Double) -> Double {
        guard a > 0, b > 0 else { return east == 0 && north == 0 ? 0 : .infinity }
        let t = pa * degreesToRadians
        let u = east * sin(t) + north * cos(t), v = east * cos(t) - north * sin(t)
        return (u / a) * (u / a) + (v / b) * (v / b)
    }

    /// Distance from the centre to the boundary along the direction (east, north).
    func radius(towardsEast east: Double, north: Double) -> Double {
        let d = (east * east + north * north).squareRoot()
        guard d > 0 else { return a }
        let qq = q(east / d, north / d)
        return qq > 0 ? 1 / qq.squareRoot() : .infinity
    }

    /// A boundary point at parameter s (radians), as (east, north) offsets from the centre.
    func point(_ s: Double) -> (Double, Double) {
        let t = pa * degreesToRadians
        let u = a * cos(s), v = b * sin(s)
        return (u * sin(t) + v * cos(t), u * cos(t) - v * sin(t))
    }

    /// Whether e1 (at the origin) and e2 (centred at dx, dy) overlap: a centre inside the other ellipse, or a
    /// boundary point of e2 inside e1 (the minimum of q1 along e2's boundary, sampled and refined).
    static func overlap(_ e1: Ellipse, _ e2: Ellipse, dx: Double, dy: Double) -> Bool {
        if e1.q(dx, dy) <= 1 || e2.q(-dx, -dy) <= 1 { return true }
        func f(_ s: Double) -> Double { let (x, y) = e2.point(s); return e1.q(dx + x, dy + y) }
        let n = 48
        var best = Double.infinity, bestS = 0.0
        for k in 0..<n {
            let s = 2 * Double.pi * Double(k) / Double(n)
            let v = f(s)
            if v <= 1 { return true }
            if v < best { best = v; bestS = s }
        }
        var lo = bestS - 2 * Double.pi / Double(n), hi = bestS + 2 * Double.pi / Double(n)
        let g = 0.6180339887498949
        var x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo)
        var f1 = f(x1), f2 = f(x2)
        for _ in 0..<60 {
            if min(f1, f2) <= 1 { return true }
            if f1 < f2 { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = f(x1) }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = f(x2) }
        }
        return min(f1, f2) <= 1 + 1e-12
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
