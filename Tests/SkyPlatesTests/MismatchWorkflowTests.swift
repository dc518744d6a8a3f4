// End-to-end tests of the plate mismatch workflow on the bundled demo pair (Demo/data/plates).
// Expected counts: Demo/data/plates/expected.json, computed independently by Scripts/make_demo_plates.py with
// numpy (cuts), astropy search_around_sky (2" self-match), match_coordinates_sky (5" nearest) and the WCS
// pixel box of plate 2 (coverage). Counts are integers: compared exactly.
import Foundation
import Testing
import SkyCore
@testable import SkyPlates

@Suite("Mismatch workflow on the demo plate pair")
struct MismatchWorkflowTests {
    static let plate1 = PlateFiles(source: PlateFixtures.path("plate1_source.csv"), calib: PlateFixtures.path("plate1_source_calib.csv"))
    static let plate2 = PlateFiles(source: PlateFixtures.path("plate2_source.csv"), calib: PlateFixtures.path("plate2_source_calib.csv"))

    func rows(_ r: MismatchResult, _ step: String) -> Int? { r.steps.first { $0.name == step }?.rows }

    @Test("counts after every step equal numpy/astropy's", arguments: [true, false])
    func countsPerStep(useWCS: Bool) throws {
        var o = MismatchOptions()
        if useWCS { o.wcs2 = PlateFixtures.path("plate2_wcs.fits") }
        let r = try MismatchSearch.run(plate1: Self.plate1, plate2: Self.plate2, options: o)
        let e = try PlateFixtures.expected()
        #expect(rows(r, "joined") == e["joined"] as? Int)
        for cut in ["sextractor_flags", "model_prediction", "elongation", "annular_bin", "flag_rim", "flux_max"] {
            #expect(rows(r, "cut:" + cut) == e["cut_" + cut] as? Int, "cut \(cut)")
        }
        #expect(rows(r, "dedup") == e["dedup"] as? Int)
        #expect(r.dedupApplied)
        #expect(abs(r.dedupFraction - ((e["dedup_fraction"] as? Double) ?? -1)) < 1e-12)
        #expect(rows(r, "matched") == e["matched"] as? Int)
        // expected.json's coverage_edge_rows is 0: no unmatched row lies within 20" of plate 2's edge, so the
        // coverage split is exact for the WCS footprint and for the source-based estimate alike.
        #expect((e["coverage_edge_rows"] as? Int) == 0)
        #expect(rows(r, "not_detected") == e["not_detected"] as? Int)
        #expect(rows(r, "not_covered") == e["not_covered"] as? Int)
        #expect(r.coverage.from == (useWCS ? "wcs" : "sources"))
    }

    @Test("planted candidates found, scanner artifacts removed, not-covered transients kept apart")
    func plantedTruth() throws {
        var o = MismatchOptions()
        o.wcs2 = PlateFixtures.path("plate2_wcs.fits")
        let r = try MismatchSearch.run(plate1: Self.plate1, plate2: Self.plate2, options: o)
        let truth = try PlateFixtures.truth()
        let ids = try r.nonmatched.column("source_id"), reason = try r.nonmatched.column("reason")
        var candidates = Set<Int64>(), notCovered = Set<Int64>()
        for k in 0..<r.nonmatched.rowCount {
            let id = Int64(ids.text(at: k)) ?? -1
            if reason.text(at: k) == "not_detected" { candidates.insert(id) }
            if reason.text(at: k) == "not_covered" { notCovered.insert(id) }
        }
        // Every planted transient inside plate 2 and every plate defect (both scans) is a candidate, and nothing else.
        let planted = Set(truth.filter { $0.value == "transient" || $0.value == "defect" }.map(\.key))
        #expect(planted.count == 20)
        #expect(candidates == planted)
        // Transients outside plate 2's footprint are not_covered, never candidates.
        let outside = Set(truth.filter { $0.value == "transient_outside" }.map(\.key))
        #expect(!outside.isEmpty && outside.isSubset(of: notCovered))
        // No scanner artifact survives the self-match step.
        let kept = try r.matched.column("source_id")
        let keptIDs = (0..<r.matched.rowCount).map { Int64(kept.text(at: $0)) ?? -1 } + Array(candidates) + Array(notCovered)
        #expect(!keptIDs.contains { truth[$0] == "artifact" })
        // The region file lists the candidates.
        #expect(try r.candidateCircles().count == candidates.count)
    }

    @Test("outputs: four files with the documented columns; the result does not depend on the thread count")
    func outputs() throws {
        let dir = PlateFixtures.scratch("out")
        var o = MismatchOptions()
        o.wcs2 = PlateFixtures.path("plate2_wcs.fits")
        let r = try MismatchSearch.run(plate1: Self.plate1, plate2: Self.plate2, options: o)
        try r.write(to: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files == ["candidates.reg", "matched.fits", "nonmatched.fits", "summary.json"])
        let matched = try Catalogue.read(dir + "/matched.fits"), non = try Catalogue.read(dir + "/nonmatched.fits")
        #expect(matched.rowCount == rows(r, "matched"))
        #expect(matched.hasColumn("plate2_source_id") && matched.hasColumn("sep_arcsec") && matched.hasColumn("elongation"))
        #expect(try matched.doubles("sep_arcsec").allSatisfy { $0 <= 5 })
        #expect(Set((0..<non.rowCount).map { try! non.column("reason").text(at: $0) }) == ["not_detected", "not_covered"])
        let summary = try JSONDecoder().decode(MismatchSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json")))
        #expect(summary.steps == r.steps)
        #expect(summary.candidates == 20)
        let reg = try String(contentsOfFile: dir + "/candidates.reg", encoding: .utf8)
        #expect(reg.split(separator: "\n").filter { $0.hasPrefix("circle(") }.count == 20)
        // One thread gives the same tables.
        setenv("SKYTOOL_THREADS", "1", 1)
        defer { unsetenv("SKYTOOL_THREADS") }
        let r1 = try MismatchSearch.run(plate1: Self.plate1, plate2: Self.plate2, options: o)
        #expect(r1.steps == r.steps)
        #expect(PlateFixtures.sameText(r1.matched, r.matched) && PlateFixtures.sameText(r1.nonmatched, r.nonmatched))
    }
}
