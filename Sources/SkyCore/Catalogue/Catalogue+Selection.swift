// Row selection, projection, sorting and concatenation.

extension Catalogue {
    /// The rows at `indices` (0-based, any order, repeats allowed), all columns kept.
    public func rows(_ indices: [Int]) -> Catalogue {
        var out = self
        out.columns = columns.map { $0.rows(indices) }
        out.rowCount = indices.count
        return out
    }

    /// The rows at `indices` (0-based, any order, repeats allowed), where -1 gives a row whose values are all
    /// missing (`Column.rowsAllowingMissing`): the rows of one side of a join.
    public func rowsAllowingMissing(_ indices: [Int]) -> Catalogue {
        var out = self
        out.columns = columns.map { $0.rowsAllowingMissing(indices) }
        out.rowCount = indices.count
        return out
    }

    /// The rows whose `mask` entry is true. The mask must have `rowCount` entries.
    public func filter(_ mask: [Bool]) throws(CatalogueError) -> Catalogue {
        guard mask.count == rowCount else {
            throw CatalogueError(.lengthMismatch, "mask has \(mask.count) entries, catalogue \(rowCount) rows", source: source)
        }
        var idx: [Int] = []
        idx.reserveCapacity(rowCount)
        for i in 0..<mask.count where mask[i] { idx.append(i) }
        return rows(idx)
    }

    /// Only the named columns, in the given order.
    public func selecting(_ names: [String]) throws(CatalogueError) -> Catalogue {
        var out = Catalogue(rowCount: rowCount)
        out.source = source; out.header = header; out.positionColumns = positionColumns
        for n in names { try out.add(try column(n)) }
        return out
    }

    /// The row permutation that sorts by the named column (stable; missing values last).
    public func sortPermutation(by name: String, ascending: Bool = true) throws(CatalogueError) -> [Int] {
        let c = try column(name)
        var idx = Array(0..<rowCount)
        // Missing values last (in row order), ties in row order: a stable sort by (missing, value, row).
        func sort<T: Comparable>(_ value: (Int) -> T, missing miss: (Int) -> Bool) {
            idx.sort { i, j in
                let mi = miss(i), mj = miss(j)
                if mi != mj { return !mi }
                if mi { return i < j }
                let x = value(i), y = value(j)
                return x == y ? i < j : (ascending ? x < y : x > y)
            }
        }
        let w = c.width
        switch c.values {
        case .string(let a): sort({ a[$0 * w] }, missing: { c.isMissing($0 * w) })
        case .uint64(let a): sort({ a[$0 * w] }, missing: { c.isMissing($0 * w) })
        case .int64(let a): sort({ a[$0 * w] }, missing: { c.isMissing($0 * w) })
        default:
            let v = c.doubles()
            sort({ v[$0] }, missing: { v[$0].isNaN })
        }
        return idx
    }

    /// The catalogue sorted by the named column (stable; missing values last).
    public func sorted(by name: String, ascending: Bool = true) throws(CatalogueError) -> Catalogue {
        rows(try sortPermutation(by: name, ascending: ascending))
    }

    /// This catalogue's rows followed by `other`'s. Both must have the same column names and types
    /// (matched by name; `other`'s column order may differ).
    public func concatenated(with other: Catalogue) throws(CatalogueError) -> Catalogue {
        var out = self
        out.rowCount = rowCount + other.rowCount
        for (k, c) in columns.enumerated() {
            let o = try other.column(c.name)
            guard o.width == c.width, let joined = c.values.appending(o.values) else {
                throw CatalogueError(.wrongType, "cannot concatenate column '\(c.name)': \(c.type)[\(c.width)] vs \(o.type)[\(o.width)]", source: other.source, column: c.name)
            }
            var col = c
            col.values = joined
            if c.missing != nil || o.missing != nil {
                col.missing = (c.missing ?? Array(repeating: false, count: c.values.count)) + (o.missing ?? Array(repeating: false, count: o.values.count))
            }
            out.columns[k] = col
        }
        guard other.columns.count == columns.count else {
            let extra = other.columnNames.filter { !hasColumn($0) }
            throw CatalogueError(.missingColumn, "cannot concatenate: columns \(extra) are not in both catalogues", source: other.source, column: extra.first)
        }
        return out
    }
}

/// Kinds of join on a key column.
public enum JoinKind: String, Sendable, CaseIterable {
    /// Rows whose key is in both tables (each pairing of equal keys).
    case inner
    /// Every row of the left table, with the right table's columns missing where no key matches.
    case left
}

extension Catalogue {
    /// Joins `right` to this catalogue on equal values of a key column (integer or string).
    ///
    /// Output columns: this catalogue's, then `right`'s except its key; names present in both get the
    /// suffixes `_1` (left) and `_2` (right), as STILTS and the joined APPLAUSE tables do. Row order
    /// follows the left table; a left key with several right rows yields one row per pair, in right order.
    /// Missing keys never match.
    public func join(_ right: Catalogue, on key: String, rightKey: String? = nil, kind: JoinKind = .inner) throws(CatalogueError) -> Catalogue {
        let lk = try column(key)
        let rk = try right.column(rightKey ?? key)
        var map: [String: [Int]] = [:]
        func keyText(_ c: Column, _ r: Int) -> String? {
            c.isMissing(r * c.width) ? nil : c.text(at: r)
        }
        guard (lk.type == .string) == (rk.type == .string) else {
            throw CatalogueError(.wrongType, "join keys '\(lk.name)' (\(lk.type)) and '\(rk.name)' (\(rk.type)) have different types", source: source, column: lk.name)
        }
        map.reserveCapacity(right.rowCount)
        // Integer keys are compared exactly through their text form; floats are not allowed as keys.
        if lk.type == .double || lk.type == .float {
            throw CatalogueError(.wrongType, "join key '\(lk.name)' is floating point; use an integer or string key", source: source, column: lk.name)
        }
        for r in 0..<right.rowCount { if let k = keyText(rk, r) { map[k, default: []].append(r) } }
        var li: [Int] = [], ri: [Int] = []
        li.reserveCapacity(rowCount); ri.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            if let k = keyText(lk, r), let hits = map[k] {
                for h in hits { li.append(r); ri.append(h) }
            } else if kind == .left {
                li.append(r); ri.append(-1)
            }
        }
        let rightKeyName = rk.name
        let rightCols = right.columns.filter { $0.name != rightKeyName }
        let leftNames = Set(columnNames), rightNames = Set(rightCols.map(\.name))
        var out = Catalogue(rowCount: li.count)
        out.source = source; out.header = header
        for c in columns {
            var col = c.rows(li)
            if rightNames.contains(c.name) { col.name += "_1" }
            try out.add(col)
        }
        for c in rightCols {
            var col = c.rowsAllowingMissing(ri)
            if leftNames.contains(c.name) { col.name += "_2" }
            try out.add(col)
        }
        return out
    }
}
