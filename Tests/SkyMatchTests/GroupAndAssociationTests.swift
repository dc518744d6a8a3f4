// Self-matching (friends-of-friends) and n-way association, on positions built so the answer is known.
import Foundation
import Testing
@testable import SkyMatch
import SkyCore

@Suite("Group and associate")
struct GroupAndAssociationTests {
    let arcsec = 1.0 / 3600

    @Test func friendsOfFriendsChainsAndKeepModes() throws {
        // Rows 0-1-2 form a chain (1.5" steps, 3" end to end), 3 is alone, 4 and 5 are exact duplicates.
        let ra = [10.0, 10.0 + 1.5 * arcsec, 10.0 + 3 * arcsec, 50.0, 80.0, 80.0]
        let dec = [0.0, 0.0, 0.0, 0.0, 10.0, 10.0]
        let g = try SelfMatch(ra: ra, dec: dec, radius: 2)
        #expect(g.rows1 == [0, 1, 4] && g.rows2 == [1, 2, 5])
        #expect(g.groupIDs == [1, 1, 1, 0, 2, 2] && g.groupSizes == [3, 3, 3, 1, 2, 2])
        #expect(g.rows(keeping: .duplicated) == [0, 1, 2, 4, 5])
        #expect(g.rows(keeping: .singles) == [3])
        #expect(g.rows(keeping: .first) == [0, 3, 4])
        #expect(abs(g.duplicatedFraction - 5.0 / 6) < 1e-12)
        let cat = try Catalogue(columns: [.int64("id", [0, 1, 2, 3, 4, 5]), .double("ra", ra), .double("dec", dec)])
        let kept = try g.annotate(cat, keep: .duplicated)
        #expect(try kept.column("id").values == .int64([0, 1, 2, 4, 5]))
        #expect(try g.pairTable(cat).columnNames == ["id_1", "ra_1", "dec_1", "id_2", "ra_2", "dec_2", "sep_arcsec"])
    }

    @Test func associationSettlesAmbiguitiesAsDocumented() throws {
        // Visit 0: two stars 10" apart. Visit 1: star A moved 0.3", star B missing, a new star C.
        // Visit 2: two detections both 0.4" from A (one visit, one object: only one joins A).
        let a = (10.0, 20.0), b = (10.0 + 10 * arcsec / cos(20 * Double.pi / 180), 20.0)
        let v0 = (ra: [a.0, b.0], dec: [a.1, b.1])
        let v1 = (ra: [a.0, 30.0], dec: [a.1 + 0.3 * arcsec, 0.0])
        let v2 = (ra: [a.0, a.0], dec: [a.1 + 0.4 * arcsec, a.1 - 0.4 * arcsec])
        let s = try Association(positions: [v0, v1, v2], radius: 1)
        #expect(s.objectIDs == [1, 2, 3, 4])
        #expect(s.detectionCounts == [3, 1, 1, 1])
        // Detections: visit 0 rows 0, 1; visit 1 rows 0 (→ object 1), 1 (→ new object 3); visit 2 one of its rows
        // joins object 1, the other becomes object 4.
        #expect(s.detectionObject.count == 6)
        #expect(Set(zip(s.detectionCatalogue, s.detectionObject).filter { $0.0 == 2 }.map(\.1)) == [1, 4])
        // Object 1's mean position is between its detections.
        #expect(abs(s.dec[0] - (a.1 + (0 + 0.3 + 0.4) / 3 * arcsec)) < 0.15 * arcsec || abs(s.dec[0] - (a.1 + (0 + 0.3 - 0.4) / 3 * arcsec)) < 0.15 * arcsec)
        let objects = try s.objectTable()
        #expect(objects.columnNames == ["object_id", "ra", "dec", "n_detections"])
        #expect(try s.detectionTable().rowCount == 6)
        // Deterministic: the same input gives the same ids.
        let again = try Association(positions: [v0, v1, v2], radius: 1)
        #expect(again.detectionObject == s.detectionObject)
    }
}
