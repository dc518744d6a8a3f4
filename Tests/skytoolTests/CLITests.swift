// The command line, in process: exit codes (0 ok, 1 usage, 2 data), outputs, and bad input that must leave
// no output file behind.
import Foundation
import Testing
@testable import skytool
import SkyPhot
import SkyCore
import Numerics

final class Scratch {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "skytool-cli-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ n: String) -> String { path + "/" + n }
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func writeSample(_ s: Scratch) throws -> String {
    let p = s.file("in.csv")
    try "id,ra,dec,mag\n1,10.0,20.0,12.5\n2,10.1,20.1,14.0\n3,10.2,-20.2,9.5\n".write(toFile: p, atomically: true, encoding: .utf8)
    return p
}

@Suite("skytool CLI", .serialized)
struct CLITests {
    @Test func convertWithFilterAndColumns() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["convert", input, s.file("out.fits"), "--where", "mag < 13 && dec > 0", "--columns", "id,mag"]) == 0)
        let out = try Catalogue.read(s.file("out.fits"))
        #expect(out.columnNames == ["id", "mag"])
        #expect(try out.column("id").values == .int64([1]))
        #expect(SkyTool.run(["convert", s.file("out.fits"), s.file("back.csv")]) == 0)
        #expect(try Catalogue.read(s.file("back.csv")).column("mag").values == .double([12.5]))
    }

    @Test func infoAndWCS() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["info", input, "--json"]) == 0)
        // A TAN image: CRVAL at CRPIX, so pixel (50, 50) must give (10, 20) exactly.
        let pad = { (t: String) in t.padding(toLength: 80, withPad: " ", startingAt: 0) }
        var cards: [FITSHeaderCard] = []
        for (k, v) in [("CTYPE1", "RA---TAN"), ("CTYPE2", "DEC--TAN")] { cards.append(FITSHeaderCard(k, .string(v))) }
        for (k, v) in [("CRVAL1", 10.0), ("CRVAL2", 20.0), ("CRPIX1", 50.0), ("CRPIX2", 50.0), ("CDELT1", -0.001), ("CDELT2", 0.001)] {
            cards.append(FITSHeaderCard(k, .double(v)))
        }
        _ = pad
        try FITSWriter.write(FITSImage<Float>(shape: [100, 100], pixels: Array(repeating: 0, count: 10000), header: FITSHeader(cards)), to: s.file("img.fits"))
        #expect(SkyTool.run(["wcs", s.file("img.fits"), "--pix", "50,50", "--json"]) == 0)
        #expect(SkyTool.run(["wcs", s.file("img.fits"), "--footprint"]) == 0)
        #expect(SkyTool.run(["info", s.file("img.fits")]) == 0)
    }

    @Test func usageErrorsExitOne() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["convert", input]) == 1)                         // missing argument
        #expect(SkyTool.run(["wcs", input]) == 1)                             // neither --pix nor --world
        #expect(SkyTool.run(["nosuchcommand"]) == 1)
        #expect(SkyTool.run(["convert", "--help"]) == 0)
    }

    @Test func missingColumnIsADataErrorWithNoOutput() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["convert", input, s.file("out.fits"), "--columns", "id,nope"]) == 2)
        #expect(SkyTool.run(["convert", input, s.file("out.fits"), "--where", "nope > 1"]) == 2)
        #expect(s.contents == ["in.csv"])
    }

    @Test func nonNumericValueNamesRowAndColumn() throws {
        let s = Scratch()
        let p = s.file("bad.csv")
        try "id,mag\n1,12.5\n2,bright\n".write(toFile: p, atomically: true, encoding: .utf8)
        do {
            _ = try Catalogue.read(p).filter("mag < 13")
            Issue.record("expected an error")
        } catch let e as ExpressionError {
            #expect(e.message.contains("row 2") && e.message.contains("bright"))
            #expect(e.position == 0)   // points at the column name 'mag'
        }
        #expect(SkyTool.run(["convert", p, s.file("out.fits"), "--where", "mag < 13"]) == 2)
        #expect(s.contents == ["bad.csv"])
    }

    @Test func truncatedFITSAndWrongHDU() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["convert", input, s.file("good.fits")]) == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: s.file("good.fits")))
        try data.prefix(4000).write(to: URL(fileURLWithPath: s.file("trunc.fits")))
        #expect(SkyTool.run(["convert", s.file("trunc.fits"), s.file("out.csv")]) == 2)
        do {
            _ = try Catalogue.read(s.file("trunc.fits"))
            Issue.record("a truncated file must not read")
        } catch let e as FITSError {
            #expect(e.description.contains("truncated") && e.file.hasSuffix("trunc.fits"))
        }
        #expect(SkyTool.run(["convert", s.file("good.fits"), s.file("out.csv"), "--hdu", "7"]) == 2)
        do {
            _ = try Catalogue.read(s.file("good.fits"), hdu: 0)
            Issue.record("HDU 0 is an image")
        } catch let e as FITSError {
            #expect(e.hdu == 0 && e.file.hasSuffix("good.fits"))
        }
        #expect(!s.contents.contains("out.csv"))
    }

    @Test func unwritableOutputLeavesNothing() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["convert", input, s.file("no/such/dir/out.fits")]) == 2)
        // The target is an existing folder: the rename fails and the temporary file is removed.
        try FileManager.default.createDirectory(atPath: s.file("adir.fits"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: s.file("adir.fits/x"), withIntermediateDirectories: false)
        #expect(SkyTool.run(["convert", input, s.file("adir.fits")]) == 2)
        #expect(SkyTool.run(["convert", input, s.file("adir.csv")]) == 0)
        #expect(s.contents == ["adir.csv", "adir.fits", "in.csv"])
    }
}

@Suite("skytool healpix, cone, coverage", .serialized)
struct SkyCLITests {
    @Test func healpixColumnAndSinglePosition() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["healpix", input, "--order", "29", "--out", s.file("hp.fits")]) == 0)
        let c = try Catalogue.read(s.file("hp.fits"))
        // The library's pixel (checked bit-exact against healpy in SkyCoreTests) must reach the file unchanged.
        let expected = HEALPixLayer.layers[29].nestedPixel(ra: 10.0, dec: 20.0)
        #expect(try c.column("_healpix_29").values == .int64([expected, HEALPixLayer.layers[29].nestedPixel(ra: 10.1, dec: 20.1), HEALPixLayer.layers[29].nestedPixel(ra: 10.2, dec: -20.2)]))
        #expect(SkyTool.run(["healpix", "--order", "10", "--ra", "00:40:00", "--dec", "+20:00:00"]) == 0)
        #expect(SkyTool.run(["healpix", "--order", "30", "--ra", "1", "--dec", "2"]) == 1)
        #expect(SkyTool.run(["healpix", input, "--order", "5"]) == 1)     // no --out
    }

    @Test func coneWithUnits() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["cone", input, "--ra", "10.0", "--dec", "20.0", "--radius", "0.2deg", "--out", s.file("c.csv")]) == 0)
        let c = try Catalogue.read(s.file("c.csv"))
        #expect(try c.column("id").values == .int64([1, 2]))
        let sep = try c.column("sep_arcsec").doubles()
        #expect(sep[0] == 0 && abs(sep[1] - SkyGeometry.separation(10, 20, 10.1, 20.1) * 3600) < 1e-9)
        #expect(SkyTool.run(["cone", input, "--ra", "10", "--dec", "20", "--radius", "5'", "--out", s.file("d.csv")]) == 0)
        #expect(try Catalogue.read(s.file("d.csv")).rowCount == 1)
        #expect(SkyTool.run(["cone", input, "--ra", "10", "--dec", "20", "--radius", "abc"]) == 1)
        #expect(AngleText.degrees("2\"", defaultUnit: .deg) == 2.0 / 3600)
        #expect(AngleText.degrees("1.5'", defaultUnit: .deg) == 0.025)
        #expect(AngleText.degrees("200mas", defaultUnit: .deg) == 200.0 / 3_600_000)
        #expect(AngleText.degrees("3", defaultUnit: .arcsec) == 3.0 / 3600)
        #expect(AngleText.rightAscension("05:34:31.94").map { abs($0 - 83.633083333) < 1e-8 } == true)
        #expect(AngleText.declination("-22:00:52.2").map { abs($0 + 22.0145) < 1e-9 } == true)
    }

    @Test func coverageMakeAndFlag() throws {
        let s = Scratch()
        let input = try writeSample(s)
        #expect(SkyTool.run(["coverage", input, "--radius", "1deg", "--order", "8", "--out", s.file("m.fits")]) == 0)
        #expect(SkyTool.run(["coverage", input, "--radius", "1deg", "--order", "8", "--out", s.file("m.txt"), "--ascii"]) == 0)
        let m = try MOC(fitsPath: s.file("m.fits"))
        #expect(try MOC(ascii: String(contentsOfFile: s.file("m.txt"), encoding: .utf8)) == m)
        try "name,ra,dec\nin,10.05,20.05\nout,100,0\n".write(toFile: s.file("q.csv"), atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["coverage", "--contains", s.file("m.fits"), s.file("q.csv"), "--out", s.file("flag.csv")]) == 0)
        #expect(try Catalogue.read(s.file("flag.csv")).column("in_coverage").values == .bool([true, false]))
        #expect(SkyTool.run(["coverage", "--contains", s.file("q.csv"), input, "--out", s.file("x.csv")]) == 2)
    }
}

@Suite("skytool match, group, associate", .serialized)
struct MatchCLITests {
    func tables(_ s: Scratch) throws -> (String, String) {
        try "id,ra,dec,mag\n1,10.0,20.0,12.5\n2,10.1,20.1,14.0\n3,50.0,-20.2,9.5\n".write(toFile: s.file("a.csv"), atomically: true, encoding: .utf8)
        try "id,ra,dec,flux\n7,10.0001,20.0,1.5\n8,10.1,20.1001,2.5\n9,200.0,0.0,3.5\n".write(toFile: s.file("b.csv"), atomically: true, encoding: .utf8)
        return (s.file("a.csv"), s.file("b.csv"))
    }

    @Test func matchModesAndOutputs() throws {
        let s = Scratch()
        let (a, b) = try tables(s)
        #expect(SkyTool.run(["match", a, b, "--radius", "1arcsec", "--find", "best1", "--out", s.file("m.fits")]) == 0)
        let m = try Catalogue.read(s.file("m.fits"))
        #expect(try m.column("id_1").values == .int64([1, 2]) && m.column("id_2").values == .int64([7, 8]))
        // Chosen output columns: ids only from table 1, nothing from table 2; an unknown column is an error.
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--find", "best1", "--columns1", "id,mag", "--columns2", "", "--out", s.file("c.fits")]) == 0)
        #expect(try Catalogue.read(s.file("c.fits")).columnNames == ["id", "mag", "sep_arcsec"])
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--columns2", "nope", "--out", s.file("x.fits")]) != 0)
        // Position columns named explicitly keep their units: table 2's positions in radians (TUNIT rad) give
        // the same pairs as in degrees; one of --ra2/--dec2 alone is refused, as are positions in hours.
        let rad = 180.0 / Double.pi
        let br = try Catalogue(columns: [.int64("id", [7, 8, 9]), .double("lon", [10.0001 / rad, 10.1 / rad, 200.0 / rad], unit: "rad"),
                                         .double("lat", [20.0 / rad, 20.1001 / rad, 0], unit: "rad")])
        try br.write(to: s.file("brad.fits"))
        #expect(SkyTool.run(["match", a, s.file("brad.fits"), "--radius", "1", "--find", "best1", "--ra2", "lon", "--dec2", "lat", "--out", s.file("mr.fits")]) == 0)
        #expect(try Catalogue.read(s.file("mr.fits")).column("id_2").values == .int64([7, 8]))
        #expect(SkyTool.run(["match", a, s.file("brad.fits"), "--radius", "1", "--ra2", "lon"]) == 1)
        let bh = try Catalogue(columns: [.double("rah", [0.66667], unit: "h"), .double("de", [20], unit: "deg")])
        try bh.write(to: s.file("bh.fits"))
        #expect(SkyTool.run(["match", a, s.file("bh.fits"), "--radius", "1", "--ra2", "rah", "--dec2", "de"]) != 0)
        // Table 1 read in blocks of 2 rows: the same output as in one piece; modes that need every pair refused.
        #expect(SkyTool.run(["convert", a, s.file("a.fits")]) == 0)
        #expect(SkyTool.run(["match", s.file("a.fits"), b, "--radius", "1", "--find", "best1", "--join", "all1", "--block-rows", "2", "--out", s.file("blk.fits")]) == 0)
        #expect(SkyTool.run(["match", s.file("a.fits"), b, "--radius", "1", "--find", "best1", "--join", "all1", "--out", s.file("one.fits")]) == 0)
        let blk = try Catalogue.read(s.file("blk.fits")), one = try Catalogue.read(s.file("one.fits"))
        #expect(blk.columnNames == one.columnNames && blk.rowCount == 3)
        #expect(try blk.column("id_2").values == one.column("id_2").values && blk.column("id_2").missing == one.column("id_2").missing)
        #expect(SkyTool.run(["match", s.file("a.fits"), b, "--radius", "1", "--find", "best", "--block-rows", "2", "--out", s.file("x.fits")]) != 0)
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--join", "1not2", "--out", s.file("n.csv")]) == 0)
        #expect(try Catalogue.read(s.file("n.csv")).column("id").values == .int64([3]))
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--join", "1or2", "--json"]) == 0)
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--find", "nearest"]) == 1)
        #expect(SkyTool.run(["match", a, b]) == 1)                                    // no criterion
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--epoch1", "2000", "--epoch2", "2016"]) == 2)   // no pm columns
        // The de Ruiter radius (shared/reference/variability.json "de_ruiter": r = 1.26812111659 for these two
        // positions and errors): matched at a limit of 1.27, not at 1.26; two error columns each, no --nsigma.
        try "id,ra,dec,era,edec\n1,150.0,-30.0,1.0,1.2\n".write(toFile: s.file("dr1.csv"), atomically: true, encoding: .utf8)
        let ra2 = 150.0 + (2.0 / 3600) / cos(-30.0 * Double.pi / 180), dec2 = -30.0 + 1.0 / 3600
        try "id,ra,dec,sa,sd\n5,\(ra2),\(dec2),1.5,1.1\n".write(toFile: s.file("dr2.csv"), atomically: true, encoding: .utf8)
        for (limit, pairs) in [("1.27", 1), ("1.26", 0)] {
            #expect(SkyTool.run(["match", s.file("dr1.csv"), s.file("dr2.csv"), "--err1", "era,edec", "--err2", "sa,sd", "--de-ruiter", limit,
                                 "--find", "best1", "--out", s.file("dr.csv")]) == 0)
            let dr = try Catalogue.read(s.file("dr.csv"))
            #expect(dr.rowCount == pairs, "limit \(limit)")
            if pairs == 1 { #expect(try dr.doubles("match_score")[0].isApproximatelyEqual(to: 1.26812111659, relativeTolerance: 1e-10)) }
        }
        #expect(SkyTool.run(["match", s.file("dr1.csv"), s.file("dr2.csv"), "--err1", "era", "--err2", "sa,sd", "--de-ruiter", "2"]) == 1)
        #expect(SkyTool.run(["match", s.file("dr1.csv"), s.file("dr2.csv"), "--err1", "era,edec", "--err2", "sa,sd", "--de-ruiter", "2", "--nsigma", "3"]) == 1)
        #expect(SkyTool.run(["match", s.file("dr1.csv"), s.file("dr2.csv"), "--err1", "era,edec", "--err2", "sa,sd"]) == 1)
        // Epoch columns: both tables' epochs go together; a match epoch needs them; values must be Julian
        // years (mag is not); equal epochs move nothing (the match without epochs).
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--epoch-col1", "mag"]) == 1)
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--epoch2", "2000", "--match-epoch", "2000"]) == 1)
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--epoch-col1", "mag", "--epoch2", "2000"]) == 2)
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--epoch-col1", "nope", "--epoch2", "2000"]) == 2)
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--epoch1", "2000", "--epoch-col2", "id", "--out", s.file("e.csv")]) == 2)
        try "id,ra,dec,ep\n7,10.0001,20.0,2016\n8,10.1,20.1001,2016\n9,200.0,0.0,\n".write(toFile: s.file("b_ep.csv"), atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["match", a, s.file("b_ep.csv"), "--radius", "1", "--epoch1", "2016", "--epoch-col2", "ep", "--out", s.file("e.csv")]) == 0)
        #expect(try Catalogue.read(s.file("e.csv")).column("id_2").values == .int64([7, 8]))
        // Coverage of table 2 from its positions: row 3 of table 1 is outside it.
        #expect(SkyTool.run(["coverage", b, "--radius", "1deg", "--order", "8", "--out", s.file("bcov.fits")]) == 0)
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--join", "all1", "--coverage2", s.file("bcov.fits"), "--out", s.file("l.csv")]) == 0)
        #expect(try Catalogue.read(s.file("l.csv")).column("match_status").values == .string(["matched", "matched", "not_covered"]))
        // Or table 2's image (its WCS footprint, here 0.4° around the first two rows) as the coverage.
        let wcs: [FITSHeaderCard] = [
            FITSHeaderCard("CTYPE1", .string("RA---TAN")), FITSHeaderCard("CTYPE2", .string("DEC--TAN")),
            FITSHeaderCard("CRVAL1", .double(10.05)), FITSHeaderCard("CRVAL2", .double(20.05)),
            FITSHeaderCard("CRPIX1", .double(20.5)), FITSHeaderCard("CRPIX2", .double(20.5)),
            FITSHeaderCard("CDELT1", .double(-0.02)), FITSHeaderCard("CDELT2", .double(0.02)),
        ]
        try FITSWriter.write(FITSImage(shape: [40, 40], pixels: [Float](repeating: 0, count: 1600), header: FITSHeader(wcs)), to: s.file("img.fits"))
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--join", "all1", "--coverage2", s.file("img.fits"), "--coverage-order", "11", "--out", s.file("li.csv")]) == 0)
        #expect(try Catalogue.read(s.file("li.csv")).column("match_status").values == .string(["matched", "matched", "not_covered"]))
        #expect(SkyTool.run(["match", a, b, "--radius", "1", "--coverage2", s.file("img.fits"), "--coverage-order", "30"]) == 1)
        // Or table 2's own sources: a 30 x 30 grid 1' apart with a hole 9' in radius at its centre (rows by
        // construction: one matched, one between grid sources, one at the hole's centre, one 10' beyond the
        // grid's edge). The default closing radius R = 4 x 60" (5 rings of 51.5" cells, reaching 6.1' along
        // a diagonal) does not fill the 9' hole; 15' does. A closing never reaches beyond the outermost
        // sources. See CatalogueMatchTests.coverageFromSourcesOfTable2.
        var grid = "id,ra,dec\n"
        for i in 0..<30 { for j in 0..<30 where (Double(i) - 14.5) * (Double(i) - 14.5) + (Double(j) - 14.5) * (Double(j) - 14.5) > 81 {
            grid += "\(30 * i + j),\(50 + Double(i) / 60),\(Double(j) / 60)\n"
        } }
        try grid.write(toFile: s.file("grid.csv"), atomically: true, encoding: .utf8)
        try "id,ra,dec\n1,50.0001,0.0\n2,\(50 + 2.5 / 60),\(2.5 / 60)\n3,\(50 + 14.5 / 60),\(14.5 / 60)\n4,\(50 + 39.0 / 60),\(15.0 / 60)\n"
            .write(toFile: s.file("probe.csv"), atomically: true, encoding: .utf8)
        let probe = s.file("probe.csv"), gridFile = s.file("grid.csv")
        #expect(SkyTool.run(["match", probe, gridFile, "--radius", "1", "--join", "all1", "--coverage2-sources", "--out", s.file("ls.csv")]) == 0)
        #expect(try Catalogue.read(s.file("ls.csv")).column("match_status").values == .string(["matched", "not_detected", "not_covered", "not_covered"]))
        #expect(SkyTool.run(["match", probe, gridFile, "--radius", "1", "--join", "all1", "--coverage2-sources", "--coverage-radius", "15arcmin", "--out", s.file("ls.csv")]) == 0)
        #expect(try Catalogue.read(s.file("ls.csv")).column("match_status").values == .string(["matched", "not_detected", "not_detected", "not_covered"]))
        // The same coverage made first with `skytool coverage --sources` (closing radius given, as the match
        // takes it) gives the same labels.
        #expect(SkyTool.run(["coverage", gridFile, "--sources", "--radius", "15arcmin", "--out", s.file("gcov.fits")]) == 0)
        #expect(SkyTool.run(["match", probe, gridFile, "--radius", "1", "--join", "all1", "--coverage2", s.file("gcov.fits"), "--out", s.file("lg.csv")]) == 0)
        #expect(try Catalogue.read(s.file("lg.csv")).column("match_status").values == .string(["matched", "not_detected", "not_detected", "not_covered"]))
        #expect(SkyTool.run(["coverage", gridFile, "--sources", "--contains", s.file("gcov.fits"), "--out", s.file("x.fits")]) == 1)
        #expect(SkyTool.run(["match", probe, gridFile, "--radius", "1", "--coverage2", s.file("img.fits"), "--coverage2-sources"]) == 1)
        #expect(SkyTool.run(["match", probe, gridFile, "--radius", "1", "--coverage-radius", "60"]) == 1)
    }

    /// FITS inputs with chosen output columns are read in two goes (the match's columns, then the output
    /// columns): the output equals a one-go read of the same tables as CSV — pairs only, all of table 1
    /// with blanks, and output columns that the match reads anyway.
    @Test func twoGoReadsEqualOneGo() throws {
        let s = Scratch()
        let (a, b) = try tables(s)
        #expect(SkyTool.run(["convert", a, s.file("a.fits")]) == 0)
        #expect(SkyTool.run(["convert", b, s.file("b.fits")]) == 0)
        for (cols1, cols2, join) in [("id,mag", "id", "1and2"), ("mag,ra", "", "all1"), ("ra,dec", "dec", "1or2"), ("dec", "flux,ra", "all2")] {
            let common = ["--radius", "1", "--find", "best1", "--join", join, "--columns1", cols1, "--columns2", cols2]
            #expect(SkyTool.run(["match", a, b] + common + ["--out", s.file("csv.fits")]) == 0)
            #expect(SkyTool.run(["match", s.file("a.fits"), s.file("b.fits")] + common + ["--out", s.file("fits.fits")]) == 0)
            let x = try Catalogue.read(s.file("csv.fits")), y = try Catalogue.read(s.file("fits.fits"))
            #expect(x.columnNames == y.columnNames && x.rowCount == y.rowCount && x.rowCount > 0, "\(cols1) \(cols2) \(join)")
            for (c, d) in zip(x.columns, y.columns) {
                #expect(c.type == d.type && (0..<c.rowCount).allSatisfy { c.isMissing($0) == d.isMissing($0) && c.text(at: $0) == d.text(at: $0) }, "\(c.name) \(join)")
            }
        }
        // An unknown output column of a FITS input is refused before matching; differing epochs without
        // proper-motion columns fail as with one-go reads.
        #expect(SkyTool.run(["match", s.file("a.fits"), s.file("b.fits"), "--radius", "1", "--columns1", "nope", "--out", s.file("x.fits")]) != 0)
        #expect(SkyTool.run(["match", s.file("a.fits"), s.file("b.fits"), "--radius", "1", "--epoch1", "2000", "--epoch2", "2016",
                             "--columns1", "id", "--columns2", "id", "--out", s.file("x.fits")]) == 2)
        #expect(!FileManager.default.fileExists(atPath: s.file("x.fits")))
    }

    @Test func groupAndAssociate() throws {
        let s = Scratch()
        let (a, b) = try tables(s)
        try "id,ra,dec\n1,10.0,20.0\n2,10.0001,20.0\n3,40,0\n".write(toFile: s.file("g.csv"), atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["group", s.file("g.csv"), "--radius", "1", "--keep", "duplicated", "--out", s.file("gd.csv")]) == 0)
        #expect(try Catalogue.read(s.file("gd.csv")).column("id").values == .int64([1, 2]))
        #expect(SkyTool.run(["group", s.file("g.csv"), "--radius", "1", "--pairs", "--out", s.file("gp.csv")]) == 0)
        #expect(try Catalogue.read(s.file("gp.csv")).rowCount == 1)
        #expect(SkyTool.run(["associate", a, b, "--radius", "1", "--objects", s.file("o.fits"), "--detections", s.file("d.fits")]) == 0)
        #expect(try Catalogue.read(s.file("o.fits")).rowCount == 4)      // 1+7, 2+8, 3, 9
        #expect(try Catalogue.read(s.file("d.fits")).rowCount == 6)
        #expect(SkyTool.run(["associate", a, "--radius", "1", "--objects", s.file("x.fits"), "--detections", s.file("y.fits")]) == 1)
    }
}

@Suite("skytool recalibrate, varstats", .serialized)
struct PhotometryCLITests {
    @Test func recalibrateEndToEnd() throws {
        let s = Scratch()
        let sim = try SimulatedEpochs.make(stars: 4000, seed: 3)
        try sim.reference.write(to: s.file("ref.fits"))
        try sim.search.write(to: s.file("search.csv"))
        #expect(SkyTool.run(["recalibrate", s.file("ref.fits"), s.file("search.csv"), "--order", "4", "--domain", "1,2048,1,4096",
                             "--out", s.file("corr.fits"), "--variables", s.file("vars.fits"), "--report", s.file("fit.json"),
                             "--residuals", s.file("res.fits")]) == 0)
        let corr = try Catalogue.read(s.file("corr.fits"))
        #expect(corr.hasColumn("mag_corr") && corr.hasColumn("mag_err_corr") && corr.hasColumn("zp_model"))
        let report = try JSONDecoder().decode(RecalibrationReport.self, from: Data(contentsOf: URL(fileURLWithPath: s.file("fit.json"))))
        #expect(report.degreeX == 4 && report.coefficients.count == 5 && abs(report.rescaleFactor / sim.errorScale - 1) < 0.1)
        let vars = try Catalogue.read(s.file("vars.fits"))
        #expect(vars.rowCount >= sim.variableRows.count - 1)
        #expect(SkyTool.run(["recalibrate", s.file("ref.fits"), s.file("search.csv"), "--domain", "1,2", "--out", s.file("x.fits")]) == 1)
        #expect(SkyTool.run(["recalibrate", s.file("ref.fits"), s.file("search.csv"), "--mag-col", "nope", "--domain", "1,2048,1,4096", "--out", s.file("y.fits")]) == 2)
        #expect(!s.contents.contains("y.fits"))
    }

    @Test func varstats() throws {
        let s = Scratch()
        try "star,t,mag,err\na,1,10.0,0.1\na,2,10.2,0.1\na,3,9.9,0.12\nb,1,12,0.01\nb,2,12,0.01\n".write(toFile: s.file("lc.csv"), atomically: true, encoding: .utf8)
        #expect(SkyTool.run(["varstats", s.file("lc.csv"), "--id-col", "star", "--time-col", "t", "--out", s.file("st.csv")]) == 0)
        let st = try Catalogue.read(s.file("st.csv"))
        #expect(st.rowCount == 2 && st.hasColumn("reduced_chi2") && st.hasColumn("stetson_k"))
        #expect(SkyTool.run(["varstats", s.file("lc.csv"), "--id-col", "nope", "--out", s.file("x.csv")]) == 2)
    }
}
