// Real light curves: 10 MACHO stars (Fixtures/macho_lightcurves.csv, from shared/data/lightcurves; see
// LIGHTCURVES_SOURCE.md). 1.4652.1527 is OGLE-LMC-RRLYR-05990, an RRab (P = 0.4972512 d). The statistics must
// single it out; Docs/guide-photometry.md reports which one does it best.
import Foundation
import Testing
@testable import SkyPhot
import SkyCore

@Suite("MACHO light curves")
struct MachoTests {
    static let path = PhotFixtures.path("macho_lightcurves.csv")

    @Test func theRRLyraeStandsOut() throws {
        var t = try Catalogue.read(Self.path)
        let ids = try t.column("macho_id"), bands = try t.column("band")
        try t.add(.string("curve", (0..<t.rowCount).map { ids.text(at: $0) + "_" + bands.text(at: $0) }))
        let s = try Variability.statistics(t, id: "curve", time: "mjd", mag: "mag", err: "mag_err")
        #expect(s.rowCount == 19)
        let curveColumn = try s.column("curve")
        let curves = (0..<s.rowCount).map { curveColumn.text(at: $0) }
        let iqr = try s.doubles("iqr"), mad = try s.doubles("mad"), chi2 = try s.doubles("reduced_chi2")
        let rr = try #require(curves.firstIndex(of: "1.4652.1527_B"))
        // IQR and MAD: the RRab's blue curve is the most variable of all 19 curves, by a clear margin.
        #expect(iqr.indices.max { iqr[$0] < iqr[$1] } == rr)
        #expect(mad.indices.max { mad[$0] < mad[$1] } == rr)
        let medianIQR = iqr.sorted()[iqr.count / 2]
        #expect(iqr[rr] > 3 * medianIQR)
        // The reduced chi2 (eta) does not: under-estimated errors of bright stars dominate it.
        #expect(chi2.indices.max { chi2[$0] < chi2[$1] } != rr)
    }
}
