// Matching two catalogue files read the cheapest way: a plain FITS table whose positions are double-precision
// columns in degrees is mapped and matched where its positions lie (never decoded); only the other columns the
// match needs are read before it, and the output columns after it, one table at a time, so that they never
// share memory with the match's working arrays. What `skytool match` does, callable from Swift.
import SkyCore

/// One catalogue file of a file-to-file match (`CatalogueFiles`).
public struct MatchInput: Sendable {
    /// FITS (first table HDU) or CSV, by extension.
    public var path: String
    /// The position columns (degrees unless `radians`); nil: detected from the column names.
    public var positionColumns: PositionColumns?
    /// Per-row columns the match criterion reads from this table (radius, errors, ellipse axes), read
    /// before the match together with the positions.
    public var criterionColumns: [String]

    public init(path: String, positionColumns: PositionColumns? = nil, criterionColumns: [String] = []) {
        self.path = path; self.positionColumns = positionColumns; self.criterionColumns = criterionColumns
    }
}

/// Two catalogue files read for a match: the columns the match needs (`table1`, `table2`: positions unless
/// they are read in place, criterion and proper-motion columns), and how each file's output columns are read
/// after the match. Build the match criterion from `table1`/`table2` (per-row radii, errors), then call
/// `match(options:)`.
public struct CatalogueFiles: Sendable {
    /// The match's columns of each file (no columns, but the file's row count, when its positions are read
    /// in place and it needs nothing else).
    public let table1: Catalogue, table2: Catalogue
    let plan1: ReadPlan, plan2: ReadPlan

    /// Reads `input1` and `input2` for a match with `options`: `options.columns1`/`columns2` name the output
    /// columns (nil: all), checked against the files before anything else is read; the options' epochs decide
    /// whether a table's proper motions are read (`CatalogueMatchOptions.mayMove(table:)`), and its epoch
    /// column is read with the positions. `joining`: whether the joined table will be wanted
    /// (without it no output columns are read at all). Files not read in place are read at the same time.
    public init(_ input1: MatchInput, _ input2: MatchInput, options: CatalogueMatchOptions, joining: Bool) throws {
        let p1 = try ReadPlan(input1, output: options.columns1, joining: joining, epochColumn: options.epochColumn1, properMotions: options.mayMove(table: 1))
        let p2 = try ReadPlan(input2, output: options.columns2, joining: joining, epochColumn: options.epochColumn2, properMotions: options.mayMove(table: 2))
        let unmapped = [(input1, p1), (input2, p2)].filter { $0.1.map == nil }
        var read = try Catalogue.read(unmapped.map(\.0.path), columns: unmapped.map(\.1.now))
        func table(_ input: MatchInput, _ plan: ReadPlan) throws -> Catalogue {
            if let map = plan.map {
                guard let now = plan.now, !now.isEmpty else { var t = Catalogue(rowCount: map.rowCount); t.source = input.path; return t }
                return try map.read(columns: now)
            }
            var t = read.removeFirst()
            if let p = input.positionColumns { t.positionColumns = p }
            return t
        }
        table1 = try table(input1, p1); table2 = try table(input2, p2)
        plan1 = p1; plan2 = p2
    }

    /// Matches the two files (`options` as for `init`, with the criterion built from `table1`/`table2`).
    /// Output columns to be read after the match are not kept by it (`CatalogueFileMatch.table()` reads them).
    public func match(options: CatalogueMatchOptions) throws -> CatalogueFileMatch {
        var options = options
        if plan1.map != nil || plan1.later != nil { options.columns1 = [] }
        if plan2.map != nil || plan2.later != nil { options.columns2 = [] }
        func positions(_ plan: ReadPlan, _ t: Catalogue) throws -> PositionSource {
            if let p = plan.positions { return p }
            let (ra, dec) = try t.positions()
            return PositionSource(ra: ra, dec: dec)
        }
        let m = try CatalogueMatch(table1, positions1: try positions(plan1, table1), table2, positions2: try positions(plan2, table2), options: options)
        return CatalogueFileMatch(match: m, later1: plan1.later, later2: plan2.later)
    }
}

/// A match of two catalogue files (`CatalogueFiles.match(options:)`): the match, and its joined table with
/// output columns read after the match.
public struct CatalogueFileMatch: Sendable {
    public let match: CatalogueMatch
    let later1: LaterRead?, later2: LaterRead?

    /// The joined table (as `CatalogueMatch.table()`), output columns read from the files after the match
    /// where the match did not keep them, one table at a time.
    public func table() throws -> Catalogue {
        // Columns the match kept are gathered from it; mapped files decode the output rows (`LaterRead`).
        try match.table(gathering: { try later1?.read(rows: $0) ?? match.outputColumns1.rowsAllowingMissing($0) },
                                  { try later2?.read(rows: $0) ?? match.outputColumns2.rowsAllowingMissing($0) })
    }
}

/// Output columns of one file read after the match: decoded from its mapped rows, or read from the file.
struct LaterRead: Sendable {
    let path: String
    let map: FITSTableMap?
    /// nil: all columns.
    let columns: [String]?
    /// The output columns at rows `index` (-1: missing), as `Catalogue.rowsAllowingMissing` on the whole columns.
    func read(rows index: [Int]) throws -> Catalogue {
        if let map { return try map.read(columns: columns, rows: index) }
        return try Catalogue.read(path, columns: columns).rowsAllowingMissing(index)
    }
}

/// How one file is read. A FITS table whose positions are double-precision columns in degrees is read in
/// place (`map`, `positions`): only the match's other columns (`now`) are decoded before the match, and the
/// output columns after it. Otherwise `now` are the columns read before the match (nil: all), and `later`
/// the output columns read after it (FITS with explicit output columns that the match does not need).
struct ReadPlan: Sendable {
    var map: FITSTableMap? = nil
    var positions: PositionSource? = nil
    var now: [String]? = nil
    var later: LaterRead? = nil

    init() {}

    /// The plan for `input` with output columns `output` (nil: all): the positions, criterion columns, the
    /// epoch column and (when `properMotions`) proper motions are the match's columns; output columns are
    /// checked against the file's columns before anything is read.
    init(_ input: MatchInput, output: [String]?, joining: Bool, epochColumn: String?, properMotions: Bool) throws {
        let path = input.path
        let map = CatalogueFormat.infer(path: path) == .fits ? try FITSTableMap(path: path) : nil
        guard map != nil || (joining && output != nil), var schema = try map?.schema ?? Catalogue.schema(ofFile: path) else { return }
        if let output { _ = try schema.selecting(output) }
        if let p = input.positionColumns { schema.positionColumns = p }
        let p = try schema.detectPositionColumns()
        let pm = properMotions ? schema.detectProperMotionColumns().map { [$0.pmra, $0.pmdec] } ?? [] : []
        var need: [String] = []
        for c in [p.ra, p.dec] + input.criterionColumns + [epochColumn].compactMap({ $0 }) + pm where !need.contains(c) { need.append(c) }
        if let map, let positions = map.positions(p) {
            self.map = map; self.positions = positions; now = need.filter { $0 != p.ra && $0 != p.dec }
            later = joining ? LaterRead(path: path, map: map, columns: output) : nil
            return
        }
        guard joining, let output else { return }
        now = need
        if !output.allSatisfy({ need.contains($0) }) { later = LaterRead(path: path, map: nil, columns: output) }
    }
}
