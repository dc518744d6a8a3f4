// The command line, in process: exit codes (0 ok, 1 usage, 2 data), outputs, and bad input that must leave
// no output file behind.
import Foundation
import Testing
@testable import skytool
import SkyCore

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
