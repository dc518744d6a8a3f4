// Catalogue-level matching: epochs with proper motions, coverage labels, joined columns.
import Foundation
import Testing
@testable import SkyMatch
import SkyCore

@Suite("Catalogue matching")
struct CatalogueMatchTests {
    static let taurus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SkyCoreTests/Fixtures/taurus").path

    @Test func hipparcosToTycho2WithProperMotion() throws {
        // shared/data/catalogs/taurus/SOURCE.md: after linear pm propagation to J2000, astropy's nearest-neighbour
        // match within 1" pairs 3 114 Hipparcos stars with the Tycho-2 index.
        let hip = try Catalogue.read(Self.taurus + "/hip2.fits"), tyc = try Catalogue.read(Self.taurus + "/tycho2_astrometrynet.fits")
        let o = CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1), find: .best1), epoch1: 1991.25, epoch2: 2000)
        let m = try CatalogueMatch(hip, tyc, options: o)
        #expect(m.result.pairCount == 3114)
        let seps = m.result.separations.sorted()
        #expect(seps[seps.count / 2] * 1000 < 30)   // median below 30 mas
        // Without propagation far fewer stars match within 1".
        let still = try CatalogueMatch(hip, tyc, options: CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1), find: .best1)))
        #expect(still.result.pairCount < 3000)
        // Epochs without proper motions are an error.
        #expect(throws: CatalogueError.self) {
            _ = try CatalogueMatch(tyc, hip, options: CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1)), epoch1: 2000, epoch2: 1991.25))
        }
    }

    /// Epochs per row and a match epoch. References: the fixed-epoch match (checked against astropy's count
    /// in `hipparcosToTycho2WithProperMotion`), and positions moved row by row with `SkyGeometry.propagate`
    /// (checked against astropy in GeometryTests) then matched without epochs — equal bit for bit.
    @Test func epochsPerRowAndMatchEpoch() throws {
        let hip = try Catalogue.read(Self.taurus + "/hip2.fits"), tyc = try Catalogue.read(Self.taurus + "/tycho2_astrometrynet.fits")
        let all = MatchOptions(.radius(arcsec: 1), find: .all)
        let fixed = try CatalogueMatch(hip, tyc, options: CatalogueMatchOptions(all, epoch1: 1991.25, epoch2: 2000)).result
        #expect(fixed.pairCount > 3000)
        // A constant epoch column is the fixed epoch.
        var hipE = hip
        try hipE.add(.double("ep", [Double](repeating: 1991.25, count: hip.rowCount)))
        #expect(try CatalogueMatch(hipE, tyc, options: CatalogueMatchOptions(all, epoch2: 2000, epochColumn1: "ep")).result == fixed)
        // Epochs that differ by row (every seventh missing: it takes epoch1), against positions moved by hand.
        var hipV = hip
        let ep = (0..<hip.rowCount).map { 1985.0 + Double($0 % 5) * 3 }
        try hipV.add(.double("ep", ep, missing: (0..<hip.rowCount).map { $0 % 7 == 0 }))
        var (ra, dec) = try hip.positions()
        let pmra = try hip.doubles("pmRA"), pmde = try hip.doubles("pmDE")
        for i in ra.indices {
            (ra[i], dec[i]) = SkyGeometry.propagate(ra: ra[i], dec: dec[i], pmra: pmra[i], pmdec: pmde[i], fromEpoch: i % 7 == 0 ? 1990 : ep[i], toEpoch: 2000)
        }
        let byHand = try Catalogue(columns: [.double("ra", ra), .double("dec", dec)])
        let expected = try CatalogueMatch(byHand, tyc, options: CatalogueMatchOptions(all)).result
        let perRow = try CatalogueMatch(hipV, tyc, options: CatalogueMatchOptions(all, epoch1: 1990, epoch2: 2000, epochColumn1: "ep")).result
        #expect(perRow == expected && expected.pairCount > 1000)
        // Table 2 moved to the match epoch: the fixed match with the tables swapped (same pairs, separations
        // bit for bit).
        let swapped = try CatalogueMatch(tyc, hipE, options: CatalogueMatchOptions(all, epoch1: 2000, epochColumn2: "ep", matchEpoch: 2000)).result
        struct Pair: Equatable { let a: Int, b: Int, sep: Double }
        func pairs(_ r: MatchResult, swap: Bool) -> [Pair] {
            let list: [Pair] = (0..<r.pairCount).map { k in
                let (x, y) = swap ? (r.rows2[k], r.rows1[k]) : (r.rows1[k], r.rows2[k])
                return Pair(a: x, b: y, sep: r.separations[k])
            }
            return list.sorted { ($0.a, $0.b) < ($1.a, $1.b) }
        }
        #expect(pairs(swapped, swap: true) == pairs(fixed, swap: false))
        // Table 2's epochs must be one value unless a match epoch is named; epochs must be Julian years; a
        // match epoch needs both tables' epochs; a table that must move needs proper motions.
        #expect(throws: CatalogueError.self) { _ = try CatalogueMatch(tyc, hipV, options: CatalogueMatchOptions(all, epoch1: 2000, epochColumn2: "ep")) }
        var mjd = hip
        try mjd.add(.double("mjd", [Double](repeating: 48348.5, count: hip.rowCount)))
        #expect(throws: CatalogueError.self) { _ = try CatalogueMatch(mjd, tyc, options: CatalogueMatchOptions(all, epoch2: 2000, epochColumn1: "mjd")) }
        #expect(throws: CatalogueError.self) { _ = try CatalogueMatch(hip, tyc, options: CatalogueMatchOptions(all, epoch1: 1991.25, matchEpoch: 2000)) }
        #expect(throws: CatalogueError.self) { _ = try CatalogueMatch(tyc, hipE, options: CatalogueMatchOptions(all, epoch1: 2000, epochColumn2: "ep")) }
        // Through the files (epoch column and proper motions read before the match, positions read in place).
        let dir = NSTemporaryDirectory() + "skytool-epochs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try hipV.write(to: dir + "/hipV.fits")
        let o = CatalogueMatchOptions(all, epoch1: 1990, epoch2: 2000, columns1: ["HIP"], columns2: ["index_row"], epochColumn1: "ep")
        let files = try CatalogueFiles(MatchInput(path: dir + "/hipV.fits"), MatchInput(path: Self.taurus + "/tycho2_astrometrynet.fits"), options: o, joining: false)
        #expect(try files.match(options: o).match.result == expected)
    }

    @Test func coverageLabelsAndJoinedColumns() throws {
        // Table 2 covers ra 10..11; table 1 has a matched row, a row inside table 2's coverage with no partner
        // (not_detected) and one outside it (not_covered).
        let t1 = try Catalogue(columns: [.int64("id", [1, 2, 3]), .double("ra", [10.5, 10.7, 20]), .double("dec", [0, 0, 0]), .double("mag", [10, 11, 12])])
        let t2 = try Catalogue(columns: [.int64("id", [7]), .double("ra", [10.5 + 0.5 / 3600]), .double("dec", [0]), .double("flux", [3])])
        let cov2 = try MOC.polygon([(10.0, -1.0), (11.0, -1.0), (11.0, 1.0), (10.0, 1.0)].map { (ra: $0.0, dec: $0.1) }, order: 10)
        let m = try CatalogueMatch(t1, t2, options: CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1)), join: .all1, coverage2: cov2))
        let t = try m.table()
        #expect(t.columnNames == ["id_1", "ra_1", "dec_1", "mag", "id_2", "ra_2", "dec_2", "flux", "sep_arcsec", "match_status"])
        #expect(try t.column("match_status").values == .string(["matched", "not_detected", "not_covered"]))
        #expect(try t.column("sep_arcsec").isMissing(1) && abs(t.doubles("sep_arcsec")[0] - 0.5) < 1e-9)
        #expect(m.reasons1 == [1: .notDetected, 2: .notCovered])
        let only = try CatalogueMatch(t1, t2, options: CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1)), join: .only1, coverage2: cov2)).table()
        #expect(only.columnNames == ["id", "ra", "dec", "mag", "match_status"])
        #expect(try only.column("id").values == .int64([2, 3]))
        let all = try CatalogueMatch(t1, t2, options: CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1), find: .all))).table()
        #expect(all.hasColumn("group_id") && all.hasColumn("group_size"))
        // Matching with no output columns kept, then joining columns supplied afterwards (as read later from
        // the same files) gives the table of a match that kept them; supplied columns must have the rows.
        var bare = CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1)), join: .all1, coverage2: cov2, columns1: [], columns2: [])
        let late = try CatalogueMatch(t1, t2, options: bare)
        #expect(late.outputColumns1.columnNames.isEmpty && late.outputColumns2.columnNames.isEmpty)
        let joined = try late.table(columns1: t1.selecting(["mag", "id"]), columns2: t2.selecting(["id"]))
        bare.columns1 = ["mag", "id"]; bare.columns2 = ["id"]
        let kept = try CatalogueMatch(t1, t2, options: bare).table()
        #expect(joined.columnNames == ["mag", "id_1", "id_2", "sep_arcsec", "match_status"] && joined.columnNames == kept.columnNames)
        for (c, d) in zip(joined.columns, kept.columns) {
            #expect(c.type == d.type && (0..<c.rowCount).allSatisfy { c.isMissing($0) == d.isMissing($0) && c.text(at: $0) == d.text(at: $0) }, "\(c.name)")
        }
        #expect(throws: CatalogueError.self) { try late.table(columns1: t2, columns2: t2) }
    }

    /// A coverage from table 2's own sources. Reference: the geometry of the construction — table 2 is a
    /// grid 1' apart over ra 10–11°, dec −0.5–0.5° with a hole of radius 10' at (10.5°, 0) (a masked star),
    /// so its median spacing is 60" (cos δ ≥ 0.99996 in RA: 59.998–60", tolerance 0.01"), the default
    /// closing radius 4 × 60" = 240" (5 rings of 51.5" cells, reaching 6.1' along a diagonal), and the
    /// closing fills the 1' gaps between sources but not the hole (10' from its centre to the nearest
    /// source). Table 1's unmatched rows are labelled by where they were put.
    @Test func coverageFromSourcesOfTable2() throws {
        var ra2: [Double] = [], dec2: [Double] = []
        for i in 0..<60 { for j in 0..<60 {
            let ra = 10 + (Double(i) + 0.5) / 60, dec = -0.5 + (Double(j) + 0.5) / 60
            if SkyGeometry.separation(ra, dec, 10.5, 0) * 60 > 10 { ra2.append(ra); dec2.append(dec) }
        } }
        let t2 = try Catalogue(columns: [.int64("id", ra2.indices.map { Int64($0) }), .double("ra", ra2), .double("dec", dec2)])
        // Rows: a grid source + 0.5" (matched); halfway between grid sources (not detected); the hole's centre,
        // 15' beyond the grid's east edge and far away (not covered).
        let ra1 = [ra2[0] + 0.5 / 3600, 10 + 20.0 / 60, 10.5, 11.25, 200]
        let dec1 = [dec2[0], -0.5 + 20.0 / 60, 0, 0, -30]
        let t1 = try Catalogue(columns: [.int64("id", [1, 2, 3, 4, 5]), .double("ra", ra1), .double("dec", dec1)])
        var o = CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1), find: .best1), join: .all1)
        o.coverageFromSources2 = true
        let m = try CatalogueMatch(t1, t2, options: o)
        let c = try #require(m.sourceCoverage2)
        #expect(m.sourceCoverage1 == nil)
        #expect(abs(try #require(c.medianNearestArcsec) - 60) < 0.01)
        #expect(c.radiusArcsec == 4 * c.medianNearestArcsec! && c.order == 12)   // 51.5" cells, the closest to 60"
        #expect(try m.table().column("match_status").values == .string(["matched", "not_detected", "not_covered", "not_covered", "not_covered"]))
        #expect(m.notCovered1 == [2, 3, 4])
        // The same labels from the same coverage given as a MOC; a given coverage wins over building one.
        let given = try MOC.sources(ra: ra2, dec: dec2, matchRadius: 1)
        #expect(given == c)
        var withMOC = o; withMOC.coverage2 = given.moc
        let m2 = try CatalogueMatch(t1, t2, options: withMOC)
        #expect(m2.notCovered1 == m.notCovered1 && m2.sourceCoverage2 == nil)
        // A closing radius below the hole's half-width but above the grid spacing: the same labels; one wider
        // than the hole (R = 30', 2R > 20') fills it, and the hole's centre becomes not_detected.
        o.sourceCoverageRadius = 180
        #expect(try CatalogueMatch(t1, t2, options: o).notCovered1 == [2, 3, 4])
        o.sourceCoverageRadius = 1800
        #expect(try CatalogueMatch(t1, t2, options: o).notCovered1 == [3, 4])
        // Coverage labels are not available in blocks.
        #expect { _ = try CatalogueMatch.matchInBlocks(table1: "/nonexistent.fits", t2, options: o, blockRows: 10, out: "/nonexistent/none.fits") } throws: {
            ($0 as? CatalogueError)?.message.contains("coverage labels") == true
        }
    }

    /// Positions read in place from the files (`FITSTableMap`) match as the read catalogues do (reference:
    /// `CatalogueMatch(t1, t2)` on `Catalogue.read` of the same files): the same pairs and separations bit for
    /// bit, every find mode, with the Hipparcos epoch propagation (positions decoded for it) and with coverage
    /// labels (looked up at the mapped positions). A catalogue of the wrong length is an error.
    @Test(arguments: [FindMode.best1, .all, .best, .best2])
    func positionsReadInPlaceMatchAsTheReadCatalogues(find: FindMode) throws {
        let hipPath = Self.taurus + "/hip2.fits", tycPath = Self.taurus + "/tycho2_astrometrynet.fits"
        let hip = try Catalogue.read(hipPath), tyc = try Catalogue.read(tycPath)
        let hipMap = try #require(try FITSTableMap(path: hipPath)), tycMap = try #require(try FITSTableMap(path: tycPath))
        let p1 = try #require(hipMap.positions(try hip.detectPositionColumns()))
        let p2 = try #require(tycMap.positions(try tyc.detectPositionColumns()))
        let cov = try MOC.polygon([(60.0, 20.0), (70.0, 20.0), (70.0, 30.0), (60.0, 30.0)].map { (ra: $0.0, dec: $0.1) }, order: 8)
        for o in [CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1), find: find), epoch1: 1991.25, epoch2: 2000),
                  CatalogueMatchOptions(MatchOptions(.radius(arcsec: 2), find: find), coverage1: cov, coverage2: cov)] {
            let read = try CatalogueMatch(hip, tyc, options: o)
            let inPlace = try CatalogueMatch(hip, positions1: p1, tyc, positions2: p2, options: o)
            let r = read.result, q = inPlace.result
            #expect(r.pairCount > 1000 && r.rows1 == q.rows1 && r.rows2 == q.rows2)
            #expect(r.separations.elementsEqual(q.separations) { $0.bitPattern == $1.bitPattern })
            #expect(r.unmatched1 == q.unmatched1 && r.unmatched2 == q.unmatched2 && r.invalid1 == q.invalid1)
            #expect(read.notCovered1 == inPlace.notCovered1 && read.notCovered2 == inPlace.notCovered2)
        }
        #expect(throws: CatalogueError.self) {
            _ = try CatalogueMatch(hip.rows([0, 1]), positions1: p1, tyc, positions2: p2, options: CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1))))
        }
    }

    /// Files matched by `CatalogueFiles` (FITS read in place, CSV read whole; output columns read after the
    /// match) give the joined table of `CatalogueMatch` on the catalogues read whole (the reference), with
    /// chosen output columns, all columns, an outer join and the Hipparcos epoch propagation (proper motions
    /// read before the match).
    @Test(arguments: ["fits", "csv"])
    func filesMatchAsTheReadCatalogues(format: String) throws {
        var hipPath = Self.taurus + "/hip2.fits", tycPath = Self.taurus + "/tycho2_astrometrynet.fits"
        let dir = NSTemporaryDirectory() + "skytool-files-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if format == "csv" {
            // CSV copies of the same tables (not read in place).
            let (h, t) = (dir + "/hip2.csv", dir + "/tycho2.csv")
            try Catalogue.read(hipPath).write(to: h); try Catalogue.read(tycPath).write(to: t)
            (hipPath, tycPath) = (h, t)
        }
        let hip = try Catalogue.read(hipPath), tyc = try Catalogue.read(tycPath)
        let radius = MatchOptions(.radius(arcsec: 1), find: .best1)
        for o in [CatalogueMatchOptions(radius, epoch1: 1991.25, epoch2: 2000, columns1: ["HIP", "Hpmag"], columns2: ["index_row"]),
                  CatalogueMatchOptions(radius, join: .all1, columns1: ["HIP"], columns2: ["VTmag", "ra"]),
                  CatalogueMatchOptions(radius)] {
            let reference = try CatalogueMatch(hip, tyc, options: o)
            let files = try CatalogueFiles(MatchInput(path: hipPath), MatchInput(path: tycPath), options: o, joining: true)
            let fm = try files.match(options: o)
            #expect(fm.match.result == reference.result && fm.match.result.pairCount > 1000)
            let a = try fm.table(), b = try reference.table()
            #expect(a.columnNames == b.columnNames && a.rowCount == b.rowCount)
            for (x, y) in zip(a.columns, b.columns) { #expect(sameBits(x, y), "\(x.name)") }
        }
        // An unknown output column is an error (for FITS before anything is read; CSV, read whole, at the match).
        let unknown = CatalogueMatchOptions(radius, columns1: ["nope"])
        #expect(throws: CatalogueError.self) {
            _ = try CatalogueFiles(MatchInput(path: hipPath), MatchInput(path: tycPath), options: unknown, joining: true).match(options: unknown)
        }
        if format == "fits" {
            #expect(throws: CatalogueError.self) { _ = try CatalogueFiles(MatchInput(path: hipPath), MatchInput(path: tycPath), options: unknown, joining: true) }
        }
    }

    /// Two columns hold the same values (NaN equal to NaN, bit for bit) and the same missing flags.
    func sameBits(_ x: Column, _ y: Column) -> Bool {
        guard x.missing == y.missing, x.width == y.width else { return false }
        switch (x.values, y.values) {
        case (.double(let p), .double(let q)): return p.elementsEqual(q) { $0.bitPattern == $1.bitPattern }
        case (.float(let p), .float(let q)): return p.elementsEqual(q) { $0.bitPattern == $1.bitPattern }
        default: return x.values == y.values
        }
    }
}
