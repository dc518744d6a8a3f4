// CSV parsing, type inference, missing values, errors and round trips. Expected values are the literals
// in each input (what the file says), or Swift's own Double(String) for the number parser.
import Foundation
import Testing
@testable import SkyCore

func csv(_ s: String, _ opts: CSVReadOptions = CSVReadOptions()) throws -> Catalogue {
    try CSVIO.parse(Data(s.utf8), source: "test.csv", options: opts)
}

/// The project's seeded generator (SkyCore.SeededGenerator), so that failures reproduce.
typealias SeededRNG = SeededGenerator

@Suite("CSV")
struct CSVTests {
    @Test func quotedFieldsCommentsAndBlankLines() throws {
        let c = try csv("# a comment\n\nname,note,v\r\n\"Smith, J.\",\"said \"\"hi\"\"\",1\n# another\nplain,\"two\nlines\",2\n")
        #expect(c.rowCount == 2)
        #expect(c["name"]?.values == .string(["Smith, J.", "plain"]))
        #expect(c["note"]?.values == .string(["said \"hi\"", "two\nlines"]))
        #expect(c["v"]?.values == .int64([1, 2]))
    }

    @Test func typeInferenceAndMissing() throws {
        let c = try csv("i,d,b,s,m\n1,1.5,true,x,\n-2,,False,,NaN\n3,1e3,t,z,NULL\n")
        #expect(c["i"]?.type == .int64)
        #expect(c["d"]?.type == .double)
        #expect(c["b"]?.type == .bool)
        #expect(c["s"]?.type == .string)
        let d = try c.column("d")
        #expect(d.doubles()[0] == 1.5 && d.isMissing(1) && d.doubles()[2] == 1000)
        #expect(try c.column("s").isMissing(1))
        #expect(try c.column("m").missingCount == 3)
        #expect(try c.column("b").values == .bool([true, false, true]))
    }

    @Test func integersTooLargeBecomeDoubles() throws {
        let c = try csv("a\n1\n99999999999999999999\n")
        #expect(c["a"]?.type == .double)
    }

    @Test func overridesAndErrorsNameLineAndColumn() throws {
        var o = CSVReadOptions()
        o.types = ["mag": .double]
        do {
            _ = try csv("id,mag\n1,12.5\n2,bright\n", o)
            Issue.record("expected an error")
        } catch let e as CSVError {
            #expect(e.line == 3 && e.column == "mag")
            #expect(e.description.contains("bright"))
        }
        o.types = ["id": .string]
        #expect(try csv("id,mag\n007,1\n", o)["id"]?.values == .string(["007"]))
    }

    @Test func nonNumericValueInNumericUseNamesTheRow() throws {
        let c = try csv("ra,dec\n10,20\n11,abc\n12,22\n")
        do {
            _ = try c.doubles("dec")
            Issue.record("expected an error")
        } catch let e as CatalogueError {
            #expect(e.row == 1 && e.column == "dec")
            #expect(e.description.contains("row 2") && e.description.contains("abc"))
        }
    }

    @Test func raggedRowsAndBadQuotesAreErrors() throws {
        #expect(throws: CSVError.self) { _ = try csv("a,b\n1,2\n3\n") }
        #expect(throws: CSVError.self) { _ = try csv("a,b\n\"1,2\n") }
        #expect(throws: CSVError.self) { _ = try csv("") }
        do { _ = try csv("a,b\n1,2\n3\n") } catch let e as CSVError { #expect(e.line == 3) }
    }

    @Test func numberParserIsCorrectlyRounded() throws {
        var rng = SeededRNG(seed: 42)
        var texts: [String] = ["0", "-0.0", "0.1", "1e308", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308",
                               "123456789012345678901234", "0.000000000000000000000000000001", "9007199254740993",
                               "1.00000000000000011102230246251565404236316680908203125", "3.14159D0", " 42.5 ", "+7", ".5", "5."]
        for _ in 0..<20000 {
            let bits = rng.next()
            let d = Double(bitPattern: bits)
            if d.isFinite { texts.append("\(d)") }
            texts.append(String(format: "%.6f", Double(rng.next() % 1_000_000_000) / 1000))
            texts.append(String(format: "%.17g", Double(rng.next() % 1_000_000) * 1e-9))
        }
        for t in texts {
            let expected = Double(t.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "D", with: "e"))
            let got = t.utf8.withContiguousStorageIfAvailable { b in b.baseAddress.flatMap { parseDouble($0, 0, b.count) } } ?? nil
            #expect(got?.bitPattern == expected?.bitPattern, "\(t): \(String(describing: got)) vs \(String(describing: expected))")
        }
        for bad in ["", "abc", "1.2.3", "1e", "--1", "0x10", "1,5"] {
            let got = bad.utf8.withContiguousStorageIfAvailable { b in b.baseAddress.flatMap { parseDouble($0, 0, b.count) } } ?? nil
            #expect(got == nil, "\(bad) should not parse")
        }
    }

    @Test func roundTripKeepsTypesUnitsAndMissing() throws {
        let tmp = TempDir()
        let cat = try allTypesCatalogue().selecting(["i_int16", "i_uint32", "u64", "d", "d_masked", "f", "b", "s"])
        try cat.write(to: tmp.file("t.csv"))
        let back = try Catalogue.read(tmp.file("t.csv"))
        expectSameValues(cat, back)
        #expect(try back.column("d").unit == "deg")
        #expect(try back.column("i_int16").storage == .int16)
        #expect(try back.column("i_int16").description == "integer stored as int16")
        // And through FITS again: CSV -> FITS -> CSV keeps everything.
        try back.write(to: tmp.file("t.fits"))
        expectSameValues(cat, try Catalogue.read(tmp.file("t.fits")))
    }

    @Test func plainCSVHasNoMetadata() throws {
        var o = CSVWriteOptions(); o.metadata = false
        let text = CSVIO.render(try Catalogue(columns: [.double("ra", [1.5]), .string("name", ["a,b"])]), options: o)
        #expect(text == "ra,name\n1.5,\"a,b\"\n")
    }

    @Test func readsAstropyStyleECSV() throws {
        // The header astropy 5.2 writes for Table.write(format='ascii.ecsv', delimiter=',') (block form of the
        // datatype list with flow-style entries).
        let text = """
        # %ECSV 1.0
        # ---
        # delimiter: ','
        # datatype:
        # - {name: ra, unit: deg, datatype: float64, description: Right ascension}
        # - {name: flags, datatype: int16}
        # - {name: ok, datatype: bool}
        # schema: astropy-2.0
        ra,flags,ok
        10.5,3,True
        ,4,False

        """
        let c = try csv(text)
        #expect(c["ra"]?.unit == "deg" && c["ra"]?.description == "Right ascension")
        #expect(c["flags"]?.storage == .int16)
        #expect(c["ok"]?.values == .bool([true, false]))
        #expect(try c.column("ra").isMissing(1))
    }

    @Test func applauseExportsLoadAsTheyAre() throws {
        // Shaped like an APPLAUSE DR4 query export (column names and types from the DR4 schema of `source_calib`:
        // long ids, short flags, float/double values, empty = NULL, timestamps as text).
        let text = """
        source_id,process_id,scan_id,plate_id,archive_id,solution_num,annular_bin,dist_center,dist_edge,sextractor_flags,model_prediction,ra_icrs,dec_icrs,ra_error,dec_error,gaiaedr3_id,timestamp_insert
        40013000000001,13,101,2001,6,1,7,9123.51,402.2,0,0.9871,84.1211102,21.9873311,0.21,0.19,3403838118440534528,2021-03-01 12:00:00
        40013000000002,13,101,2001,6,1,3,2120.05,5710.9,2,0.4211,83.9921933,22.1020144,,,,2021-03-01 12:00:00
        """
        let c = try csv(text)
        #expect(c.rowCount == 2)
        #expect(c["source_id"]?.values == .int64([40_013_000_000_001, 40_013_000_000_002]))
        #expect(c["gaiaedr3_id"]?.values.type == .int64)
        #expect(try c.column("ra_error").isMissing(1))
        #expect(c["timestamp_insert"]?.type == .string)
        let p = try c.detectPositionColumns()
        #expect(p.ra == "ra_icrs" && p.dec == "dec_icrs")
    }

    @Test func tsvByExtension() throws {
        let tmp = TempDir()
        try "a\tb\n1\tx y\n".write(toFile: tmp.file("t.tsv"), atomically: true, encoding: .utf8)
        let c = try Catalogue.read(tmp.file("t.tsv"))
        #expect(c["b"]?.values == .string(["x y"]))
    }
}

@Suite("CSV encoding")
struct CSVEncodingTests {
    /// Bytes that are not UTF-8 (Latin-1 é, a lone continuation byte, an overlong '/', a surrogate) are a
    /// data error naming the line and the column; they used to become U+FFFD silently. Valid multi-byte
    /// text (°, ″, emoji) reads unchanged.
    @Test(arguments: [[UInt8(0xE9)], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]])
    func invalidBytesNameLineAndColumn(_ bad: [UInt8]) throws {
        let d = TempDir()
        var bytes = Array("id,name,mag\n1,Vega,0.0\n2,Prox".utf8) + bad + Array("ima,11.1\n".utf8)
        let p = d.file("bad.csv")
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        do {
            _ = try Catalogue.read(p)
            Issue.record("invalid UTF-8 must not read")
        } catch let e as CSVError {
            #expect(e.line == 3 && e.column == "name", "\(e)")
        }
        bytes = Array("id,name\n1,\"−17° 10′ 5″ ✨\"\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        let c = try Catalogue.read(p)
        #expect(try c.column("name").values == .string(["−17° 10′ 5″ ✨"]))
    }
}
