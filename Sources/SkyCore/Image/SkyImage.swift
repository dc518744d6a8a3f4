// A 2-D image ready to measure or draw: Float pixels, the header, the celestial WCS when there is one.
import Foundation

/// One image plane: pixels in FITS order (row-major, x = NAXIS1 varying fastest), its header and, when the
/// header has celestial axes, its WCS.
///
/// Pixel coordinates are FITS 1-based: the centre of the first pixel is (1, 1), pixel (i, j) covers
/// [i − ½, i + ½) × [j − ½, j + ½). Blank pixels (BLANK of an integer image, NaN of a float one) are NaN.
public struct SkyImage: Sendable {
    public var width: Int
    public var height: Int
    /// width × height values, row by row (y = 1 first).
    public var pixels: [Float]
    public var header: FITSHeader
    /// The celestial WCS, or nil when the header has none (then only pixel positions can be used).
    public var wcs: WCS?
    /// Where the image came from ("file.fits HDU 0"), for messages.
    public var source: String

    public init(width: Int, height: Int, pixels: [Float], header: FITSHeader = FITSHeader(), wcs: WCS? = nil, source: String = "image") {
        precondition(pixels.count == width * height, "pixel count \(pixels.count) is not \(width)×\(height)")
        self.width = width; self.height = height; self.pixels = pixels
        self.header = header; self.wcs = wcs; self.source = source
    }

    /// The value at 0-based (x, y).
    public subscript(x: Int, y: Int) -> Float { pixels[y * width + x] }

    /// Reads a 2-D image from a FITS file (an HDU named in the path, `hdu`, or the first image with data).
    ///
    /// Axes beyond the second must have length 1 (radio images carry FREQ and STOKES axes so): the plane
    /// is read and the WCS's celestial part is kept. A cube with several planes is refused; cfitsio's
    /// section syntax (`cube.fits[0][*,*,3:3]`) picks one plane. Pixels are scaled by BSCALE/BZERO; blank
    /// pixels become NaN.
    public static func read(_ path: String, hdu: Int? = nil) throws -> SkyImage {
        let file = try FITSFile(path: path)
        let h = try file.resolveImageHDU(hdu)
        let info = try file.hdus()[h]
        let source = "\(path) HDU \(h)"
        guard info.kind == .image else {
            throw FITSError(status: 233, message: "HDU \(h) is a table, not an image", operation: "reading an image", file: path, hdu: h)
        }
        let axes = info.shape
        guard axes.count >= 2, axes[0] > 0, axes[1] > 0 else {
            throw FITSError(status: 212, message: "not a 2-D image (axes \(axes))", operation: "reading an image", file: path, hdu: h)
        }
        if let k = axes.dropFirst(2).firstIndex(where: { $0 != 1 }) {
            throw FITSError(status: 212, message: "a cube: axis \(k + 1) has \(axes[k]) planes; pick one plane with cfitsio's section syntax, e.g. '\(path)[\(h)][*,*,1:1]'",
                            operation: "reading an image", file: path, hdu: h)
        }
        let first = axes.map { _ in 1 }
        var last = axes
        for k in 2..<axes.count { last[k] = 1 }
        let image = try file.readImageSection(hdu: h, first: first, last: last, as: Float.self)
        var wcs: WCS? = nil
        if let w = try? WCS(file: file, hdu: h), w.hasCelestial { wcs = w }
        return SkyImage(width: axes[0], height: axes[1], pixels: image.pixels, header: image.header, wcs: wcs, source: source)
    }

    /// The WCS, or an error naming the image when it has none.
    public func requireWCS(for step: String) throws(WCSError) -> WCS {
        guard let wcs else {
            throw WCSError(status: 0, message: "the image has no celestial WCS, which \(step) needs", source: source)
        }
        return wcs
    }

    /// The local pixel scale at 1-based pixel (x, y), in degrees per pixel: the square root of the area of
    /// the pixel's image on the sky (|det J| of the pixel → tangent-plane Jacobian, by central differences).
    public func pixelScale(atX x: Double, y: Double) throws -> Double {
        let j = try skyJacobian(atX: x, y: y)
        return sqrt(abs(j.dEastDx * j.dNorthDy - j.dEastDy * j.dNorthDx))
    }

    /// The 2×2 Jacobian of (east, north) offsets in degrees with respect to 1-based pixel offsets at (x, y)
    /// (see `WCS.skyJacobian`).
    public func skyJacobian(atX x: Double, y: Double) throws -> (dEastDx: Double, dEastDy: Double, dNorthDx: Double, dNorthDy: Double) {
        try requireWCS(for: "the sky orientation").skyJacobian(atX: x, y: y)
    }
}

extension WCS {
    /// The 2×2 Jacobian of (east, north) offsets in degrees with respect to 1-based pixel offsets at (x, y):
    /// columns are ∂/∂x and ∂/∂y; east = ΔRA·cos δ (increasing towards east), north = Δδ. Central
    /// differences over ±½ pixel.
    public func skyJacobian(atX x: Double, y: Double) throws -> (dEastDx: Double, dEastDy: Double, dNorthDx: Double, dNorthDy: Double) {
        let s = try pixelToWorld(x: [x, x + 0.5, x - 0.5, x, x], y: [y, y, y, y + 0.5, y - 0.5])
        guard s.valid.allSatisfy({ $0 }) else {
            throw WCSError(status: 0, message: "the WCS is not defined at pixel (\(x), \(y))", source: "WCS")
        }
        let cosd = cos(s.lat[0] * .pi / 180)
        func east(_ a: Int, _ b: Int) -> Double {
            var d = s.lon[a] - s.lon[b]
            if d > 180 { d -= 360 } else if d < -180 { d += 360 }
            return d * cosd
        }
        return (east(1, 2), east(3, 4), s.lat[1] - s.lat[2], s.lat[3] - s.lat[4])
    }
}
