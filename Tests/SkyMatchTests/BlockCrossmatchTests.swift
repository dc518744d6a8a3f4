// Matching table 1 in blocks against table 2 in memory: the blocks together give exactly the in-memory
// match's answer (the reference is Crossmatch.match, itself checked against brute force and STILTS).
import Foundation
import Testing
@testable import SkyMatch
import SkyCore

@Suite("Matching in blocks")
struct BlockCrossmatchTests {
    @Test(arguments: [FindMode.best1, .all])
    func blocksTogetherEqualOneMatch(find: FindMode) throws {
        var rng = RNG(seed: 77)
        // Table 2: a field with near-duplicates; table 1: most of it moved by up to 1" per axis, plus strays and bad rows.
        let f = field(12_000, centre: (359.9, -45), size: 1.5, &rng)
        var (ra1, dec1) = perturbed(f, by: 1, &rng)
        let extra = field(3_000, centre: (0.2, -45), size: 1, &rng)
        ra1 += extra.ra; dec1 += extra.dec
        ra1[17] = .nan; dec1[4_001] = 95
        var ra2 = Array(f.ra.prefix(10_000)), dec2 = Array(f.dec.prefix(10_000))
        ra2.append(.nan); dec2.append(0)
        let radius = 1.5
        let whole = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.radius(arcsec: radius), find: find))
        let m = try BlockCrossmatch(ra2: ra2, dec2: dec2, radiusArcsec: radius, find: find, expectedRows1: ra1.count)
        var rows1: [Int] = [], rows2: [Int] = [], seps: [Double] = [], unmatched1: [Int] = [], invalid1: [Int] = []
        var first = 0
        for size in [4_000, 1, 0, 6_999, 10_000] {
            let hi = min(ra1.count, first + size)
            let r = try m.match(ra1: Array(ra1[first..<hi]), dec1: Array(dec1[first..<hi]), firstRow: first)
            #expect(r.count1 == hi - first && r.groupIDs == nil)
            rows1 += r.rows1; rows2 += r.rows2; seps += r.separations; unmatched1 += r.unmatched1; invalid1 += r.invalid1
            first = hi
        }
        #expect(first == ra1.count && m.rows1Seen == ra1.count)
        #expect(whole.pairCount > 9_000)   // most of the 10 000 shared sources
        #expect(rows1 == whole.rows1 && rows2 == whole.rows2)
        #expect(seps.map(\.bitPattern) == whole.separations.map(\.bitPattern))
        #expect(unmatched1 == whole.unmatched1 && invalid1 == whole.invalid1)
        #expect(m.unmatched2 == whole.unmatched2 && m.invalid2 == whole.invalid2)
    }

    @Test func refusesModesThatNeedEveryPairOfARow() {
        #expect(throws: CatalogueError.self) { _ = try BlockCrossmatch(ra2: [1], dec2: [1], radiusArcsec: 1, find: .best) }
        #expect(throws: CatalogueError.self) { _ = try BlockCrossmatch(ra2: [1], dec2: [1], radiusArcsec: 1, find: .best2) }
        #expect(throws: CatalogueError.self) { _ = try BlockCrossmatch(ra2: [1], dec2: [1], radiusArcsec: 0) }
    }
}

/// `CatalogueMatch.matchInBlocks` (table 1 read from FITS in blocks, output appended) against the in-memory
/// `CatalogueMatch(...).table()` of the same tables (group columns dropped): same rows, order, columns, values.
@Suite("Catalogue matching in blocks")
struct CatalogueBlockMatchTests {
    @Test(arguments: [(FindMode.best1, JoinMode.and), (.best1, .all1), (.all, .or), (.best1, .only2), (.all, .xor)])
    func fileInBlocksEqualsTheWholeMatch(find: FindMode, join: JoinMode) throws {
        let dir = NSTemporaryDirectory() + "skytool-blocks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = RNG(seed: 91)
        let f = field(3_000, centre: (150, 2), size: 0.6, &rng)
        let g = perturbed(f, by: 1, &rng)
        func table(_ p: (ra: [Double], dec: [Double]), ids: Int64, take: Int) throws -> Catalogue {
            try Catalogue(columns: [
                Column(name: "id", values: .int64((0..<take).map { ids + Int64($0) }), storage: .int32),
                .double("ra", Array(p.ra.prefix(take)), unit: "deg"), .double("dec", Array(p.dec.prefix(take)), unit: "deg"),
                Column(name: "mag", values: .float((0..<take).map { Float($0 % 17) }), missing: (0..<take).map { $0 % 29 == 0 }),
            ])
        }
        try table(f, ids: 1, take: 3_000).write(to: dir + "/a.fits")
        let t1 = try Catalogue.read(dir + "/a.fits"), t2 = try table(g, ids: 100_000, take: 2_500)
        let options = CatalogueMatchOptions(MatchOptions(.radius(arcsec: 1.2), find: find), join: join, columns2: ["id", "mag"])
        let full = try CatalogueMatch(t1, t2, options: options).table()
        let whole = try full.selecting(full.columnNames.filter { $0 != "group_id" && $0 != "group_size" })
        let s = try CatalogueMatch.matchInBlocks(table1: dir + "/a.fits", t2, options: options, blockRows: 700, out: dir + "/out.fits")
        let back = try Catalogue.read(dir + "/out.fits")
        #expect(s.blocks == 5 && s.outputRows == whole.rowCount && back.rowCount == whole.rowCount)
        #expect(back.columnNames == whole.columnNames)
        for c in whole.columns {
            guard let d = back[c.name] else { continue }
            let x = c.doubles(), y = d.doubles()
            #expect(x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(c.name)")
            #expect((0..<c.values.count).allSatisfy { c.isMissing($0) == d.isMissing($0) }, "\(c.name) missing")
        }
    }

    /// Epochs in blocks (an epoch column of table 1 read with each block; table 2 moved to the match epoch
    /// once) against the in-memory match of the same tables with the same options (Taurus: Hipparcos-2 with
    /// epochs that differ by row, Tycho-2 at J2000).
    @Test func epochsInBlocksEqualTheWholeMatch() throws {
        let dir = NSTemporaryDirectory() + "skytool-blocks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let taurus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SkyCoreTests/Fixtures/taurus").path
        var hip = try Catalogue.read(taurus + "/hip2.fits").selecting(["HIP", "RA_ICRS", "DE_ICRS", "pmRA", "pmDE"])
        try hip.add(.double("ep", (0..<hip.rowCount).map { 1988.0 + Double($0 % 4) }))
        let tyc = try Catalogue.read(taurus + "/tycho2_astrometrynet.fits")
        try hip.write(to: dir + "/hip.fits"); try tyc.write(to: dir + "/tyc.fits")
        let best1 = MatchOptions(.radius(arcsec: 1), find: .best1)
        for (file, t1, t2, options) in [
            ("hip.fits", hip, tyc, CatalogueMatchOptions(best1, epoch2: 2000, epochColumn1: "ep")),
            ("tyc.fits", tyc, hip, CatalogueMatchOptions(best1, join: .all1, epoch1: 2000, epochColumn2: "ep", matchEpoch: 2000)),
        ] {
            let whole = try CatalogueMatch(t1, t2, options: options)
            #expect(whole.result.pairCount > 3000)
            let s = try CatalogueMatch.matchInBlocks(table1: dir + "/" + file, t2, options: options, blockRows: 1000, out: dir + "/out.fits")
            let back = try Catalogue.read(dir + "/out.fits"), expected = try whole.table()
            #expect(s.pairs == whole.result.pairCount && back.columnNames == expected.columnNames && back.rowCount == expected.rowCount)
            for c in expected.columns {
                let x = c.doubles(), y = try back.doubles(c.name)
                #expect(zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(file) \(c.name)")
            }
        }
    }
}
