// Writing catalogues and images to FITS, atomically.

/// Writes FITS files. Every write goes to a temporary file in the target folder and is renamed onto the
/// target at the end, so a failure never leaves a partial file.
public enum FITSWriter {
    /// Writes `catalogue` as a binary table in HDU 1 (after an empty primary HDU).
    ///
    /// Column types: Int64 → the column's `storage` (default K, 64-bit); UInt64 → W (K with TZERO 2^63);
    /// Double → D; Float → E; Bool → L; String → A with the longest value's UTF-8 length. Missing
    /// integers get a TNULLn value the column does not otherwise hold; missing floats are NaN; missing
    /// logicals are FITS nulls; missing strings are empty. Units go to TUNITn, descriptions to TCOMMn,
    /// and the catalogue's non-structural header cards are copied.
    public static func write(_ catalogue: Catalogue, to path: String, extname: String? = nil, extraCards: [FITSHeaderCard] = []) throws {
        try withNewFile(path) { h in
            try h.createImage(bitpix: 8, axes: [])
            try appendTable(catalogue, to: h, extname: extname, extraCards: extraCards)
        }
    }

    /// Writes several tables as HDUs 1, 2, ... of one file.
    public static func write(tables: [(name: String, catalogue: Catalogue)], to path: String) throws {
        try withNewFile(path) { h in
            try h.createImage(bitpix: 8, axes: [])
            for t in tables { try appendTable(t.catalogue, to: h, extname: t.name, extraCards: []) }
        }
    }

    /// Writes an image with its header cards (structural keywords in `image.header` are ignored;
    /// BITPIX is chosen by `bitpix`: -64 for Double, -32 for Float by default).
    public static func write<T: FITSImageElement>(_ image: FITSImage<T>, to path: String, bitpix: Int? = nil) throws {
        try withNewFile(path) { h in
            try h.createImage(bitpix: bitpix ?? (T.self == Float.self ? -32 : -64), axes: image.shape)
            for c in image.header.cards where !FITSHeader.isStructural(c.name) && c.name != "EXTEND" && c.name != "SIMPLE" {
                try h.writeCard(c)
            }
            if !image.pixels.isEmpty { try h.writeImage(image.pixels) }
        }
    }

    /// Creates a temporary FITS file beside `path`, runs `body`, closes and renames it; errors name `path`.
    static func withNewFile(_ path: String, _ body: (FITSHandle) throws -> Void) throws {
        try writeAtomically(to: path) { tmp in
            do {
                let h = try FITSHandle.create(tmp)
                try body(h)
                try h.close()
            } catch var e as FITSError {
                e.file = path
                throw e
            }
        }
    }

    /// Appends `cat` as a binary table HDU. `rawRows`: write tables of numeric and logical columns as raw row
    /// blocks of about `blockBytes` (the same bytes as cfitsio's per-column writes, faster); false forces the
    /// per-column path.
    static func appendTable(_ cat: Catalogue, to h: FITSHandle, extname: String?, extraCards: [FITSHeaderCard],
                            rawRows: Bool = true, blockBytes: Int = rawBlockBytes) throws {
        var forms: [String] = [], units: [String] = []
        var nullRaw: [Int: Int64] = [:]
        var storages: [Int: IntegerStorage] = [:]
        for (k, c) in cat.columns.enumerated() {
            units.append(c.unit ?? "")
            switch c.values {
            case .int64(let a):
                var st = c.storage ?? .int64
                if st == .uint64 { st = .int64 }
                // Widen the storage if a value does not fit (e.g. a computed column).
                if st != .int64 {
                    var lo = Int64.max, hi = Int64.min
                    if let m = c.missing { for (i, v) in a.enumerated() where !m[i] { lo = min(lo, v); hi = max(hi, v) } }
                    else { for v in a { lo = min(lo, v); hi = max(hi, v) } }
                    if lo <= hi, !(st.range.contains(lo) && st.range.contains(hi)) { st = .int64 }
                }
                if let m = c.missing, m.contains(true) {
                    let (sentinel, storage) = chooseNull(values: a, missing: m, storage: st)
                    st = storage
                    nullRaw[k] = sentinel
                }
                storages[k] = st
                forms.append("\(c.width)\(st.tformCode)")
            case .uint64(let a):
                forms.append("\(c.width)W")
                if let m = c.missing, m.contains(true) {
                    // Physical sentinel: the largest value not present; raw = physical - 2^63.
                    var used = Set<UInt64>(); for (i, v) in a.enumerated() where !m[i] { used.insert(v) }
                    var p = UInt64.max
                    while used.contains(p) { p -= 1 }
                    nullRaw[k] = Int64(bitPattern: p ^ (1 << 63))
                }
            case .double: forms.append("\(c.width)D")
            case .float: forms.append("\(c.width)E")
            case .bool: forms.append("\(c.width)L")
            case .string(let a):
                guard c.width == 1 else {
                    throw CatalogueError(.unsupportedFormat, "vector string columns cannot be written to FITS", source: cat.source, column: c.name)
                }
                let w = max(1, a.reduce(0) { max($0, $1.utf8.count) })
                forms.append("\(w)A")
            }
        }
        try createTableHDU(cat, rows: cat.rowCount, forms: forms, units: units, nullRaw: nullRaw, extname: extname,
                           cards: cat.header.cards + extraCards, on: h)
        if rawRows, let (layouts, rowBytes) = rawLayouts(cat, storages: storages, nullRaw: nullRaw) {
            try writeRawRows(cat, layouts, rowBytes: rowBytes, to: h, blockBytes: blockBytes)
            return
        }
        // Row chunks of cfitsio's optimal size, every column per chunk: the table is written in one pass
        // through cfitsio's buffers (column after column over all rows re-reads the table once per column).
        let rows = cat.rowCount
        let step = max(1, try h.optimalRows())
        var first = 0
        while first < rows {
            let last = min(rows, first + step)
            for (k, c) in cat.columns.enumerated() {
                let num = k + 1, w = c.width
                let lo = first * w, hi = last * w
                guard hi > lo else { continue }
                switch c.values {
                case .int64(let a): try writeSlice(a, lo, hi, h, num, c.name, .int64, first)
                case .uint64(let a): try writeSlice(a, lo, hi, h, num, c.name, .uint64, first)
                case .double(let a): try writeSlice(a, lo, hi, h, num, c.name, .double, first)
                case .float(let a): try writeSlice(a, lo, hi, h, num, c.name, .float, first)
                case .bool(let a):
                    let bytes = a[lo..<hi].map { CChar($0 ? 1 : 0) }
                    try writeSlice(bytes, 0, bytes.count, h, num, c.name, .logical, first)
                case .string(let a):
                    try h.writeStrings(num, name: c.name, values: a[first..<last], row: first + 1)
                }
                if let m = c.missing, c.type != .string {
                    // Each run of missing elements in this chunk becomes FITS nulls.
                    var i = lo
                    while i < hi {
                        if m[i] {
                            var j = i
                            while j < hi && m[j] { j += 1 }
                            try h.writeNull(num, name: c.name, row: i / w + 1, element: i % w + 1, count: j - i)
                            i = j
                        } else { i += 1 }
                    }
                }
            }
            first = last
        }
    }

    /// Creates a binary table HDU for `cat`'s columns with `rows` rows: TFORMs, TUNITs, TCOMMn from the
    /// descriptions, TNULLn (raw values, in column order), then the non-structural `cards`.
    static func createTableHDU(_ cat: Catalogue, rows: Int, forms: [String], units: [String], nullRaw: [Int: Int64],
                               extname: String?, cards: [FITSHeaderCard], on h: FITSHandle) throws {
        try h.createTable(rows: rows, names: cat.columnNames, forms: forms, units: units, extname: extname)
        for (k, c) in cat.columns.enumerated() {
            if let d = c.description, !d.isEmpty { try h.writeCard(FITSHeaderCard("TCOMM\(k + 1)", .string(d))) }
        }
        for (k, raw) in nullRaw.sorted(by: { $0.key < $1.key }) { try h.writeCard(FITSHeaderCard("TNULL\(k + 1)", .int(raw))) }
        for card in cards where !FITSHeader.isStructural(card.name) && card.name != "EXTNAME" {
            try h.writeCard(card)
        }
        try h.rescanHeader()
    }

    private static func writeSlice<T>(_ a: [T], _ lo: Int, _ hi: Int, _ h: FITSHandle, _ num: Int, _ name: String, _ kind: FITSReadKind, _ firstRow: Int) throws(FITSError) {
        var part = Array(a[lo..<hi])
        try part.withUnsafeMutableBufferPointer { b throws(FITSError) in
            guard let base = b.baseAddress else { return }
            try h.writeColumn(num, name: name, kind: kind, row: firstRow + 1, count: hi - lo, from: UnsafeMutableRawPointer(base))
        }
    }


    /// A raw TNULL value for an integer column: a physical value the data do not use (the storage's
    /// minimum, else its maximum, else the first unused value), converted to the stored (raw) value.
    static func chooseNull(values: [Int64], missing: [Bool], storage: IntegerStorage) -> (raw: Int64, storage: IntegerStorage) {
        var used = Set<Int64>()
        for (i, v) in values.enumerated() where !missing[i] { used.insert(v) }
        var st = storage
        while true {
            let r = st.range
            var p: Int64? = nil
            if !used.contains(r.lowerBound) { p = r.lowerBound }
            else if !used.contains(r.upperBound) { p = r.upperBound }
            else if used.count < 1_000_000 {
                var cand = r.lowerBound
                while used.contains(cand) && cand < r.upperBound { cand += 1 }
                if !used.contains(cand) { p = cand }
            }
            if let p {
                let raw: Int64
                switch st {
                case .int8: raw = p + 128
                case .uint16: raw = p - 32768
                case .uint32: raw = p - 2_147_483_648
                default: raw = p
                }
                return (raw, st)
            }
            switch st {
            case .int8, .uint8: st = .int16
            case .int16, .uint16: st = .int32
            default: st = .int64
            }
        }
    }
}
