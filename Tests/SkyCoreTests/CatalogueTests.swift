// The columnar Catalogue: selection, sorting, concatenation, joins, position detection and expressions.
// Expected values follow from the inputs written in each test.
import Foundation
import Testing
@testable import SkyCore

func sample() throws -> Catalogue {
    try Catalogue(columns: [
        .int64("id", [3, 1, 2, 5]),
        .double("mag", [12.5, 10.0, .nan, 15.25], unit: "mag"),
        .string("name", ["c", "a", "b", "e"]),
        .bool("ok", [true, false, true, true]),
    ])
}

@Suite("Catalogue")
struct CatalogueTests {
    @Test func rowsFilterProjection() throws {
        let c = try sample()
        #expect(try c.rows([2, 0]).column("id").values == .int64([2, 3]))
        #expect(try c.filter([true, false, false, true]).column("name").values == .string(["c", "e"]))
        #expect(try c.selecting(["name", "id"]).columnNames == ["name", "id"])
        #expect(throws: CatalogueError.self) { _ = try c.selecting(["nope"]) }
        #expect(throws: CatalogueError.self) { _ = try c.filter([true]) }
    }

    @Test func sortIsStableWithMissingLast() throws {
        let c = try sample()
        #expect(try c.sorted(by: "mag").column("id").values == .int64([1, 3, 5, 2]))
        #expect(try c.sorted(by: "mag", ascending: false).column("id").values == .int64([5, 3, 1, 2]))
        #expect(try c.sorted(by: "name").column("id").values == .int64([1, 2, 3, 5]))
        // Integers with a missing value and ties: ties keep row order either way, the missing row comes last
        // (expected orders worked by hand from the rule "missing last, then value, then row").
        let k = try Catalogue(columns: [
            .int64("k", [7, 2, 0, 2, 7], missing: [false, false, true, false, false]),
            Column(name: "u", values: .uint64([5, 5, 1, UInt64.max, 0])),
        ])
        #expect(try k.sortPermutation(by: "k") == [1, 3, 0, 4, 2])
        #expect(try k.sortPermutation(by: "k", ascending: false) == [0, 4, 1, 3, 2])
        #expect(try k.sortPermutation(by: "u") == [4, 2, 0, 1, 3])
    }

    @Test func concatenationMatchesColumnsByName() throws {
        let c = try sample()
        let d = try c.selecting(["ok", "name", "mag", "id"])
        let e = try c.concatenated(with: d)
        #expect(e.rowCount == 8)
        #expect(try e.column("id").values == .int64([3, 1, 2, 5, 3, 1, 2, 5]))
        #expect(try e.column("mag").isMissing(6))
        #expect(throws: CatalogueError.self) { _ = try c.concatenated(with: try c.selecting(["id"])) }
    }

    @Test func innerAndLeftJoinWithSuffixes() throws {
        let source = try Catalogue(columns: [.int64("source_id", [10, 11, 12]), .int64("flags", [0, 4, 1]), .double("x", [1, 2, 3])])
        let calib = try Catalogue(columns: [.int64("source_id", [12, 10, 13]), .int64("flags", [7, 8, 9]), .double("ra", [50, 51, 52])])
        let inner = try source.join(calib, on: "source_id")
        #expect(inner.columnNames == ["source_id", "flags_1", "x", "flags_2", "ra"])
        #expect(try inner.column("source_id").values == .int64([10, 12]))
        #expect(try inner.column("flags_2").values == .int64([8, 7]))
        let left = try source.join(calib, on: "source_id", kind: .left)
        #expect(left.rowCount == 3)
        #expect(try left.column("ra").isMissing(1) && !left.column("ra").isMissing(0))
        #expect(try left.column("flags_2").isMissing(1))
    }

    @Test("position columns are detected", arguments: [
        ("ra", "dec"), ("RA_ICRS", "DE_ICRS"), ("ra_icrs", "dec_icrs"), ("RAJ2000", "DEJ2000"), ("ALPHA_J2000", "DELTA_J2000"),
    ])
    func positionDetection(_ names: (String, String)) throws {
        let c = try Catalogue(columns: [.double("mag", [1]), .double(names.0, [10]), .double(names.1, [-20])])
        let p = try c.positions()
        #expect(p.ra == [10] && p.dec == [-20])
    }

    @Test func lsstCoordinatesAreRadians() throws {
        let c = try Catalogue(columns: [.double("coord_ra", [Double.pi / 2]), .double("coord_dec", [-Double.pi / 4])])
        let p = try c.positions()
        #expect(abs(p.ra[0] - 90) < 1e-12 && abs(p.dec[0] + 45) < 1e-12)
        var d = try Catalogue(columns: [.double("a", [1]), .double("b", [2])])
        #expect(throws: CatalogueError.self) { _ = try d.positions() }
        d.positionColumns = PositionColumns(ra: "a", dec: "b")
        #expect(try d.positions().ra == [1])
    }

    /// Units decide, also for columns named explicitly: radians are converted (90° = π/2 exactly), degrees
    /// or no unit are read as they are, hours/arcsec and mixed units are refused naming the column.
    @Test("position units", arguments: [
        ("rad", "rad", 90.0), ("radians", nil, 90.0), ("deg", "deg", Double.pi / 2), (nil, nil, Double.pi / 2), ("degree", nil, Double.pi / 2),
    ] as [(String?, String?, Double)])
    func positionUnits(_ units: (String?, String?, Double)) throws {
        var c = try Catalogue(columns: [.double("x", [Double.pi / 2], unit: units.0), .double("y", [0], unit: units.1)])
        c.positionColumns = PositionColumns(ra: "x", dec: "y")
        #expect(try c.positions().ra == [units.2])
        // A known pair whose unit says degrees is read in degrees, whatever its name's convention.
        let lsst = try Catalogue(columns: [.double("coord_ra", [1.5], unit: "deg"), .double("coord_dec", [2], unit: "deg")])
        #expect(try lsst.positions().ra == [1.5])
    }

    @Test("position columns in other units are refused", arguments: [("h", "deg", "x"), ("arcsec", "arcsec", "x"), ("rad", "deg", "y")])
    func positionUnitsRefused(_ units: (String, String, String)) throws {
        var c = try Catalogue(columns: [.double("x", [1], unit: units.0), .double("y", [0], unit: units.1)])
        c.positionColumns = PositionColumns(ra: "x", dec: "y")
        let e = try #require(throws: CatalogueError.self) { _ = try c.positions() }
        #expect(e.column == units.2)
    }
}

@Suite("Expressions")
struct ExpressionTests {
    let cat: Catalogue = {
        // Expected masks below are worked out by hand from these five rows.
        (try? Catalogue(columns: [
            .int64("sextractor_flags", [0, 4, 8, 2, 1]),
            .double("elongation", [1.1, 1.4, 1.2, 2.0, .nan]),
            .double("flux_max", [10, 3, 5, 2.9, 8]),
            .string("band", ["g", "r", "g", "i", "r"]),
            .bool("flag_rim", [false, false, true, false, false]),
        ])) ?? Catalogue()
    }()

    @Test func thePlateQualityCut() throws {
        let m = try Expression("sextractor_flags <= 4 && elongation < 1.5 && flux_max > 0.3*max(flux_max)").mask(on: cat)
        #expect(m == [true, false, false, false, false])
    }

    @Test("evaluation", arguments: [
        ("flux_max >= 5 || band == \"i\"", [true, false, true, true, true]),
        ("!(flux_max > 4)", [false, true, false, true, false]),
        ("not flag_rim and band != 'g'", [false, true, false, true, true]),
        ("abs(flux_max - median(flux_max)) < 2.5", [false, true, true, true, false]),
        ("sqrt(flux_max ^ 2) == flux_max", [true, true, true, true, true]),
        ("2 + 3 * 4 == 14 && 2 ** 3 ** 2 == 512", [true, true, true, true, true]),
        ("-flux_max < -4 && log10(100) == 2", [true, false, true, false, true]),
        ("isnull(elongation)", [false, false, false, false, true]),
        ("elongation != 1.1", [false, true, true, true, false]),
        ("flux_max > mean(flux_max) + std(flux_max) * 0", [true, false, false, false, true]),
        ("min(flux_max, 4) == 4 && count(elongation) == 4", [true, false, true, false, true]),
        ("sextractor_flags % 2 == 0", [true, true, true, true, false]),
    ])
    func evaluation(_ c: (String, [Bool])) throws {
        #expect(try Expression(c.0).mask(on: cat) == c.1, "\(c.0)")
    }

    @Test("errors point at the offending character", arguments: [
        ("flux_max > ", 11), ("flux_max = 3", 9), ("(flux_max > 3", 13), ("flux_max > 3 &&& ok", 15),
        ("nosuch > 3", 0), ("frob(flux_max)", 0), ("flux_max > 'a'", 9),
    ])
    func errors(_ c: (String, Int)) throws {
        do {
            _ = try Expression(c.0).mask(on: cat)
            Issue.record("\(c.0) should fail")
        } catch let e as ExpressionError {
            #expect(e.position == c.1, "\(c.0): \(e.description)")
        }
    }

    @Test func unknownColumnSuggestsNames() throws {
        do { _ = try Expression("flux < 3").mask(on: cat) } catch let e as ExpressionError {
            #expect(e.message.contains("unknown column 'flux'") && e.message.contains("flux_max"))
        }
        #expect(try Expression("flux_max * 2").columnNames == ["flux_max"])
        #expect(try Expression("`flux_max` > 9").mask(on: cat) == [true, false, false, false, false])
    }
}
