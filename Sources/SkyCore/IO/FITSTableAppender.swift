// One FITS binary table written block by block, for tables larger than memory, atomically like every other
// output: the rows go to a temporary file beside the target, renamed onto it by `finish()`.
import Foundation

/// Writes a FITS binary table (HDU 1, after an empty primary HDU) one block of rows at a time.
///
/// The first block fixes the columns: names, types, widths, units, descriptions and integer storages (Int64
/// columns keep their `storage`, 64-bit when unset). Later blocks must have the same names, types and widths.
/// Every integer column gets a TNULLn chosen up front — the smallest value of a signed storage, the largest of an
/// unsigned one — because later blocks may hold missing values; a present value equal to it is an error (write
/// such a table in one piece with `FITSWriter`). Missing floats are NaN, missing logicals FITS nulls. String
/// columns are refused (their width would have to be known before the first block).
///
/// Not for concurrent use; each `append` converts its rows on all cores.
public final class FITSTableAppender {
    /// The file that appears when `finish()` succeeds.
    public let path: String
    /// Rows written so far.
    public private(set) var rowCount = 0
    private let tmp: String
    private let extname: String?
    private var handle: FITSHandle?
    private var layouts: [RawColumnLayout] = []
    /// The integer storage of each Int64 column (by column index).
    private var storages: [Int: IntegerStorage] = [:]
    private var rowBytes = 0
    private var schema: [(name: String, type: ColumnType, width: Int)]? = nil

    /// Starts the file (a temporary file in the folder of `path`, which must exist).
    public init(path: String, extname: String? = nil) throws {
        self.path = path
        self.extname = extname
        tmp = try temporarySibling(of: path)
        do {
            let h = try FITSHandle.create(tmp)
            try h.createImage(bitpix: 8, axes: [])
            handle = h
        } catch {
            unlink(tmp)
            var e = error
            e.file = path
            throw e
        }
    }

    deinit {
        if handle != nil {
            handle = nil   // closes the file
            unlink(tmp)
        }
    }

    /// Appends the rows of `block`.
    public func append(_ block: Catalogue) throws {
        guard let h = handle else { throw CatalogueError(.invalidArgument, "'\(path)' is already finished") }
        do {
            if let schema {
                var same = block.columns.count == schema.count
                for (c, want) in zip(block.columns, schema) where c.name != want.name || c.type != want.type || c.width != want.width { same = false }
                guard same else {
                    let got = block.columns.map { "\($0.name) \($0.type.rawValue)" }.joined(separator: ", ")
                    throw CatalogueError(.invalidArgument, "a block's columns (\(got)) differ from the first block's", source: path)
                }
            } else {
                try start(block, h)
            }
            try checkNulls(block)
            try FITSWriter.writeRawRows(block, layouts, rowBytes: rowBytes, to: h, firstRow: rowCount)
            rowCount += block.rowCount
        } catch var e as FITSError {
            e.file = path
            throw e
        }
    }

    /// Closes the table and renames it onto `path`.
    public func finish() throws {
        guard let h = handle else { throw CatalogueError(.invalidArgument, "'\(path)' is already finished") }
        guard schema != nil else { throw CatalogueError(.invalidArgument, "no block was appended to '\(path)', so it has no columns") }
        handle = nil
        do { try h.close() } catch {
            unlink(tmp)
            var e = error
            e.file = path
            throw e
        }
        try moveIntoPlace(tmp, path)
    }

    /// Creates the table from the first block's columns.
    private func start(_ first: Catalogue, _ h: FITSHandle) throws {
        var forms: [String] = [], units: [String] = []
        var storages: [Int: IntegerStorage] = [:], nullRaw: [Int: Int64] = [:]
        for (k, c) in first.columns.enumerated() {
            units.append(c.unit ?? "")
            switch c.values {
            case .int64:
                var st = c.storage ?? .int64
                if st == .uint64 { st = .int64 }
                storages[k] = st
                forms.append("\(c.width)\(st.tformCode)")
                // Signed storages: their minimum; unsigned: their maximum; as a raw (stored) value.
                let physical = [.uint8, .uint16, .uint32].contains(st) ? st.range.upperBound : st.range.lowerBound
                guard case .integer(_, let zero) = RawColumnLayout.integer(st) else { continue }
                nullRaw[k] = physical - zero
            case .uint64:
                forms.append("\(c.width)W")
                nullRaw[k] = Int64(bitPattern: UInt64.max ^ (1 << 63))
            case .double: forms.append("\(c.width)D")
            case .float: forms.append("\(c.width)E")
            case .bool: forms.append("\(c.width)L")
            case .string:
                throw CatalogueError(.unsupportedFormat, "string columns cannot be written block by block", source: path, column: c.name)
            }
        }
        try FITSWriter.createTableHDU(first, rows: 0, forms: forms, units: units, nullRaw: nullRaw, extname: extname, cards: [], on: h)
        self.storages = storages
        guard let (l, bytes) = FITSWriter.rawLayouts(first, storages: storages, nullRaw: nullRaw) else {
            throw CatalogueError(.unsupportedFormat, "these columns cannot be written block by block", source: path)
        }
        layouts = l; rowBytes = bytes
        schema = first.columns.map { ($0.name, $0.type, $0.width) }
    }

    /// Present integer values must differ from their column's null value, and fit its storage.
    private func checkNulls(_ block: Catalogue) throws {
        for (k, (c, l)) in zip(block.columns, layouts).enumerated() {
            guard let null = l.nullRaw else { continue }
            switch (c.values, l.kind) {
            case (.int64(let a), .integer(_, let zero)):
                let storage = storages[k] ?? .int64
                for (i, v) in a.enumerated() where c.missing?[i] != true && (v &- zero == null || !storage.range.contains(v)) {
                    throw CatalogueError(.invalidArgument, "value \(v) cannot be written block by block (it is the column's null value or outside its \(storage.rawValue) storage)",
                                         source: path, column: c.name, row: rowCount + i / c.width)
                }
            case (.uint64(let a), _):
                for (i, v) in a.enumerated() where c.missing?[i] != true && v == UInt64.max {
                    throw CatalogueError(.invalidArgument, "value \(v) is the column's null value", source: path, column: c.name, row: rowCount + i / c.width)
                }
            default: break
            }
        }
    }
}
