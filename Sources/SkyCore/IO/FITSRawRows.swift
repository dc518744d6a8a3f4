// Binary-table rows moved as raw bytes: for tables of plain numeric and logical columns, whole blocks of rows
// are read or written in one cfitsio call each, and converted between big-endian row bytes and columns on all
// cores. cfitsio's per-column path converts one column at a time through its small buffers, a few ns per
// element on one core; at 10^7 rows that was most of the time of reading or writing a table.
//
// FITS binary tables store each row as the concatenation of its columns' fields, big-endian (FITS standard
// 4.0, section 7.3). Integer columns may carry TZEROn offsets: the unsigned conventions (TZERO = 2^15, 2^31,
// 2^63 on I, J, K; −128 on B for signed bytes) are handled here; any other scaling leaves the table to cfitsio.

/// Where and how one column's elements are stored in a row.
struct RawColumnLayout: Sendable {
    enum Kind: Sendable, Equatable {
        /// A stored integer of `bytes` bytes (1: unsigned byte; 2, 4, 8: signed), physical = raw + zero.
        case integer(bytes: Int, zero: Int64)
        /// K with TZERO = 2^63: physical UInt64 = raw bits with the top bit flipped.
        case unsigned64
        case float
        case double
        /// 'T', 'F' or 0 (null).
        case logical
    }
    var kind: Kind
    /// Byte offset of the field in the row.
    var offset: Int
    /// Elements per row.
    var width: Int
    /// TNULLn as a raw stored value (integers only).
    var nullRaw: Int64?

    var elementBytes: Int {
        switch kind {
        case .integer(let b, _): return b
        case .unsigned64, .double: return 8
        case .float: return 4
        case .logical: return 1
        }
    }

    /// The layout of a stored integer column of `storage` type.
    static func integer(_ storage: IntegerStorage) -> Kind {
        switch storage {
        case .int8: return .integer(bytes: 1, zero: -128)
        case .uint8: return .integer(bytes: 1, zero: 0)
        case .int16: return .integer(bytes: 2, zero: 0)
        case .uint16: return .integer(bytes: 2, zero: 32768)
        case .int32: return .integer(bytes: 4, zero: 0)
        case .uint32: return .integer(bytes: 4, zero: 2_147_483_648)
        case .int64: return .integer(bytes: 8, zero: 0)
        case .uint64: return .unsigned64
        }
    }
}

/// Bytes per block of rows moved through one buffer.
let rawBlockBytes = 16 << 20

/// Calls `body(firstRow, rowCount, buffer)` for consecutive blocks of about `blockBytes` bytes covering `rows`
/// rows, with one buffer (of whole rows) reused for every block.
private func forEachBlock(rows: Int, rowBytes: Int, blockBytes: Int, _ body: (Int, Int, UnsafeMutablePointer<UInt8>) throws -> Void) throws {
    guard rows > 0, rowBytes > 0 else { return }
    let block = max(1, min(rows, blockBytes / rowBytes))
    var buffer = [UInt8](repeating: 0, count: block * rowBytes)
    try buffer.withUnsafeMutableBufferPointer { b in
        guard let base = b.baseAddress else { return }
        var first = 0
        while first < rows {
            let n = min(block, rows - first)
            try body(first, n, base)
            first += n
        }
    }
}

extension FITSWriter {
    /// Layouts of every column of `cat` for raw writing, or nil if a column has no raw form (strings).
    /// `storages[k]`: the integer storage chosen for column k; `nullRaw[k]`: its TNULL.
    static func rawLayouts(_ cat: Catalogue, storages: [Int: IntegerStorage], nullRaw: [Int: Int64]) -> (layouts: [RawColumnLayout], rowBytes: Int)? {
        var layouts: [RawColumnLayout] = []
        var offset = 0
        for (k, c) in cat.columns.enumerated() {
            let kind: RawColumnLayout.Kind
            switch c.values {
            case .int64: kind = RawColumnLayout.integer(storages[k] ?? .int64)
            case .uint64: kind = .unsigned64
            case .double: kind = .double
            case .float: kind = .float
            case .bool: kind = .logical
            case .string: return nil
            }
            let l = RawColumnLayout(kind: kind, offset: offset, width: c.width, nullRaw: nullRaw[k])
            layouts.append(l)
            offset += l.elementBytes * c.width
        }
        return (layouts, offset)
    }

    /// Writes every row of `cat` as raw bytes from table row `firstRow` (0-based), in blocks encoded on all cores.
    static func writeRawRows(_ cat: Catalogue, _ layouts: [RawColumnLayout], rowBytes: Int, to h: FITSHandle, firstRow: Int = 0,
                             blockBytes: Int = rawBlockBytes) throws {
        let rows = cat.rowCount
        guard rows > 0, rowBytes > 0 else { return }
        try forEachBlock(rows: rows, rowBytes: rowBytes, blockBytes: blockBytes) { start, n, base in
            let out = UnsafeMutableSendablePointer(base)
            Parallel.forEachChunk(count: n, minChunk: 8192) { lo, hi in
                for (c, l) in zip(cat.columns, layouts) {
                    encode(c, l, rows: (start + lo)..<(start + hi), into: UnsafeMutableRawPointer(out.p + lo * rowBytes), rowBytes: rowBytes)
                }
            }
            try h.writeTableBytes(row: firstRow + start + 1, count: n * rowBytes, from: base)
        }
    }

    /// Encodes rows `rows` of column `c` into consecutive rows at `out`.
    private static func encode(_ c: Column, _ l: RawColumnLayout, rows: Range<Int>, into out: UnsafeMutableRawPointer, rowBytes: Int) {
        let w = l.width, size = l.elementBytes
        let m = c.missing
        @inline(__always) func at(_ r: Int, _ e: Int) -> Int { (r - rows.lowerBound) * rowBytes + l.offset + e * size }
        // Scalar columns without missing values (the common case: ids, positions, separations): one
        // pointer walk per column, no per-element checks.
        if w == 1, m == nil, encodeScalar(c.values, l, rows: rows, into: out + l.offset, rowBytes: rowBytes) { return }
        switch (c.values, l.kind) {
        case (.double(let a), _):
            for r in rows { for e in 0..<w {
                let i = r * w + e
                let bits = m?[i] == true ? UInt64.max : a[i].bitPattern
                out.storeBytes(of: bits.bigEndian, toByteOffset: at(r, e), as: UInt64.self)
            } }
        case (.float(let a), _):
            for r in rows { for e in 0..<w {
                let i = r * w + e
                let bits = m?[i] == true ? UInt32.max : a[i].bitPattern
                out.storeBytes(of: bits.bigEndian, toByteOffset: at(r, e), as: UInt32.self)
            } }
        case (.bool(let a), _):
            for r in rows { for e in 0..<w {
                let i = r * w + e
                let byte: UInt8 = m?[i] == true ? 0 : (a[i] ? UInt8(ascii: "T") : UInt8(ascii: "F"))
                out.storeBytes(of: byte, toByteOffset: at(r, e), as: UInt8.self)
            } }
        case (.uint64(let a), _):
            for r in rows { for e in 0..<w {
                let i = r * w + e
                let raw = m?[i] == true ? UInt64(bitPattern: l.nullRaw ?? 0) : a[i] ^ (1 << 63)
                out.storeBytes(of: raw.bigEndian, toByteOffset: at(r, e), as: UInt64.self)
            } }
        case (.int64(let a), .integer(let bytes, let zero)):
            for r in rows { for e in 0..<w {
                let i = r * w + e
                let raw = m?[i] == true ? (l.nullRaw ?? 0) : a[i] &- zero
                let o = at(r, e)
                switch bytes {
                case 1: out.storeBytes(of: UInt8(truncatingIfNeeded: raw), toByteOffset: o, as: UInt8.self)
                case 2: out.storeBytes(of: Int16(truncatingIfNeeded: raw).bigEndian, toByteOffset: o, as: Int16.self)
                case 4: out.storeBytes(of: Int32(truncatingIfNeeded: raw).bigEndian, toByteOffset: o, as: Int32.self)
                default: out.storeBytes(of: raw.bigEndian, toByteOffset: o, as: Int64.self)
                }
            } }
        default:
            break   // not produced by rawLayouts
        }
    }
}

extension FITSWriter {
    /// `encode` for a scalar column without missing values: element `r` of `rows` to `out + (r − first) ·
    /// rowBytes`, big-endian. False for a layout this does not handle (the general loop does).
    fileprivate static func encodeScalar(_ values: ColumnValues, _ l: RawColumnLayout, rows: Range<Int>,
                                         into out: UnsafeMutableRawPointer, rowBytes: Int) -> Bool {
        @inline(__always) func walk<T: BitwiseCopyable, U: FixedWidthInteger>(_ a: [T], _ raw: (T) -> U) {
            a.withUnsafeBufferPointer { ab in
                guard let src = ab.baseAddress else { return }
                var o = out
                for r in rows { o.storeBytes(of: raw(src[r]).bigEndian, as: U.self); o += rowBytes }
            }
        }
        switch (values, l.kind) {
        case (.double(let a), _): walk(a) { $0.bitPattern }
        case (.float(let a), _): walk(a) { $0.bitPattern }
        case (.uint64(let a), _): walk(a) { $0 ^ (1 << 63) }
        case (.int64(let a), .integer(let bytes, let zero)):
            switch bytes {
            case 1: walk(a) { UInt8(truncatingIfNeeded: $0 &- zero) }
            case 2: walk(a) { Int16(truncatingIfNeeded: $0 &- zero) }
            case 4: walk(a) { Int32(truncatingIfNeeded: $0 &- zero) }
            default: walk(a) { $0 &- zero }
            }
        default: return false
        }
        return true
    }
}

/// One big-endian FITS field type: a value and whether it is the column's null.
private protocol RawField: Sendable {
    associatedtype Value: Sendable
    func decode(_ p: UnsafeRawPointer) -> (Value, Bool)
}

private struct DoubleField: RawField {
    @inline(__always) func decode(_ p: UnsafeRawPointer) -> (Double, Bool) {
        let v = Double(bitPattern: UInt64(bigEndian: p.loadUnaligned(as: UInt64.self))); return (v, v.isNaN)
    }
}

private struct FloatField: RawField {
    @inline(__always) func decode(_ p: UnsafeRawPointer) -> (Float, Bool) {
        let v = Float(bitPattern: UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))); return (v, v.isNaN)
    }
}

/// FITS logical: "T", "F", or 0 for null.
private struct LogicalField: RawField {
    @inline(__always) func decode(_ p: UnsafeRawPointer) -> (Bool, Bool) {
        let b = p.load(as: UInt8.self); return (b == UInt8(ascii: "T"), b == 0)
    }
}

/// 64-bit unsigned: stored signed with TZERO = 2^63.
private struct Unsigned64Field: RawField {
    let nullRaw: Int64?
    @inline(__always) func decode(_ p: UnsafeRawPointer) -> (UInt64, Bool) {
        let raw = UInt64(bigEndian: p.loadUnaligned(as: UInt64.self))
        return (raw ^ (1 << 63), Int64(bitPattern: raw) == nullRaw)
    }
}

/// An integer field of `Stored`'s width (B is unsigned, I/J/K signed), physical = raw + TZERO; null when the
/// raw value equals TNULL.
private struct IntegerField<Stored: FixedWidthInteger & Sendable>: RawField {
    let zero: Int64, nullRaw: Int64?
    @inline(__always) func decode(_ p: UnsafeRawPointer) -> (Int64, Bool) {
        let raw = Int64(Stored(bigEndian: p.loadUnaligned(as: Stored.self)))
        return (raw &+ zero, raw == nullRaw)
    }
}

/// Reads the selected columns of a binary table as raw row blocks, decoded on all cores.
struct RawTableReader {
    struct Selected {
        var info: FITSHandle.ColumnInfo
        var layout: RawColumnLayout
        var storage: IntegerStorage?
    }

    /// Layouts for `selected` (1-based column numbers) among all `infos`, or nil when some column is not a
    /// plain numeric or logical field, or the field widths do not add up to NAXIS1.
    static func plan(infos: [(Int, FITSHandle.ColumnInfo)], selected: [Int], cards: [FITSHeaderCard]) -> [Selected]? {
        func value(_ key: String) -> FITSHeaderValue? { cards.first { $0.name == key }?.value }
        func number(_ key: String) -> Double? {
            switch value(key) {
            case .int(let v)?: return Double(v)
            case .double(let v)?: return v
            case nil: return nil
            default: return .nan
            }
        }
        guard case .int(let naxis1)? = value("NAXIS1") else { return nil }
        var offsets: [Int: Int] = [:]
        var kinds: [Int: (RawColumnLayout.Kind, IntegerStorage?)] = [:]
        var offset = 0
        for (num, info) in infos {
            offsets[num] = offset
            let rep = info.repeatCount
            let scale = number("TSCAL\(num)") ?? 1, zero = number("TZERO\(num)") ?? 0
            let plain = scale == 1 && zero == 0
            var kind: RawColumnLayout.Kind? = nil, storage: IntegerStorage? = nil
            var bytes: Int
            // Integer storages by stored type and TZERO (the standard offsets), as the writer makes them.
            func integer(_ unshifted: IntegerStorage, _ shifted: IntegerStorage, offset: Double) {
                if plain { storage = unshifted } else if scale == 1 && zero == offset { storage = shifted }
            }
            switch info.rawType {
            case FITSTypeCode.logical: bytes = 1; if plain { kind = .logical }
            case FITSTypeCode.byte: bytes = 1; integer(.uint8, .int8, offset: -128)
            case FITSTypeCode.short: bytes = 2; integer(.int16, .uint16, offset: 32768)
            case FITSTypeCode.long, FITSTypeCode.int: bytes = 4; integer(.int32, .uint32, offset: 2_147_483_648)
            case FITSTypeCode.longlong: bytes = 8; integer(.int64, .uint64, offset: 9_223_372_036_854_775_808.0)
            case FITSTypeCode.float: bytes = 4; if plain { kind = .float }
            case FITSTypeCode.double: bytes = 8; if plain { kind = .double }
            case FITSTypeCode.string: bytes = 1
            case FITSTypeCode.bit: bytes = 0; offset += (rep + 7) / 8; continue
            default: return nil   // complex, variable-length: sizes not modelled here
            }
            if let storage { kind = RawColumnLayout.integer(storage) }
            offset += bytes * rep
            if let kind { kinds[num] = (kind, storage) }
        }
        guard offset == Int(naxis1) else { return nil }
        var out: [Selected] = []
        for num in selected {
            guard let info = infos.first(where: { $0.0 == num })?.1, let (kind, storage) = kinds[num], let off = offsets[num],
                  info.repeatCount > 0 else { return nil }
            var nullRaw: Int64? = nil
            if case .int(let v)? = value("TNULL\(num)") { nullRaw = v }
            out.append(Selected(info: info, layout: RawColumnLayout(kind: kind, offset: off, width: info.repeatCount, nullRaw: nullRaw), storage: storage))
        }
        return out
    }

    /// Reads `rows` rows of the current table HDU, from table row `fileRowOffset` (0-based), into columns.
    static func read(_ h: FITSHandle, _ columns: [Selected], rows: Int, rowBytes: Int, fileRowOffset: Int = 0, blockBytes: Int = rawBlockBytes) throws -> [Column] {
        var sinks = columns.map { ColumnSink($0, rows: rows) }
        try forEachBlock(rows: rows, rowBytes: rowBytes, blockBytes: blockBytes) { start, n, base in
            try h.readTableBytes(row: fileRowOffset + start + 1, count: n * rowBytes, into: base)
            let input = UnsafeSendablePointer(UnsafePointer(base))
            for k in sinks.indices { sinks[k].decode(input, firstRow: start, rows: n, rowBytes: rowBytes) }
        }
        return sinks.map { $0.finish() }
    }
}

extension RawTableReader {
    /// Decodes the `rows` rows of raw table bytes at `input` (a mapped table) into columns, on all cores; with
    /// `gathering`, only the rows listed (`rows` > 0): row k of each column is table row index[k], or missing
    /// where index[k] is -1 (its value then that of row 0, NaN for floating point), as
    /// `Column.rowsAllowingMissing` gives from the decoded column.
    static func decode(_ input: UnsafeSendablePointer<UInt8>, _ columns: [Selected], rows: Int, rowBytes: Int, gathering index: [Int]? = nil) -> [Column] {
        assert(index.map { rows > 0 && $0.allSatisfy { $0 >= -1 && $0 < rows } } ?? true, "gathered rows out of range")   // callers check
        let count = index?.count ?? rows
        var sinks = columns.map { ColumnSink($0, rows: count) }
        func fill(_ g: UnsafeSendablePointer<Int>?) {
            guard count > 0 else { return }
            for k in sinks.indices { sinks[k].decode(input, firstRow: 0, rows: count, rowBytes: rowBytes, gathering: g) }
        }
        if let index { index.withUnsafeBufferPointer { ib in ib.baseAddress.map { fill(UnsafeSendablePointer($0)) } } } else { fill(nil) }
        return sinks.map { $0.finish() }
    }
}

/// One column being filled from raw rows: its final array (allocated once, uninitialised) and the indices of
/// its missing elements.
private struct ColumnSink {
    let selected: RawTableReader.Selected
    let count: Int
    var values: ColumnValues
    var missing: [Int] = []

    init(_ s: RawTableReader.Selected, rows: Int) {
        selected = s
        count = rows * s.layout.width
        switch s.layout.kind {
        case .integer: values = .int64(LargeAllocation.uninitialisedArray(Int64.self, count: count))
        case .unsigned64: values = .uint64(LargeAllocation.uninitialisedArray(UInt64.self, count: count))
        case .float: values = .float(LargeAllocation.uninitialisedArray(Float.self, count: count))
        case .double: values = .double(LargeAllocation.uninitialisedArray(Double.self, count: count))
        case .logical: values = .bool(LargeAllocation.uninitialisedArray(Bool.self, count: count))
        }
    }

    /// Decodes `rows` rows into the column from row `firstRow` on (0-based): table rows firstRow..<firstRow+n
    /// whose bytes start at `input`, or, with `gathering`, table rows gathering[0..<n] of the table at `input`
    /// (-1: a missing row).
    mutating func decode(_ input: UnsafeSendablePointer<UInt8>, firstRow: Int, rows n: Int, rowBytes: Int,
                         gathering g: UnsafeSendablePointer<Int>? = nil) {
        let l = selected.layout
        let nullRaw = l.nullRaw
        var taken = values
        values = .bool([])   // `taken` holds the only reference, and then the array bound below
        switch taken {
        case .double(var a):
            taken = .bool([])
            fill(&a, input, firstRow, n, rowBytes, DoubleField(), gather: g, absent: .nan)
            values = .double(a)
        case .float(var a):
            taken = .bool([])
            fill(&a, input, firstRow, n, rowBytes, FloatField(), gather: g, absent: .nan)
            values = .float(a)
        case .bool(var a):
            taken = .bool([])
            fill(&a, input, firstRow, n, rowBytes, LogicalField(), gather: g)
            values = .bool(a)
        case .uint64(var a):
            taken = .bool([])
            fill(&a, input, firstRow, n, rowBytes, Unsigned64Field(nullRaw: nullRaw), gather: g)
            values = .uint64(a)
        case .int64(var a):
            taken = .bool([])
            guard case .integer(let bytes, let zero) = l.kind else { values = .int64(a); return }
            switch bytes {
            case 1: fill(&a, input, firstRow, n, rowBytes, IntegerField<UInt8>(zero: zero, nullRaw: nullRaw), gather: g)
            case 2: fill(&a, input, firstRow, n, rowBytes, IntegerField<Int16>(zero: zero, nullRaw: nullRaw), gather: g)
            case 4: fill(&a, input, firstRow, n, rowBytes, IntegerField<Int32>(zero: zero, nullRaw: nullRaw), gather: g)
            default: fill(&a, input, firstRow, n, rowBytes, IntegerField<Int64>(zero: zero, nullRaw: nullRaw), gather: g)
            }
            values = .int64(a)
        case .string:
            values = taken   // not produced by `plan`
        }
    }

    /// Elements of rows firstRow..<firstRow+n (or of the rows `gather` lists, -1 giving `absent` or row 0's
    /// value, marked missing) decoded by `field` (value, missing) into `a`, on all cores; missing element
    /// indices appended in order. Generic over the field type, so each decoding loop is
    /// specialised (a closure per element cost ~6 ns a value).
    @inline(__always)
    private mutating func fill<F: RawField>(_ a: inout [F.Value], _ input: UnsafeSendablePointer<UInt8>, _ firstRow: Int, _ n: Int, _ rowBytes: Int,
                                            _ field: F, gather: UnsafeSendablePointer<Int>? = nil, absent: F.Value? = nil) {
        let l = selected.layout, w = l.width, size = l.elementBytes
        let chunks = max(1, min(4 * Parallel.workers, n / 8192))
        let per = (n + chunks - 1) / chunks
        let found = a.withUnsafeMutableBufferPointer { ab -> [[Int]] in
            guard let base = ab.baseAddress else { return [] }
            let out = UnsafeMutableSendablePointer(base)
            return Parallel.map(chunks) { (c: Int) -> [Int] in
                var missing: [Int] = []
                let lo = c * per, hi = min(n, lo + per)
                guard lo < hi else { return missing }
                // Two loops on purpose: one loop with the row source and the missing-row test per element
                // slows the common case of decoding whole columns.
                if let gather {
                    // Output row r is table row gather[r], or (-1) row 0's bytes marked missing (`absent` for floats).
                    for r in lo..<hi {
                        let src = gather.p[r]
                        let row = UnsafeRawPointer(input.p + max(0, src) * rowBytes + l.offset)
                        for e in 0..<w {
                            let (v, isMissing) = field.decode(row + e * size)
                            let i = (firstRow + r) * w + e
                            if src < 0 { out.p[i] = absent ?? v; missing.append(i) } else {
                                out.p[i] = v
                                if isMissing { missing.append(i) }
                            }
                        }
                    }
                    return missing
                }
                for r in lo..<hi {
                    let row = UnsafeRawPointer(input.p + r * rowBytes + l.offset)
                    for e in 0..<w {
                        let (v, isMissing) = field.decode(row + e * size)
                        let i = (firstRow + r) * w + e
                        out.p[i] = v
                        if isMissing { missing.append(i) }
                    }
                }
                return missing
            }
        }
        for f in found where !f.isEmpty { missing.append(contentsOf: f) }
    }

    func finish() -> Column {
        let info = selected.info
        var flags: [Bool]? = nil
        if !missing.isEmpty {
            var m = [Bool](repeating: false, count: count)
            for i in missing { m[i] = true }
            flags = m
        }
        return Column(name: info.name, values: values, missing: flags, width: selected.layout.width,
                      unit: info.unit.isEmpty ? nil : info.unit, description: info.comment.isEmpty ? nil : info.comment,
                      storage: selected.storage)
    }
}
