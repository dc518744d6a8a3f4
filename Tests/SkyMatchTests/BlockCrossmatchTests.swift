// Matching table 1 in blocks against table 2 in memory: the blocks together give exactly the in-memory
// match's answer (the reference is Crossmatch.match, itself checked against brute force and STILTS).
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
