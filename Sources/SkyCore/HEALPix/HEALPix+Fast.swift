// A fast ang2pix that returns exactly healpy's pixel.
//
// healpy computes z = cos(radians(90 − dec)) with libm's cos (≈20 ns). Here z is approximated by a short
// polynomial for sin(radians(dec)) whose distance from healpy's z is provably below `zBound`; the pixel is
// then computed from the approximation, and wherever a floor() in the pixel formula lies within the
// propagated bound of an integer (or z is near a region boundary, or the point is within 0.6° of a pole,
// where healpy switches to sin θ) the exact healpy path decides instead. The result is identical to
// `nestedPixelExact` for every input; tests compare the two on boundary points.
import Foundation

extension HEALPixLayer {
    /// |z_fast − z_healpy| ≤ zBound. healpy's z carries ≤ 1.2e-15 (rounding of 90 − dec, of the radian
    /// conversion and of cos); the polynomial path ≤ 6e-16. 4e-15 leaves a factor two of slack.
    static let zBound = 4e-15

    // fdlibm's kernel polynomials (|x| ≤ π/4), accurate to < 1 ulp.
    @inline(__always) static func kernelSin(_ x: Double) -> Double {
        let z = x * x
        let r = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)))
        return x + x * z * (-1.66666666666666324348e-01 + z * r)
    }
    @inline(__always) static func kernelCos(_ x: Double) -> Double {
        let z = x * x
        let r = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))))
        let hz = 0.5 * z
        let w = 1.0 - hz
        return w + (((1.0 - w) - hz) + z * r)
    }
    /// sin(x) for |x| ≤ π/2.
    @inline(__always) static func fastSin(_ x: Double) -> Double {
        let ax = abs(x)
        if ax <= 0.7853981633974483 { return kernelSin(x) }
        let c = kernelCos(1.5707963267948966 - ax)
        return x < 0 ? -c : c
    }

    /// floor(v) for 0 ≤ v < 2^51 whose fractional part is not within 2^-40 of 0 or 1/2·ulp issues:
    /// round-to-nearest of v − 0.5 through the 2^52 magic number (branch-free, no trap checks).
    @inline(__always) static func floorNonNegative(_ v: Double) -> Int64 {
        let t = (v - 0.5) + 4503599627370496.0
        return Int64(bitPattern: t.bitPattern & 0x000F_FFFF_FFFF_FFFF)
    }

    /// Whether v (≥ 0) is more than `m` away from every integer; also returns floor(v).
    @inline(__always) static func clearFloor(_ v: Double, _ m: Double) -> (Bool, Int64) {
        let fl = floorNonNegative(v)
        let f = v - Double(fl)
        return (f > m && f < 1 - m, fl)
    }

    /// The nested pixel of (ra, dec) in degrees, bit-identical to healpy's, computed without libm's cos in
    /// all but a tiny fraction of cases. Inputs must be finite with |dec| ≤ 90.
    @inline(__always)
    func nestFast(ra: Double, dec: Double) -> Int64 {
        if abs(dec) > 89.4 { return nestExact(ra: ra, dec: dec) }
        let z = HEALPixLayer.fastSin(dec * degreesToRadians)
        let za = abs(z)
        let phi = ra * degreesToRadians
        let tt = HEALPixLayer.fmod4(phi * 0.63661977236758134308)
        let ns = Double(nside)
        let eps = HEALPixLayer.zBound
        if za <= 2.0 / 3.0 - eps {
            let temp1 = ns * (0.5 + tt)
            let temp2 = ns * (z * 0.75)
            let a = temp1 - temp2, b = temp1 + temp2
            let m = ns * (0.75 * eps + 4e-15)
            let (ca, jp) = HEALPixLayer.clearFloor(a, m), (cb, jm) = HEALPixLayer.clearFloor(b, m)
            guard ca && cb else { return nestExact(ra: ra, dec: dec) }
            let o = Int64(order)
            let ifp = jp &>> o, ifm = jm &>> o
            let face = ifp == ifm ? (ifp | 4) : (ifp < ifm ? ifp : ifm &+ 8)
            let mask = nside &- 1
            return xyf2nest(jm & mask, nside &- (jp & mask) &- 1, face)
        }
        if za >= 2.0 / 3.0 + eps {
            let ntt = min(3, Int64(tt))
            let tp = tt - Double(ntt)
            let s = (3 * (1 - za)).squareRoot()
            let tmp = ns * s
            // d(tmp)/dz = 1.5 ns / s; add a few ulps of the products.
            let dt = ns * (1.5 * eps / s + 8e-15)
            let a = tp * tmp, b = (1.0 - tp) * tmp
            let (ca, fa) = HEALPixLayer.clearFloor(a, dt), (cb, fb) = HEALPixLayer.clearFloor(b, dt)
            guard ca && cb else { return nestExact(ra: ra, dec: dec) }
            let jp = min(fa, nside &- 1), jm = min(fb, nside &- 1)
            return z >= 0 ? xyf2nest(nside &- jm &- 1, nside &- jp &- 1, ntt) : xyf2nest(jp, jm, ntt &+ 8)
        }
        return nestExact(ra: ra, dec: dec)
    }

    /// healpy's own arithmetic (cos of the colatitude).
    @inline(never)
    func nestExact(ra: Double, dec: Double) -> Int64 {
        let (z, phi, sth, have) = HEALPixLayer.zphi(ra: ra, dec: dec)
        return nest(z: z, phi: phi, sth: sth, haveSth: have)
    }
}
