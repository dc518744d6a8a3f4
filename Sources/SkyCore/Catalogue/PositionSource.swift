// Sky positions by row, wherever they are stored: two arrays, or two fields of a mapped FITS table's rows.

/// The sky positions of a catalogue's rows in **degrees** (ra, dec; NaN where missing), read where they are
/// stored: two arrays (`init(ra:dec:)`), or two double-precision fields of the rows of a FITS table mapped
/// into memory (`FITSTableMap.positions(_:)`), which are never decoded into arrays. Crossmatching reads
/// positions through this type, so a mapped table's positions cost no memory of their own.
public struct PositionSource: Sendable {
    enum Storage: Sendable {
        case arrays(ra: [Double], dec: [Double])
        /// Big-endian IEEE doubles at these byte offsets of each row.
        case table(FITSTableMap, raOffset: Int, decOffset: Int)
    }
    let storage: Storage
    /// Number of rows (for arrays: the shorter array's length).
    public let count: Int

    /// Positions in two arrays of degrees; rows beyond the shorter array are not used.
    public init(ra: [Double], dec: [Double]) {
        storage = .arrays(ra: ra, dec: dec); count = min(ra.count, dec.count)
    }

    init(table: FITSTableMap, raOffset: Int, decOffset: Int) {
        storage = .table(table, raOffset: raOffset, decOffset: decOffset); count = table.rowCount
    }

    /// The file the positions are read from in place (nil for arrays).
    public var mappedFile: String? {
        if case .table(let t, _, _) = storage { return t.path }
        return nil
    }

    /// The position of row `row` (0 ≤ row < count), degrees.
    public subscript(row: Int) -> (ra: Double, dec: Double) {
        withReader { ($0.ra(row), $0.dec(row)) }
    }

    /// Every position as two arrays of degrees (the arrays themselves when the positions are arrays).
    public func arrays() -> (ra: [Double], dec: [Double]) {
        if case .arrays(let ra, let dec) = storage, ra.count == count, dec.count == count { return (ra, dec) }
        var ra = LargeAllocation.uninitialisedArray(Double.self, count: count)
        var dec = LargeAllocation.uninitialisedArray(Double.self, count: count)
        withReader { r in
            ra.withUnsafeMutableBufferPointer { rb in dec.withUnsafeMutableBufferPointer { db in
                guard let rp = rb.baseAddress, let dp = db.baseAddress else { return }
                let ro = UnsafeMutableSendablePointer(rp), dout = UnsafeMutableSendablePointer(dp)
                Parallel.forEachChunk(count: count, minChunk: 1 << 16) { lo, hi in
                    for i in lo..<hi { ro.p[i] = r.ra(i); dout.p[i] = r.dec(i) }
                }
            } }
        }
        return (ra, dec)
    }

    /// Calls `body` with raw access to the positions (see `PositionReader`), valid during the call only.
    public func withReader<R>(_ body: (PositionReader) throws -> R) rethrows -> R {
        switch storage {
        case .arrays(let ra, let dec):
            return try ra.withUnsafeBytes { rb in try dec.withUnsafeBytes { db in
                try body(PositionReader(ra: rb.baseAddress ?? PositionReader.nowhere, dec: db.baseAddress ?? PositionReader.nowhere,
                                        stride: MemoryLayout<Double>.stride, bigEndian: false, count: count))
            } }
        case .table(let t, let ro, let dox):
            return try withExtendedLifetime(t) {
                try body(PositionReader(ra: t.rows + ro, dec: t.rows + dox, stride: t.rowBytes, bigEndian: true, count: count))
            }
        }
    }
}

/// Raw access to positions (degrees): element i of each coordinate is the double at `base + i·stride`, in
/// native or big-endian byte order. Valid only inside `PositionSource.withReader`. Public with inlinable
/// accessors so that loops in other modules compile to plain loads (a package-level type's accessors were
/// not inlined across modules, and a call per position cost a fifth of a crossmatch).
public struct PositionReader: @unchecked Sendable {
    @usableFromInline let raBase: UnsafeRawPointer, decBase: UnsafeRawPointer
    public let stride: Int
    @usableFromInline let swapped: Bool
    public let count: Int

    /// A valid address for empty arrays (never read: there are no rows).
    nonisolated(unsafe) static let nowhere = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16))

    init(ra: UnsafeRawPointer, dec: UnsafeRawPointer, stride: Int, bigEndian: Bool, count: Int) {
        raBase = ra; decBase = dec; self.stride = stride; self.count = count
        #if _endian(big)
        swapped = !bigEndian
        #else
        swapped = bigEndian
        #endif
    }

    @inlinable @inline(__always) func load(_ base: UnsafeRawPointer, _ i: Int) -> Double {
        let bits = base.loadUnaligned(fromByteOffset: i &* stride, as: UInt64.self)
        return Double(bitPattern: swapped ? bits.byteSwapped : bits)
    }

    /// Right ascension of row i, degrees.
    @inlinable @inline(__always) public func ra(_ i: Int) -> Double { load(raBase, i) }
    /// Declination of row i, degrees.
    @inlinable @inline(__always) public func dec(_ i: Int) -> Double { load(decBase, i) }
}
