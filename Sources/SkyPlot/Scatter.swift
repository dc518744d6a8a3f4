// Scatter plots of many points, optionally coloured by a value through a colour map, with a colour bar.
import Foundation

/// Points (x, y) drawn as filled discs of `size` points; with `values`, each coloured by its value through
/// `colormap` over `range` (default: the finite values' extent), and a colour bar beside the panel.
public struct Scatter: Sendable {
    public var x: [Double], y: [Double]
    public var values: [Double]? = nil
    public var colormap: Colormap = .viridis
    public var range: ClosedRange<Double>? = nil
    /// The colour bar's label (with units).
    public var valueLabel = ""
    public var size: Double = 3
    public var color: PlotColor = .blue
    public var label: String? = nil
    public init(x: [Double], y: [Double]) { self.x = x; self.y = y }

    /// The value range the colours span, or nil without values.
    public var valueRange: ClosedRange<Double>? {
        guard let values else { return nil }
        if let range { return range }
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        return lo <= hi ? (lo < hi ? lo...hi : (lo - 0.5)...(hi + 0.5)) : nil
    }

    /// The colour of point i.
    func color(_ i: Int, _ table: [(Double, Double, Double)], _ r: ClosedRange<Double>?) -> PlotColor {
        guard let values, let r, i < values.count, values[i].isFinite else { return color }
        let c = table[Colormap.index((values[i] - r.lowerBound) / (r.upperBound - r.lowerBound))]
        return PlotColor(c.0, c.1, c.2)
    }

    /// Rasterises the points into premultiplied BGRA bytes of `w` × `h` pixels (rows from the top): each point
    /// a disc of radius `radius` pixels at (px(x), py(y)), later points over earlier ones. For PNG output of
    /// many points this is far faster than a vector path per point, and the result is the same picture.
    func raster(w: Int, h: Int, radius: Double, px: (Double) -> Double, py: (Double) -> Double) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: w * h * 4)
        let r = max(0.5, radius), ri = Int(r.rounded(.up))
        // Disc coverage, sampled 4 × 4 per pixel, for a centre at a pixel centre.
        var mask: [(Int, Int, Double)] = []
        for dy in -ri...ri { for dx in -ri...ri {
            var cover = 0.0
            for sy in 0..<4 { for sx in 0..<4 {
                let ox = Double(dx) + (Double(sx) + 0.5) / 4 - 0.5, oy = Double(dy) + (Double(sy) + 0.5) / 4 - 0.5
                if ox * ox + oy * oy <= r * r { cover += 1.0 / 16 }
            } }
            if cover > 0 { mask.append((dx, dy, cover)) }
        } }
        let table = colormap.table, vr = valueRange
        for i in 0..<min(x.count, y.count) where x[i].isFinite && y[i].isFinite {
            let cx = Int(px(x[i]).rounded(.down)), cy = Int(py(y[i]).rounded(.down))
            let c = color(i, table, vr)
            for (dx, dy, a) in mask {
                let xx = cx + dx, yy = cy + dy
                guard xx >= 0, yy >= 0, xx < w, yy < h else { continue }
                let o = (yy * w + xx) * 4
                let alpha = a * c.a, keep = 1 - alpha
                out[o] = UInt8(min(255, (c.b * 255 * alpha + Double(out[o]) * keep).rounded()))
                out[o + 1] = UInt8(min(255, (c.g * 255 * alpha + Double(out[o + 1]) * keep).rounded()))
                out[o + 2] = UInt8(min(255, (c.r * 255 * alpha + Double(out[o + 2]) * keep).rounded()))
                out[o + 3] = UInt8(min(255, (255 * alpha + Double(out[o + 3]) * keep).rounded()))
            }
        }
        return out
    }
}
