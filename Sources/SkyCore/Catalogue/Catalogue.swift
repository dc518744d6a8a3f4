import Foundation
// The columnar catalogue: the table every part of skytool reads and writes.

/// A columnar table of named, typed columns with a common row count.
///
/// Sky positions are right ascension and declination in **degrees** (ICRS unless the data say otherwise);
/// see `Catalogue+Position.swift` for how the position columns are found.
public struct Catalogue: Sendable, Equatable {
    public internal(set) var columns: [Column]
    public internal(set) var rowCount: Int
    /// Where the catalogue came from (a file path), used in error messages.
    public var source: String?
    /// Non-structural header cards of the FITS table it was read from (copied to FITS output).
    public var header: FITSHeader
    /// Explicitly chosen position columns; when nil they are auto-detected.
    public var positionColumns: PositionColumns?

    /// An empty catalogue with no columns and `rowCount` rows.
    public init(rowCount: Int = 0) {
        self.columns = []; self.rowCount = rowCount; self.header = FITSHeader(); self.source = nil
    }

    /// A catalogue of the given columns, which must have equal row counts and distinct names.
    public init(columns: [Column], source: String? = nil) throws(CatalogueError) {
        self.init(rowCount: columns.first?.rowCount ?? 0)
        self.source = source
        for c in columns { try add(c) }
    }

    public var columnNames: [String] { columns.map(\.name) }
    public var isEmpty: Bool { rowCount == 0 }

    /// Index of the column named `name`: exact match first, then case-insensitive.
    public func index(of name: String) -> Int? {
        if let i = columns.firstIndex(where: { $0.name == name }) { return i }
        let l = name.lowercased()
        return columns.firstIndex { $0.name.lowercased() == l }
    }

    public func hasColumn(_ name: String) -> Bool { index(of: name) != nil }

    /// `name`, or `name` followed by as many `_` as it takes to be a name no column has.
    public func unusedName(_ name: String) -> String {
        var n = name
        while hasColumn(n) { n += "_" }
        return n
    }

    /// The column named `name` (exact, then case-insensitive), or a `missingColumn` error.
    public func column(_ name: String) throws(CatalogueError) -> Column {
        guard let i = index(of: name) else {
            throw CatalogueError(.missingColumn, "no column named '\(name)' (columns: \(columnNames.prefix(40).joined(separator: ", "))\(columns.count > 40 ? ", ..." : ""))", source: source, column: name)
        }
        return columns[i]
    }

    public subscript(name: String) -> Column? {
        index(of: name).map { columns[$0] }
    }

    /// The named column as Doubles, missing values as NaN.
    public func doubles(_ name: String) throws(CatalogueError) -> [Double] {
        let c = try column(name)
        if case .string(let a) = c.values {
            // Name the first value that is not a number, so the user can fix the file.
            for r in 0..<c.rowCount where !c.isMissing(r * c.width) && Double(a[r * c.width].trimmingCharacters(in: .whitespaces)) == nil {
                throw CatalogueError(.wrongType, "column '\(c.name)' must be numeric but row \(r + 1) holds '\(a[r * c.width])'", source: source, column: c.name, row: r)
            }
        }
        return c.doubles()
    }

    /// Appends a column. Its row count must match (the first column of an empty catalogue sets it).
    public mutating func add(_ column: Column) throws(CatalogueError) {
        if columns.isEmpty && rowCount == 0 { rowCount = column.rowCount }
        guard column.rowCount == rowCount, column.values.count == column.rowCount * column.width else {
            throw CatalogueError(.lengthMismatch, "column '\(column.name)' has \(column.rowCount) rows, the catalogue \(rowCount)", source: source, column: column.name)
        }
        guard columns.allSatisfy({ $0.name != column.name }) else {
            throw CatalogueError(.duplicateColumn, "a column named '\(column.name)' already exists", source: source, column: column.name)
        }
        columns.append(column)
    }

    /// Adds `column`, or replaces the column of the same name in place.
    public mutating func set(_ column: Column) throws(CatalogueError) {
        if let i = columns.firstIndex(where: { $0.name == column.name }) {
            guard column.rowCount == rowCount else {
                throw CatalogueError(.lengthMismatch, "column '\(column.name)' has \(column.rowCount) rows, the catalogue \(rowCount)", source: source, column: column.name)
            }
            columns[i] = column
        } else {
            try add(column)
        }
    }

    /// Removes the named column if present.
    public mutating func remove(_ name: String) {
        columns.removeAll { $0.name == name }
    }

    /// Renames a column.
    public mutating func rename(_ name: String, to newName: String) throws(CatalogueError) {
        guard let i = index(of: name) else { _ = try column(name); return }
        if newName != columns[i].name, columns.contains(where: { $0.name == newName }) {
            throw CatalogueError(.duplicateColumn, "cannot rename '\(name)': a column named '\(newName)' already exists", source: source, column: newName)
        }
        columns[i].name = newName
    }
}
