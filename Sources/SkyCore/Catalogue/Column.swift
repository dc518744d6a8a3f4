// A typed column of a catalogue.

/// The element type of a column.
public enum ColumnType: String, Sendable, Codable, CaseIterable {
    case int64, uint64, double, float, bool, string

    public var isNumeric: Bool { self != .string && self != .bool }
}

/// How an integer column is stored in FITS (its TFORM and, for unsigned and signed bytes, TZERO).
/// Kept so that a table read from FITS is written back with the same types.
public enum IntegerStorage: String, Sendable, Codable, CaseIterable {
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64

    /// The FITS TFORM code (cfitsio's extended codes S, U, V, W add the TZERO offsets itself).
    var tformCode: String {
        switch self {
        case .int8: return "S"
        case .uint8: return "B"
        case .int16: return "I"
        case .uint16: return "U"
        case .int32: return "J"
        case .uint32: return "V"
        case .int64: return "K"
        case .uint64: return "W"
        }
    }
    /// The smallest and largest value the storage holds.
    var range: ClosedRange<Int64> {
        switch self {
        case .int8: return -128...127
        case .uint8: return 0...255
        case .int16: return -32768...32767
        case .uint16: return 0...65535
        case .int32: return Int64(Int32.min)...Int64(Int32.max)
        case .uint32: return 0...Int64(UInt32.max)
        case .int64, .uint64: return Int64.min...Int64.max
        }
    }
}

/// The values of a column, one array per element type. Vector columns store `rows × width` elements,
/// row-major (all elements of row 0, then row 1, ...).
public enum ColumnValues: Sendable, Equatable {
    case int64([Int64])
    case uint64([UInt64])
    case double([Double])
    case float([Float])
    case bool([Bool])
    case string([String])

    public var type: ColumnType {
        switch self {
        case .int64: return .int64
        case .uint64: return .uint64
        case .double: return .double
        case .float: return .float
        case .bool: return .bool
        case .string: return .string
        }
    }
    public var count: Int {
        switch self {
        case .int64(let a): return a.count
        case .uint64(let a): return a.count
        case .double(let a): return a.count
        case .float(let a): return a.count
        case .bool(let a): return a.count
        case .string(let a): return a.count
        }
    }

    /// Elements gathered at the given element indices (each within 0..<count).
    func gather(_ idx: [Int]) -> ColumnValues {
        switch self {
        case .int64(let a): return .int64(ColumnValues.gather(a, idx))
        case .uint64(let a): return .uint64(ColumnValues.gather(a, idx))
        case .double(let a): return .double(ColumnValues.gather(a, idx))
        case .float(let a): return .float(ColumnValues.gather(a, idx))
        case .bool(let a): return .bool(ColumnValues.gather(a, idx))
        case .string(let a): return .string(idx.map { a[$0] })
        }
    }

    /// `idx.map { a[$0] }` for plain values, on all cores for large gathers (output written once, uninitialised
    /// before). Indices out of range trap, as subscripting does.
    static func gather<T: BitwiseCopyable>(_ a: [T], _ idx: [Int]) -> [T] {
        let n = idx.count
        guard n >= 1 << 16 else { return idx.map { a[$0] } }
        let bound = a.count
        precondition(idx.allSatisfy { $0 >= 0 && $0 < bound }, "gather index out of range")
        var out = LargeAllocation.uninitialisedArray(T.self, count: n)
        out.withUnsafeMutableBufferPointer { ob in a.withUnsafeBufferPointer { ab in idx.withUnsafeBufferPointer { ib in
            guard let o = ob.baseAddress, let s = ab.baseAddress, let i = ib.baseAddress else { return }
            let op = UnsafeMutableSendablePointer(o), sp = UnsafeSendablePointer(s), ip = UnsafeSendablePointer(i)
            Parallel.forEachChunk(count: n, minChunk: 1 << 15) { lo, hi in
                for k in lo..<hi { op.p[k] = sp.p[ip.p[k]] }
            }
        } } }
        return out
    }

    /// Values for `count` missing elements of this type (0, NaN, false or "").
    static func placeholder(_ type: ColumnType, count: Int) -> ColumnValues {
        switch type {
        case .int64: return .int64(Array(repeating: 0, count: count))
        case .uint64: return .uint64(Array(repeating: 0, count: count))
        case .double: return .double(Array(repeating: .nan, count: count))
        case .float: return .float(Array(repeating: .nan, count: count))
        case .bool: return .bool(Array(repeating: false, count: count))
        case .string: return .string(Array(repeating: "", count: count))
        }
    }

    /// Concatenation of two value arrays of the same type; nil if the types differ.
    func appending(_ other: ColumnValues) -> ColumnValues? {
        switch (self, other) {
        case (.int64(let a), .int64(let b)): return .int64(a + b)
        case (.uint64(let a), .uint64(let b)): return .uint64(a + b)
        case (.double(let a), .double(let b)): return .double(a + b)
        case (.float(let a), .float(let b)): return .float(a + b)
        case (.bool(let a), .bool(let b)): return .bool(a + b)
        case (.string(let a), .string(let b)): return .string(a + b)
        default: return nil
        }
    }
}

/// A named, typed column with an optional missing-value mask, unit and description.
///
/// Invariants: `values.count == rowCount * width`; `missing`, when present, has `values.count` flags
/// (`true` = missing). Floating-point NaN is also treated as missing by `isMissing(_:)`.
public struct Column: Sendable, Equatable {
    public var name: String
    public var values: ColumnValues
    /// Per-element missing flags (`true` = missing), or nil when no element is missing.
    public var missing: [Bool]?
    /// Elements per row (FITS repeat count); 1 for scalar columns.
    public var width: Int
    /// Physical unit as in FITS TUNITn (e.g. "deg", "mag", "mas/yr"); nil when none.
    public var unit: String?
    public var description: String?
    /// For integer columns read from FITS: the on-disk integer type, reused when written back.
    public var storage: IntegerStorage?

    public init(name: String, values: ColumnValues, missing: [Bool]? = nil, width: Int = 1,
                unit: String? = nil, description: String? = nil, storage: IntegerStorage? = nil) {
        self.name = name; self.values = values; self.width = max(1, width)
        self.unit = unit; self.description = description; self.storage = storage
        if let m = missing, m.contains(true) { self.missing = m } else { self.missing = nil }
    }

    public static func int64(_ name: String, _ v: [Int64], missing: [Bool]? = nil, unit: String? = nil) -> Column {
        Column(name: name, values: .int64(v), missing: missing, unit: unit)
    }
    public static func double(_ name: String, _ v: [Double], missing: [Bool]? = nil, unit: String? = nil) -> Column {
        Column(name: name, values: .double(v), missing: missing, unit: unit)
    }
    public static func float(_ name: String, _ v: [Float], missing: [Bool]? = nil, unit: String? = nil) -> Column {
        Column(name: name, values: .float(v), missing: missing, unit: unit)
    }
    public static func bool(_ name: String, _ v: [Bool], missing: [Bool]? = nil) -> Column {
        Column(name: name, values: .bool(v), missing: missing)
    }
    public static func string(_ name: String, _ v: [String], missing: [Bool]? = nil) -> Column {
        Column(name: name, values: .string(v), missing: missing)
    }

    public var type: ColumnType { values.type }
    public var rowCount: Int { values.count / width }

    /// Whether element `i` is missing (masked, or NaN for floating-point columns).
    public func isMissing(_ i: Int) -> Bool {
        if let missing, missing[i] { return true }
        switch values {
        case .double(let a): return a[i].isNaN
        case .float(let a): return a[i].isNaN
        default: return false
        }
    }

    /// Number of missing elements (masked or NaN).
    public var missingCount: Int {
        var n = 0
        for i in 0..<values.count where isMissing(i) { n += 1 }
        return n
    }

    /// The column as Doubles (first element of each row for vector columns); missing values are NaN,
    /// strings parse or give NaN, booleans give 0/1.
    public func doubles() -> [Double] {
        var out: [Double]
        switch values {
        case .double(let a): out = width == 1 ? a : stride(from: 0, to: a.count, by: width).map { a[$0] }
        case .float(let a): out = stride(from: 0, to: a.count, by: width).map { Double(a[$0]) }
        case .int64(let a): out = stride(from: 0, to: a.count, by: width).map { Double(a[$0]) }
        case .uint64(let a): out = stride(from: 0, to: a.count, by: width).map { Double(a[$0]) }
        case .bool(let a): out = stride(from: 0, to: a.count, by: width).map { a[$0] ? 1 : 0 }
        case .string(let a): out = stride(from: 0, to: a.count, by: width).map { Double(a[$0]) ?? .nan }
        }
        if let missing {
            for r in 0..<out.count where missing[r * width] { out[r] = .nan }
        }
        return out
    }

    /// The value at `row` (first element for vector columns) rendered as text; "" when missing.
    public func text(at row: Int) -> String {
        let i = row * width
        if isMissing(i) { return "" }
        switch values {
        case .int64(let a): return String(a[i])
        case .uint64(let a): return String(a[i])
        case .double(let a): return formatDouble(a[i])
        case .float(let a): return formatFloat(a[i])
        case .bool(let a): return a[i] ? "true" : "false"
        case .string(let a): return a[i]
        }
    }

    /// Rows gathered by index (each index a row number in 0..<rowCount).
    public func rows(_ idx: [Int]) -> Column {
        var c = self
        let elem: [Int]
        if width == 1 { elem = idx } else {
            elem = idx.flatMap { r in (r * width)..<(r * width + width) }
        }
        c.values = values.gather(elem)
        if let m = missing { c.missing = elem.map { m[$0] }; if c.missing?.contains(true) != true { c.missing = nil } }
        return c
    }

    /// Rows gathered by index, where an index of -1 gives a missing row (for outer joins).
    public func rowsAllowingMissing(_ idx: [Int]) -> Column {
        if rowCount > 0 && !idx.contains(where: { $0 < 0 }) { return rows(idx) }
        let safe = idx.map { $0 < 0 ? 0 : $0 }
        if rowCount == 0 {
            var c = self
            c.values = ColumnValues.placeholder(type, count: idx.count * width)
            c.missing = idx.isEmpty ? nil : Array(repeating: true, count: idx.count * width)
            return c
        }
        var c = rows(safe)
        if idx.contains(where: { $0 < 0 }) {
            var m = c.missing ?? Array(repeating: false, count: idx.count * width)
            for (k, r) in idx.enumerated() where r < 0 { for e in 0..<width { m[k * width + e] = true } }
            c.missing = m
            if case .double(var a) = c.values { for (k, r) in idx.enumerated() where r < 0 { for e in 0..<width { a[k * width + e] = .nan } }; c.values = .double(a) }
            if case .float(var a) = c.values { for (k, r) in idx.enumerated() where r < 0 { for e in 0..<width { a[k * width + e] = .nan } }; c.values = .float(a) }
        }
        return c
    }
}

/// Shortest text that reads back to the same Double.
@inline(__always) func formatDouble(_ v: Double) -> String {
    if v.isNaN { return "" }
    return "\(v)"
}
@inline(__always) func formatFloat(_ v: Float) -> String {
    if v.isNaN { return "" }
    return "\(v)"
}
