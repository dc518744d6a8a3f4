// FITS round trips through cfitsio: every column type and missing-value form, headers, images, sections,
// gzip and extended filename syntax. Expected values are the values written (exact equality).
import Foundation
import Testing
@testable import SkyCore

/// A catalogue with one column per FITS type and a missing value in each.
func allTypesCatalogue() throws -> Catalogue {
    let n = 5
    var cols: [Column] = []
    let storages: [(IntegerStorage, [Int64])] = [
        (.int8, [-128, -1, 0, 126, 127]), (.uint8, [0, 1, 128, 254, 255]), (.int16, [-32768, -1, 0, 1, 32767]),
        (.uint16, [0, 1, 32768, 65534, 65535]), (.int32, [Int64(Int32.min), -1, 0, 1, Int64(Int32.max)]),
        (.uint32, [0, 1, 2_147_483_648, 4_294_967_294, 4_294_967_295]), (.int64, [Int64.min + 1, -1, 0, 1, Int64.max]),
    ]
    for (st, v) in storages {
        // The third row is missing; every other value (including the type's extremes but one) survives.
        cols.append(Column(name: "i_\(st.rawValue)", values: .int64(v), missing: [false, false, true, false, false], unit: "count", description: "integer stored as \(st.rawValue)", storage: st))
    }
    cols.append(Column(name: "u64", values: .uint64([0, 1, 9_223_372_036_854_775_808, UInt64.max - 1, 42]), missing: [false, false, false, false, true]))
    cols.append(Column(name: "d", values: .double([1.5, -0.0, .nan, 1e-300, .pi]), missing: [false, false, true, false, false], unit: "deg"))
    cols.append(Column(name: "d_masked", values: .double([1, 2, 3, 4, 5]), missing: [true, false, false, false, false], unit: "mag"))
    cols.append(Column(name: "f", values: .float([1.25, .nan, -3, 1e30, 0]), missing: [false, true, false, false, false], unit: "mag"))
    cols.append(Column(name: "b", values: .bool([true, false, true, false, true]), missing: [false, false, false, true, false]))
    cols.append(Column(name: "s", values: .string(["alpha", "", "with, comma", "ünïcode", "x"]), missing: [false, true, false, false, false]))
    cols.append(Column(name: "vec", values: .double((0..<(n * 3)).map { Double($0) / 4 }), missing: nil, width: 3, unit: "px"))
    return try Catalogue(columns: cols)
}

/// Value-by-value equality where missing elements must be missing on both sides.
func expectSameValues(_ a: Catalogue, _ b: Catalogue, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.rowCount == b.rowCount, sourceLocation: sourceLocation)
    #expect(a.columnNames == b.columnNames, sourceLocation: sourceLocation)
    for c in a.columns {
        guard let d = b[c.name] else { Issue.record("missing column \(c.name)", sourceLocation: sourceLocation); continue }
        #expect(c.type == d.type, "\(c.name): \(c.type) vs \(d.type)", sourceLocation: sourceLocation)
        #expect(c.width == d.width, "\(c.name) width", sourceLocation: sourceLocation)
        for i in 0..<c.values.count {
            #expect(c.isMissing(i) == d.isMissing(i), "\(c.name)[\(i)] missing \(c.isMissing(i)) vs \(d.isMissing(i))", sourceLocation: sourceLocation)
            if c.isMissing(i) { continue }
            switch (c.values, d.values) {
            case (.int64(let x), .int64(let y)): #expect(x[i] == y[i], "\(c.name)[\(i)]", sourceLocation: sourceLocation)
            case (.uint64(let x), .uint64(let y)): #expect(x[i] == y[i], "\(c.name)[\(i)]", sourceLocation: sourceLocation)
            case (.double(let x), .double(let y)): #expect(x[i].bitPattern == y[i].bitPattern, "\(c.name)[\(i)] \(x[i]) vs \(y[i])", sourceLocation: sourceLocation)
            case (.float(let x), .float(let y)): #expect(x[i].bitPattern == y[i].bitPattern, "\(c.name)[\(i)]", sourceLocation: sourceLocation)
            case (.bool(let x), .bool(let y)): #expect(x[i] == y[i], "\(c.name)[\(i)]", sourceLocation: sourceLocation)
            case (.string(let x), .string(let y)): #expect(x[i] == y[i], "\(c.name)[\(i)]", sourceLocation: sourceLocation)
            default: Issue.record("\(c.name): types differ", sourceLocation: sourceLocation)
            }
        }
    }
}

/// Whether two catalogues hold the same columns, values (bit patterns) and missing flags.
func sameBits(_ a: Catalogue, _ b: Catalogue) -> Bool {
    guard a.rowCount == b.rowCount, a.columnNames == b.columnNames else { return false }
    for (c, d) in zip(a.columns, b.columns) {
        guard c.width == d.width, (0..<c.values.count).allSatisfy({ c.isMissing($0) == d.isMissing($0) }) else { return false }
        let same: Bool
        switch (c.values, d.values) {
        case (.double(let x), .double(let y)): same = x.indices.allSatisfy { c.isMissing($0) || x[$0].bitPattern == y[$0].bitPattern }
        case (.float(let x), .float(let y)): same = x.indices.allSatisfy { c.isMissing($0) || x[$0].bitPattern == y[$0].bitPattern }
        case (.int64(let x), .int64(let y)): same = x.indices.allSatisfy { c.isMissing($0) || x[$0] == y[$0] }
        case (.uint64(let x), .uint64(let y)): same = x.indices.allSatisfy { c.isMissing($0) || x[$0] == y[$0] }
        case (.bool(let x), .bool(let y)): same = x.indices.allSatisfy { c.isMissing($0) || x[$0] == y[$0] }
        case (.string(let x), .string(let y)): same = x == y
        default: same = false
        }
        if !same { return false }
    }
    return true
}

@Suite("FITS I/O")
struct FITSTests {
    @Test func everyColumnTypeRoundTrips() throws {
        let tmp = TempDir()
        let cat = try allTypesCatalogue()
        try cat.write(to: tmp.file("all.fits"))
        let back = try Catalogue.read(tmp.file("all.fits"))
        expectSameValues(cat, back)
        for c in cat.columns {
            let d = try back.column(c.name)
            #expect(d.unit == c.unit, "\(c.name) unit")
            #expect(d.description == c.description, "\(c.name) description")
            if c.type == .int64 { #expect(d.storage == c.storage, "\(c.name) storage \(String(describing: d.storage))") }
        }
        // Only the finished file is left in the folder.
        #expect(tmp.contents == ["all.fits"])
    }

    /// Several files read at once: the same catalogues, in the order asked, as one read each (reference:
    /// `Catalogue.read(_:)` of each path); a missing file fails with its own path, the first in order.
    @Test func severalFilesReadAtOnceEqualOneByOne() throws {
        let tmp = TempDir()
        let cat = try allTypesCatalogue()
        try cat.write(to: tmp.file("a.fits"))
        let small = try Catalogue(columns: [Column(name: "x", values: .double([1, 2, 3]))])
        try small.write(to: tmp.file("b.csv"))
        try small.write(to: tmp.file("c.fits"))
        let paths = [tmp.file("a.fits"), tmp.file("b.csv"), tmp.file("c.fits")]
        let together = try Catalogue.read(paths)
        #expect(together.count == 3)
        for (p, c) in zip(paths, together) { #expect(sameBits(try Catalogue.read(p), c), "\(p)") }
        #expect(together[0].rowCount == cat.rowCount && together[1].rowCount == 3)
        do {
            _ = try Catalogue.read([tmp.file("a.fits"), tmp.file("nope1.fits"), tmp.file("nope2.csv")])
            Issue.record("a missing file must fail")
        } catch {
            #expect("\(error)".contains("nope1.fits") && !"\(error)".contains("nope2"))
        }
    }

    /// Reading chosen columns equals reading everything and selecting them (bits, order as asked), for FITS
    /// and CSV, one file or several at once; a FITS file's schema has every column, no rows; CSV has none.
    @Test func chosenColumnsAndSchemas() throws {
        let tmp = TempDir()
        let cat = try allTypesCatalogue()
        try cat.write(to: tmp.file("a.fits"))
        let small = try Catalogue(columns: [Column(name: "x", values: .double([1, 2, 3])), Column(name: "k", values: .int64([4, 5, 6]))])
        try small.write(to: tmp.file("b.csv"))
        let names = Array(cat.columnNames.reversed().prefix(3))
        let one = try Catalogue.read(tmp.file("a.fits"), columns: names)
        let selected = try cat.selecting(names)
        #expect(one.columnNames == names && sameBits(one, selected))
        let two = try Catalogue.read([tmp.file("a.fits"), tmp.file("b.csv")], columns: [names, ["k"]])
        let k = try Catalogue.read(tmp.file("b.csv")).selecting(["k"])
        #expect(sameBits(two[0], one) && sameBits(two[1], k))
        let schema = try Catalogue.schema(ofFile: tmp.file("a.fits"))
        #expect(schema?.rowCount == 0 && schema?.columnNames == cat.columnNames)
        #expect(schema?.columns.map(\.type) == cat.columns.map(\.type))
        #expect(try Catalogue.schema(ofFile: tmp.file("b.csv")) == nil)
        #expect(throws: CatalogueError.self) { try Catalogue.read(tmp.file("a.fits"), columns: ["nope"]) }
    }

    @Test func unsignedIntegersAreWrittenWithTheStandardOffsets() throws {
        let tmp = TempDir()
        try allTypesCatalogue().write(to: tmp.file("u.fits"))
        let h = try FITSFile(path: tmp.file("u.fits")).header(hdu: 1)
        // FITS standard offsets: TZERO = 32768 for 16-bit, 2^31 for 32-bit, 2^63 for 64-bit unsigned, -128 signed byte.
        let tzeros = h.cards.filter { $0.name.hasPrefix("TZERO") }.compactMap { $0.value.doubleValue }
        #expect(tzeros.contains(-128) && tzeros.contains(32768) && tzeros.contains(2_147_483_648) && tzeros.contains(9_223_372_036_854_775_808))
    }

    @Test func scaledColumnsComeBackPhysical() throws {
        let tmp = TempDir()
        let path = tmp.file("scaled.fits")
        try Catalogue(columns: [Column(name: "raw", values: .int64([0, 1, 2, 100]), storage: .int16)]).write(to: path)
        // Add TSCAL/TZERO after the fact, as archives do for compressed photometry.
        let h = try FITSHandle.open(path, writable: true)
        try h.moveTo(hdu: 1)
        try h.writeCard(FITSHeaderCard("TSCAL1", .double(0.5)))
        try h.writeCard(FITSHeaderCard("TZERO1", .double(10)))
        try h.writeCard(FITSHeaderCard("TNULL1", .int(100)))   // TNULL applies to the raw (stored) value
        try h.rescanHeader()
        try h.close()
        let c = try Catalogue.read(path).column("raw")
        #expect(Array(c.doubles().prefix(3)) == [10, 10.5, 11])
        #expect(c.isMissing(3) && !c.isMissing(0))
        #expect(c.type == .float || c.type == .double)
    }

    @Test func tnullValuesAreMissing() throws {
        let tmp = TempDir()
        let path = tmp.file("tnull.fits")
        try Catalogue(columns: [Column(name: "flag", values: .int64([5, -99, 7]), storage: .int32)]).write(to: path)
        let h = try FITSHandle.open(path, writable: true)
        try h.moveTo(hdu: 1)
        try h.writeCard(FITSHeaderCard("TNULL1", .int(-99)))
        try h.rescanHeader()
        try h.close()
        let c = try Catalogue.read(path).column("flag")
        #expect((0..<3).map { c.isMissing($0) } == [false, true, false])
    }

    @Test func headerKeywordsOfEveryType() throws {
        let tmp = TempDir()
        let long = String(repeating: "a long string value that needs CONTINUE cards ", count: 3)
        let cards: [FITSHeaderCard] = [
            FITSHeaderCard("OBSERVER", .string("O'Brien"), comment: "who observed"),
            FITSHeaderCard("EXPTIME", .double(1200.5), comment: "[s] exposure"),
            FITSHeaderCard("NCOMBINE", .int(7), comment: "frames"),
            FITSHeaderCard("FLIPPED", .bool(true), comment: "a flag"),
            FITSHeaderCard("NOVALUE", .none, comment: "undefined value"),
            FITSHeaderCard("LONGSTR", .string(long), comment: ""),
            .commentCard("This is a comment card."),
            .history("Reduced by skytool tests."),
        ]
        let img = FITSImage<Float>(shape: [3, 2], pixels: [1, 2, 3, 4, 5, 6], header: FITSHeader(cards))
        try FITSWriter.write(img, to: tmp.file("h.fits"))
        let h = try FITSFile(path: tmp.file("h.fits")).header(hdu: 0)
        #expect(h["OBSERVER"] == .string("O'Brien"))
        #expect(h.comment(of: "OBSERVER") == "who observed")
        #expect(h["EXPTIME"] == .double(1200.5))
        #expect(h["NCOMBINE"] == .int(7))
        #expect(h["FLIPPED"] == .bool(true))
        #expect(h["NOVALUE"] == FITSHeaderValue.none)
        #expect(h["LONGSTR"]?.stringValue == long.trimmingCharacters(in: .whitespaces))
        #expect(h.comments.contains("This is a comment card."))
        #expect(h.history == ["Reduced by skytool tests."])
    }

    @Test("images of every BITPIX with BSCALE/BZERO", arguments: [8, 16, 32, 64, -32, -64])
    func imageBitpix(_ bitpix: Int) throws {
        let tmp = TempDir()
        let path = tmp.file("img.fits")
        let raw: [Double] = (0..<12).map { Double($0 * 3) }
        try FITSWriter.write(FITSImage<Double>(shape: [4, 3], pixels: raw), to: path, bitpix: bitpix)
        let h = try FITSHandle.open(path, writable: true)
        try h.writeCard(FITSHeaderCard("BSCALE", .double(2)))
        try h.writeCard(FITSHeaderCard("BZERO", .double(-5)))
        try h.rescanHeader()
        try h.close()
        let f = try FITSFile(path: path)
        let d = try f.readImage(as: Double.self)
        #expect(d.shape == [4, 3])
        #expect(d.pixels == raw.map { 2 * $0 - 5 })
        let s = try f.readImage(as: Float.self)
        #expect(s.pixels == raw.map { Float(2 * $0 - 5) })
        #expect(try f.hdus()[0].bitpix == bitpix)
    }

    @Test func sectionReadsOnlyTheCutout() throws {
        let tmp = TempDir()
        let path = tmp.file("big.fits")
        let w = 50, hgt = 40
        let px = (0..<(w * hgt)).map { Float($0) }
        try FITSWriter.write(FITSImage(shape: [w, hgt], pixels: px), to: path)
        let cut = try FITSFile(path: path).readImageSection(first: [11, 21], last: [15, 23], as: Float.self)
        #expect(cut.shape == [5, 3])
        #expect(cut.origin == [11, 21])
        for y in 0..<3 { for x in 0..<5 { #expect(cut[x, y] == px[(20 + y) * w + (10 + x)]) } }
        #expect(throws: FITSError.self) { _ = try FITSFile(path: path).readImageSection(first: [0, 1], last: [5, 5]) }
    }

    @Test func gzipAndExtendedFilenames() throws {
        let tmp = TempDir()
        let cat = try allTypesCatalogue()
        try FITSWriter.write(tables: [("FIRST", cat.rows([0, 1])), ("SECOND", cat)], to: tmp.file("multi.fits.gz"))
        let gz = tmp.file("multi.fits.gz")
        // gzip magic bytes: the file really is compressed.
        let head = try Data(contentsOf: URL(fileURLWithPath: gz)).prefix(2)
        #expect(Array(head) == [0x1f, 0x8b])
        #expect(try Catalogue.read(gz).rowCount == 2)                 // first table by default
        #expect(try Catalogue.read(gz + "[2]").rowCount == 5)          // by number
        #expect(try Catalogue.read(gz + "[SECOND]").rowCount == 5)     // by EXTNAME
        #expect(try Catalogue.read(gz, hdu: 2).rowCount == 5)
        let hdus = try FITSFile(path: gz).hdus()
        #expect(hdus.map(\.name) == [nil, "FIRST", "SECOND"])
        #expect(hdus.map(\.kind) == [.image, .binaryTable, .binaryTable])
    }

    @Test func largeTableReadsInChunks() throws {
        let tmp = TempDir()
        let n = 200_003
        let ids = (0..<n).map { Int64($0) * 7 }
        let ra = (0..<n).map { Double($0) * 1e-3 }
        try Catalogue(columns: [.int64("id", ids), .double("ra", ra, unit: "deg")]).write(to: tmp.file("big.fits"))
        let back = try Catalogue.read(tmp.file("big.fits"))
        #expect(try back.column("id").values == .int64(ids))
        #expect(try back.column("ra").values == .double(ra))
    }

    /// The raw-row paths (row blocks moved in one cfitsio call, converted on all cores) against cfitsio's
    /// per-column conversion: byte-identical files, identical catalogues read back. Every numeric storage,
    /// TZERO offsets, TNULL and NaN nulls, null logicals, a vector column, several blocks and chunks.
    @Test func rawRowsEqualTheColumnPath() throws {
        let tmp = TempDir()
        var base = try allTypesCatalogue()
        base.columns.removeAll { $0.type == .string }
        // Tile the five rows 12 001 times, plus a 3-wide vector column (99 bytes a row); blocks of 2 MiB (21 183
        // rows), so the rows cross blocks and, within blocks, the worker chunks (8 192 rows and more).
        let n = 5 * 12_001
        var big = base.rows((0..<n).map { $0 % 5 })
        try big.add(Column(name: "wide", values: .double((0..<(n * 3)).map { Double($0) * 0.25 - 7 }), width: 3))
        let fast = tmp.file("fast.fits"), slow = tmp.file("slow.fits")
        try FITSWriter.withNewFile(fast) { h in try h.createImage(bitpix: 8, axes: []); try FITSWriter.appendTable(big, to: h, extname: nil, extraCards: [], blockBytes: 1 << 21) }
        try FITSWriter.withNewFile(slow) { h in try h.createImage(bitpix: 8, axes: []); try FITSWriter.appendTable(big, to: h, extname: nil, extraCards: [], rawRows: false) }
        let a = try Data(contentsOf: URL(fileURLWithPath: fast)), b = try Data(contentsOf: URL(fileURLWithPath: slow))
        #expect(a.count == b.count)
        #expect(a == b, "raw-row file differs from cfitsio's per-column file")
        // The same columns without missing values (scalar ones take the writer's pointer walk), against cfitsio.
        var clean = big
        for k in clean.columns.indices { clean.columns[k].missing = nil }
        let fastClean = tmp.file("fast-clean.fits"), slowClean = tmp.file("slow-clean.fits")
        try FITSWriter.withNewFile(fastClean) { h in try h.createImage(bitpix: 8, axes: []); try FITSWriter.appendTable(clean, to: h, extname: nil, extraCards: [], blockBytes: 1 << 21) }
        try FITSWriter.withNewFile(slowClean) { h in try h.createImage(bitpix: 8, axes: []); try FITSWriter.appendTable(clean, to: h, extname: nil, extraCards: [], rawRows: false) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: fastClean)) == Data(contentsOf: URL(fileURLWithPath: slowClean)),
                "raw-row file without missing values differs from cfitsio's per-column file")
        #expect(clean.columns.filter { $0.width == 1 }.map(\.type).count >= 8)
        let viaRows = try FITSFile(path: fast).readTable(hdu: nil, columns: nil, rawRows: true, blockBytes: 1 << 21).catalogue
        let viaColumns = try FITSFile(path: fast).readTable(hdu: nil, columns: nil, rawRows: false).catalogue
        // (Bitwise comparison first; the element-by-element report only when it fails.)
        if !sameBits(viaColumns, viaRows) { expectSameValues(viaColumns, viaRows) }
        if !sameBits(big, viaRows) { expectSameValues(big, viaRows) }
        #expect(sameBits(viaColumns, viaRows) && sameBits(big, viaRows))
        for (c, d) in zip(viaColumns.columns, viaRows.columns) {
            #expect(c.storage == d.storage && c.unit == d.unit && c.description == d.description, "\(c.name)")
        }
        // A table with a string column: numeric columns picked from it are read as raw rows (field offsets
        // counted past the string field) and agree with cfitsio's reading.
        try allTypesCatalogue().write(to: tmp.file("mixed.fits"))
        let pick = ["vec", "i_uint16", "d", "b", "u64"]
        let r1 = try FITSFile(path: tmp.file("mixed.fits")).readTable(hdu: nil, columns: pick, rawRows: true).catalogue
        let r2 = try FITSFile(path: tmp.file("mixed.fits")).readTable(hdu: nil, columns: pick, rawRows: false).catalogue
        expectSameValues(r2, r1)
    }

    /// A row range read by either path equals those rows of the whole table.
    @Test func rowRanges() throws {
        let tmp = TempDir()
        var numeric = try allTypesCatalogue()
        numeric.columns.removeAll { $0.type == .string }
        numeric = numeric.rows((0..<40_000).map { $0 % 5 })
        try numeric.write(to: tmp.file("n.fits"))
        try allTypesCatalogue().write(to: tmp.file("mixed.fits"))
        for (file, whole) in [("n.fits", numeric), ("mixed.fits", try allTypesCatalogue())] {
            for range in [1..<4, 0..<whole.rowCount, 3..<3, (whole.rowCount - 1)..<whole.rowCount] {
                let expected = whole.rows(Array(range))
                for raw in [true, false] {
                    let got = try FITSFile(path: tmp.file(file)).readTable(hdu: nil, columns: nil, rows: range, rawRows: raw, blockBytes: 1 << 16).catalogue
                    #expect(sameBits(expected, got), "\(file) rows \(range) raw \(raw)")
                }
            }
            #expect(throws: CatalogueError.self) { _ = try FITSFile(path: tmp.file(file)).readTable(rows: 0..<(whole.rowCount + 1)) }
        }
    }

    /// A table written block by block reads back as the whole table (values, missing values, storages, units);
    /// nothing appears before `finish`; mismatched blocks and values equal to a column's null are errors.
    @Test func appendingBlocks() throws {
        let tmp = TempDir()
        let n = 2_500
        let whole = try Catalogue(columns: [
            Column(name: "id", values: .int64((0..<n).map { Int64($0) * 3 - 100 }), unit: "count", description: "row id", storage: .int32),
            Column(name: "u16", values: .int64((0..<n).map { Int64($0 % 65535) }), storage: .uint16),
            Column(name: "count", values: .int64((0..<n).map { Int64($0) }), missing: (0..<n).map { $0 % 7 == 3 }),
            Column(name: "big", values: .uint64((0..<n).map { UInt64($0) << 40 }), missing: (0..<n).map { $0 == 5 }),
            Column(name: "mag", values: .float((0..<n).map { $0 % 11 == 0 ? .nan : Float($0) / 8 }), missing: (0..<n).map { $0 % 11 == 0 }, unit: "mag"),
            Column(name: "flag", values: .bool((0..<n).map { $0 % 3 == 0 }), missing: (0..<n).map { $0 % 13 == 0 }),
            Column(name: "pos", values: .double((0..<(2 * n)).map { Double($0) * 0.5 }), width: 2, unit: "deg"),
        ])
        let out = tmp.file("blocks.fits")
        let app = try FITSTableAppender(path: out)
        for r in [0..<1_000, 1_000..<1_000, 1_000..<2_499, 2_499..<n] { try app.append(whole.rows(Array(r))) }
        #expect(tmp.contents.filter { $0 == "blocks.fits" }.isEmpty)
        try app.finish()
        #expect(app.rowCount == n && tmp.contents == ["blocks.fits"])
        let back = try Catalogue.read(out)
        #expect(sameBits(whole, back))
        #expect(back.columns.map(\.storage) == [.int32, .uint16, .int64, .uint64, nil, nil, nil])
        #expect(back.columns.map(\.unit) == whole.columns.map(\.unit) && back.columns.map(\.description) == whole.columns.map(\.description))
        // A block with other columns; a present value equal to the null chosen up front (int32 minimum).
        let other = try FITSTableAppender(path: tmp.file("other.fits"))
        try other.append(whole.rows([0, 1]))
        #expect(throws: CatalogueError.self) { try other.append(whole.selecting(["id"]).rows([0])) }
        var bad = whole.rows([2])
        bad.columns[0] = Column(name: "id", values: .int64([Int64(Int32.min)]), unit: "count", description: "row id", storage: .int32)
        #expect(throws: CatalogueError.self) { try other.append(bad) }
        // Dropped unfinished: no file, no temporary file left.
        var dropped: FITSTableAppender? = try FITSTableAppender(path: tmp.file("dropped.fits"))
        try dropped?.append(whole.rows([0]))
        dropped = nil
        #expect(!tmp.contents.contains { $0.contains("dropped") })
    }

    @Test func selectedColumnsOnly() throws {
        let tmp = TempDir()
        try allTypesCatalogue().write(to: tmp.file("a.fits"))
        let t = try FITSFile(path: tmp.file("a.fits")).readTable(columns: ["s", "d"])
        #expect(t.catalogue.columnNames == ["s", "d"])
        #expect(throws: CatalogueError.self) { _ = try FITSFile(path: tmp.file("a.fits")).readTable(columns: ["nope"]) }
    }
}

/// Tables read in place (`FITSTableMap`): the reference is the ordinary read (`Catalogue.read`, through
/// cfitsio), compared bit for bit.
@Suite("FITS tables read in place")
struct FITSTableMapTests {
    /// Every column type decoded from the mapped rows equals cfitsio's reading, whole and chosen columns
    /// (a string column among them falls back to cfitsio); positions read in place equal the decoded
    /// position columns, NaN and -0.0 included, in a table with other fields between and after them.
    @Test func mappedColumnsAndPositionsEqualTheOrdinaryRead() throws {
        let tmp = TempDir()
        var cat = try allTypesCatalogue().rows((0..<40_003).map { $0 % 5 })
        var rng = SeededGenerator(seed: 11)
        var ra = (0..<cat.rowCount).map { _ in Double.random(in: 0..<360, using: &rng) }
        var dec = (0..<cat.rowCount).map { _ in Double.random(in: -90...90, using: &rng) }
        ra[3] = .nan; dec[7] = -0.0; dec[8] = .infinity
        try cat.add(.double("ra", ra, unit: "deg")); try cat.add(.int64("id", (0..<Int64(cat.rowCount)).map { $0 * 3 }))
        try cat.add(.double("dec", dec, unit: "deg")); try cat.add(Column(name: "tail", values: .float((0..<cat.rowCount).map { Float($0) })))
        let path = tmp.file("t.fits")
        try cat.write(to: path)
        let map = try #require(try FITSTableMap(path: path))
        #expect(map.rowCount == cat.rowCount && map.hdu == 1)
        let ordinary = try Catalogue.read(path)
        let mapped = try map.read()
        #expect(sameBits(ordinary, mapped) && mapped.columnNames == ordinary.columnNames)
        for (c, d) in zip(ordinary.columns, mapped.columns) { #expect(c.unit == d.unit && c.storage == d.storage, "\(c.name)") }
        let pick = ["dec", "u64", "b", "vec", "id"]
        #expect(sameBits(try map.read(columns: pick), try Catalogue.read(path, columns: pick)))
        #expect(sameBits(try map.read(columns: ["s", "d"]), try Catalogue.read(path, columns: ["s", "d"])))
        #expect(throws: CatalogueError.self) { try map.read(columns: ["nope"]) }
        let p = try #require(map.positions(PositionColumns(ra: "ra", dec: "dec")))
        #expect(p.count == cat.rowCount && p.mappedFile == path)
        let (pr, pd) = p.arrays()
        #expect(pr.elementsEqual(ra) { $0.bitPattern == $1.bitPattern } && pd.elementsEqual(dec) { $0.bitPattern == $1.bitPattern })
        #expect(p[40_002].ra.bitPattern == ra[40_002].bitPattern && p[7].dec.bitPattern == (-0.0).bitPattern)
        #expect(map.schema.rowCount == 0 && map.schema.columnNames == ordinary.columnNames)
    }

    /// Chosen rows read from the mapped table (a join's rows: -1 gives a missing row) equal the whole
    /// columns read and gathered (`Column.rowsAllowingMissing`, the reference), for rows that ascend or are
    /// few (decoded in place) and for many rows in no order (decoded whole, then gathered), every column type
    /// (strings through cfitsio); units and storages kept; rows outside the table are errors.
    @Test func chosenRowsEqualTheGatheredColumns() throws {
        let tmp = TempDir()
        let cat = try allTypesCatalogue().rows((0..<20_000).map { ($0 * 7) % 5 })
        let path = tmp.file("t.fits")
        try cat.write(to: path)
        let map = try #require(try FITSTableMap(path: path))
        var rng = SeededGenerator(seed: 5)
        let n = cat.rowCount
        let ascending = (0..<n).filter { $0 % 3 != 1 }.map { $0 % 11 == 0 ? -1 : $0 }
        let few = (0..<500).map { _ in Int.random(in: -1..<n, using: &rng) }
        let many = (0..<(2 * n)).map { _ in Int.random(in: -1..<n, using: &rng) }
        #expect(FITSTableMap.gathersInPlace(ascending, rowCount: n) && FITSTableMap.gathersInPlace(few, rowCount: n))
        #expect(!FITSTableMap.gathersInPlace(many, rowCount: n))
        let whole = try Catalogue.read(path)
        for (label, index) in [("ascending", ascending), ("few", few), ("many", many), ("none", [])] {
            let numeric = whole.columnNames.filter { $0 != "s" }
            let got = try map.read(columns: numeric, rows: index)
            let want = try whole.selecting(numeric).rowsAllowingMissing(index)
            #expect(sameBits(got, want), "\(label)")
            for (c, d) in zip(got.columns, want.columns) { #expect(c.unit == d.unit && c.storage == d.storage, "\(label) \(c.name)") }
            #expect(sameBits(try map.read(columns: ["s", "d"], rows: index), try whole.selecting(["s", "d"]).rowsAllowingMissing(index)), "\(label) strings")
        }
        #expect(throws: CatalogueError.self) { try map.read(columns: ["d"], rows: [0, n]) }
        #expect(throws: CatalogueError.self) { try map.read(columns: ["d"], rows: [-2]) }
        try Catalogue(columns: [.double("ra", []), .int64("id", [])]).write(to: tmp.file("empty.fits"))
        let empty = try #require(try FITSTableMap(path: tmp.file("empty.fits")))
        let blank = try empty.read(columns: ["id", "ra"], rows: [-1, -1])
        #expect(blank.rowCount == 2 && blank.columns.allSatisfy { $0.isMissing(0) && $0.isMissing(1) })
    }

    /// Positions are read in place only from scalar double columns in degrees; files are mapped only when
    /// plain (gzip and extended filename syntax go through cfitsio); an empty table maps.
    @Test func whatIsNotReadInPlace() throws {
        let tmp = TempDir()
        let cat = try Catalogue(columns: [.double("ra", [1, 2]), .double("dec", [3, 4]),
                                          Column(name: "fra", values: .float([1, 2])), Column(name: "v", values: .double([1, 2, 3, 4]), width: 2),
                                          Column(name: "rad", values: .double([0.1, 0.2]), unit: "rad")])
        try cat.write(to: tmp.file("a.fits")); try cat.write(to: tmp.file("a.fits.gz"))
        let map = try #require(try FITSTableMap(path: tmp.file("a.fits")))
        #expect(map.positions(PositionColumns(ra: "ra", dec: "dec")) != nil)
        #expect(map.positions(PositionColumns(ra: "fra", dec: "dec")) == nil)          // E column
        #expect(map.positions(PositionColumns(ra: "v", dec: "dec")) == nil)            // vector column
        #expect(map.positions(PositionColumns(ra: "ra", dec: "dec", radians: true)) == nil)
        #expect(map.positions(PositionColumns(ra: "ra", dec: "nope")) == nil)
        #expect(try FITSTableMap(path: tmp.file("a.fits.gz")) == nil)
        #expect(try FITSTableMap(path: tmp.file("a.fits") + "[1]") == nil)
        #expect(throws: FITSError.self) { try FITSTableMap(path: tmp.file("missing.fits")) }
        try Catalogue(columns: [.double("ra", []), .double("dec", [])]).write(to: tmp.file("empty.fits"))
        let empty = try #require(try FITSTableMap(path: tmp.file("empty.fits")))
        #expect(empty.rowCount == 0 && empty.positions(PositionColumns(ra: "ra", dec: "dec"))?.count == 0)
        #expect(try empty.read().rowCount == 0)
    }
}

/// Replacing an existing output: the new file lands whole, and on ext2/3/4 its writeback is started while it
/// is written (`ReplacementWriteback`), for whole 8 MiB steps only.
@Suite struct ReplacementWritebackTests {
    @Test func replacesWholeAndStartsWritebackOfWholeSteps() throws {
        let tmp = TempDir()
        let target = tmp.file("out.bin")
        #expect(ReplacementWriteback(temporary: tmp.file("x"), replacing: target) == nil)   // nothing to replace
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        let ext4 = fileSystemType(of: tmp.path).map { ["ext2", "ext3", "ext4"].contains($0) } ?? false
        // 2.5 steps of a known pattern, written in 1 MiB pieces.
        let step = Int(ReplacementWriteback.step), size = 5 * step / 2
        let piece = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var helper: ReplacementWriteback?
        try writeAtomically(to: target) { t in
            helper = ReplacementWriteback(temporary: t, replacing: target)
            #expect((helper != nil) == ext4)
            FileManager.default.createFile(atPath: t, contents: nil)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: t))
            for _ in 0..<(size >> 20) { h.write(Data(piece)) }
            try h.close()
            helper?.finish()
        }
        if let helper { #expect(helper.startedBytes == Int64(2 * step)) }
        let back = try Data(contentsOf: URL(fileURLWithPath: target))
        #expect(back.count == size)
        #expect(back.prefix(1 << 20) == Data(piece) && back.suffix(1 << 20) == Data(piece))
        #expect(tmp.contents == ["out.bin"])   // no temporary left behind
    }
}

/// An output about to replace a file: the replaced file's cached pages are released (on ext2/3/4, where
/// clean pages are dropped on request: checked with mincore), its contents untouched; inputs, missing
/// files and folders are left alone.
@Suite struct ReleasedOutputCacheTests {
    /// Resident pages of the file at `path` (mincore over a read-only mapping).
    func residentPages(_ path: String) throws -> Int {
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var st = stat()
        try #require(fstat(fd, &st) == 0 && st.st_size > 0)
        let size = Int(st.st_size), page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let m = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0))
        try #require(m != MAP_FAILED)
        defer { munmap(m, size) }
        var vec = [UInt8](repeating: 0, count: (size + page - 1) / page)
        try #require(mincore(m, size, &vec) == 0)
        return vec.filter { $0 & 1 != 0 }.count
    }

    @Test func replacedOutputReleasesItsPages() throws {
        let tmp = TempDir()
        let target = tmp.file("out.bin")
        #expect(!releaseCachedPages(ofReplacedOutput: target))               // no such file
        #expect(!releaseCachedPages(ofReplacedOutput: tmp.path))             // a folder
        let bytes = Data((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        try bytes.write(to: URL(fileURLWithPath: target))
        let fd = open(target, O_RDONLY); fsync(fd); close(fd)                  // clean pages, still cached
        let cached = try residentPages(target)
        // The same file named otherwise among the inputs: left alone.
        #expect(!releaseCachedPages(ofReplacedOutput: target, inputs: [tmp.path + "/./out.bin"]))
        #expect(try residentPages(target) == cached)
        #expect(releaseCachedPages(ofReplacedOutput: target, inputs: [tmp.file("other.fits")]))
        if fileSystemType(of: tmp.path).map({ ["ext2", "ext3", "ext4"].contains($0) }) ?? false {
            #expect(cached == 1024)                                          // 4 MiB of 4 KiB pages, written and kept
            #expect(try residentPages(target) == 0)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == bytes)
    }
}

/// The type of the file system holding `path`, from /proc/self/mounts (the longest mount point above it).
private func fileSystemType(of path: String) -> String? {
    guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return nil }
    let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    var best: (point: String, type: String)?
    for line in mounts.split(separator: "\n") {
        let f = line.split(separator: " ")
        guard f.count > 2 else { continue }
        let point = String(f[1])
        let inside = point == "/" || real == point || real.hasPrefix(point + "/")
        if inside, point.count > (best?.point.count ?? -1) { best = (point, String(f[2])) }
    }
    return best?.type
}
