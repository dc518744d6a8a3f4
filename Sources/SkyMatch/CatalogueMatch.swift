// Crossmatching catalogues: epochs, coverage labels and the joined output table (STILTS's join modes).
import SkyCore

/// Which rows the joined table holds (STILTS `join=`).
public enum JoinMode: String, Sendable, CaseIterable {
    /// Matched pairs only.
    case and = "1and2"
    /// Matched pairs, then unmatched rows of both tables.
    case or = "1or2"
    /// Every row of table 1 (with its partner or blanks).
    case all1
    /// Every row of table 2 (with its partner or blanks).
    case all2
    /// Rows of table 1 with no partner (table-1 columns only).
    case only1 = "1not2"
    /// Rows of table 2 with no partner (table-2 columns only).
    case only2 = "2not1"
    /// Unmatched rows of both tables.
    case xor = "1xor2"
}

/// Why a row has no partner.
public enum UnmatchedReason: String, Sendable {
    /// Inside the other table's coverage, but nothing matched: a non-detection.
    case notDetected = "not_detected"
    /// Outside the other table's coverage: it could not have been detected.
    case notCovered = "not_covered"
    /// Its position is invalid (NaN or |dec| > 90): it was skipped.
    case invalidPosition = "invalid_position"
}

/// Options for matching catalogues.
public struct CatalogueMatchOptions: Sendable {
    public var match: MatchOptions
    public var join: JoinMode
    /// Epoch (Julian years) of table 1's and table 2's positions: one value, or per row from a column
    /// (`epochColumn1`/`epochColumn2`, Julian years; rows without a value take `epoch1`/`epoch2`, else stay
    /// where they are). When both tables' epochs are known, both are matched at the match epoch: `matchEpoch`,
    /// else table 2's epoch (which must then be one value). A table's rows at another epoch are moved there
    /// by its proper-motion columns (pmra = μα·cos δ, pmdec, mas/yr; `SkyGeometry.propagate`) before
    /// matching; output columns keep the original positions. Epochs outside 1000–3000 (an MJD, say) are
    /// an error.
    public var epoch1: Double?
    public var epoch2: Double?
    public var epochColumn1: String?
    public var epochColumn2: String?
    /// The epoch both tables are matched at (Julian years); nil: table 2's.
    public var matchEpoch: Double?
    /// Coverage of table 2 (labels unmatched table-1 rows) and of table 1 (labels unmatched table-2 rows).
    public var coverage1: MOC?
    public var coverage2: MOC?
    /// Build table 1's (table 2's) coverage from its own sources when `coverage1` (`coverage2`) is nil:
    /// `MOC.sources` at the matched positions, with `sourceCoverageRadius` and `sourceCoverageOrder`, the
    /// closing never narrower than the match radius (the largest, for per-row criteria). For catalogues that
    /// come without an image or a MOC; see `CatalogueMatch.sourceCoverage1`/`sourceCoverage2` for what was built.
    public var coverageFromSources1 = false
    public var coverageFromSources2 = false
    /// Closing radius (**arcsec**) of a coverage from sources; nil: 4× the table's median nearest-neighbour
    /// distance, at least the match radius.
    public var sourceCoverageRadius: Double?
    /// HEALPix order of a coverage from sources; nil: cells about the table's median spacing wide.
    public var sourceCoverageOrder: Int?
    /// Whether unmatched rows get coverage labels (a coverage of either table, given or from sources).
    public var labelsCoverage: Bool { coverage1 != nil || coverage2 != nil || coverageFromSources1 || coverageFromSources2 }
    /// The columns of table 1 and table 2 copied into the joined table, in this order (nil: all; empty: none).
    /// Position columns are still used for matching when not copied.
    public var columns1: [String]?
    public var columns2: [String]?

    public init(_ match: MatchOptions, join: JoinMode = .and, epoch1: Double? = nil, epoch2: Double? = nil,
                coverage1: MOC? = nil, coverage2: MOC? = nil, columns1: [String]? = nil, columns2: [String]? = nil,
                epochColumn1: String? = nil, epochColumn2: String? = nil, matchEpoch: Double? = nil) {
        self.match = match; self.join = join; self.epoch1 = epoch1; self.epoch2 = epoch2
        self.epochColumn1 = epochColumn1; self.epochColumn2 = epochColumn2; self.matchEpoch = matchEpoch
        self.coverage1 = coverage1; self.coverage2 = coverage2
        self.columns1 = columns1; self.columns2 = columns2
    }
}

/// A catalogue crossmatch: the match result, the unmatched rows' reasons, and the joined table.
public struct CatalogueMatch: Sendable {
    public var result: MatchResult
    /// Unmatched rows of table 1 outside table 2's coverage, ascending (empty without `coverage2`); the other
    /// unmatched rows are not detected.
    public var notCovered1: [Int]
    /// Unmatched rows of table 2 outside table 1's coverage, ascending (empty without `coverage1`).
    public var notCovered2: [Int]
    /// Table 1's and table 2's coverages built from their sources (`coverageFromSources1`/`2` without a
    /// given coverage), nil otherwise.
    public var sourceCoverage1: SourceCoverage?
    public var sourceCoverage2: SourceCoverage?
    /// Reason of each unmatched or invalid table-1 row (built on access).
    public var reasons1: [Int: UnmatchedReason] { CatalogueMatch.reasons(result.unmatched1, result.invalid1, notCovered1) }
    /// Reason of each unmatched or invalid table-2 row (built on access).
    public var reasons2: [Int: UnmatchedReason] { CatalogueMatch.reasons(result.unmatched2, result.invalid2, notCovered2) }
    /// The output columns of table 1 and table 2 (`columns1`/`columns2` of the options, else all): only these
    /// are kept after matching, so a caller that hands over its catalogues frees the rest (positions, say).
    public let outputColumns1: Catalogue, outputColumns2: Catalogue
    let options: CatalogueMatchOptions

    /// Matches `t1` against `t2`; the joined table is built on request (`table()`).
    public init(_ t1: Catalogue, _ t2: Catalogue, options: CatalogueMatchOptions) throws {
        // Unknown output columns are reported before missing positions.
        _ = try options.columns1.map { try t1.selecting($0) }; _ = try options.columns2.map { try t2.selecting($0) }
        let (ra1, dec1) = try t1.positions(), (ra2, dec2) = try t2.positions()
        try self.init(t1, positions1: PositionSource(ra: ra1, dec: dec1), t2, positions2: PositionSource(ra: ra2, dec: dec2), options: options)
    }

    /// Matches `t1` against `t2` at the positions (degrees) of `positions1` and `positions2` rather than
    /// the catalogues' own position columns: typically a mapped FITS table's (`FITSTableMap.positions`),
    /// read in place. The catalogues supply the other columns the options use (output columns,
    /// proper motions) and must have the positions' row counts; they may hold no columns at all.
    public init(_ t1: Catalogue, positions1: PositionSource, _ t2: Catalogue, positions2: PositionSource, options: CatalogueMatchOptions) throws {
        for (t, p, k) in [(t1, positions1, 1), (t2, positions2, 2)] where t.rowCount != p.count {
            throw CatalogueError(.lengthMismatch, "table \(k) has \(t.rowCount) rows but \(p.count) positions", source: p.mappedFile ?? t.source)
        }
        // Unknown output columns are reported before any work.
        let out1 = try options.columns1.map { try t1.selecting($0) } ?? t1
        let out2 = try options.columns2.map { try t2.selecting($0) } ?? t2
        let (p1, p2) = try CatalogueMatch.atMatchEpoch(positions1, t1, positions2, t2, options)
        let r = try Crossmatch.match(p1, p2, options: options.match)
        result = r
        let radius = Crossmatch.maxRadiusDegrees(options.match.criterion) * 3600
        func fromSources(_ wanted: Bool, _ given: MOC?, _ p: PositionSource) throws -> SourceCoverage? {
            guard wanted, given == nil else { return nil }
            let (ra, dec) = p.arrays()
            return try MOC.sources(ra: ra, dec: dec, closingRadius: options.sourceCoverageRadius, matchRadius: radius,
                                   order: options.sourceCoverageOrder)
        }
        sourceCoverage1 = try fromSources(options.coverageFromSources1, options.coverage1, p1)
        sourceCoverage2 = try fromSources(options.coverageFromSources2, options.coverage2, p2)
        notCovered1 = CatalogueMatch.outside(r.unmatched1, p1, options.coverage2 ?? sourceCoverage2?.moc)
        notCovered2 = CatalogueMatch.outside(r.unmatched2, p2, options.coverage1 ?? sourceCoverage1?.moc)
        outputColumns1 = out1; outputColumns2 = out2; self.options = options
    }

    /// The joined table for the options' join mode (built on request; see `join`).
    public func table() throws -> Catalogue { try table(columns1: outputColumns1, columns2: outputColumns2) }

    /// The joined table with the columns of `t1` and `t2` instead of the matched tables' output columns:
    /// catalogues with the same rows as the matched tables (`result.count1`, `result.count2` rows), all of
    /// whose columns are copied. For reading a large file's other columns after matching (say, only the
    /// positions for the match, then the ids for the output), so that they never share memory with the
    /// match's working arrays; match with empty `columns1`/`columns2` to keep nothing of the matched tables.
    public func table(columns1 t1: Catalogue, columns2 t2: Catalogue) throws -> Catalogue {
        try table(loading: { t1 }, { t2 })
    }

    /// The joined table with the columns of each table supplied one at a time: `columns1` is called and its
    /// columns joined before `columns2` is called, so that what the first returned can be released before
    /// the second loads (say, each file's output columns decoded after matching: the two never share
    /// memory). A table the join mode leaves out is not loaded. Otherwise as `table(columns1:columns2:)`.
    public func table(loading columns1: () throws -> Catalogue, _ columns2: () throws -> Catalogue) throws -> Catalogue {
        let r = result
        func rows(_ load: () throws -> Catalogue, _ k: Int, _ n: Int, _ idx: [Int]) throws -> Catalogue {
            let t = try load()
            guard t.rowCount == n else {
                throw CatalogueError(.lengthMismatch, "the columns for table \(k) have \(t.rowCount) rows, the matched table \(n)", source: t.source)
            }
            return t.rowsAllowingMissing(idx)
        }
        return try table(gathering: { try rows(columns1, 1, r.count1, $0) }, { try rows(columns2, 2, r.count2, $0) })
    }

    /// The joined table with each table's columns supplied already gathered: `rows1(idx)` returns table 1's
    /// output columns at rows `idx` (-1: a missing row), as `Catalogue.rowsAllowingMissing` would from the
    /// whole columns; called before `rows2`, and only for a table the join mode keeps. For sources that can
    /// read just those rows (`FITSTableMap.read(columns:rows:)`).
    func table(gathering rows1: ([Int]) throws -> Catalogue, _ rows2: ([Int]) throws -> Catalogue) throws -> Catalogue {
        let labelled = options.labelsCoverage
        return try CatalogueMatch.join(rows1, rows2, result, join: options.join, reasons1: labelled ? reasons1 : [:], reasons2: labelled ? reasons2 : [:],
                                       labelled: labelled, scored: options.match.criterion.isScored)
    }

    /// The rows of `unmatched` outside `cov` (none without a coverage).
    static func outside(_ unmatched: [Int], _ p: PositionSource, _ cov: MOC?) -> [Int] {
        guard let cov else { return [] }
        let (ra, dec) = p.withReader { r in (unmatched.map { r.ra($0) }, unmatched.map { r.dec($0) }) }
        let inside = cov.contains(ra: ra, dec: dec)
        return unmatched.indices.filter { !inside[$0] }.map { unmatched[$0] }
    }

    static func reasons(_ unmatched: [Int], _ invalid: [Int], _ notCovered: [Int]) -> [Int: UnmatchedReason] {
        var out: [Int: UnmatchedReason] = [:]
        out.reserveCapacity(unmatched.count + invalid.count)
        for row in unmatched { out[row] = .notDetected }
        for row in notCovered { out[row] = .notCovered }
        for row in invalid { out[row] = .invalidPosition }
        return out
    }

    /// The joined table. Columns: table 1's, table 2's (names in both get `_1`/`_2`; only `columns1`/`columns2`
    /// when the options name them), `sep_arcsec`
    /// (missing where a row has no partner), `match_score` for error-based criteria, `group_id` and
    /// `group_size` for `find: .all`, and `match_status` (matched / not_detected / not_covered /
    /// invalid_position) when a coverage was given or built from sources. Row order: pairs and unmatched table-1 rows in table-1
    /// order (pairs of one row by score), then unmatched table-2 rows in table-2 order.
    static func join(_ gather1: ([Int]) throws -> Catalogue, _ gather2: ([Int]) throws -> Catalogue, _ r: MatchResult, join: JoinMode,
                     reasons1: [Int: UnmatchedReason], reasons2: [Int: UnmatchedReason], labelled: Bool, scored: Bool) throws -> Catalogue {
        var idx1: [Int] = [], idx2: [Int] = [], pairOf: [Int] = []    // pairOf: pair index or -1
        let with1 = join != .only2, with2 = join != .only1
        let keepPairs = [.and, .or, .all1, .all2].contains(join)
        let keepU1 = [.or, .all1, .only1, .xor].contains(join)
        let keepU2 = [.or, .all2, .only2, .xor].contains(join)
        // Only pairs: the result's arrays are the row lists (shared, not copied), and nothing is missing.
        let pairsOnly = join == .and
        if pairsOnly { idx1 = r.rows1; idx2 = r.rows2 } else {
            // Pairs (sorted by row1) merged with unmatched/invalid table-1 rows in row order.
            let u1 = keepU1 ? (r.unmatched1 + r.invalid1).sorted() : []
            var p = 0, q = 0
            while p < (keepPairs ? r.pairCount : 0) || q < u1.count {
                let takePair = keepPairs && p < r.pairCount && (q >= u1.count || r.rows1[p] <= u1[q])
                if takePair { idx1.append(r.rows1[p]); idx2.append(r.rows2[p]); pairOf.append(p); p += 1 }
                else { idx1.append(u1[q]); idx2.append(-1); pairOf.append(-1); q += 1 }
            }
            if keepU2 { for row in (r.unmatched2 + r.invalid2).sorted() { idx1.append(-1); idx2.append(row); pairOf.append(-1) } }
        }
        var out = Catalogue(rowCount: idx1.count)
        func gathered(_ gather: ([Int]) throws -> Catalogue, _ idx: [Int]) throws -> Catalogue {
            let t = try gather(idx)
            guard t.rowCount == idx.count else {
                throw CatalogueError(.lengthMismatch, "the gathered columns have \(t.rowCount) rows for \(idx.count) requested", source: t.source)
            }
            if out.source == nil { out.source = t.source }
            return t
        }
        // Table 1's columns, then table 2's (table 1's released first); names in both get _1 and _2.
        var names1: [String] = []
        if with1 {
            let t1 = try gathered(gather1, idx1)
            names1 = t1.columnNames
            for c in t1.columns { try out.add(c) }
        }
        if with2 {
            let t2 = try gathered(gather2, idx2)
            let n1 = Set(names1), n2 = Set(t2.columnNames)
            for name in names1 where n2.contains(name) { try out.rename(name, to: name + "_1") }
            for var col in t2.columns { if n1.contains(col.name) { col.name += "_2" }; try out.add(col) }
        }
        if with1 && with2 {
            // A per-pair value for every output row (missing where the row has no partner).
            func perPair(_ v: [Double]) -> ([Double], [Bool]?) {
                pairsOnly ? (v, nil) : (pairOf.map { $0 >= 0 ? v[$0] : .nan }, pairOf.map { $0 < 0 })
            }
            func perPair(_ v: [Int]) -> ([Int64], [Bool]?) {
                pairsOnly ? (v.map { Int64($0) }, nil) : (pairOf.map { $0 >= 0 ? Int64(v[$0]) : 0 }, pairOf.map { $0 < 0 })
            }
            let sep = perPair(r.separations)
            try out.add(Column(name: out.unusedName("sep_arcsec"), values: .double(sep.0), missing: sep.1, unit: "arcsec", description: "angular separation of the pair"))
            if scored {
                let sc = perPair(r.scores)
                try out.add(Column(name: out.unusedName("match_score"), values: .double(sc.0), missing: sc.1, description: "normalised match distance"))
            }
            if let g = r.groupIDs, let s = r.groupSizes {
                let gi = perPair(g), gs = perPair(s)
                try out.add(Column(name: out.unusedName("group_id"), values: .int64(gi.0), missing: gi.1, description: "connected group of pairs"))
                try out.add(Column(name: out.unusedName("group_size"), values: .int64(gs.0), missing: gs.1, description: "number of pairs in the group"))
            }
        }
        if labelled {
            var status: [String] = []
            for k in 0..<idx1.count {
                if pairsOnly || pairOf[k] >= 0 { status.append("matched") }
                else if idx1[k] >= 0 { status.append(reasons1[idx1[k]]?.rawValue ?? "not_detected") }
                else { status.append(reasons2[idx2[k]]?.rawValue ?? "not_detected") }
            }
            try out.add(Column(name: out.unusedName("match_status"), values: .string(status), description: "matched, not_detected (inside the other table's coverage) or not_covered"))
        }
        return out
    }
}
