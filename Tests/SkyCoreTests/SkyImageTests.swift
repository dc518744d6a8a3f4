// SkyImage: 2-D planes from FITS (degenerate axes accepted, cubes refused), header card text, cutouts at edges.
import Foundation
import Testing
@testable import SkyCore

@Suite("SkyImage planes and cutouts")
struct SkyImageTests {
    static func cards(naxis: Int) -> [FITSHeaderCard] {
        var c: [FITSHeaderCard] = [FITSHeaderCard("CTYPE1", .string("RA---SIN")), FITSHeaderCard("CTYPE2", .string("DEC--SIN"))]
        for (k, v) in [("CRVAL1", 162.75), ("CRVAL2", -30.76), ("CRPIX1", 5.5), ("CRPIX2", 4.5), ("CDELT1", -0.0005), ("CDELT2", 0.0005)] {
            c.append(FITSHeaderCard(k, .double(v)))
        }
        if naxis > 2 { c += [FITSHeaderCard("CTYPE3", .string("FREQ")), FITSHeaderCard("CRVAL3", .double(1.4e9)), FITSHeaderCard("CDELT3", .double(1e6)), FITSHeaderCard("CRPIX3", .double(1))] }
        if naxis > 3 { c += [FITSHeaderCard("CTYPE4", .string("STOKES")), FITSHeaderCard("CRVAL4", .double(1)), FITSHeaderCard("CDELT4", .double(1)), FITSHeaderCard("CRPIX4", .double(1))] }
        return c
    }

    @Test func radioPlaneWithDegenerateAxes() throws {
        let d = TempDir()
        let px = (0..<80).map { Float($0) }
        try FITSWriter.write(FITSImage<Float>(shape: [10, 8, 1, 1], pixels: px, header: FITSHeader(Self.cards(naxis: 4))), to: d.file("r.fits"))
        let img = try SkyImage.read(d.file("r.fits"))
        #expect(img.width == 10 && img.height == 8 && img.pixels == px)
        #expect(img[3, 2] == 23)
        let w = try #require(img.wcs)
        let s = try w.pixelToWorld(x: [5.5], y: [4.5])
        #expect(abs(s.lon[0] - 162.75) < 1e-12 && abs(s.lat[0] + 30.76) < 1e-12)
        // 0.0005° pixels: the local scale at the reference pixel is that (SIN has no distortion there).
        #expect(abs(try img.pixelScale(atX: 5.5, y: 4.5) / 0.0005 - 1) < 1e-9)
    }

    @Test func cubesAndTablesAreRefusedByName() throws {
        let d = TempDir()
        try FITSWriter.write(FITSImage<Float>(shape: [4, 4, 3], pixels: [Float](repeating: 1, count: 48), header: FITSHeader(Self.cards(naxis: 3))), to: d.file("c.fits"))
        do {
            _ = try SkyImage.read(d.file("c.fits"))
            Issue.record("a cube must be refused")
        } catch let e as FITSError {
            #expect(e.message.contains("3 planes") && e.message.contains("[*,*,1:1]") && e.hdu == 0)
        }
        // One plane through cfitsio's section syntax.
        let plane = try SkyImage.read(d.file("c.fits") + "[0][*,*,2:2]")
        #expect(plane.width == 4 && plane.height == 4)
        try FITSWriter.write(try Catalogue(columns: [.double("a", [1, 2])]), to: d.file("t.fits"))
        #expect(throws: FITSError.self) { try SkyImage.read(d.file("t.fits"), hdu: 1) }
    }

    @Test func headerCardTextRoundTripsThroughWCSLib() throws {
        var cards = Self.cards(naxis: 2)
        cards.append(FITSHeaderCard("OBJECT", .string("it's here")))
        cards.append(FITSHeaderCard("HIERARCH.ESO.LONG.KEY", .double(1)))
        let text = FITSHeader(cards).cardText
        #expect(text.utf8.count % 80 == 0 && text.utf8.count == 80 * 9)
        #expect(text.contains("'it''s here'"))
        let w = try WCS(headerText: text)
        let s = try w.pixelToWorld(x: [5.5], y: [4.5])
        #expect(abs(s.lon[0] - 162.75) < 1e-12 && abs(s.lat[0] + 30.76) < 1e-12)
        // Every double survives the text: 17 significant digits read back to the same value.
        let cdelt = try #require(text.range(of: "CDELT1  ="))
        let value = text[cdelt.upperBound...].prefix(21).trimmingCharacters(in: .whitespaces)
        #expect(Double(value) == -0.0005)
    }

    @Test func cutoutRegionsFollowCutout2D() {
        // Odd sizes centre on the pixel holding the position; even ones on the nearest pixel corner.
        #expect(CutoutRegion(centreX: 10.3, centreY: 10.6, width: 5, height: 5) == CutoutRegion(firstX: 8, firstY: 9, width: 5, height: 5))
        #expect(CutoutRegion(centreX: 10.3, centreY: 10.6, width: 4, height: 4) == CutoutRegion(firstX: 9, firstY: 9, width: 4, height: 4))
        #expect(CutoutRegion(firstX: -3, firstY: 1, width: 5, height: 2).overlaps(imageWidth: 10, imageHeight: 10) == true)
        #expect(CutoutRegion(firstX: -3, firstY: 1, width: 4, height: 2).overlaps(imageWidth: 10, imageHeight: 10) == false)
        #expect(CutoutRegion(firstX: 10, firstY: 10, width: 4, height: 2).overlaps(imageWidth: 10, imageHeight: 10) == true)
        #expect(CutoutRegion(firstX: 11, firstY: 10, width: 4, height: 2).overlaps(imageWidth: 10, imageHeight: 10) == false)
    }
}

@Suite("SkyImage from an integer image with BLANK")
struct BlankPixelTests {
    /// A 16-bit integer image written byte by byte (FITS standard: big-endian, 2880-byte blocks) with
    /// BSCALE/BZERO and BLANK: blank pixels read as NaN, the others scaled.
    @Test func blankPixelsAreNaN() throws {
        let d = TempDir()
        let cards = ["SIMPLE  =                    T", "BITPIX  =                   16", "NAXIS   =                    2",
                     "NAXIS1  =                    3", "NAXIS2  =                    2", "BSCALE  =                  0.5",
                     "BZERO   =                100.0", "BLANK   =               -32768", "END"]
        var bytes = Array(cards.map { $0.padding(toLength: 80, withPad: " ", startingAt: 0) }.joined().utf8)
        bytes += [UInt8](repeating: 32, count: 2880 - bytes.count)
        let raw: [Int16] = [0, 10, -32768, 4, -32768, -2]
        for v in raw { let u = UInt16(bitPattern: v); bytes += [UInt8(u >> 8), UInt8(u & 0xFF)] }
        bytes += [UInt8](repeating: 0, count: 2880 - raw.count * 2)
        try Data(bytes).write(to: URL(fileURLWithPath: d.file("i.fits")))
        let img = try SkyImage.read(d.file("i.fits"))
        #expect(img.pixels[0] == 100 && img.pixels[1] == 105 && img.pixels[3] == 102 && img.pixels[5] == 99)
        #expect(img.pixels[2].isNaN && img.pixels[4].isNaN)
        #expect(img.wcs == nil)
    }
}
