// Colour maps: gray, gray_r, viridis and inferno with matplotlib's tables.
import Foundation

/// A colour map of 256 entries; a value v ∈ [0, 1] takes entry ⌊v · 256⌋ (clipped to 255), as matplotlib's
/// `Colormap.__call__` does for floats. NaN values are transparent.
public enum Colormap: String, Sendable, CaseIterable {
    case gray, gray_r, viridis, inferno

    /// The 256 RGB entries (components 0…1).
    public var table: [(Double, Double, Double)] {
        switch self {
        case .gray: return (0..<256).map { let v = Double($0) / 255; return (v, v, v) }
        case .gray_r: return (0..<256).map { let v = 1 - Double($0) / 255; return (v, v, v) }
        case .viridis: return Colormap.viridisTable
        case .inferno: return Colormap.infernoTable
        }
    }

    /// The entry for v ∈ [0, 1].
    public static func index(_ v: Double) -> Int { v.isFinite ? min(255, max(0, Int(v * 256))) : 0 }
}

/// An image drawn in a panel: values mapped through an interval, a stretch and a colour map.
public struct ImageLayer: Sendable {
    public var width: Int, height: Int
    /// width × height values in FITS order (first row at the bottom).
    public var values: [Float]
    public var interval: ImageInterval = .zscale()
    public var stretch: ImageStretch = .linear
    public var colormap: Colormap = .gray
    public init(width: Int, height: Int, values: [Float]) { self.width = width; self.height = height; self.values = values }

    /// The limits the interval gives, or nil when no value is finite.
    public var limits: (Double, Double)? { interval.limits(values) }

    /// RGBA bytes, premultiplied, rows from the top (cairo's ARGB32 in memory order B, G, R, A), NaN transparent.
    func pixels() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 4)
        guard let (lo, hi) = limits else { return out }
        let span = hi > lo ? hi - lo : 1
        let table = colormap.table
        for y in 0..<height {
            let row = (height - 1 - y) * width * 4
            for x in 0..<width {
                let v = values[y * width + x]
                guard v.isFinite else { continue }
                let c = table[Colormap.index(stretch.apply((Double(v) - lo) / span))]
                let o = row + x * 4
                out[o] = UInt8((c.2 * 255).rounded()); out[o + 1] = UInt8((c.1 * 255).rounded()); out[o + 2] = UInt8((c.0 * 255).rounded()); out[o + 3] = 255
            }
        }
        return out
    }
}
