// Every option takes a value that starts with '-' (negative declinations, expressions such as
// "-2.5*log10(flux) > 17", negative offsets): one invocation per subcommand that used to fail with
// "Missing value for '--dec'" and now runs (or is refused for what the value means, not for its sign).
import Foundation
import Testing
@testable import skytool
import SkyCore

@Suite("Option values that begin with '-'", .serialized)
struct NegativeValueTests {
    static func inputs(_ s: Scratch) throws -> (csv: String, tan: String, lc: String) {
        let csv = try writeSample(s)                                  // id, ra, dec (one negative), mag
        let tan = try ImageFixtures.tanImage(s, ra: 359.95, dec: -10)
        let lc = s.file("lc.csv")
        try "star,time,mag,err\n1,1,-5.0,0.1\n1,2,-5.2,0.1\n1,3,-4.9,0.1\n".write(toFile: lc, atomically: true, encoding: .utf8)
        return (csv, tan, lc)
    }

    @Test func everySubcommandTakesANegativeValue() throws {
        let s = Scratch()
        let (csv, tan, lc) = try Self.inputs(s)
        let calls: [[String]] = [
            ["convert", csv, s.file("c.csv"), "--where", "-2.5*log10(mag) < -2"],
            ["wcs", tan, "--world", "359.95,-10"],
            ["wcs", tan, "--pix", "-3,-4"],
            ["healpix", "--order", "8", "--ra", "10", "--dec", "-10.5"],
            ["cone", csv, "--ra", "10.2", "--dec", "-20.2", "--radius", "900arcsec", "--out", s.file("cone.csv")],
            ["coverage", csv, "--radius", "10arcsec", "--order", "10", "--out", s.file("moc.fits")],   // no option of it is signed
            ["match", csv, csv, "--radius", "1", "--epoch1", "2000", "--epoch2", "2000", "--match-epoch", "-1", "--out", s.file("m.fits")],
            ["group", csv, "--radius", "1arcsec", "--out", s.file("g.fits")],
            ["associate", csv, csv, "--radius", "1", "--objects", s.file("o.fits"), "--detections", s.file("d.fits")],
            ["varstats", lc, "--id-col", "star", "--time-col", "time", "--mag-col", "mag", "--err-col", "err", "--vs-threshold", "-1", "--out", s.file("v.csv")],
            ["background", tan, "--out-back", s.file("b.fits"), "--filter-threshold", "-1"],
            ["detect", tan, "--out", s.file("det.csv"), "--threshold", "5", "--clean-param", "-1"],
            ["photometry", tan, "--positions", csv, "--aperture", "3", "--gain", "0", "--out", s.file("p.csv")],
            ["cutout", tan, "--ra", "359.95", "--dec", "-10.0", "--size", "10arcsec", "--out", s.file("cut.fits")],
            ["stamp", tan, "--ra", "359.95", "--dec", "-10.0", "--size", "20arcsec", "--out", s.file("st.png")],
            ["plot", "hist", csv, "--col", "dec", "--range", "-30,30", "--out", s.file("h.png")],
        ]
        for call in calls {
            let code = SkyTool.run(call)
            // Match's epochs outside 1000–3000 are refused as data (exit 2): the value was read, not taken for an option.
            let expected: Int32 = call.contains("--match-epoch") ? 2 : 0
            #expect(code == expected, "\(call.joined(separator: " ")) exited \(code)")
        }
        // Cone with a negative declination and sexagesimal form finds the negative-dec row.
        let cone = try Catalogue.read(s.file("cone.csv"))
        #expect(try cone.column("id").values == .int64([3]))
    }
}

@Suite("An output that is an input is refused", .serialized)
struct OutputIsInputTests {
    @Test func everyWriterRefusesItsInput() throws {
        let s = Scratch()
        let csv = try writeSample(s)
        #expect(SkyTool.run(["convert", csv, s.file("a.fits")]) == 0)
        let fits = s.file("a.fits")
        // A link to the input is the input too.
        try FileManager.default.createSymbolicLink(atPath: s.file("link.fits"), withDestinationPath: fits)
        let lc = s.file("lc.csv")
        try "star,time,mag,err\n1,1,15,0.1\n1,2,15.2,0.1\n".write(toFile: lc, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: URL(fileURLWithPath: fits)), lcBefore = try Data(contentsOf: URL(fileURLWithPath: lc))
        let calls: [[String]] = [
            ["convert", fits, fits],
            ["convert", fits, s.file("link.fits")],
            ["match", fits, csv, "--radius", "1", "--out", fits],
            ["group", fits, "--radius", "1", "--out", fits],
            ["associate", fits, csv, "--radius", "1", "--objects", fits, "--detections", s.file("d.fits")],
            ["recalibrate", fits, csv, "--out", s.file("c.fits"), "--report", fits],
            ["varstats", lc, "--id-col", "star", "--time-col", "time", "--out", lc],
            ["healpix", fits, "--order", "5", "--out", fits],
            ["cone", fits, "--ra", "10", "--dec", "20", "--radius", "1deg", "--out", fits],
            ["coverage", fits, "--radius", "10", "--out", fits],
        ]
        for call in calls {
            #expect(SkyTool.run(call) == 2, "\(call.joined(separator: " "))")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: fits)) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: lc)) == lcBefore)
    }
}
