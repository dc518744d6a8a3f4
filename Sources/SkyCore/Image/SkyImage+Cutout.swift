// Cutouts: a rectangle of an image around a position, NaN where it overhangs the image, its WCS shifted.
import Foundation

/// The pixels a cutout takes from its image: a `width` × `height` rectangle whose first (lower-left)
/// pixel is the 1-based image pixel (`firstX`, `firstY`). It may overhang the image on any side.
public struct CutoutRegion: Sendable, Equatable {
    public var firstX: Int, firstY: Int, width: Int, height: Int

    public init(firstX: Int, firstY: Int, width: Int, height: Int) {
        self.firstX = firstX; self.firstY = firstY; self.width = width; self.height = height
    }

    /// The region of `width` × `height` pixels centred on the 1-based position (x, y), by astropy's
    /// `Cutout2D` rule: the first pixel is ⌈x − width/2⌉ (and the same in y). An odd size is then centred on
    /// the pixel that contains the position; an even one on the pixel corner nearest to it.
    public init(centreX x: Double, centreY y: Double, width: Int, height: Int) {
        self.init(firstX: Int((x - Double(width) / 2).rounded(.up)), firstY: Int((y - Double(height) / 2).rounded(.up)),
                  width: width, height: height)
    }

    /// Whether any of the region lies on the image.
    public func overlaps(imageWidth w: Int, imageHeight h: Int) -> Bool {
        firstX <= w && firstX + width - 1 >= 1 && firstY <= h && firstY + height - 1 >= 1
    }
}

/// The size of a cutout: in pixels, or an angle converted to pixels with the image's local pixel scale.
public enum CutoutSize: Sendable, Equatable {
    case pixels(Int, Int)
    /// Width and height on the sky in degrees.
    case angle(Double, Double)
}

extension SkyImage {
    /// The part of the image in `region`, as a new image: pixels outside this image are NaN. The header is
    /// this image's with the reference pixel moved by the offset (CRPIXn of the celestial axes and of every
    /// alternate description, IRAF's LTV1/LTV2, the DSS plate solution's CNPIX1/CNPIX2), so that every
    /// pixel of the cutout keeps its sky position; the WCS is rebuilt from that header.
    public func cutout(_ region: CutoutRegion) throws -> SkyImage {
        guard region.width > 0, region.height > 0 else {
            throw WCSError(status: 0, message: "a cutout needs a positive size (got \(region.width)×\(region.height) pixels)", source: source)
        }
        var px = [Float](repeating: .nan, count: region.width * region.height)
        let x0 = max(1, region.firstX), x1 = min(width, region.firstX + region.width - 1)
        let y0 = max(1, region.firstY), y1 = min(height, region.firstY + region.height - 1)
        if x0 <= x1 && y0 <= y1 {
            for y in y0...y1 {
                let src = (y - 1) * width + (x0 - 1)
                let dst = (y - region.firstY) * region.width + (x0 - region.firstX)
                for k in 0...(x1 - x0) { px[dst + k] = pixels[src + k] }
            }
        }
        let dx = Double(region.firstX - 1), dy = Double(region.firstY - 1)
        var cards = header.cards
        for i in cards.indices {
            let name = cards[i].name
            if name == "NAXIS1" { cards[i].value = .int(Int64(region.width)); continue }
            if name == "NAXIS2" { cards[i].value = .int(Int64(region.height)); continue }
            guard let v = cards[i].value.doubleValue else { continue }
            var shift: Double? = nil
            if name.hasPrefix("CRPIX1") && name.count <= 7 { shift = -dx }
            else if name.hasPrefix("CRPIX2") && name.count <= 7 { shift = -dy }
            else if name == "LTV1" { shift = -dx } else if name == "LTV2" { shift = -dy }
            else if name == "CNPIX1" { shift = dx } else if name == "CNPIX2" { shift = dy }
            if let shift { cards[i].value = .double(v + shift) }
        }
        let newHeader = FITSHeader(cards)
        var newWCS: WCS? = nil
        if wcs != nil {
            newWCS = try WCS(headerText: newHeader.cardText, source: source + " cutout")
        }
        return SkyImage(width: region.width, height: region.height, pixels: px, header: newHeader, wcs: newWCS,
                        source: source + " [\(region.firstX)..\(region.firstX + region.width - 1), \(region.firstY)..\(region.firstY + region.height - 1)]")
    }

    /// A cutout centred on a sky position (degrees). An angular size becomes pixels with the local pixel
    /// scale at the position (rounded to the nearest whole pixel, at least 1). A position whose cutout
    /// would not touch the image is an error.
    public func cutout(ra: Double, dec: Double, size: CutoutSize) throws -> SkyImage {
        let w = try requireWCS(for: "a cutout")
        let p = try w.worldToPixel(lon: [ra], lat: [dec])
        guard p.valid[0] else {
            throw WCSError(status: 0, message: "the position (\(ra), \(dec)) has no pixel in the image's projection", source: source)
        }
        let (nx, ny): (Int, Int)
        switch size {
        case let .pixels(a, b): (nx, ny) = (a, b)
        case let .angle(a, b):
            let scale = try pixelScale(atX: p.x[0], y: p.y[0])
            (nx, ny) = (max(1, Int((a / scale).rounded())), max(1, Int((b / scale).rounded())))
        }
        let region = CutoutRegion(centreX: p.x[0], centreY: p.y[0], width: nx, height: ny)
        guard region.overlaps(imageWidth: width, imageHeight: height) else {
            throw WCSError(status: 0, message: String(format: "the position (%.6f, %.6f) is at pixel (%.1f, %.1f), and a %d×%d cutout there lies outside the %d×%d image",
                                                      ra, dec, p.x[0], p.y[0], nx, ny, width, height), source: source)
        }
        return try cutout(region)
    }

    /// Writes the image (Float pixels, BITPIX −32) with its header, atomically.
    public func write(to path: String) throws {
        try FITSWriter.write(FITSImage(shape: [width, height], pixels: pixels, header: header), to: path)
    }
}
