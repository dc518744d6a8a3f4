// Shapes given on the sky (degrees, arcseconds, position angles east of north), drawn on an image through
// its WCS.
import Foundation
import SkyCore

/// An ellipse on the sky: centre (degrees), semi-axes (arcseconds), position angle of the major axis in
/// degrees east of north (a beam's BPA, a source's PA). A circle has equal axes.
public struct SkyEllipse: Sendable {
    public var ra: Double, dec: Double
    public var major: Double, minor: Double
    public var positionAngle: Double
    public var color: PlotColor
    public var label: String?
    public init(ra: Double, dec: Double, major: Double, minor: Double, positionAngle: Double = 0, color: PlotColor = .red, label: String? = nil) {
        self.ra = ra; self.dec = dec; self.major = major; self.minor = minor; self.positionAngle = positionAngle
        self.color = color; self.label = label
    }

    /// The outline in 1-based pixel coordinates: the point at parameter t is the centre plus
    /// a cos t · u + b sin t · v in (east, north), with u = (sin PA, cos PA) the major axis and
    /// v = (cos PA, −sin PA), mapped to pixels by the inverse of the WCS Jacobian at the centre.
    /// The first point (t = 0) is the end of the major axis.
    public func pixelOutline(wcs: WCS, points: Int = 72) throws -> [(x: Double, y: Double)] {
        let c = try wcs.worldToPixel(lon: [ra], lat: [dec])
        guard c.valid[0] else { throw PlotError("the position (\(ra), \(dec)) has no pixel in the image's projection") }
        let j = try wcs.skyJacobian(atX: c.x[0], y: c.y[0])
        let det = j.dEastDx * j.dNorthDy - j.dEastDy * j.dNorthDx
        guard det != 0, det.isFinite else { throw PlotError("the WCS is singular at (\(ra), \(dec))") }
        let pa = positionAngle * .pi / 180
        let (a, b) = (major / 3600, minor / 3600)
        return (0..<max(4, points)).map { k in
            let t = 2 * Double.pi * Double(k) / Double(max(4, points))
            let e = a * cos(t) * sin(pa) + b * sin(t) * cos(pa)
            let n = a * cos(t) * cos(pa) - b * sin(t) * sin(pa)
            // [dx, dy] = J⁻¹ [e, n].
            let dx = (j.dNorthDy * e - j.dEastDy * n) / det, dy = (-j.dNorthDx * e + j.dEastDx * n) / det
            return (c.x[0] + dx, c.y[0] + dy)
        }
    }
}

/// A marker or a text label at a sky position (degrees), drawn through an image panel's WCS.
public struct SkyMark: Sendable {
    public enum Shape: String, Sendable { case plus, cross, circle }
    public var ra: Double, dec: Double
    /// A shape of `size` points across, or (when `text` is set) the text, left-aligned just right of the position.
    public var shape: Shape = .plus
    public var size: Double = 10
    public var text: String? = nil
    public var color: PlotColor = PlotColor(0.1, 0.9, 0.1)
    public init(ra: Double, dec: Double, shape: Shape = .plus, size: Double = 10, text: String? = nil, color: PlotColor = PlotColor(0.1, 0.9, 0.1)) {
        self.ra = ra; self.dec = dec; self.shape = shape; self.size = size; self.text = text; self.color = color
    }
}
