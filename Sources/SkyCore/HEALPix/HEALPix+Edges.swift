// Which neighbouring pixels a small disc can reach: the disc around a point stays inside the point's own
// pixel unless the point lies near one of the pixel's edges. Crossmatch sweeps use it to skip the eight
// neighbour lists for the great majority of rows.
//
// In the equatorial region (|z| ≤ 2/3) a pixel is bounded by lines of integer a = nside·(½ + t − ¾z) and
// b = nside·(½ + t + ¾z), t = 2φ/π; its face coordinates are x = frac(b), y = 1 − frac(a). A displacement
// of ε radians changes a and b by at most nside·ε·√((2/(π cos δ))² + (¾ cos δ)²) ≤ 1.14·nside·ε there
// (cos δ ≥ √5/3), so a disc of radius r cannot cross an edge farther than 1.14·nside·r away in a or b.
// skytool uses 1.5·nside·r (second-order terms) and answers "every edge" wherever the bound is not
// established: |z| > 0.6 (the polar caps and a band before them), discs wider than 0.45 pixel, invalid input.
import Foundation

extension HEALPixLayer {
    /// Edges of a pixel in its face coordinates: x (the nested scheme's ix) low/high, y (iy) low/high.
    public struct Edges: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        // Computed and inlinable (not stored): `edges(ra:z:radius:)` is inlined into other modules' loops,
        // where a stored static costs a call to its lazy-initialising accessor at every use.
        @inlinable public static var xLow: Edges { Edges(rawValue: 1) }
        @inlinable public static var xHigh: Edges { Edges(rawValue: 2) }
        @inlinable public static var yLow: Edges { Edges(rawValue: 4) }
        @inlinable public static var yHigh: Edges { Edges(rawValue: 8) }
        @inlinable public static var all: Edges { Edges(rawValue: 15) }
    }

    /// The edges of the pixel of (ra, dec) (**degrees**) that a disc of `radius` **degrees** around it may
    /// cross (a superset: never misses an edge the disc crosses). Empty means the disc lies inside the pixel.
    public func edges(ra: Double, dec: Double, radius: Double) -> Edges {
        guard dec.isFinite, abs(dec) <= 90 else { return .all }
        return edges(ra: ra, z: HEALPixLayer.sinPoly(dec * degreesToRadians), radius: radius)
    }

    /// `edges(ra:dec:radius:)` with z = sin(dec) given (from a unit vector, say; within 1e-12).
    /// Inlinable: crossmatch preparations call it once per row.
    @inlinable @inline(__always) package func edges(ra: Double, z: Double, radius: Double) -> Edges {
        let ns = Double(nside)
        let m = ns * 1.5 * (radius * degreesToRadians) + 1e-9
        guard ra.isFinite, z.isFinite, abs(z) <= 0.6, m < 0.45 else { return .all }
        let tt = HEALPixLayer.fmod4(ra * degreesToRadians * 0.63661977236758134308)
        let a = ns * (0.5 + tt - 0.75 * z), b = ns * (0.5 + tt + 0.75 * z)
        // a, b > 0 here. floorNonNegative may return k − 1 for an exact integer k (fraction 1 instead of 0);
        // both answers report both opposite edges below, so the result is the same.
        let fa = a - Double(HEALPixLayer.floorNonNegative(a)), fb = b - Double(HEALPixLayer.floorNonNegative(b))
        // Within 1e-6 of an edge the point's pixel (decided by healpy's exact arithmetic) may be the one on
        // the other side: then both opposite edges are reported.
        let tiny = 1e-6
        var e: Edges = []
        if fb < m { e.insert(.xLow); if fb < tiny { e.insert(.xHigh) } }
        if fb > 1 - m { e.insert(.xHigh); if fb > 1 - tiny { e.insert(.xLow) } }
        if fa < m { e.insert(.yHigh); if fa < tiny { e.insert(.yLow) } }
        if fa > 1 - m { e.insert(.yLow); if fa > 1 - tiny { e.insert(.yHigh) } }
        return e
    }

    /// The neighbours (bit i for `neighbours(nested:)`[i], healpy's order SW, W, NW, N, NE, E, SE, S) that a
    /// disc crossing only `edges` can reach: a neighbour across the x-low edge needs `.xLow`, a corner
    /// neighbour needs both of its edges.
    /// Inlinable (crossmatch sweeps call it once per row): `neighbourMasks` packed eight bytes to a word.
    @inlinable public static func neighbourMask(_ edges: Edges) -> UInt8 {
        let raw = UInt64(edges.rawValue & 15)
        let word: UInt64 = raw < 8 ? 0xf170_c140_1110_0100 : 0xff7c_c744_1f1c_0704
        return UInt8(truncatingIfNeeded: word >> ((raw & 7) << 3))
    }

    /// The masks by edge set, derived from the neighbour offsets (`neighbourMask` holds them packed; a test
    /// checks that both agree).
    static let neighbourMasks: [UInt8] = (0..<16).map { raw in
        let e = Edges(rawValue: UInt8(raw))
        var mask: UInt8 = 0
        for i in 0..<8 {
            let xo = xOffset[i], yo = yOffset[i]
            let nx = xo == -1 ? e.contains(.xLow) : (xo == 1 ? e.contains(.xHigh) : true)
            let ny = yo == -1 ? e.contains(.yLow) : (yo == 1 ? e.contains(.yHigh) : true)
            if nx && ny { mask |= UInt8(1) << UInt8(i) }
        }
        return mask
    }
}
