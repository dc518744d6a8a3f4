// One test per workflow step, on small catalogues built here with known answers.
import Foundation
import Testing
import SkyCore
import SkyConfig
@testable import SkyPlates

/// A plate as two in-memory tables in APPLAUSE's layout.
struct SmallPlate {
    var source: Catalogue
    var calib: Catalogue
    /// Rows at (ra, dec) in degrees; `dup` rows get a twin 0.5" away in dec (a second scan).
    init(ra: [Double], dec: [Double], firstID: Int64 = 1, plateID: Int64 = 7, good: [Bool]? = nil) throws {
        let n = ra.count
        let ids = (0..<n).map { firstID + Int64($0) }
        let g = good ?? Array(repeating: true, count: n)
        source = try Catalogue(columns: [
            .int64("source_id", ids), .int64("plate_id", Array(repeating: plateID, count: n)),
            .int64("sextractor_flags", g.map { $0 ? 0 : 16 }), .double("model_prediction", Array(repeating: 0.95, count: n)),
            .double("elongation", Array(repeating: 1.1, count: n)), .int64("annular_bin", Array(repeating: 3, count: n)),
            .int64("flag_rim", Array(repeating: 0, count: n)), .double("flux_max", Array(repeating: 1000, count: n)),
        ])
        calib = try Catalogue(columns: [
            .int64("source_id", ids), .int64("plate_id", Array(repeating: plateID, count: n)),
            .int64("sextractor_flags", g.map { $0 ? 0 : 16 }), .double("model_prediction", Array(repeating: 0.95, count: n)),
            .int64("annular_bin", Array(repeating: 3, count: n)), .double("ra_icrs", ra), .double("dec_icrs", dec),
        ])
    }
    static let files = PlateFiles(source: "s.csv", calib: "c.csv")
    func joined() throws -> Catalogue { try PlateTables.join(source: source, calib: calib, files: Self.files, plate: "plate").0 }
    func write(_ dir: String, _ name: String) throws -> PlateFiles {
        let f = PlateFiles(source: "\(dir)/\(name)_source.csv", calib: "\(dir)/\(name)_calib.csv")
        try source.write(to: f.source); try calib.write(to: f.calib)
        return f
    }
}

@Suite("Mismatch workflow steps")
struct MismatchStepTests {
    @Test("step 1: the join suffixes shared names _1/_2, keeps the key once, finds positions in source_calib")
    func joinStep() throws {
        let p = try SmallPlate(ra: [10, 10.001], dec: [20, 20])
        let (j, report) = try PlateTables.join(source: p.source, calib: p.calib, files: SmallPlate.files, plate: "plate 1")
        #expect(j.columnNames.filter { $0 == "source_id" }.count == 1)
        for n in ["sextractor_flags_1", "sextractor_flags_2", "model_prediction_1", "annular_bin_1", "plate_id_1", "elongation", "flag_rim", "ra_icrs"] {
            #expect(j.hasColumn(n), "\(n)")
        }
        #expect(report.joinedRows == 2 && report.ra == "ra_icrs" && report.dec == "dec_icrs")
        // Older exports: raj2000/dej2000, here present in both tables (so the calib one is raj2000_2).
        var s = p.source, c = p.calib
        try c.rename("ra_icrs", to: "RAJ2000"); try c.rename("dec_icrs", to: "DEJ2000")
        try s.add(.double("RAJ2000", [0, 0])); try s.add(.double("DEJ2000", [0, 0]))
        let (_, r2) = try PlateTables.join(source: s, calib: c, files: SmallPlate.files, plate: "plate 1")
        #expect(r2.ra == "RAJ2000_2" && r2.dec == "DEJ2000_2")
    }

    @Test("step 1 errors: empty plate, no common key, different plate_id, missing key")
    func joinErrors() throws {
        let p = try SmallPlate(ra: [10, 10.001], dec: [20, 20])
        let other = try SmallPlate(ra: [10], dec: [20], firstID: 100)
        #expect(throws: PlateError.self) { try PlateTables.join(source: p.source.rows([]), calib: p.calib, files: SmallPlate.files, plate: "p") }
        do {
            _ = try PlateTables.join(source: p.source, calib: other.calib, files: SmallPlate.files, plate: "plate 1")
            Issue.record("expected an error")
        } catch let e as PlateError {
            #expect(e.code == .mismatchedTables && e.description.contains("source_id") && e.description.contains("s.csv"))
        }
        let wrongPlate = try SmallPlate(ra: [10, 10.001], dec: [20, 20], plateID: 8)
        do {
            _ = try PlateTables.join(source: p.source, calib: wrongPlate.calib, files: SmallPlate.files, plate: "plate 1")
            Issue.record("expected an error")
        } catch let e as PlateError {
            #expect(e.code == .mismatchedTables && e.column == "plate_id" && e.row == 0)
        }
        var noKey = p.calib
        noKey.remove("source_id")
        #expect(throws: PlateError.self) { try PlateTables.join(source: p.source, calib: noKey, files: SmallPlate.files, plate: "p") }
    }

    @Test("step 2: cuts are combined with AND, counted cumulatively, aggregates over the whole table")
    func cutStep() throws {
        let dir = PlateFixtures.scratch("cuts")
        // 10 rows, 1" apart in dec (dedup never) ; flux_max 100..1000; rows 0 and 1 flagged.
        let dec = (0..<10).map { 20 + Double($0) * 10 / 3600 }
        var p1 = try SmallPlate(ra: Array(repeating: 10, count: 10), dec: dec, good: (0..<10).map { $0 >= 2 })
        try p1.source.set(.double("flux_max", (1...10).map { Double($0) * 100 }))
        let f1 = try p1.write(dir, "p1"), f2 = try SmallPlate(ra: [10], dec: [20], firstID: 500).write(dir, "p2")
        var o = MismatchOptions()
        o.dedup = .never
        let r = try MismatchSearch.run(plate1: f1, plate2: f2, options: o)
        // flux_max > 0.3 * 1000 keeps flux 400..1000 (rows 3..9); flags drop rows 0, 1 (already below).
        #expect(r.steps.first { $0.name == "cut:sextractor_flags" }?.rows == 8)
        #expect(r.steps.first { $0.name == "cut:flux_max" }?.rows == 7)
        // Dropping the flux cut and adding --where.
        o.setCut("flux_max", "")
        o.extraCuts = ["flux_max >= 500"]
        let r2 = try MismatchSearch.run(plate1: f1, plate2: f2, options: o)
        #expect(!r2.steps.contains { $0.name == "cut:flux_max" })
        #expect(r2.steps.first { $0.name == "cut:where1" }?.rows == 6)
    }

    @Test("step 3: the self-match applies only when duplicates are common", arguments: [(0.05, false), (0.5, true)])
    func dedupStep(duplicatedShare: Double, applied: Bool) throws {
        let dir = PlateFixtures.scratch("dedup")
        let n = 100, dups = Int(Double(n) * duplicatedShare / 2)     // pairs: 2 rows each
        var ra: [Double] = [], dec: [Double] = []
        for i in 0..<n { ra.append(10 + Double(i) * 20 / 3600); dec.append(20) }              // 20" apart: singles
        for i in 0..<dups { ra[2 * i + 1] = ra[2 * i]; dec[2 * i + 1] = 20 + 0.5 / 3600 }       // 0.5" twins
        let f1 = try SmallPlate(ra: ra, dec: dec).write(dir, "p1"), f2 = try SmallPlate(ra: [10], dec: [20], firstID: 900).write(dir, "p2")
        let r = try MismatchSearch.run(plate1: f1, plate2: f2, options: MismatchOptions())
        #expect(r.dedupApplied == applied)
        let step = try #require(r.steps.first { $0.name == "dedup" })
        #expect(step.rows == (applied ? 2 * dups : n))
        if !applied { #expect(step.note.contains("not applied")) }
        var always = MismatchOptions(); always.dedup = .always
        #expect(try MismatchSearch.run(plate1: f1, plate2: f2, options: always).steps.first { $0.name == "dedup" }?.rows == 2 * dups)
    }

    @Test("step 4: nearest partner within the radius; non-matched rows carry the nearest plate-2 distance")
    func matchStep() throws {
        let dir = PlateFixtures.scratch("match")
        // Plate-1 rows 4" and 6" north of plate-2 sources along the equator, far apart from each other.
        let f1 = try SmallPlate(ra: [10, 11], dec: [4.0 / 3600, 6.0 / 3600]).write(dir, "p1")
        let f2 = try SmallPlate(ra: [10, 11], dec: [0, 0], firstID: 900).write(dir, "p2")
        var o = MismatchOptions(); o.dedup = .never; o.coverageRadius = 600
        let r = try MismatchSearch.run(plate1: f1, plate2: f2, options: o)
        #expect(r.matched.rowCount == 1)
        #expect(abs(try r.matched.doubles("sep_arcsec")[0] - 4) < 1e-9)          // 4" on a great circle
        #expect(try r.matched.column("plate2_source_id").text(at: 0) == "900")
        #expect(abs(try r.nonmatched.doubles("sep_arcsec")[0] - 6) < 1e-9)
        #expect(try r.nonmatched.column("reason").text(at: 0) == "not_detected")
        o.matchRadius = 7
        #expect(try MismatchSearch.run(plate1: f1, plate2: f2, options: o).matched.rowCount == 2)
    }

    @Test("step 5: coverage from plate 2's sources fills gaps but stops about one spacing beyond the outermost")
    func coverageStep() throws {
        // A 40 x 40 grid at the equator, 60" apart in dec and 1' of RA apart (60" cos dec, 59.996" at the top
        // row): the median nearest-neighbour distance is the RA spacing at the middle rows, within 0.005" of 60".
        var ra: [Double] = [], dec: [Double] = []
        for i in 0..<40 { for j in 0..<40 { ra.append(100 + Double(i) / 60); dec.append(Double(j) / 60) } }
        let m = try #require(try MOC.medianNearestNeighbour(ra: ra, dec: dec))
        #expect(abs(m - 60) < 0.005)
        let (moc, report) = try MismatchSearch.coverage(ra2: ra, dec2: dec, options: MismatchOptions())
        #expect(report.from == "sources" && abs((report.radiusArcsec ?? 0) - 4 * m) < 1e-9)
        // Gaps between grid points are covered; 2' beyond the outermost column is not; 30" beyond usually is.
        #expect(moc.contains(ra: 100 + 10.5 / 60, dec: 10.5 / 60))
        #expect(!moc.contains(ra: 100 + 41 / 60, dec: 20.0 / 60))
        #expect(!moc.contains(ra: 100 - 2.0 / 60, dec: 20.0 / 60))
        // Its area is the grid's (39' x 39') plus about one spacing around, within a cell.
        let cell = try HEALPixLayer(order: report.order).resolution * 60      // arcmin
        let inner = 39.0 * 39.0 / 3600, outer = 41.0 * 41.0 / 3600
        #expect(moc.areaDeg2 > inner - 4 * 39 * cell / 3600 && moc.areaDeg2 < outer + 4 * 41 * cell / 3600)
    }
}
