// skytool's crossmatch against STILTS tmatch2 3.4.7 (Debian) on the same inputs, for every find and join mode.
// Expected outputs: Fixtures/stilts (made by Scripts/make_stilts_expected.sh; see its SOURCE.md). Rows are
// compared by their id columns; separations to 1e-6 arcsec (the issue's tolerance). STILTS's best is greedy, so
// skytool runs with `greedy: true` here.
import Foundation
import Testing
@testable import SkyMatch
import SkyCore

enum STILTSFixtures {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/stilts").path
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String, in1: String, in2: String, ra1: String, dec1: String, ra2: String, dec2: String
        var id1: String, id2: String, joined1: String, joined2: String, radius: Double
        var testDescription: String { name }
    }
    static let cases = [
        Case(name: "bench", in1: "bench_A.csv", in2: "bench_B.csv", ra1: "ra", dec1: "dec", ra2: "ra", dec2: "dec",
             id1: "id", id2: "id", joined1: "id_1", joined2: "id_2", radius: 8),
        Case(name: "taurus", in1: "taurus_hip2.csv", in2: "taurus_tycho2.csv", ra1: "RA_ICRS", dec1: "DE_ICRS", ra2: "ra", dec2: "dec",
             id1: "HIP", id2: "index_row", joined1: "HIP", joined2: "index_row", radius: 10),
    ]
    static let modes: [(FindMode, JoinMode)] =
        [(.all, .and), (.best1, .and), (.best2, .and), (.best, .and)] + [JoinMode.or, .all1, .all2, .only1, .only2, .xor].map { (.best, $0) }

    static func read(_ f: String) throws -> Catalogue {
        var o = CSVReadOptions()
        o.types = ["id": .int64, "id_1": .int64, "id_2": .int64, "HIP": .int64, "index_row": .int64, "Separation": .double]
        return try CSVIO.read(path: dir + "/" + f, options: o)
    }

    /// "id1|id2" → separation (NaN when absent), from a table with the given id and separation columns.
    static func rows(_ t: Catalogue, _ c1: String?, _ c2: String?, _ sep: String?) throws -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        let a = try c1.map { try t.column($0) }, b = try c2.map { try t.column($0) }
        let s = try sep.map { try t.doubles($0) }
        for r in 0..<t.rowCount {
            let k = (a.map { $0.text(at: r) } ?? "-") + "|" + (b.map { $0.text(at: r) } ?? "-")
            out[k, default: []].append(s?[r] ?? .nan)
        }
        return out
    }
}

@Suite("Agreement with STILTS tmatch2")
struct STILTSAgreementTests {
    @Test("every find and join mode", arguments: STILTSFixtures.cases)
    func agreement(_ c: STILTSFixtures.Case) throws {
        var t1 = try STILTSFixtures.read(c.in1), t2 = try STILTSFixtures.read(c.in2)
        t1.positionColumns = PositionColumns(ra: c.ra1, dec: c.dec1)
        t2.positionColumns = PositionColumns(ra: c.ra2, dec: c.dec2)
        for (find, join) in STILTSFixtures.modes {
            let file = "\(c.name)_\(find.rawValue)_\(join.rawValue).csv"
            let expected = try STILTSFixtures.read(file)
            let opts = CatalogueMatchOptions(MatchOptions(.radius(arcsec: c.radius), find: find, greedy: true), join: join)
            let mine = try CatalogueMatch(t1, t2, options: opts).table()
            let hasPairs = [JoinMode.and, .or, .all1, .all2].contains(join)
            let e1 = join == .only2 ? nil : (join == .only1 ? c.id1 : c.joined1)
            let e2 = join == .only1 ? nil : (join == .only2 ? c.id2 : c.joined2)
            let exp = try STILTSFixtures.rows(expected, e1, e2, hasPairs ? "Separation" : nil)
            let got = try STILTSFixtures.rows(mine, e1, e2, hasPairs ? "sep_arcsec" : nil)
            #expect(mine.rowCount == expected.rowCount, "\(file): \(mine.rowCount) rows, STILTS \(expected.rowCount)")
            #expect(Set(got.keys) == Set(exp.keys), "\(file): different rows")
            for (k, seps) in exp {
                guard let mineSeps = got[k], mineSeps.count == seps.count else { Issue.record("\(file): row \(k) differs"); continue }
                for (x, y) in zip(mineSeps.sorted(), seps.sorted()) where !(x.isNaN && y.isNaN) {
                    #expect(abs(x - y) <= 1e-6, "\(file): \(k) separation \(x) vs STILTS \(y)")
                }
            }
        }
    }
}
