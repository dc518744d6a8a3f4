import ArgumentParser
import Foundation
import SkyCore

struct Cutout: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cut a rectangle of an image around a sky position, with its WCS moved to match.",
        discussion: """
        The cutout is centred as astropy's Cutout2D does it (its first pixel is ceil(x - size/2)): an odd size
        is centred on the pixel holding the position. Where it overhangs the image the pixels are NaN. The
        header keeps every card, with CRPIXn (and LTVn, CNPIXn) shifted so each pixel keeps its sky position.
        --size is an angle (2arcmin, 30arcsec) converted with the local pixel scale, or pixels (64pix); W,H
        gives a rectangle.

        Examples:
          skytool cutout image.fits --ra 83.633 --dec 22.0145 --size 2arcmin --out stamp.fits
          skytool cutout mosaic.fits --ra 05:34:31.9 --dec -05:23:28 --size 64pix,48pix --out stamp.fits
        """
    )

    @Argument(help: "Image (FITS; an HDU may be named as image.fits[1]).") var image: String
    @Option(parsing: .unconditional, help: "Right ascension of the centre (degrees or hh:mm:ss).") var ra: RAArgument
    @Option(parsing: .unconditional, help: "Declination of the centre (degrees or dd:mm:ss; may be negative).") var dec: DecArgument
    @Option(parsing: .unconditional, help: "Size: an angle (2arcmin) or pixels (64pix); W,H for a rectangle.") var size: String
    @Option(parsing: .unconditional, help: "Output FITS image.") var out: String

    func run() throws {
        try Output.refuseOverwriting(inputs: [image], outputs: [out])
        let parts = Output.list(size)
        let lengths = parts.compactMap(PixelLength.init(argument:))
        guard lengths.count == parts.count, (1...2).contains(lengths.count) else {
            throw ValidationError("--size takes an angle (2arcmin) or pixels (64pix), or W,H, got '\(size)'")
        }
        let img = try SkyImage.read(image)
        _ = try img.requireWCS(for: "a cutout at a sky position")
        let w = lengths[0], h = lengths.count > 1 ? lengths[1] : lengths[0]
        let cut: SkyImage
        switch (w.value, h.value) {
        case let (.degrees(a), .degrees(b)):
            cut = try img.cutout(ra: ra.degrees, dec: dec.degrees, size: .angle(a, b))
        default:
            let s = try img.pixelScale(atX: (Double(img.width) + 1) / 2, y: (Double(img.height) + 1) / 2)
            func px(_ l: PixelLength) -> Int {
                switch l.value { case .pixels(let p): return max(1, Int(p.rounded())); case .degrees(let d): return max(1, Int((d / s).rounded())) }
            }
            cut = try img.cutout(ra: ra.degrees, dec: dec.degrees, size: .pixels(px(w), px(h)))
        }
        try cut.write(to: out)
        let blank = cut.pixels.filter(\.isNaN).count
        print("wrote a \(cut.width)×\(cut.height) cutout to \(out)\(blank > 0 ? " (\(blank) pixels off the image are NaN)" : "")")
    }
}
