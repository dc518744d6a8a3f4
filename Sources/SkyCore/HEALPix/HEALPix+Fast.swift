// A fast ang2pix that returns exactly healpy's pixel, one point at a time or eight at a time.
//
// healpy computes z = cos(radians(90 − dec)) with libm's cos (≈20 ns). Here z is approximated by a
// polynomial for sin(radians(dec)) whose distance from healpy's z is provably below `zBound`; the pixel is
// then computed from the approximation, and wherever a floor() in the pixel formula lies within the
// propagated bound of an integer (or z is near a region boundary, or the point is within 0.6° of a pole,
// where healpy switches to sin θ) the exact healpy path decides instead. The result is identical to
// `nestedPixelExact` for every input; tests compare the two on boundary points and on random points at
// every order.
//
// The batched kernel computes both the equatorial and the polar formula for eight lanes without branches
// (SIMD8<Double>: four SSE2 registers per value on a baseline x86-64 build) and selects per lane; floors are
// taken exactly with the 2^52 rounding trick, so no double → integer conversion instruction is needed.
import Foundation

extension HEALPixLayer {
    /// |z_fast − z_healpy| ≤ zBound. healpy's z carries ≤ 1.2e-15 (rounding of 90 − dec, of the radian
    /// conversion and of cos); the polynomial path ≤ 4e-16 (see `sinPoly`). 4e-15 leaves a factor of
    /// two of slack.
    static let zBound = 4e-15

    // sin(x) = x + x³·p(x²) on |x| ≤ π/2, p of degree 7: a Chebyshev fit (mpmath.chebyfit, 50 digits) of
    // (sin √t − √t)/t^(3/2) on t ∈ [0, 1.0001·(π/2)²]; fit error 3.4e-19 in p, so ≤ 1.4e-18 in sin x.
    // Rounding in the evaluation adds ≤ 3 ulp(0.65) + ½ ulp(1) ≈ 3.5e-16; the tests check ≤ 4e-16 against libm.
    static let s1 = -0.16666666666666666
    static let s3 = 0.008333333333333316
    static let s5 = -0.00019841269841254966
    static let s7 = 2.7557319219160833e-06
    static let s9 = -2.505210761669045e-08
    static let s11 = 1.6058977292642743e-10
    static let s13 = -7.643969663988074e-13
    static let s15 = 2.7314368769379893e-15

    /// sin(x) for |x| ≤ π/2, within 4e-16 absolute.
    @inline(__always) static func sinPoly(_ x: Double) -> Double {
        let t = x * x
        var p = s15
        p = s13 + t * p; p = s11 + t * p; p = s9 + t * p; p = s7 + t * p
        p = s5 + t * p; p = s3 + t * p; p = s1 + t * p
        return x + (x * t) * p
    }

    /// `sinPoly` on eight lanes (the same operations, so the same bits per lane).
    @inline(__always) static func sinPoly(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let t = x * x
        var p = SIMD8<Double>(repeating: s15)
        p = s13 + t * p; p = s11 + t * p; p = s9 + t * p; p = s7 + t * p
        p = s5 + t * p; p = s3 + t * p; p = s1 + t * p
        return x + (x * t) * p
    }

    /// floor(v) for 0 ≤ v < 2^51 whose fractional part is not within 2^-40 of 0 or 1/2·ulp issues:
    /// round-to-nearest of v − 0.5 through the 2^52 magic number (branch-free, no trap checks).
    @inlinable @inline(__always) static func floorNonNegative(_ v: Double) -> Int64 {
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
        let z = HEALPixLayer.sinPoly(dec * degreesToRadians)
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

// MARK: - Eight points at a time

typealias Lanes = SIMD8<Double>
typealias LaneBits = SIMD8<UInt64>

@inline(__always) private func laneBits(_ v: Lanes) -> LaneBits { unsafeBitCast(v, to: LaneBits.self) }
@inline(__always) private func lanes(_ v: LaneBits) -> Lanes { unsafeBitCast(v, to: Lanes.self) }

private let magic52 = Lanes(repeating: 4503599627370496.0)

/// Exact floor(v) per lane for 0 ≤ v < 2^51 (round to nearest through 2^52, then step down where it rounded
/// up); NaN and out-of-range lanes give garbage that the callers' range checks reject.
@inline(__always) private func laneFloor(_ v: Lanes) -> Lanes {
    let r = (v + magic52) - magic52
    return r - lanes(unsafeBitCast(r .> v, to: LaneBits.self) & LaneBits(repeating: (1.0).bitPattern))
}

/// Per-lane minimum and maximum (the standard library's pointwiseMin/Max are not inlined).
@inline(__always) private func laneMin(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .< a) }
@inline(__always) private func laneMax(_ a: Lanes, _ b: Lanes) -> Lanes { a.replacing(with: b, where: b .> a) }

/// The integer value of lanes holding integers in 0 ..< 2^52.
@inline(__always) private func laneInteger(_ v: Lanes) -> LaneBits {
    laneBits(v + magic52) & LaneBits(repeating: 0x000F_FFFF_FFFF_FFFF)
}

/// Bit interleave of the low 32 bits of each lane (…b2 b1 b0 → …0 b2 0 b1 0 b0).
@inline(__always) private func laneSpread(_ v: LaneBits) -> LaneBits {
    var x = v
    x = (x | (x &<< 16)) & LaneBits(repeating: 0x0000_FFFF_0000_FFFF)
    x = (x | (x &<< 8)) & LaneBits(repeating: 0x00FF_00FF_00FF_00FF)
    x = (x | (x &<< 4)) & LaneBits(repeating: 0x0F0F_0F0F_0F0F_0F0F)
    x = (x | (x &<< 2)) & LaneBits(repeating: 0x3333_3333_3333_3333)
    x = (x | (x &<< 1)) & LaneBits(repeating: 0x5555_5555_5555_5555)
    return x
}

/// √v per lane for v in [1e-6, 4] within 2 ulp, by three Newton steps on 1/√v from a bit-pattern first guess
/// (branch-free; Swift's scalar squareRoot on Linux carries an errno branch per lane). Other lanes give
/// values that the polar-region test rejects or does not use.
@inline(__always) private func laneSquareRoot(_ v: Lanes) -> Lanes {
    var y = lanes(LaneBits(repeating: 0x5FE6_EB50_C7B5_37A9) &- (laneBits(v) &>> 1))
    let h = 0.5 * v
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    // Relative error now ≤ 3.2e-11 (3.4% → 1.7e-3 → 4.6e-6 → 3.2e-11); one Newton step on √v itself
    // (s = v·y, then s + ½·y·(v − s²)) squares it, leaving the rounding of the last operations (≤ 1 ulp).
    let s = v * y
    return s + (0.5 * y) * (v - s * s)
}

extension HEALPixLayer {
    /// Nested pixels of eight points (degrees) by the fast path, and the lanes whose result is certain.
    /// Lanes not certain (near a floor boundary, the z = ±2/3 boundary, within 0.6° of a pole, ra outside
    /// [0°, 360°), NaN) must be recomputed with `nestedPixel(ra:dec:)`.
    @inline(__always)
    func nestFast8(ra: Lanes, dec: Lanes) -> (pixels: LaneBits, certain: SIMDMask<SIMD8<Int64>>) {
        let eps = HEALPixLayer.zBound
        let z = HEALPixLayer.sinPoly(dec * degreesToRadians)
        let za = lanes(laneBits(z) & LaneBits(repeating: 0x7FFF_FFFF_FFFF_FFFF))
        let tt = (ra * degreesToRadians) * 0.63661977236758134308
        let ns = Double(nside)
        let nsv = Lanes(repeating: ns)
        // Equatorial region: jp = floor(a), jm = floor(b); face from jp >> order = floor(a / nside).
        let temp1 = nsv * (0.5 + tt), temp2 = nsv * (z * 0.75)
        let a = temp1 - temp2, b = temp1 + temp2
        let fa = laneFloor(a), fb = laneFloor(b)
        let m = ns * (0.75 * eps + 4e-15)
        let ra1 = a - fa, rb1 = b - fb
        let okEquator = (za .<= 2.0 / 3.0 - eps) .& (laneMin(ra1, rb1) .> m) .& (laneMax(ra1, rb1) .< 1 - m)
        let invNs = 1 / ns
        let ifp = laneFloor(fa * invNs), ifm = laneFloor(fb * invNs)
        var faceEquator = ifm + 8
        faceEquator.replace(with: ifp, where: ifp .< ifm)
        faceEquator.replace(with: (ifp + 4).replacing(with: ifp, where: ifp .== 4), where: ifp .== ifm)
        let ixEquator = fb - ifm * nsv
        let iyEquator = nsv - (fa - ifp * nsv) - 1
        // Polar caps.
        let ftt = laneFloor(tt)
        let ntt = ftt.replacing(with: 3, where: ftt .> 3)
        let tp = tt - ntt
        let s2 = 3 * (1 - za)
        let s = laneSquareRoot(s2)
        let tmp = nsv * s
        // The scalar path's margin ns·(1.5·eps/s + 8e-15), multiplied through by s (no division).
        let dts = ns * 1.5 * eps + (ns * 8e-15) * s
        let a2 = tp * tmp, b2 = (1 - tp) * tmp
        let fa2 = laneFloor(a2), fb2 = laneFloor(b2)
        let ra2 = (a2 - fa2) * s, rb2 = (b2 - fb2) * s
        let okPolar = (za .>= 2.0 / 3.0 + eps) .& (laneMin(ra2, rb2) .> dts) .& (s - laneMax(ra2, rb2) .> dts)
        let top = nsv - 1
        let jp = fa2.replacing(with: top, where: fa2 .> top), jm = fb2.replacing(with: top, where: fb2 .> top)
        let south = z .< 0
        let ixPolar = (top - jm).replacing(with: jp, where: south)
        let iyPolar = (top - jp).replacing(with: jm, where: south)
        let facePolar = ntt.replacing(with: ntt + 8, where: south)
        let polar = za .> 2.0 / 3.0
        let ix = ixEquator.replacing(with: ixPolar, where: polar)
        let iy = iyEquator.replacing(with: iyPolar, where: polar)
        let face = faceEquator.replacing(with: facePolar, where: polar)
        let certain = (okEquator .| okPolar) .& (dec .<= 89.4) .& (dec .>= -89.4) .& (tt .>= 0) .& (tt .< 4)
        let pixels = (laneInteger(face) &<< UInt64(2 * order)) &+ laneSpread(laneInteger(ix)) &+ (laneSpread(laneInteger(iy)) &<< 1)
        return (pixels, certain)
    }

    /// Nested pixels of `count` points (degrees) into `out`, on this thread: eight at a time through the
    /// branch-free fast path, lanes it cannot decide by `nestedPixel(ra:dec:)`. Identical to calling
    /// `nestedPixel(ra:dec:)` per point (-1 for NaN or |dec| > 90).
    package func nestedPixels(ra: UnsafePointer<Double>, dec: UnsafePointer<Double>, into out: UnsafeMutablePointer<Int64>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let r = UnsafeRawPointer(ra + i).loadUnaligned(as: Lanes.self)
            let d = UnsafeRawPointer(dec + i).loadUnaligned(as: Lanes.self)
            let (p, certain) = nestFast8(ra: r, dec: d)
            UnsafeMutableRawPointer(out + i).storeBytes(of: p, as: LaneBits.self)
            if !all(certain) {
                for l in 0..<8 where !certain[l] { out[i + l] = nestedPixel(ra: ra[i + l], dec: dec[i + l]) }
            }
            i += 8
        }
        while i < count { out[i] = nestedPixel(ra: ra[i], dec: dec[i]); i += 1 }
    }

    /// Nested pixels of many positions (degrees) into a buffer of the same length, on the calling thread.
    /// Equal to `nestedPixel(ra:dec:)` per element (-1 for NaN or |dec| > 90), and faster than a loop over
    /// it (eight points at a time, without branches). Only the first `min(ra.count, dec.count, out.count)` elements are written.
    public func nestedPixels(ra: UnsafeBufferPointer<Double>, dec: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Int64>) {
        let n = min(ra.count, dec.count, out.count)
        guard n > 0, let r = ra.baseAddress, let d = dec.baseAddress, let o = out.baseAddress else { return }
        nestedPixels(ra: r, dec: d, into: o, count: n)
    }
}
