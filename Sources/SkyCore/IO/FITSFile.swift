// Reading and writing FITS files: HDUs, headers, binary tables and images (all through cfitsio).
import Foundation

/// A summary of one HDU.
public struct FITSHDUInfo: Sendable, Equatable {
    /// 0-based HDU number (primary = 0), as in cfitsio's `file.fits[N]`.
    public var index: Int
    public var kind: FITSHDUKind
    /// EXTNAME, if any.
    public var name: String?
    /// Image axis lengths (NAXIS1 first), or [rows] for a table.
    public var shape: [Int]
    /// Image BITPIX (0 for tables).
    public var bitpix: Int
    /// Number of columns for a table (0 for images).
    public var columnCount: Int
}

/// An image read from FITS: pixels in FITS order (NAXIS1 varies fastest), with its header.
public struct FITSImage<Element: FITSImageElement>: Sendable {
    /// Axis lengths, NAXIS1 first.
    public var shape: [Int]
    public var pixels: [Element]
    public var header: FITSHeader
    /// The 1-based FITS pixel of `pixels[0]` (1,1 for a whole image; the section's first corner for a cutout).
    public var origin: [Int]

    public init(shape: [Int], pixels: [Element], header: FITSHeader = FITSHeader(), origin: [Int]? = nil) {
        self.shape = shape; self.pixels = pixels; self.header = header
        self.origin = origin ?? Array(repeating: 1, count: shape.count)
    }
    /// The pixel at 0-based (x, y) of a 2-D image (x along NAXIS1).
    public subscript(x: Int, y: Int) -> Element { pixels[y * shape[0] + x] }
}

/// An open FITS file. Open with a path, which may be gzip-compressed and may use cfitsio's extended
/// filename syntax (`file.fits[2]`, `file.fits[EVENTS]`); the HDU named there is the default target.
///
/// HDU numbers are 0-based (primary = 0) throughout, matching cfitsio's `[N]` syntax and astropy.
/// A `FITSFile` owns its cfitsio handle; use it from one task at a time.
public final class FITSFile {
    let handle: FITSHandle
    /// The path as given (including any extended-filename suffix).
    public let path: String
    /// The HDU that was current when the file was opened (the one named by `[N]`, else the primary).
    public let initialHDU: Int

    /// Opens `path` for reading.
    public init(path: String) throws(FITSError) {
        self.path = path
        self.handle = try FITSHandle.open(path)
        self.initialHDU = handle.currentHDU
    }

    /// Adds a hint to cfitsio errors on files whose size is not a whole number of 2880-byte FITS blocks.
    func annotated(_ e: FITSError) -> FITSError {
        var e = e
        var plain = path
        if plain.hasSuffix("]"), let i = plain.firstIndex(of: "[") { plain = String(plain[..<i]) }
        guard !plain.hasSuffix(".gz"), !plain.hasSuffix(".fz"),
              let attrs = try? FileManager.default.attributesOfItem(atPath: plain),
              let size = attrs[.size] as? Int, size % 2880 != 0 else { return e }
        e.stack.append("the file is \(size) bytes, not a multiple of 2880: it looks truncated")
        return e
    }

    /// Whether the path names an HDU explicitly (cfitsio extended syntax).
    private var pathNamesHDU: Bool { path.hasSuffix("]") }

    public func hduCount() throws(FITSError) -> Int { try handle.hduCount() }

    /// One summary per HDU, in file order.
    public func hdus() throws(FITSError) -> [FITSHDUInfo] {
        let n = try handle.hduCount()
        var out: [FITSHDUInfo] = []
        for i in 0..<n {
            let kind = try handle.moveTo(hdu: i)
            let name = try handle.readKey("EXTNAME")?.stringValue
            switch kind {
            case .image:
                let (bitpix, axes) = try handle.imageShape()
                out.append(FITSHDUInfo(index: i, kind: kind, name: name, shape: axes, bitpix: bitpix, columnCount: 0))
            case .binaryTable, .asciiTable:
                let (rows, cols) = try handle.tableShape()
                out.append(FITSHDUInfo(index: i, kind: kind, name: name, shape: [rows], bitpix: 0, columnCount: cols))
            }
        }
        return out
    }

    /// The header of HDU `hdu` (default: the HDU the file was opened at).
    public func header(hdu: Int? = nil) throws(FITSError) -> FITSHeader {
        try handle.moveTo(hdu: hdu ?? initialHDU)
        return FITSHeader(try handle.readCards())
    }

    /// The 80-character card images of an HDU's header, for wcslib.
    func headerText(hdu: Int) throws(FITSError) -> (text: [CChar], count: Int) {
        try handle.moveTo(hdu: hdu)
        return try handle.headerString()
    }

    /// The HDU a table read goes to: the given one; else the one named in the path; else the first table.
    func resolveTableHDU(_ hdu: Int?) throws(FITSError) -> Int {
        if let hdu { return hdu }
        if pathNamesHDU { return initialHDU }
        let n = try handle.hduCount()
        for i in 0..<n where try handle.moveTo(hdu: i) != .image { return i }
        throw FITSError(status: 235, message: "no table HDU in the file", operation: "looking for a table", file: path, hdu: nil)
    }

    /// The HDU an image read goes to: the given one; else the one named in the path; else the first
    /// image HDU with data.
    public func resolveImageHDU(_ hdu: Int?) throws(FITSError) -> Int {
        if let hdu { return hdu }
        if pathNamesHDU { return initialHDU }
        let n = try handle.hduCount()
        for i in 0..<n where try handle.moveTo(hdu: i) == .image {
            if try !handle.imageShape().axes.isEmpty { return i }
        }
        throw FITSError(status: 233, message: "no image with data in the file", operation: "looking for an image", file: path, hdu: nil)
    }

    // MARK: images

    /// Reads a whole image, scaled by BSCALE/BZERO, blank pixels as NaN. BITPIX 8/16/32/64/-32/-64.
    public func readImage<T: FITSImageElement>(hdu: Int? = nil, as type: T.Type = Double.self) throws(FITSError) -> FITSImage<T> {
        do { return try readImageUnannotated(hdu: hdu, as: type) } catch { throw annotated(error) }
    }

    private func readImageUnannotated<T: FITSImageElement>(hdu: Int?, as type: T.Type) throws(FITSError) -> FITSImage<T> {
        let h = try resolveImageHDU(hdu)
        let kind = try handle.moveTo(hdu: h)
        guard kind == .image else {
            throw FITSError(status: 233, message: "HDU is a table, not an image", operation: "reading an image", file: path, hdu: h)
        }
        let (_, axes) = try handle.imageShape()
        let header = FITSHeader(try handle.readCards())
        if axes.isEmpty || axes.contains(0) { return FITSImage(shape: axes, pixels: [], header: header) }
        let px = try handle.readImageSection(first: axes.map { _ in 1 }, last: axes, as: T.self)
        return FITSImage(shape: axes, pixels: px, header: header)
    }

    /// Reads a rectangular section (a cutout) without reading the rest of the image.
    /// `first` and `last` are 1-based inclusive FITS pixel corners, NAXIS1 first; they must lie inside.
    public func readImageSection<T: FITSImageElement>(hdu: Int? = nil, first: [Int], last: [Int], as type: T.Type = Double.self) throws(FITSError) -> FITSImage<T> {
        let h = try resolveImageHDU(hdu)
        try handle.moveTo(hdu: h)
        let (_, axes) = try handle.imageShape()
        guard first.count == axes.count, last.count == axes.count,
              zip(zip(first, last), axes).allSatisfy({ $0.0 >= 1 && $0.0 <= $0.1 && $0.1 <= $1 }) else {
            throw FITSError(status: 321, message: "section \(first)-\(last) is outside the image \(axes)", operation: "reading an image section", file: path, hdu: h)
        }
        let header = FITSHeader(try handle.readCards())
        let px = try handle.readImageSection(first: first, last: last, as: T.self)
        return FITSImage(shape: zip(first, last).map { $1 - $0 + 1 }, pixels: px, header: header, origin: first)
    }

    // MARK: tables

    /// Reads a binary table HDU into a catalogue (default: the HDU named in the path, else the first table).
    ///
    /// Types: L → Bool; B, S, I, U, J, V, K → Int64 (with `storage` recording the FITS type); W (TZERO 2^63)
    /// → UInt64; E → Float; D → Double; A → String; scaled integers (TSCAL/TZERO other than the unsigned
    /// offsets) → Float or Double as cfitsio's equivalent type says. TNULLn values, NaN and null logicals
    /// are missing; an empty string is missing. Vector columns (repeat > 1) keep `width` = repeat.
    /// Columns of other types (bit, complex, variable-length arrays) are skipped and listed in
    /// `skippedColumns` of the returned `FITSTableRead`.
    ///
    /// `rows`: only these rows (0-based; a table read block by block), which must lie within the table.
    public func readTable(hdu: Int? = nil, columns wanted: [String]? = nil, rows: Range<Int>? = nil) throws -> FITSTableRead {
        do { return try readTableUnannotated(hdu: hdu, columns: wanted, rows: rows, rawRows: true, blockBytes: rawBlockBytes) } catch let e as FITSError { throw annotated(e) }
    }

    /// The number of rows of a table HDU (default: the HDU named in the path, else the first table).
    public func tableRowCount(hdu: Int? = nil) throws(FITSError) -> Int {
        let h = try resolveTableHDU(hdu)
        _ = try handle.moveTo(hdu: h)
        return try handle.tableShape().rows
    }

    /// The column named `name` among a table's columns (1-based number and description): the exact name
    /// first, then case-insensitively (FITS column names are case-insensitive by convention), nil if none.
    static func column(named name: String, in infos: [(Int, FITSHandle.ColumnInfo)]) -> (Int, FITSHandle.ColumnInfo)? {
        infos.first { $0.1.name == name } ?? infos.first { $0.1.name.lowercased() == name.lowercased() }
    }

    /// `readTable` with the raw-row path on or off, in blocks of about `blockBytes` (tests compare the paths).
    func readTable(hdu: Int?, columns wanted: [String]?, rows: Range<Int>? = nil, rawRows: Bool, blockBytes: Int = rawBlockBytes) throws -> FITSTableRead {
        do { return try readTableUnannotated(hdu: hdu, columns: wanted, rows: rows, rawRows: rawRows, blockBytes: blockBytes) } catch let e as FITSError { throw annotated(e) }
    }

    private func readTableUnannotated(hdu: Int?, columns wanted: [String]?, rows wantedRows: Range<Int>?, rawRows: Bool, blockBytes: Int) throws -> FITSTableRead {
        let h = try resolveTableHDU(hdu)
        let kind = try handle.moveTo(hdu: h)
        guard kind != .image else {
            throw FITSError(status: 235, message: "HDU is an image, not a table", operation: "reading a table", file: path, hdu: h)
        }
        let cards = try handle.readCards()
        let (tableRows, ncols) = try handle.tableShape()
        let range = wantedRows ?? 0..<tableRows
        guard range.lowerBound >= 0, range.upperBound <= tableRows else {
            throw CatalogueError(.invalidArgument, "rows \(range.lowerBound)..<\(range.upperBound) are outside HDU \(h)'s \(tableRows) rows", source: path)
        }
        let nrows = range.count, rowOffset = range.lowerBound
        var infos: [(Int, FITSHandle.ColumnInfo)] = []
        for c in 0..<ncols { infos.append((c + 1, try handle.columnInfo(c + 1))) }
        let allInfos = infos
        if let wanted {
            var sel: [(Int, FITSHandle.ColumnInfo)] = []
            for w in wanted {
                guard let hit = FITSFile.column(named: w, in: infos) else {
                    throw CatalogueError(.missingColumn, "no column named '\(w)' in HDU \(h) (columns: \(infos.map(\.1.name).joined(separator: ", ")))", source: path, column: w)
                }
                sel.append(hit)
            }
            infos = sel
        }
        var cat = Catalogue(rowCount: nrows)
        cat.source = path
        cat.header = FITSHeader(cards.filter { !FITSHeader.isStructural($0.name) })
        // Tables of plain numeric and logical columns: raw row blocks decoded on all cores.
        if rawRows, let plan = RawTableReader.plan(infos: allInfos, selected: infos.map(\.0), cards: cards),
           case .int(let rowBytes)? = cards.first(where: { $0.name == "NAXIS1" })?.value {
            for c in try RawTableReader.read(handle, plan, rows: nrows, rowBytes: Int(rowBytes), fileRowOffset: rowOffset, blockBytes: blockBytes) { try cat.add(c) }
            return FITSTableRead(catalogue: cat, hdu: h, skippedColumns: [])
        }
        var readers: [TableColumnReader] = []
        var skipped: [String] = []
        for (num, info) in infos {
            if let r = TableColumnReader(number: num, info: info, rows: nrows) { readers.append(r) } else { skipped.append(info.name) }
        }
        let chunk = try handle.optimalRows()
        var row = 0
        var nulls = [CChar](repeating: 0, count: chunk * (readers.map(\.repeatCount).max() ?? 1))
        while row < nrows {
            let n = min(chunk, nrows - row)
            for r in readers { try r.read(handle, firstRow: row, rows: n, fileRowOffset: rowOffset, nulls: &nulls) }
            row += n
        }
        for r in readers { try cat.add(r.finish()) }
        return FITSTableRead(catalogue: cat, hdu: h, skippedColumns: skipped)
    }
}

/// The result of reading a FITS table.
public struct FITSTableRead: Sendable {
    public var catalogue: Catalogue
    /// The HDU read (0-based).
    public var hdu: Int
    /// Columns that were not read because SkyCore has no type for them (bit, complex, variable-length).
    public var skippedColumns: [String]
}

/// Reads one column in row chunks straight into its final array.
final class TableColumnReader {
    let number: Int
    let info: FITSHandle.ColumnInfo
    let repeatCount: Int
    let rows: Int
    let kind: Kind
    var storage: IntegerStorage?
    var i64: [Int64] = [], u64: [UInt64] = [], f32: [Float] = [], f64: [Double] = [], bools: [CChar] = []
    var strings: [String] = []
    var missingFlags: [Bool] = []

    enum Kind { case bool, int64, uint64, float, double, string(width: Int) }

    init?(number: Int, info: FITSHandle.ColumnInfo, rows: Int) {
        self.number = number; self.info = info; self.rows = rows
        var rep = max(1, info.repeatCount)
        switch info.equivType {
        case FITSTypeCode.logical: kind = .bool
        case FITSTypeCode.byte: kind = .int64; storage = .uint8
        case FITSTypeCode.sbyte: kind = .int64; storage = .int8
        case FITSTypeCode.short: kind = .int64; storage = .int16
        case FITSTypeCode.ushort: kind = .int64; storage = .uint16
        case FITSTypeCode.int, FITSTypeCode.long: kind = .int64; storage = .int32
        case FITSTypeCode.uint, FITSTypeCode.ulong: kind = .int64; storage = .uint32
        case FITSTypeCode.longlong: kind = .int64; storage = .int64
        case FITSTypeCode.ulonglong: kind = .uint64; storage = .uint64
        case FITSTypeCode.float: kind = .float
        case FITSTypeCode.double: kind = .double
        case FITSTypeCode.string: kind = .string(width: max(1, info.repeatCount)); rep = 1
        default: return nil
        }
        if info.repeatCount == 0 { return nil }
        repeatCount = rep
        let n = rows * rep
        switch kind {
        case .bool: bools = Array(repeating: 0, count: n)
        case .int64: i64 = Array(repeating: 0, count: n)
        case .uint64: u64 = Array(repeating: 0, count: n)
        case .float: f32 = Array(repeating: 0, count: n)
        case .double: f64 = Array(repeating: 0, count: n)
        case .string: strings.reserveCapacity(rows)
        }
    }

    /// Reads rows firstRow..<firstRow+n of the selection (table rows shifted by `fileRowOffset`).
    func read(_ h: FITSHandle, firstRow: Int, rows n: Int, fileRowOffset: Int = 0, nulls: inout [CChar]) throws {
        let off = firstRow * repeatCount, ne = n * repeatCount
        let fileRow = firstRow + fileRowOffset
        var any = false
        switch kind {
        case .string(let width):
            var buf = [CChar](repeating: 0, count: n * (width + 1))
            try buf.withUnsafeMutableBufferPointer { b throws(FITSError) in
                guard let base = b.baseAddress else { return }
                try h.readStrings(number, name: info.name, row: fileRow + 1, rows: n, width: width, buffer: base)
                for i in 0..<n {
                    let p = base + i * (width + 1)
                    var len = strnlen(p, width)
                    while len > 0 && p[len - 1] == 0x20 { len -= 1 }
                    let s = String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
                    strings.append(s)
                }
            }
            return
        case .bool: any = try readInto(&bools, h, .logical, firstRow: fileRow, off: off, ne: ne, nulls: &nulls)
        case .int64: any = try readInto(&i64, h, .int64, firstRow: fileRow, off: off, ne: ne, nulls: &nulls)
        case .uint64: any = try readInto(&u64, h, .uint64, firstRow: fileRow, off: off, ne: ne, nulls: &nulls)
        case .float: any = try readInto(&f32, h, .float, firstRow: fileRow, off: off, ne: ne, nulls: &nulls)
        case .double: any = try readInto(&f64, h, .double, firstRow: fileRow, off: off, ne: ne, nulls: &nulls)
        }
        if any {
            if missingFlags.isEmpty { missingFlags = Array(repeating: false, count: rows * repeatCount) }
            for k in 0..<ne where nulls[k] != 0 { missingFlags[off + k] = true }
        }
    }

    private func readInto<T>(_ arr: inout [T], _ h: FITSHandle, _ k: FITSReadKind, firstRow: Int, off: Int, ne: Int, nulls: inout [CChar]) throws(FITSError) -> Bool {
        let number = self.number, name = info.name
        let integerSource = info.rawType != FITSTypeCode.float && info.rawType != FITSTypeCode.double
        return try arr.withUnsafeMutableBufferPointer { b throws(FITSError) -> Bool in
            try nulls.withUnsafeMutableBufferPointer { nb throws(FITSError) -> Bool in
                guard let base = b.baseAddress, let nbase = nb.baseAddress else { return false }
                return try h.readColumn(number, name: name, row: firstRow + 1, nelem: ne, kind: k, integerSource: integerSource, into: UnsafeMutableRawPointer(base + off), nulls: nbase)
            }
        }
    }

    func finish() -> Column {
        let values: ColumnValues
        switch kind {
        case .bool: values = .bool(bools.map { $0 != 0 })
        case .int64: values = .int64(i64)
        case .uint64: values = .uint64(u64)
        case .float: values = .float(f32)
        case .double: values = .double(f64)
        case .string:
            values = .string(strings)
            missingFlags = strings.map(\.isEmpty)
        }
        return Column(name: info.name, values: values, missing: missingFlags.isEmpty ? nil : missingFlags, width: repeatCount,
                      unit: info.unit.isEmpty ? nil : info.unit,
                      description: info.comment.isEmpty ? nil : info.comment, storage: storage)
    }
}
