// skytool astrometry end to end: the report, the pair tables, options and errors. The metrics themselves are
// checked against a brute-force computation in SkyAstrometryTests.
import Foundation
import Testing
@testable import skytool
import SkyCore
import SkyPlot

@Suite("skytool astrometry", .serialized)
struct AstrometryCLITests {
    /// Three visits of a 40′ field: a grid of stars 2′ apart, the later visits shifted by 50 and 100 mas
    /// (a pure shift: AM1 ≈ 0) with magnitudes 18.
    static func writeVisits(_ s: Scratch) throws -> [String] {
        var files: [String] = []
        for v in 0..<3 {
            var text = "coord_ra,coord_dec,mag\n"
            for i in 0..<20 { for j in 0..<20 {
                let ra = 150 + Double(i) * 2 / 60 + Double(v) * 50e-3 / 3600, dec = -20 + Double(j) * 2 / 60
                text += "\(ra * .pi / 180),\(dec * .pi / 180),18\n"
            } }
            let p = s.file("v\(v).csv")
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            files.append(p)
        }
        return files
    }

    /// FITS copies of the visits with coord_ra/coord_dec marked TUNIT rad (a CSV carries no units).
    static func radianFITS(_ files: [String], _ s: Scratch, prefix: String) throws -> [String] {
        var fits: [String] = []
        for (k, f) in files.enumerated() {
            var c = try Catalogue.read(f)
            for name in ["coord_ra", "coord_dec"] { var col = try c.column(name); col.unit = "rad"; try c.set(col) }
            let p = s.file("\(prefix)\(k).fits"); try c.write(to: p); fits.append(p)
        }
        return fits
    }

    @Test func reportAndPairTables() throws {
        let s = Scratch()
        let files = try Self.writeVisits(s)
        // LSST-style coord_ra/coord_dec in radians: TUNIT rad decides.
        let fits = try Self.radianFITS(files, s, prefix: "v")
        #expect(SkyTool.run(["astrometry"] + fits + ["--mag-col", "mag", "--annuli", "4,10arcmin", "--width", "1", "--out-dir", s.file("out")]) == 0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.file("out/report.json")))) as? [String: Any]
        let ms = try #require(report?["measurements"] as? [[String: Any]])
        #expect(ms.count == 6)
        let am1 = try #require(ms.first { ($0["metric"] as? String) == "validate_drp.AM1" }?["value"] as? Double)
        #expect(am1 < 1e-3, "a pure shift of the whole field: AM1 = \(am1) mas")
        let pairs = try Catalogue.read(s.file("out/pairs_AM1.fits"))
        #expect(pairs.columnNames == ["object_id_1", "object_id_2", "sep_arcmin", "n_visits", "rms_mas"])
        // Grid steps are 1.879′ in RA (2′ of RA at dec −20°) and 2′ in dec; the annulus [3.5′, 4.5′) holds the
        // steps (2, 0), (0, 2), (2, ±1), (±1, 2): 18·20 + 20·18 + 2·18·19 + 2·19·18 pairs.
        #expect(pairs.rowCount == 2088)
        // One figure per annulus, 11 × 4.2 inches at 100 dpi.
        let size = try Figure.pngSize(of: s.file("out/AM1.png"))
        #expect(size.width == 1100 && size.height == 420)
        // Non-standard annuli carry no LSST specs.
        #expect((report?["specs"] as? [[String: Any]])?.isEmpty == true)
        // Default annuli: 5′ has no grid pairs (grid steps are 2′·√(i²+j²)), 200′ is beyond the field: nulls with reasons.
        #expect(SkyTool.run(["astrometry"] + fits + ["--mag-col", "mag", "--json", "--out-dir", s.file("out2")]) == 0)
        let r2 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: s.file("out2/report.json")))) as? [String: Any]
        let meta = try #require(r2?["meta"] as? [String: Any])
        #expect((meta["validate_drp.AM3.note"] as? String)?.contains("no pair") == true)
        #expect(FileManager.default.fileExists(atPath: s.file("out2/AM3.png")))   // a "no data" figure
    }

    @Test func optionsAndErrors() throws {
        let s = Scratch()
        let files = try Self.writeVisits(s)
        let fits = try Self.radianFITS(files, s, prefix: "w")
        #expect(SkyTool.run(["astrometry", fits[0], "--mag-col", "mag", "--out-dir", s.file("o")]) == 2)           // one visit
        #expect(SkyTool.run(["astrometry"] + fits + ["--mag-col", "nope", "--out-dir", s.file("o")]) == 2)            // no such column
        #expect(SkyTool.run(["astrometry"] + fits + ["--out-dir", s.file("o")]) == 1)                                 // no magnitude
        #expect(SkyTool.run(["astrometry"] + fits + ["--mag-range", "none", "--method", "seed", "--out-dir", s.file("o")]) == 0)
        #expect(SkyTool.run(["astrometry"] + fits + ["--mag-col", "mag", "--annuli", "5,-2", "--out-dir", s.file("o")]) == 1)
        #expect(SkyTool.run(["astrometry"] + fits + ["--flux-col", "mag", "--out-dir", s.file("o")]) == 1)            // zero point missing
        let cfg = s.file("a.toml")
        try "annuli = [4]\nwidth = 1\nmag_range = []\nmethod = \"faro\"\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["astrometry"] + fits + ["--config", cfg, "--out-dir", s.file("c")]) == 0)
        try "annuli = [4]\nwidht = 1\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["astrometry"] + fits + ["--config", cfg, "--out-dir", s.file("d")]) == 2)               // unknown key
    }
}
