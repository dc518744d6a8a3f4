// The one file that calls cfitsio. Every C pointer and status code stays here; the rest of SkyCore sees
// `FITSHandle` methods that throw `FITSError`.
internal import CSkyFITSIO
import Foundation

/// Owns one open `fitsfile*`; closes it in `deinit`. Not shared across tasks.
final class FITSHandle {
    private var fptr: UnsafeMutablePointer<fitsfile>?
    let path: String
    /// 0-based HDU number (primary = 0), the numbering of cfitsio's `file.fits[N]`.
    private(set) var currentHDU: Int = 0

    private init(fptr: UnsafeMutablePointer<fitsfile>, path: String) {
        self.fptr = fptr
        self.path = path
        var n: Int32 = 0
        ffghdn(fptr, &n)
        currentHDU = Int(n) - 1
    }

    deinit {
        if let fptr {
            var status: Int32 = 0
            ffclos(fptr, &status)
            ffcmsg()
        }
    }

    // MARK: errors

    /// Builds a FITSError from a status and drains cfitsio's (global) message stack.
    static func error(_ status: Int32, _ operation: String, file: String, hdu: Int?) -> FITSError {
        var text = [CChar](repeating: 0, count: 81)
        ffgerr(status, &text)
        let message = decode(text)
        var stack: [String] = []
        var msg = [CChar](repeating: 0, count: 81)
        while ffgmsg(&msg) != 0 {
            stack.append(decode(msg))
            if stack.count > 64 { break }
        }
        return FITSError(status: status, message: message, stack: stack, operation: operation, file: file, hdu: hdu)
    }

    @inline(__always)
    private func check(_ status: Int32, _ operation: @autoclosure () -> String) throws(FITSError) {
        if status != 0 { throw FITSHandle.error(status, operation(), file: path, hdu: currentHDU) }
    }

    private func ptr() throws(FITSError) -> UnsafeMutablePointer<fitsfile> {
        guard let fptr else {
            throw FITSError(status: 114, message: "file already closed", operation: "using a FITS file", file: path, hdu: nil)
        }
        return fptr
    }

    /// A FITS string value without its quotes ('' inside stands for ') and trailing blanks.
    static func dequote(_ raw: String) -> String {
        var s = Substring(raw)
        while s.first == " " { s = s.dropFirst() }
        if s.first == "'" { s = s.dropFirst() }
        if s.last == "'" { s = s.dropLast() }
        while s.last == " " { s = s.dropLast() }
        return s.replacingOccurrences(of: "''", with: "'")
    }

    static func decode(_ chars: [CChar]) -> String {
        let bytes = chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: open / create / close

    /// Whether this cfitsio was built thread-safe (--enable-reentrant): then different files may be used on
    /// different threads at once.
    static let isReentrant: Bool = skyfits_is_reentrant() != 0

    /// Opens an existing file (cfitsio extended filename syntax allowed) read-only or read-write.
    static func open(_ path: String, writable: Bool = false) throws(FITSError) -> FITSHandle {
        var f: UnsafeMutablePointer<fitsfile>? = nil
        var status: Int32 = 0
        skyfits_open(&f, path, writable ? READWRITE : READONLY, &status)
        guard status == 0, let f else {
            throw error(status == 0 ? 104 : status, "opening the file", file: path, hdu: nil)
        }
        return FITSHandle(fptr: f, path: path)
    }

    /// Creates a new file at `path` (which must not exist). `displayName` is used in errors.
    static func create(_ path: String) throws(FITSError) -> FITSHandle {
        var f: UnsafeMutablePointer<fitsfile>? = nil
        var status: Int32 = 0
        ffinit(&f, path, &status)
        guard status == 0, let f else {
            throw error(status == 0 ? 105 : status, "creating the file", file: path, hdu: nil)
        }
        return FITSHandle(fptr: f, path: path)
    }

    /// Closes the file now, reporting any error of the final flush.
    func close() throws(FITSError) {
        guard let f = fptr else { return }
        fptr = nil
        var status: Int32 = 0
        ffclos(f, &status)
        if status != 0 { throw FITSHandle.error(status, "closing the file", file: path, hdu: currentHDU) }
    }

    // MARK: HDUs

    func hduCount() throws(FITSError) -> Int {
        var n: Int32 = 0, status: Int32 = 0
        ffthdu(try ptr(), &n, &status)
        try check(status, "counting HDUs")
        return Int(n)
    }

    /// Moves to HDU `number` (0-based: primary = 0) and returns its kind.
    @discardableResult
    func moveTo(hdu number: Int) throws(FITSError) -> FITSHDUKind {
        var type: Int32 = 0, status: Int32 = 0
        ffmahd(try ptr(), Int32(number + 1), &type, &status)
        if status != 0 { throw FITSHandle.error(status, "moving to HDU \(number)", file: path, hdu: number) }
        currentHDU = number
        return FITSHandle.kind(type)
    }

    /// Moves to the first HDU whose EXTNAME (or HDUNAME) is `name`.
    func moveTo(extension name: String) throws(FITSError) {
        var status: Int32 = 0
        var cname = Array(name.utf8CString)
        ffmnhd(try ptr(), ANY_HDU, &cname, 0, &status)
        try check(status, "moving to extension '\(name)'")
        var n: Int32 = 0
        ffghdn(try ptr(), &n)
        currentHDU = Int(n) - 1
    }

    func hduKind() throws(FITSError) -> FITSHDUKind {
        var type: Int32 = 0, status: Int32 = 0
        ffghdt(try ptr(), &type, &status)
        try check(status, "reading the HDU type")
        return FITSHandle.kind(type)
    }

    private static func kind(_ t: Int32) -> FITSHDUKind {
        switch t {
        case IMAGE_HDU: return .image
        case ASCII_TBL: return .asciiTable
        default: return .binaryTable
        }
    }

    // MARK: header

    /// All cards of the current HDU, in order (END excluded).
    func readCards() throws(FITSError) -> [FITSHeaderCard] {
        let f = try ptr()
        var nkeys: Int32 = 0, more: Int32 = 0, status: Int32 = 0
        ffghsp(f, &nkeys, &more, &status)
        try check(status, "reading the header size")
        var cards: [FITSHeaderCard] = []
        cards.reserveCapacity(Int(nkeys))
        var name = [CChar](repeating: 0, count: 80)
        var value = [CChar](repeating: 0, count: 80)
        var comment = [CChar](repeating: 0, count: 80)
        var record = [CChar](repeating: 0, count: 81)
        for i in 1...max(Int32(1), nkeys) where nkeys > 0 {
            ffgrec(f, i, &record, &status)
            ffgkyn(f, i, &name, &value, &comment, &status)
            try check(status, "reading header card \(i)")
            let key = FITSHandle.decode(name)
            let raw = FITSHandle.decode(value)
            let cmt = FITSHandle.decode(comment)
            if key == "COMMENT" || key == "HISTORY" || key.isEmpty {
                // ffgkyn puts commentary text in the comment field.
                let rec = FITSHandle.decode(record)
                let text = rec.count > 8 ? String(rec.dropFirst(8)) : ""
                cards.append(FITSHeaderCard(key, .none, comment: trimTrailing(text)))
                continue
            }
            cards.append(FITSHeaderCard(key, try parseValue(raw, key: key, f: f), comment: cmt))
        }
        return cards
    }

    private func trimTrailing(_ s: String) -> String {
        var s = Substring(s)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }

    private func parseValue(_ raw: String, key: String, f: UnsafeMutablePointer<fitsfile>) throws(FITSError) -> FITSHeaderValue {
        if raw.isEmpty { return .none }
        var dtype: CChar = 0, status: Int32 = 0
        ffdtyp(raw, &dtype, &status)
        if status != 0 { ffcmsg(); return .string(raw) }
        switch UInt8(bitPattern: dtype) {
        case UInt8(ascii: "C"):
            // Long strings (CONTINUE convention) are read whole.
            var longp: UnsafeMutablePointer<CChar>? = nil
            ffgkls(f, key, &longp, nil, &status)
            if status == 0, let longp {
                let s = String(cString: longp)
                fffree(longp, &status)
                return .string(s)
            }
            ffcmsg()
            return .string(FITSHandle.dequote(raw))
        case UInt8(ascii: "L"):
            return .bool(raw.hasPrefix("T"))
        case UInt8(ascii: "I"):
            if let v = Int64(raw.trimmingCharacters(in: .whitespaces)) { return .int(v) }
            return .double(Double(raw.trimmingCharacters(in: .whitespaces)) ?? .nan)
        case UInt8(ascii: "F"):
            let t = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "D", with: "E")
            return .double(Double(t) ?? .nan)
        case UInt8(ascii: "X"):
            return .string(raw)
        default:
            return .string(raw)
        }
    }

    func readKey(_ key: String) throws(FITSError) -> FITSHeaderValue? {
        let f = try ptr()
        var value = [CChar](repeating: 0, count: 80)
        var status: Int32 = 0
        ffgkey(f, key, &value, nil, &status)
        if status == KEY_NO_EXIST { ffcmsg(); return nil }
        try check(status, "reading keyword \(key)")
        return try parseValue(FITSHandle.decode(value), key: key, f: f)
    }

    /// Writes (or updates) a keyword of any type, with its comment.
    func writeCard(_ card: FITSHeaderCard) throws(FITSError) {
        let f = try ptr()
        var status: Int32 = 0
        let comment = card.comment
        switch card.name {
        case "COMMENT":
            ffpcom(f, comment, &status)
        case "HISTORY":
            ffphis(f, comment, &status)
        case "":
            ffprec(f, "        " + comment, &status)
        default:
            switch card.value {
            case .none:
                ffukyu(f, card.name, comment, &status)
            case .bool(let b):
                ffukyl(f, card.name, b ? 1 : 0, comment, &status)
            case .int(let v):
                ffukyj(f, card.name, v, comment, &status)
            case .double(let v):
                ffukyg(f, card.name, v, 15, comment, &status)
            case .string(let s):
                if s.utf8.count > 68 {
                    ffplsw(f, &status)
                    ffukls(f, card.name, s, comment, &status)
                } else {
                    ffukys(f, card.name, s, comment, &status)
                }
            }
        }
        try check(status, "writing keyword \(card.name)")
    }

    /// The current HDU's header as one string of 80-character cards (for wcslib).
    func headerString() throws(FITSError) -> (text: [CChar], count: Int) {
        let f = try ptr()
        var header: UnsafeMutablePointer<CChar>? = nil
        var nkeys: Int32 = 0, status: Int32 = 0
        ffhdr2str(f, 0, nil, 0, &header, &nkeys, &status)
        try check(status, "reading the header as text")
        guard let header else { return ([0], 0) }
        let len = strlen(header)
        var copy: [CChar] = Array(UnsafeBufferPointer(start: header, count: len))
        copy.append(0)
        fffree(header, &status)
        return (copy, Int(nkeys))
    }

    // MARK: images

    func imageShape() throws(FITSError) -> (bitpix: Int, axes: [Int]) {
        let f = try ptr()
        var bitpix: Int32 = 0, naxis: Int32 = 0, status: Int32 = 0
        var naxes = [Int64](repeating: 0, count: 9)
        ffgiprll(f, 9, &bitpix, &naxis, &naxes, &status)
        try check(status, "reading the image shape")
        return (Int(bitpix), Array(naxes.prefix(Int(naxis))).map(Int.init))
    }

    /// Reads a rectangular section (1-based inclusive corners) as Double or Float, scaled by BSCALE/BZERO;
    /// blank pixels (BLANK or NaN) become NaN.
    func readImageSection<T: FITSImageElement>(first: [Int], last: [Int], as: T.Type) throws(FITSError) -> [T] {
        let f = try ptr()
        var count = 1
        for (a, b) in zip(first, last) { count *= (b - a + 1) }
        var out = [T](repeating: 0, count: count)
        var blc = first.map { Int($0) }, trc = last.map { Int($0) }
        var inc = [Int](repeating: 1, count: first.count)
        var anynul: Int32 = 0, status: Int32 = 0
        var nulval = T.nan
        _ = out.withUnsafeMutableBufferPointer { buf in
            ffgsv(f, T.fitsDatatype, &blc, &trc, &inc, &nulval, buf.baseAddress, &anynul, &status)
        }
        try check(status, "reading image section \(first)-\(last)")
        return out
    }

    func createImage(bitpix: Int, axes: [Int]) throws(FITSError) {
        let f = try ptr()
        var status: Int32 = 0
        var naxes = axes.map { Int64($0) }
        ffcrimll(f, Int32(bitpix), Int32(axes.count), &naxes, &status)
        try check(status, "creating an image HDU")
        var n: Int32 = 0
        ffghdn(f, &n); currentHDU = Int(n) - 1
    }

    func writeImage<T: FITSImageElement>(_ data: [T]) throws(FITSError) {
        let f = try ptr()
        var status: Int32 = 0
        var nul = T.nan
        var copy = data
        _ = copy.withUnsafeMutableBufferPointer { buf in
            ffppn(f, T.fitsDatatype, 1, Int64(buf.count), buf.baseAddress, &nul, &status)
        }
        try check(status, "writing image pixels")
    }

    // MARK: tables

    struct ColumnInfo {
        var name: String
        var unit: String
        /// cfitsio equivalent datatype code (after TSCAL/TZERO).
        var equivType: Int32
        /// The stored (unscaled) type code.
        var rawType: Int32
        var repeatCount: Int
        var width: Int
        var tform: String
        var comment: String
    }

    func tableShape() throws(FITSError) -> (rows: Int, columns: Int) {
        let f = try ptr()
        var nrows: Int64 = 0, ncols: Int32 = 0, status: Int32 = 0
        ffgnrwll(f, &nrows, &status)
        ffgncl(f, &ncols, &status)
        try check(status, "reading the table shape")
        return (Int(nrows), Int(ncols))
    }

    func columnInfo(_ col: Int) throws(FITSError) -> ColumnInfo {
        let f = try ptr()
        var status: Int32 = 0
        var etype: Int32 = 0, rep: Int64 = 0, width: Int64 = 0
        ffeqtyll(f, Int32(col), &etype, &rep, &width, &status)
        var rtype: Int32 = 0
        ffgtclll(f, Int32(col), &rtype, &rep, &width, &status)
        try check(status, "reading the type of column \(col)")
        func key(_ k: String) -> String {
            var v = [CChar](repeating: 0, count: 80)
            var s: Int32 = 0
            ffgkys(f, k, &v, nil, &s)
            if s != 0 { ffcmsg(); return "" }
            return FITSHandle.decode(v)
        }
        return ColumnInfo(name: key("TTYPE\(col)"), unit: key("TUNIT\(col)"), equivType: etype, rawType: rtype,
                          repeatCount: Int(rep), width: Int(width), tform: key("TFORM\(col)"), comment: key("TCOMM\(col)"))
    }

    func optimalRows() throws(FITSError) -> Int {
        var n: Int = 0, status: Int32 = 0
        ffgrsz(try ptr(), &n, &status)
        try check(status, "asking for the optimal row count")
        return max(1, n)
    }

    /// Reads `nelem` elements starting at `row` (1-based) into `buf`, with null flags into `nulls`.
    /// `integerSource`: the stored type is an integer scaled to float (TNULL applies to the raw values).
    func readColumn(_ col: Int, name: String, row: Int, nelem: Int, kind: FITSReadKind, integerSource: Bool = false,
                    into raw: UnsafeMutableRawPointer, nulls: UnsafeMutablePointer<CChar>) throws(FITSError) -> Bool {
        let f = try ptr()
        var anynul: Int32 = 0, status: Int32 = 0
        let c = Int32(col), r = Int64(row), n = Int64(nelem)
        switch kind {
        case .logical:
            ffgcfl(f, c, r, 1, n, raw.assumingMemoryBound(to: CChar.self), nulls, &anynul, &status)
        case .int64:
            ffgcfjj(f, c, r, 1, n, raw.assumingMemoryBound(to: Int64.self), nulls, &anynul, &status)
        case .uint64:
            ffgcfujj(f, c, r, 1, n, raw.assumingMemoryBound(to: UInt64.self), nulls, &anynul, &status)
        case .float where integerSource:
            ffgcfe(f, c, r, 1, n, raw.assumingMemoryBound(to: Float.self), nulls, &anynul, &status)
        case .double where integerSource:
            ffgcfd(f, c, r, 1, n, raw.assumingMemoryBound(to: Double.self), nulls, &anynul, &status)
        case .float:
            // nulval 0 = no null substitution: cfitsio copies the bits unchanged (keeps -0.0); NaN marks missing.
            let p = raw.assumingMemoryBound(to: Float.self)
            ffgcve(f, c, r, 1, n, 0, p, &anynul, &status)
            anynul = 0
            for k in 0..<nelem { let isNaN: Bool = p[k].isNaN; nulls[k] = isNaN ? 1 : 0; if isNaN { anynul = 1 } }
        case .double:
            let p = raw.assumingMemoryBound(to: Double.self)
            ffgcvd(f, c, r, 1, n, 0, p, &anynul, &status)
            anynul = 0
            for k in 0..<nelem { let isNaN: Bool = p[k].isNaN; nulls[k] = isNaN ? 1 : 0; if isNaN { anynul = 1 } }
        }
        try check(status, "reading column '\(name)' rows \(row)...\(row + nelem - 1)")
        return anynul != 0
    }

    /// Reads `rows` strings of column `col` from `row` into `buffer` (rows × (width+1) bytes).
    func readStrings(_ col: Int, name: String, row: Int, rows: Int, width: Int, buffer: UnsafeMutablePointer<CChar>) throws(FITSError) {
        let f = try ptr()
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: rows)
        for i in 0..<rows { pointers[i] = buffer + i * (width + 1) }
        var anynul: Int32 = 0, status: Int32 = 0
        var nulstr: [CChar] = [0]
        _ = pointers.withUnsafeMutableBufferPointer { p in
            ffgcvs(f, Int32(col), Int64(row), 1, Int64(rows), &nulstr, p.baseAddress, &anynul, &status)
        }
        try check(status, "reading string column '\(name)' rows \(row)...\(row + rows - 1)")
    }

    func createTable(rows: Int, names: [String], forms: [String], units: [String], extname: String?) throws(FITSError) {
        let f = try ptr()
        var status: Int32 = 0
        var cNames = names.map { strdup($0) }, cForms = forms.map { strdup($0) }, cUnits = units.map { strdup($0) }
        defer { for p in cNames + cForms + cUnits { free(p) } }
        ffcrtb(f, BINARY_TBL, Int64(rows), Int32(names.count), &cNames, &cForms, &cUnits, extname, &status)
        try check(status, "creating a binary table")
        var n: Int32 = 0
        ffghdn(f, &n); currentHDU = Int(n) - 1
    }

    func writeColumn(_ col: Int, name: String, kind: FITSReadKind, row: Int, count: Int, from raw: UnsafeMutableRawPointer) throws(FITSError) {
        let f = try ptr()
        var status: Int32 = 0
        let dtype: Int32
        switch kind {
        case .logical: dtype = TLOGICAL
        case .int64: dtype = TLONGLONG
        case .uint64: dtype = TULONGLONG
        case .float: dtype = TFLOAT
        case .double: dtype = TDOUBLE
        }
        ffpcl(f, dtype, Int32(col), Int64(row), 1, Int64(count), raw, &status)
        try check(status, "writing column '\(name)'")
    }

    func writeStrings(_ col: Int, name: String, values: ArraySlice<String>, row: Int = 1) throws(FITSError) {
        let f = try ptr()
        var status: Int32 = 0
        // One contiguous buffer for all strings; no per-row allocation.
        var offsets: [Int] = []
        offsets.reserveCapacity(values.count)
        var bytes: [CChar] = []
        for v in values {
            offsets.append(bytes.count)
            bytes.append(contentsOf: v.utf8.map { CChar(bitPattern: $0) })
            bytes.append(0)
        }
        bytes.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            var ptrs: [UnsafeMutablePointer<CChar>?] = offsets.map { base + $0 }
            _ = ptrs.withUnsafeMutableBufferPointer { p in
                ffpcls(f, Int32(col), Int64(row), 1, Int64(values.count), p.baseAddress, &status)
            }
        }
        try check(status, "writing string column '\(name)'")
    }

    /// Writes `count` raw bytes of consecutive table rows starting at `row` (1-based, first byte of the row).
    func writeTableBytes(row: Int, count: Int, from bytes: UnsafePointer<UInt8>) throws(FITSError) {
        var status: Int32 = 0
        ffptbb(try ptr(), Int64(row), 1, Int64(count), UnsafeMutablePointer(mutating: bytes), &status)
        try check(status, "writing table rows \(row)...")
    }

    /// Reads `count` raw bytes of consecutive table rows starting at `row` (1-based, first byte of the row).
    func readTableBytes(row: Int, count: Int, into bytes: UnsafeMutablePointer<UInt8>) throws(FITSError) {
        var status: Int32 = 0
        ffgtbb(try ptr(), Int64(row), 1, Int64(count), bytes, &status)
        try check(status, "reading table rows \(row)...")
    }

    /// Byte offsets in the file of the current HDU's data and of its end (cfitsio's HDU address; for a
    /// table, the data end includes the heap). Meaningful only for a plain file on disk, not for one cfitsio
    /// uncompressed into memory.
    func dataAddress() throws(FITSError) -> (start: Int, end: Int) {
        var head: Int64 = 0, start: Int64 = 0, end: Int64 = 0, status: Int32 = 0
        ffghadll(try ptr(), &head, &start, &end, &status)
        try check(status, "finding the HDU's data in the file")
        return (Int(start), Int(end))
    }

    /// Marks elements as undefined (TNULL for integers, NaN for floats, null for logicals).
    func writeNull(_ col: Int, name: String, row: Int, element: Int, count: Int) throws(FITSError) {
        var status: Int32 = 0
        ffpclu(try ptr(), Int32(col), Int64(row), Int64(element), Int64(count), &status)
        try check(status, "writing nulls of column '\(name)'")
    }

    /// Re-reads the header structure after TNULLn or other table keywords were added.
    func rescanHeader() throws(FITSError) {
        var status: Int32 = 0
        ffrdef(try ptr(), &status)
        try check(status, "updating the table definition")
    }
}

/// Kinds of HDU.
public enum FITSHDUKind: String, Sendable, Codable {
    case image, asciiTable = "ascii_table", binaryTable = "binary_table"
}

/// How a numeric column is moved through cfitsio.
enum FITSReadKind { case logical, int64, uint64, float, double }

/// Pixel element types an image can be read into.
public protocol FITSImageElement: BinaryFloatingPoint, BitwiseCopyable, Sendable {
    static var fitsDatatype: Int32 { get }
}
extension Double: FITSImageElement { public static var fitsDatatype: Int32 { TDOUBLE } }
extension Float: FITSImageElement { public static var fitsDatatype: Int32 { TFLOAT } }

/// cfitsio type codes for the column kinds SkyCore maps (kept here so that no other file needs the C module).
enum FITSTypeCode {
    static let bit = TBIT, byte = TBYTE, sbyte = TSBYTE, logical = TLOGICAL, string = TSTRING
    static let short = TSHORT, ushort = TUSHORT, int = TINT, uint = TUINT, long = TLONG, ulong = TULONG
    static let longlong = TLONGLONG, ulonglong = TULONGLONG, float = TFLOAT, double = TDOUBLE
}
