// Sky geometry: unit vectors, angular separations, position angles, offsets, chords, proper motion.
import Foundation

/// Degrees → radians, as numpy's `radians` (multiplication by the rounded constant π/180).
/// (Inlinable, so other modules' hot loops fold it to a constant instead of calling an accessor.)
@inlinable public var degreesToRadians: Double { Double.pi / 180 }
/// Radians → degrees.
@inlinable public var radiansToDegrees: Double { 180 / Double.pi }

/// A Cartesian unit vector on the celestial sphere (x towards ra = 0, dec = 0; z towards the north pole).
public struct UnitVector: Sendable, Equatable, Hashable {
    public var x: Double, y: Double, z: Double
    public init(x: Double, y: Double, z: Double) { self.x = x; self.y = y; self.z = z }

    /// The unit vector of (ra, dec) in **degrees**.
    public init(ra: Double, dec: Double) {
        let a = ra * degreesToRadians, d = dec * degreesToRadians
        let cd = cos(d)
        self.init(x: cd * cos(a), y: cd * sin(a), z: sin(d))
    }

    /// (ra in [0, 360), dec in [-90, 90]) in **degrees**; the vector need not be normalised.
    public var raDec: (ra: Double, dec: Double) {
        var ra = atan2(y, x) * radiansToDegrees
        if ra < 0 { ra += 360 }
        if ra >= 360 { ra = 0 }
        let dec = atan2(z, (x * x + y * y).squareRoot()) * radiansToDegrees
        return (ra, dec)
    }

    public func dot(_ o: UnitVector) -> Double { x * o.x + y * o.y + z * o.z }
    public func cross(_ o: UnitVector) -> UnitVector {
        UnitVector(x: y * o.z - z * o.y, y: z * o.x - x * o.z, z: x * o.y - y * o.x)
    }
    public var norm: Double { (x * x + y * y + z * z).squareRoot() }
    public var normalized: UnitVector { let n = norm; return UnitVector(x: x / n, y: y / n, z: z / n) }
    static func + (a: UnitVector, b: UnitVector) -> UnitVector { UnitVector(x: a.x + b.x, y: a.y + b.y, z: a.z + b.z) }
    static func - (a: UnitVector, b: UnitVector) -> UnitVector { UnitVector(x: a.x - b.x, y: a.y - b.y, z: a.z - b.z) }
    static func * (k: Double, a: UnitVector) -> UnitVector { UnitVector(x: k * a.x, y: k * a.y, z: k * a.z) }

    /// The angle to another vector in **radians**, accurate at every scale (atan2 of |a×b| and a·b).
    public func angle(to o: UnitVector) -> Double { atan2(cross(o).norm, dot(o)) }
}

/// Spherical geometry on (ra, dec) in **degrees**.
public enum SkyGeometry {
    /// Angular separation in **degrees** between (ra1, dec1) and (ra2, dec2) (degrees), by the Vincenty
    /// formula (atan2 of the cross and dot products): accurate from micro-arcseconds to 180 degrees.
    @inline(__always)
    public static func separation(_ ra1: Double, _ dec1: Double, _ ra2: Double, _ dec2: Double) -> Double {
        let dl = ra2 * degreesToRadians - ra1 * degreesToRadians
        let p1 = dec1 * degreesToRadians, p2 = dec2 * degreesToRadians
        let sdl = sin(dl), cdl = cos(dl)
        let s1 = sin(p1), c1 = cos(p1), s2 = sin(p2), c2 = cos(p2)
        let n1 = c2 * sdl
        let n2 = c1 * s2 - s1 * c2 * cdl
        let den = s1 * s2 + c1 * c2 * cdl
        return atan2((n1 * n1 + n2 * n2).squareRoot(), den) * radiansToDegrees
    }

    /// Separations in **degrees** of many pairs (arrays of equal length, degrees).
    public static func separations(ra1: [Double], dec1: [Double], ra2: [Double], dec2: [Double]) -> [Double] {
        let n = min(ra1.count, dec1.count, ra2.count, dec2.count)
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n { out[i] = separation(ra1[i], dec1[i], ra2[i], dec2[i]) }
        return out
    }

    /// Position angle in **degrees east of north**, in [0, 360), of point 2 as seen from point 1.
    public static func positionAngle(_ ra1: Double, _ dec1: Double, _ ra2: Double, _ dec2: Double) -> Double {
        let dl = ra2 * degreesToRadians - ra1 * degreesToRadians
        let p1 = dec1 * degreesToRadians, p2 = dec2 * degreesToRadians
        let c2 = cos(p2)
        let x = sin(p2) * cos(p1) - c2 * sin(p1) * cos(dl)
        let y = sin(dl) * c2
        var pa = atan2(y, x) * radiansToDegrees
        if pa < 0 { pa += 360 }
        if pa >= 360 { pa -= 360 }
        return pa
    }

    /// Tangent-plane offsets of point 2 from point 1 in **degrees**: east = Δra·cos(dec) direction and north,
    /// from the gnomonic (TAN) projection centred on point 1 (exact on the sphere for the direction; the
    /// lengths equal the separation to second order). Nil when point 2 is in the opposite hemisphere.
    public static func offsets(_ ra1: Double, _ dec1: Double, _ ra2: Double, _ dec2: Double) -> (east: Double, north: Double)? {
        let dl = (ra2 - ra1) * degreesToRadians
        let p1 = dec1 * degreesToRadians, p2 = dec2 * degreesToRadians
        let cosc = sin(p1) * sin(p2) + cos(p1) * cos(p2) * cos(dl)
        guard cosc > 0 else { return nil }
        let xi = cos(p2) * sin(dl) / cosc
        let eta = (cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl)) / cosc
        return (atan(xi) * radiansToDegrees, atan(eta) * radiansToDegrees)
    }

    /// The simple offsets (Δra·cos(dec₁), Δdec) in **degrees**, with Δra wrapped into (-180, 180].
    public static func linearOffsets(_ ra1: Double, _ dec1: Double, _ ra2: Double, _ dec2: Double) -> (east: Double, north: Double) {
        var d = ra2 - ra1
        d = d - 360 * (d / 360).rounded()
        if d <= -180 { d += 360 }
        return (d * cos(dec1 * degreesToRadians), dec2 - dec1)
    }

    /// Chord length on the unit sphere for an angle in **degrees**: 2 sin(θ/2).
    public static func chord(forAngle degrees: Double) -> Double { 2 * sin(min(180, max(0, degrees)) * degreesToRadians / 2) }
    /// The angle in **degrees** for a chord length on the unit sphere: 2 asin(c/2).
    public static func angle(forChord c: Double) -> Double { 2 * asin(min(1, max(0, c / 2))) * radiansToDegrees }

    /// Moves a position by its proper motion from `fromEpoch` to `toEpoch` (Julian years).
    ///
    /// `pmra` is μα·cos δ and `pmdec` is μδ, both in **mas/yr**. The star moves in a straight line in space
    /// along the tangent-plane velocity (no parallax, no radial velocity): p(t) = normalise(p₀ + Δt·v), where
    /// v = μα* ê + μδ n̂. This is what astropy's `apply_space_motion` and ERFA's `starpm` give for a distant
    /// star with zero radial velocity. Returns degrees.
    public static func propagate(ra: Double, dec: Double, pmra: Double, pmdec: Double, fromEpoch: Double, toEpoch: Double) -> (ra: Double, dec: Double) {
        let dt = toEpoch - fromEpoch
        guard dt != 0, pmra.isFinite, pmdec.isFinite else { return (ra, dec) }
        let a = ra * degreesToRadians, d = dec * degreesToRadians
        let sa = sin(a), ca = cos(a), sd = sin(d), cd = cos(d)
        let p = UnitVector(x: cd * ca, y: cd * sa, z: sd)
        let east = UnitVector(x: -sa, y: ca, z: 0)
        let north = UnitVector(x: -sd * ca, y: -sd * sa, z: cd)
        let masToRad = degreesToRadians / 3_600_000
        let v = (pmra * masToRad) * east + (pmdec * masToRad) * north
        let q = p + dt * v
        return q.raDec
    }

    /// Batched `propagate` (degrees; mas/yr; Julian years). Rows with missing proper motions are unchanged.
    public static func propagate(ra: [Double], dec: [Double], pmra: [Double], pmdec: [Double], fromEpoch: Double, toEpoch: Double) -> (ra: [Double], dec: [Double]) {
        var r = ra, d = dec
        for i in 0..<min(ra.count, dec.count, pmra.count, pmdec.count) {
            (r[i], d[i]) = propagate(ra: ra[i], dec: dec[i], pmra: pmra[i], pmdec: pmdec[i], fromEpoch: fromEpoch, toEpoch: toEpoch)
        }
        return (r, d)
    }
}
