// `skytool mismatch` from the command line: the demo pair end to end, configuration, and bad inputs that must
// exit 2 and leave no output behind.
import Foundation
import Testing
@testable import skytool
import SkyCore

@Suite("skytool mismatch", .serialized)
struct MismatchCLITests {
    static let demo: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Demo/data/plates").path
    static func d(_ n: String) -> String { demo + "/" + n }
    static let plates = ["--plate1", d("plate1_source.csv"), d("plate1_source_calib.csv"),
                         "--plate2", d("plate2_source.csv"), d("plate2_source_calib.csv")]

    @Test func demoPairEndToEnd() throws {
        let s = Scratch()
        let out = s.file("out")
        #expect(SkyTool.run(["mismatch"] + Self.plates + ["--wcs2", Self.d("plate2_wcs.fits"), "--out-dir", out, "--quiet"]) == 0)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).sorted() == ["candidates.reg", "matched.fits", "nonmatched.fits", "summary.json"])
        let non = try Catalogue.read(out + "/nonmatched.fits")
        let reasons = try non.column("reason")
        // Demo/data/plates/expected.json (astropy): 20 not_detected, 140 not_covered.
        #expect((0..<non.rowCount).filter { reasons.text(at: $0) == "not_detected" }.count == 20)
        #expect((0..<non.rowCount).filter { reasons.text(at: $0) == "not_covered" }.count == 140)
    }

    @Test func eitherTableMayBeFITS() throws {
        let s = Scratch()
        #expect(SkyTool.run(["convert", Self.d("plate2_source_calib.csv"), s.file("p2_calib.fits")]) == 0)
        #expect(SkyTool.run(["convert", Self.d("plate1_source.csv"), s.file("p1_source.fits")]) == 0)
        let out = s.file("out")
        #expect(SkyTool.run(["mismatch", "--plate1", s.file("p1_source.fits"), Self.d("plate1_source_calib.csv"),
                             "--plate2", Self.d("plate2_source.csv"), s.file("p2_calib.fits"),
                             "--wcs2", Self.d("plate2_wcs.fits"), "--out-dir", out, "--quiet"]) == 0)
        let non = try Catalogue.read(out + "/nonmatched.fits")
        let reasons = try non.column("reason")
        #expect((0..<non.rowCount).filter { reasons.text(at: $0) == "not_detected" }.count == 20)   // as from CSV
    }

    @Test func configFileAndFlagsOverride() throws {
        let s = Scratch()
        // --print-config writes a file that --config reads back; a flag then overrides it.
        let cfg = s.file("plates.toml")
        // (The printed text is taken from the parsed command rather than captured from stdout, which other
        // suites running in parallel also write to.)
        #expect(SkyTool.run(["mismatch", "--print-config", "--radius", "4arcsec"]) == 0)
        let text = try Mismatch.parse(["--print-config", "--radius", "4arcsec"]).resolved().toml
        #expect(text.contains("radius = \"4.0arcsec\""))
        try text.write(toFile: cfg, atomically: true, encoding: .utf8)
        let out = s.file("out")
        #expect(SkyTool.run(["mismatch", "--config", cfg] + Self.plates + ["--radius", "5", "--out-dir", out, "--json"]) == 0)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any]
        #expect(summary?["matchRadiusArcsec"] as? Double == 5)
        // An unknown key in the file is an error naming it.
        try (text + "\n[extra]\nfoo = 1\n").write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["mismatch", "--config", cfg] + Self.plates + ["--out-dir", s.file("bad")]) == 2)
        #expect(!FileManager.default.fileExists(atPath: s.file("bad")))
    }

    @Test("bad inputs exit 2 and leave no outputs", arguments: [
        ["--cut", "elongation=elong < 1.5"],                 // a cut naming a missing column
        ["--where", "nosuchcolumn > 3"],                     // an unknown column in --where
        ["--where", "flux_max > "],                          // a broken expression
    ])
    func badCuts(extra: [String]) throws {
        let s = Scratch()
        let out = s.file("out")
        #expect(SkyTool.run(["mismatch"] + Self.plates + ["--out-dir", out] + extra) == 2)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).isEmpty)
    }

    @Test func emptyPlateAndMismatchedTables() throws {
        let s = Scratch()
        // A plate-2 source table with a header and no rows.
        let header = try String(contentsOfFile: Self.d("plate2_source.csv"), encoding: .utf8).split(separator: "\n")[0]
        try (header + "\n").write(toFile: s.file("empty.csv"), atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["mismatch", "--plate1", Self.d("plate1_source.csv"), Self.d("plate1_source_calib.csv"),
                             "--plate2", s.file("empty.csv"), Self.d("plate2_source_calib.csv"), "--out-dir", s.file("o1")]) == 2)
        // Plate 1's source table with plate 2's calib table: no source_id in common.
        #expect(SkyTool.run(["mismatch", "--plate1", Self.d("plate1_source.csv"), Self.d("plate2_source_calib.csv"),
                             "--plate2", Self.d("plate2_source.csv"), Self.d("plate2_source_calib.csv"), "--out-dir", s.file("o2")]) == 2)
        // A missing file.
        #expect(SkyTool.run(["mismatch", "--plate1", s.file("nope.csv"), Self.d("plate1_source_calib.csv"),
                             "--plate2", Self.d("plate2_source.csv"), Self.d("plate2_source_calib.csv"), "--out-dir", s.file("o3")]) == 2)
        #expect(s.contents == ["empty.csv"])
        // Usage errors exit 1.
        #expect(SkyTool.run(["mismatch", "--plate1", Self.d("plate1_source.csv")]) == 1)
        #expect(SkyTool.run(["mismatch"] + Self.plates) == 1)                 // no --out-dir
    }
}
