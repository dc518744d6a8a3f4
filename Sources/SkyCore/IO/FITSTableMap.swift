// A FITS binary table read in place: the file mapped read-only into memory and its rows' fields decoded on
// demand, or (positions) never decoded at all. Reading a table copies its bytes through cfitsio's buffers
// and writes every chosen column into new arrays; the positions of ten million rows alone are 160 MB of new
// memory a table, a large part of a crossmatch where fresh memory is slow to fault in.
// A mapped table's bytes are the operating system's cached pages of the file, shared and already there.
//
// This is the one file that calls mmap; the pointers it hands out (`PositionReader`) are valid while the
// map lives, which the values holding them (`PositionSource`) guarantee by keeping it.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A binary-table HDU of a FITS file on disk, mapped read-only into memory. Columns are decoded from the
/// mapped rows on request (`read(columns:)`), and position columns can be used where they are
/// (`positions(_:)`), without decoding.
///
/// Only plain files map (no gzip, no cfitsio extended filename syntax: `FITSTableMap(path:)` returns nil for
/// those, and callers read the table as usual). The file must not be truncated while the map is in use:
/// the operating system stops a process that reads mapped pages beyond a file's end.
public final class FITSTableMap: @unchecked Sendable {
    /// The file.
    public let path: String
    /// The HDU mapped (0-based).
    public let hdu: Int
    public let rowCount: Int
    /// Bytes per row (NAXIS1).
    public let rowBytes: Int
    /// The table's columns without rows (names, types, units) and its header, as `Catalogue.schema(ofFile:)`.
    public let schema: Catalogue
    private let infos: [(Int, FITSHandle.ColumnInfo)]
    private let cards: [FITSHeaderCard]
    private let mapping: UnsafeMutableRawPointer
    private let mappedBytes: Int
    /// The first byte of the first row.
    let rows: UnsafeRawPointer

    /// Maps table HDU `hdu` of `path` (default: the first table HDU). Nil when the file cannot be read in
    /// place: compressed or named with cfitsio's extended syntax, an ASCII table, a table whose row layout
    /// SkyCore does not model (variable-length or complex columns), or a file shorter than its header says.
    /// Throws when the file cannot be opened as FITS, as `Catalogue.read` would.
    public init?(path: String, hdu: Int? = nil) throws {
        let lower = path.lowercased()
        if path.isEmpty || path == "-" || path.contains("[") || path.contains("://")
            || [".gz", ".z", ".fz", ".zip", ".bz2"].contains(where: { lower.hasSuffix($0) }) { return nil }
        let file = try FITSFile(path: path)
        let h = try file.resolveTableHDU(hdu)
        guard try file.handle.moveTo(hdu: h) == .binaryTable else { return nil }
        let cards = try file.handle.readCards()
        let (tableRows, ncols) = try file.handle.tableShape()
        guard case .int(let naxis1)? = cards.first(where: { $0.name == "NAXIS1" })?.value, naxis1 >= 0 else { return nil }
        var infos: [(Int, FITSHandle.ColumnInfo)] = []
        for c in 0..<ncols { infos.append((c + 1, try file.handle.columnInfo(c + 1))) }
        // The row layout must be one SkyCore models (every field's size known and adding up to NAXIS1).
        guard RawTableReader.plan(infos: infos, selected: [], cards: cards) != nil else { return nil }
        let (start, _) = try file.handle.dataAddress()
        let rowBytes = Int(naxis1)
        let (needed, overflow) = (tableRows * rowBytes).addingReportingOverflow(start)
        guard !overflow else { return nil }

        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) >= needed, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        // The pages are mapped up front (one call, ~30 ms for 240 MB in the page cache): touched first by the
        // first scattered reads, each page fault of a virtual machine cost ~10 µs, 0.2 s for two such files.
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let m = mmap(nil, size, PROT_READ, flags, fd, 0), m != MAP_FAILED else { return nil }
        // The mapped bytes must be the rows cfitsio reads (they are, for a plain file: a check, not a hope).
        let check = min(tableRows, 2) * rowBytes
        if check > 0 {
            var first = [UInt8](repeating: 0, count: check), last = first
            let lastRow = max(1, tableRows - 1)
            do {
                try first.withUnsafeMutableBufferPointer { b in if let p = b.baseAddress { try file.handle.readTableBytes(row: 1, count: check, into: p) } }
                try last.withUnsafeMutableBufferPointer { b in if let p = b.baseAddress { try file.handle.readTableBytes(row: lastRow, count: check, into: p) } }
            } catch { munmap(m, size); return nil }
            let same = UnsafeRawBufferPointer(start: m + start, count: check).elementsEqual(first)
                && UnsafeRawBufferPointer(start: m + start + (lastRow - 1) * rowBytes, count: check).elementsEqual(last)
            guard same else { munmap(m, size); return nil }
        }
        let schema = try file.readTable(hdu: h, rows: 0..<0).catalogue
        self.path = path; self.hdu = h; self.rowCount = tableRows; self.rowBytes = rowBytes
        self.infos = infos; self.cards = cards; self.schema = schema
        self.mapping = m; self.mappedBytes = size; self.rows = UnsafeRawPointer(m + start)
    }

    deinit { munmap(mapping, mappedBytes) }

    /// The 1-based number and description of the column named `name`, as a table read names it.
    private func field(_ name: String) -> (Int, FITSHandle.ColumnInfo)? { FITSFile.column(named: name, in: infos) }

    /// The positions of `columns` read in place, in **degrees**: nil unless both are scalar 64-bit floating
    /// point columns (TFORM `D`, no TSCAL/TZERO) holding degrees; then read the columns instead.
    public func positions(_ columns: PositionColumns) -> PositionSource? {
        guard !columns.radians, let ra = field(columns.ra), let dec = field(columns.dec),
              let plan = RawTableReader.plan(infos: infos, selected: [ra.0, dec.0], cards: cards),
              plan.allSatisfy({ $0.layout.kind == .double && $0.layout.width == 1 }) else { return nil }
        return PositionSource(table: self, raOffset: plan[0].layout.offset, decOffset: plan[1].layout.offset)
    }

    /// The named columns of every row (nil: all), decoded from the mapped rows on all cores for plain
    /// numeric and logical columns, else read through cfitsio: the same catalogue as
    /// `Catalogue.read(path, columns:)`.
    public func read(columns wanted: [String]? = nil) throws -> Catalogue {
        try read(columns: wanted, gathering: nil)
    }

    /// The named columns (nil: all) at the rows `rows` (0-based; -1 gives a missing row): row k of the result
    /// is table row rows[k]. The same catalogue as `read(columns:)` followed by
    /// `Column.rowsAllowingMissing(rows)` on every column, but only the listed rows are decoded (say, the
    /// matched rows of a crossmatch's output) and no column of the whole table is made.
    public func read(columns wanted: [String]? = nil, rows index: [Int]) throws -> Catalogue {
        if let bad = index.first(where: { $0 < -1 || $0 >= rowCount }) {
            throw CatalogueError(.invalidArgument, "row \(bad) requested from a table of \(rowCount) rows (HDU \(hdu))", source: path)
        }
        return try read(columns: wanted, gathering: index)
    }

    private func read(columns wanted: [String]?, gathering index: [Int]?) throws -> Catalogue {
        var selected: [(Int, FITSHandle.ColumnInfo)] = []
        for w in wanted ?? infos.map(\.1.name) {
            guard let hit = field(w) else {
                throw CatalogueError(.missingColumn, "no column named '\(w)' in HDU \(hdu) (columns: \(infos.map(\.1.name).joined(separator: ", ")))", source: path, column: w)
            }
            selected.append(hit)
        }
        let input = UnsafeSendablePointer(rows.assumingMemoryBound(to: UInt8.self))
        guard let plan = RawTableReader.plan(infos: infos, selected: selected.map(\.0), cards: cards) else {
            let whole = try FITSFile(path: path).readTable(hdu: hdu, columns: wanted).catalogue
            return index.map { whole.rowsAllowingMissing($0) } ?? whole
        }
        var cat = Catalogue(rowCount: index?.count ?? rowCount)
        cat.source = path
        cat.header = schema.header
        if let index, rowCount == 0 || !FITSTableMap.gathersInPlace(index, rowCount: rowCount) {
            // Many rows in no order: decoding the whole columns and gathering from them is faster (random
            // reads of the mapped file's small pages miss the TLB; the decoded arrays have huge pages). An
            // empty table has nothing to decode: every requested row is missing.
            for c in RawTableReader.decode(input, plan, rows: rowCount, rowBytes: rowBytes) { try cat.add(c.rowsAllowingMissing(index)) }
            return cat
        }
        for c in RawTableReader.decode(input, plan, rows: rowCount, rowBytes: rowBytes, gathering: index) { try cat.add(c) }
        return cat
    }

    /// Whether rows `index` are best decoded where they lie: they ascend (missing rows aside), or are few
    /// (under an eighth of the table). Many random rows read in place jump across the file and are slower
    /// than decoding the whole column and gathering from it; ascending rows stream, and need no decoded
    /// column at all.
    static func gathersInPlace(_ index: [Int], rowCount: Int) -> Bool {
        if index.count < rowCount / 8 { return true }
        var last = -1
        for r in index where r >= 0 {
            if r < last { return false }
            last = r
        }
        return true
    }
}
