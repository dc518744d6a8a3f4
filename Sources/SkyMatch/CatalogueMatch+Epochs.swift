// Catalogue positions moved to the epoch of a match by their proper motions: each table's epoch is one value
// or given per row by a column, and the match epoch is table 2's (or one the caller names).
import SkyCore

extension CatalogueMatchOptions {
    /// Whether table `k`'s epoch is known (`epoch1`/`epochColumn1` for table 1, likewise for table 2).
    func hasEpoch(table k: Int) -> Bool {
        k == 1 ? epoch1 != nil || epochColumn1 != nil : epoch2 != nil || epochColumn2 != nil
    }

    /// Whether the match may move table `k`'s positions, so that its proper motions are needed: both tables'
    /// epochs are known and the table's epoch may differ from the match epoch (which it may whenever either
    /// comes from a column).
    func mayMove(table k: Int) -> Bool {
        guard hasEpoch(table: 1) && hasEpoch(table: 2) else { return false }
        guard (k == 1 ? epochColumn1 : epochColumn2) == nil, let own = k == 1 ? epoch1 : epoch2 else { return true }
        guard let target = matchEpoch ?? (epochColumn2 == nil ? epoch2 : nil) else { return true }
        return own != target
    }
}

/// One table's epochs (Julian years; NaN where unknown: the row is matched where it is): per row from a
/// column (rows without a value already given the fixed epoch), or the fixed epoch for every row — then
/// without an array of the table's length.
struct RowEpochs {
    let column: [Double]?
    let fixed: Double

    subscript(_ i: Int) -> Double { column?[i] ?? fixed }

    /// The first row whose epoch is known and differs from `target`, nil if none.
    func firstDiffering(from target: Double, rows n: Int) -> Int? {
        guard let column else { return fixed.isNaN || fixed == target || n == 0 ? nil : 0 }
        return column.firstIndex { !$0.isNaN && $0 != target }
    }
}

extension CatalogueMatch {
    /// Julian years an epoch must lie in (an MJD or JD is far outside, and is reported rather than used).
    static let plausibleEpochs = 1000.0...3000.0

    /// Table `k`'s epoch per row (Julian years; NaN where unknown: the row is matched where it is): the
    /// value of `column` where it has one, else `fixed`. Values outside `plausibleEpochs` are an error that
    /// names the table, column and row.
    static func rowEpochs(_ t: Catalogue, column: String?, fixed: Double?, table k: Int) throws -> RowEpochs {
        if let fixed, !plausibleEpochs.contains(fixed) {
            throw CatalogueError(.invalidArgument, "the epoch of table \(k), \(fixed), is not a Julian year (\(plausibleEpochs.lowerBound)–\(plausibleEpochs.upperBound))", source: t.source)
        }
        guard let column else { return RowEpochs(column: nil, fixed: fixed ?? .nan) }
        var e = try t.doubles(column)
        for i in e.indices {
            if e[i].isNaN { e[i] = fixed ?? .nan; continue }
            guard plausibleEpochs.contains(e[i]) else {
                throw CatalogueError(.invalidArgument, "epoch column '\(column)' of table \(k) holds \(e[i]) at row \(i + 1), not a Julian year (an MJD is 2000 + (MJD − 51544.5)/365.25)",
                                     source: t.source, column: column, row: i)
            }
        }
        return RowEpochs(column: e, fixed: fixed ?? .nan)
    }

    /// The epoch both tables are matched at (Julian years): `matchEpoch`, else table 2's epoch, which must
    /// then be one value (rows of `epochColumn2` without a value take `epoch2`). Nil when nothing is moved:
    /// either table's epoch is unknown.
    static func matchEpoch(_ t2: Catalogue, epochs2: RowEpochs?, _ o: CatalogueMatchOptions) throws -> Double? {
        guard o.hasEpoch(table: 1) && o.hasEpoch(table: 2) else {
            if o.matchEpoch != nil {
                throw CatalogueError(.invalidArgument, "a match epoch needs the epochs of both tables (epoch or epoch column of each)", source: t2.source)
            }
            return nil
        }
        if let m = o.matchEpoch {
            guard plausibleEpochs.contains(m) else { throw CatalogueError(.invalidArgument, "the match epoch \(m) is not a Julian year") }
            return m
        }
        guard let e = epochs2?.column else { return o.epoch2 }
        var one: Double? = nil
        for (i, x) in e.enumerated() where !x.isNaN {
            guard let v = one else { one = x; continue }
            if x != v {
                throw CatalogueError(.invalidArgument, "table 2's epochs differ (\(v) and \(x) at row \(i + 1) of column '\(o.epochColumn2 ?? "")'): name the epoch to match at (match epoch), to which table 2 is moved as well",
                                     source: t2.source, column: o.epochColumn2, row: i)
            }
        }
        return one
    }

    /// Positions `p` of table `k` (`t`, its epochs `epochs` per row) moved to `target` by `t`'s proper motions
    /// (`SkyGeometry.propagate`, row by row); `p` itself when no row's epoch differs from the target. Rows
    /// without an epoch or a proper motion stay where they are. Table `k` without proper-motion columns is an
    /// error when a row must move.
    static func moved(_ p: PositionSource, _ t: Catalogue, epochs: RowEpochs, to target: Double, table k: Int) throws -> PositionSource {
        guard let first = epochs.firstDiffering(from: target, rows: p.count) else { return p }
        guard let pm = t.detectProperMotionColumns() else {
            throw CatalogueError(.missingColumn, "table \(k) must move from epoch \(epochs[first]) (row \(first + 1)) to \(target) but has no proper-motion columns (pmra/pmdec)", source: t.source)
        }
        var (ra, dec) = p.arrays()
        let pmra = try t.doubles(pm.pmra), pmdec = try t.doubles(pm.pmdec)
        for i in first..<ra.count {
            let e = epochs[i]
            guard !e.isNaN && e != target else { continue }
            (ra[i], dec[i]) = SkyGeometry.propagate(ra: ra[i], dec: dec[i], pmra: pmra[i], pmdec: pmdec[i], fromEpoch: e, toEpoch: target)
        }
        return PositionSource(ra: ra, dec: dec)
    }

    /// Both tables' positions at the match epoch (`matchEpoch(_:epochs2:_:)`), each moved from its own
    /// epochs when they differ from it; as given when either table's epoch is unknown.
    static func atMatchEpoch(_ p1: PositionSource, _ t1: Catalogue, _ p2: PositionSource, _ t2: Catalogue,
                             _ o: CatalogueMatchOptions) throws -> (PositionSource, PositionSource) {
        guard let (target, e2) = try epochsOfTable2(t2, o) else { return (p1, p2) }
        let e1 = try rowEpochs(t1, column: o.epochColumn1, fixed: o.epoch1, table: 1)
        return (try moved(p1, t1, epochs: e1, to: target, table: 1), try moved(p2, t2, epochs: e2, to: target, table: 2))
    }

    /// The match epoch and table 2's epochs per row, or nil when nothing moves.
    static func epochsOfTable2(_ t2: Catalogue, _ o: CatalogueMatchOptions) throws -> (Double, RowEpochs)? {
        let e2 = o.hasEpoch(table: 1) && o.hasEpoch(table: 2) ? try rowEpochs(t2, column: o.epochColumn2, fixed: o.epoch2, table: 2) : nil
        guard let target = try matchEpoch(t2, epochs2: e2, o), let e2 else { return nil }
        return (target, e2)
    }

    /// Table 1's positions (degrees) at `target` (nil: as given), moved by their proper motions from their
    /// epochs (`epoch1`, `epochColumn1`).
    static func positions1(_ t1: Catalogue, _ o: CatalogueMatchOptions, target: Double?) throws -> (ra: [Double], dec: [Double]) {
        let (ra, dec) = try t1.positions()
        guard let target else { return (ra, dec) }
        let e1 = try rowEpochs(t1, column: o.epochColumn1, fixed: o.epoch1, table: 1)
        return try moved(PositionSource(ra: ra, dec: dec), t1, epochs: e1, to: target, table: 1).arrays()
    }
}
