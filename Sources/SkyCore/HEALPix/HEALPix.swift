// HEALPix (Górski et al. 2005) at one depth: pixel numbers in the nested and ring schemes, orders 0...29,
// 64-bit pixel numbers. The floating-point steps follow healpy/healpix_cxx operation for operation, so
// pixel numbers are bit-identical to healpy's for the same (ra, dec) input.
import Foundation

/// Errors of HEALPix arguments.
public struct HEALPixError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var description: String { "HEALPix: " + message }
}

/// The HEALPix grid at one order (depth): nside = 2^order, 12·nside² pixels.
///
/// Angles are degrees: `ra` is the longitude (healpy's phi), `dec` the latitude (healpy's theta is the
/// colatitude 90° − dec). Nested pixel numbers are the default everywhere in skytool.
public struct HEALPixLayer: Sendable, Equatable, Hashable {
    /// The order (depth), 0...29.
    public let order: Int
    /// 2^order.
    public let nside: Int64
    /// 12 · nside².
    public let pixelCount: Int64
    let npface: Int64
    let ncap: Int64
    let fact1: Double
    let fact2: Double

    public static let maxOrder = 29

    /// The layer at `order` (0...29).
    public init(order: Int) throws(HEALPixError) {
        guard (0...HEALPixLayer.maxOrder).contains(order) else {
            throw HEALPixError(message: "order \(order) is outside 0...29")
        }
        self.init(unchecked: order)
    }

    init(unchecked order: Int) {
        self.order = order
        nside = Int64(1) << order
        npface = nside << order
        ncap = (npface - nside) << 1
        pixelCount = 12 * npface
        fact2 = 4.0 / Double(pixelCount)
        fact1 = Double(nside << 1) * fact2
    }

    /// All 30 layers, built once.
    public static let layers: [HEALPixLayer] = (0...maxOrder).map { HEALPixLayer(unchecked: $0) }

    /// Pixel area in **steradians** (4π / npix).
    public var pixelArea: Double { 4 * Double.pi / Double(pixelCount) }
    /// Pixel area in **square degrees**.
    public var pixelAreaDeg2: Double { pixelArea * radiansToDegrees * radiansToDegrees }
    /// The square root of the pixel area, in **degrees** (the "resolution" of healpy's nside2resol).
    public var resolution: Double { pixelArea.squareRoot() * radiansToDegrees }

    /// The largest angular distance in **degrees** between a pixel centre and any of its corners at this
    /// order (healpix_cxx's max_pixrad).
    public var maxPixelRadius: Double {
        let va = HEALPixLayer.vector(z: 2.0 / 3.0, phi: Double.pi / (4 * Double(nside)))
        var t1 = 1.0 - 1.0 / Double(nside)
        t1 *= t1
        let vb = HEALPixLayer.vector(z: 1 - t1 / 3, phi: 0)
        return va.angle(to: vb) * radiansToDegrees
    }

    /// The smallest order whose pixels are no larger than `scale` degrees (resolution ≤ scale).
    public static func order(forScale degrees: Double) -> Int {
        for o in 0...maxOrder where layers[o].resolution <= degrees { return o }
        return maxOrder
    }

    static func vector(z: Double, phi: Double) -> UnitVector {
        let st = ((1 - z) * (1 + z)).squareRoot()
        return UnitVector(x: st * cos(phi), y: st * sin(phi), z: z)
    }

    // MARK: bit tricks

    @inline(__always) static func spread(_ v: Int64) -> Int64 {
        var x = UInt64(truncatingIfNeeded: v) & 0xFFFF_FFFF
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x << 2)) & 0x3333_3333_3333_3333
        x = (x | (x << 1)) & 0x5555_5555_5555_5555
        return Int64(bitPattern: x)
    }
    @inline(__always) static func compress(_ v: Int64) -> Int64 {
        var x = UInt64(bitPattern: v) & 0x5555_5555_5555_5555
        x = (x | (x >> 1)) & 0x3333_3333_3333_3333
        x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
        return Int64(bitPattern: x)
    }

    static let jrll: [Int64] = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]
    static let jpll: [Int64] = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7]

    @inline(__always) func xyf2nest(_ ix: Int64, _ iy: Int64, _ face: Int64) -> Int64 {
        (face &<< Int64(2 &* order)) &+ HEALPixLayer.spread(ix) &+ (HEALPixLayer.spread(iy) &<< 1)
    }
    @inline(__always) func nest2xyf(_ pix: Int64) -> (ix: Int64, iy: Int64, face: Int64) {
        let face = pix >> (2 * order)
        let p = pix & (npface - 1)
        return (HEALPixLayer.compress(p), HEALPixLayer.compress(p >> 1), face)
    }

    // MARK: ang2pix

    /// healpix_cxx's fmodulo(v, 4).
    @inlinable @inline(__always) static func fmod4(_ v: Double) -> Double {
        if v >= 0 { return v < 4 ? v : fmod(v, 4) }
        let t = fmod(v, 4) + 4
        return t == 4 ? 0 : t
    }

    /// Nested pixel from (z = cos θ, φ in radians), with sin θ when known (near the poles).
    @inline(__always)
    func nest(z: Double, phi: Double, sth: Double, haveSth: Bool) -> Int64 {
        let za = abs(z)
        let tt = HEALPixLayer.fmod4(phi * 0.63661977236758134308)
        let ns = Double(nside)
        if za <= 2.0 / 3.0 {
            let temp1 = ns * (0.5 + tt)
            let temp2 = ns * (z * 0.75)
            let jp = Int64(temp1 - temp2)
            let jm = Int64(temp1 + temp2)
            let ifp = jp >> order, ifm = jm >> order
            let face = ifp == ifm ? (ifp | 4) : (ifp < ifm ? ifp : ifm + 8)
            let ix = jm & (nside - 1)
            let iy = nside - (jp & (nside - 1)) - 1
            return xyf2nest(ix, iy, face)
        } else {
            let ntt = min(3, Int64(tt))
            let tp = tt - Double(ntt)
            let tmp = (za < 0.99 || !haveSth) ? ns * (3 * (1 - za)).squareRoot() : ns * sth / ((1 + za) / 3).squareRoot()
            var jp = Int64(tp * tmp)
            var jm = Int64((1.0 - tp) * tmp)
            jp = min(jp, nside - 1)
            jm = min(jm, nside - 1)
            return z >= 0 ? xyf2nest(nside - jm - 1, nside - jp - 1, ntt) : xyf2nest(jp, jm, ntt + 8)
        }
    }

    @inline(__always)
    func ring(z: Double, phi: Double, sth: Double, haveSth: Bool) -> Int64 {
        let za = abs(z)
        let tt = HEALPixLayer.fmod4(phi * 0.63661977236758134308)
        let ns = Double(nside)
        if za <= 2.0 / 3.0 {
            let nl4 = 4 * nside
            let temp1 = ns * (0.5 + tt)
            let temp2 = ns * z * 0.75
            let jp = Int64(temp1 - temp2)
            let jm = Int64(temp1 + temp2)
            let ir = nside + 1 + jp - jm
            let kshift = 1 - (ir & 1)
            let t1 = jp + jm - nside + kshift + 1 + nl4 + nl4
            let ip = order > 0 ? (t1 >> 1) & (nl4 - 1) : (t1 >> 1) % nl4
            return ncap + (ir - 1) * nl4 + ip
        } else {
            let tp = tt - Double(Int64(tt))
            let tmp = (za < 0.99 || !haveSth) ? ns * (3 * (1 - za)).squareRoot() : ns * sth / ((1 + za) / 3).squareRoot()
            let jp = Int64(tp * tmp)
            let jm = Int64((1.0 - tp) * tmp)
            let ir = jp + jm + 1
            let ip = Int64(tt * Double(ir))
            return z > 0 ? 2 * ir * (ir - 1) + ip : pixelCount - 2 * ir * (ir + 1) + ip
        }
    }

    /// (z, φ, sin θ, haveSth) of (ra, dec) in degrees, computed as healpy does from θ = radians(90 − dec).
    @inline(__always)
    static func zphi(ra: Double, dec: Double) -> (z: Double, phi: Double, sth: Double, have: Bool) {
        let theta = (90.0 - dec) * degreesToRadians
        let phi = ra * degreesToRadians
        if theta < 0.01 || theta > 3.14159 - 0.01 {
            return (cos(theta), phi, sin(theta), true)
        }
        return (cos(theta), phi, 0, false)
    }

    /// Whether a position (**degrees**) lies in a pixel: ra and dec finite and |dec| ≤ 90 (any finite ra,
    /// which is wrapped). The positions every pixel function answers -1 for are exactly the others.
    @inlinable @inline(__always)
    public static func hasPixel(ra: Double, dec: Double) -> Bool { ra.isFinite && dec.isFinite && dec >= -90 && dec <= 90 }

    /// The nested pixel containing (ra, dec) in **degrees** — identical to healpy's
    /// `ang2pix(nside, radians(90 - dec), radians(ra), nest=True)`. NaN input or |dec| > 90 gives -1.
    @inline(__always)
    public func nestedPixel(ra: Double, dec: Double) -> Int64 {
        guard HEALPixLayer.hasPixel(ra: ra, dec: dec) else { return -1 }
        return nestFast(ra: ra, dec: dec)
    }

    /// `nestedPixel` computed by healpy's exact sequence of operations only (slower; for checking).
    public func nestedPixelExact(ra: Double, dec: Double) -> Int64 {
        guard HEALPixLayer.hasPixel(ra: ra, dec: dec) else { return -1 }
        return nestExact(ra: ra, dec: dec)
    }

    /// The ring-scheme pixel containing (ra, dec) in **degrees**. NaN input gives -1.
    public func ringPixel(ra: Double, dec: Double) -> Int64 {
        guard HEALPixLayer.hasPixel(ra: ra, dec: dec) else { return -1 }
        let (z, phi, sth, have) = HEALPixLayer.zphi(ra: ra, dec: dec)
        return ring(z: z, phi: phi, sth: sth, haveSth: have)
    }

    /// The nested pixel containing a direction (any non-zero vector).
    public func nestedPixel(_ v: UnitVector) -> Int64 {
        guard let p = HEALPixLayer.zphi(v) else { return -1 }
        return nest(z: p.z, phi: p.phi, sth: p.sth, haveSth: p.have)
    }

    /// The ring-scheme pixel containing a direction.
    public func ringPixel(_ v: UnitVector) -> Int64 {
        guard let p = HEALPixLayer.zphi(v) else { return -1 }
        return ring(z: p.z, phi: p.phi, sth: p.sth, haveSth: p.have)
    }

    /// (z, φ, sin θ near the poles) of any non-zero direction; nil for a zero or non-finite vector.
    static func zphi(_ v: UnitVector) -> (z: Double, phi: Double, sth: Double, have: Bool)? {
        let n = v.norm
        guard n > 0, n.isFinite else { return nil }
        let z = v.z / n
        let phi = atan2(v.y, v.x)
        if abs(z) > 0.99 { return (z, phi, (v.x * v.x + v.y * v.y).squareRoot() / n, true) }
        return (z, phi, 0, false)
    }

    // MARK: pix2ang

    /// (z, φ, sin θ if near a pole) of a nested pixel centre.
    func centreZPhi(nested pix: Int64) -> (z: Double, phi: Double, sth: Double, have: Bool) {
        let (ix, iy, face) = nest2xyf(pix)
        let jr = (HEALPixLayer.jrll[Int(face)] << order) - ix - iy - 1
        var nr: Int64
        var z: Double, sth = 0.0, have = false
        if jr < nside {
            nr = jr
            let tmp = Double(nr * nr) * fact2
            z = 1 - tmp
            if z > 0.99 { sth = (tmp * (2.0 - tmp)).squareRoot(); have = true }
        } else if jr > 3 * nside {
            nr = nside * 4 - jr
            let tmp = Double(nr * nr) * fact2
            z = tmp - 1
            if z < -0.99 { sth = (tmp * (2.0 - tmp)).squareRoot(); have = true }
        } else {
            nr = nside
            z = Double(2 * nside - jr) * fact1
        }
        var tmp = HEALPixLayer.jpll[Int(face)] * nr + ix - iy
        if tmp < 0 { tmp += 8 * nr }
        let halfpi = 1.570796326794896619231321691639751442099
        let phi = nr == nside ? 0.75 * halfpi * Double(tmp) * fact1 : (0.5 * halfpi * Double(tmp)) / Double(nr)
        return (z, phi, sth, have)
    }

    /// The centre of a nested pixel as (ra, dec) in **degrees** (as healpy's pix2ang, converted).
    public func centre(nested pix: Int64) -> (ra: Double, dec: Double) {
        let (z, phi, sth, have) = centreZPhi(nested: pix)
        let theta = have ? atan2(sth, z) : acos(z)
        return (phi * radiansToDegrees, 90 - theta * radiansToDegrees)
    }

    /// The centre of a nested pixel as a unit vector.
    public func centreVector(nested pix: Int64) -> UnitVector {
        let (z, phi, sth, have) = centreZPhi(nested: pix)
        let st = have ? sth : ((1 - z) * (1 + z)).squareRoot()
        return UnitVector(x: st * cos(phi), y: st * sin(phi), z: z)
    }

    // MARK: scheme conversion

    /// Ring-scheme number of a nested pixel.
    public func ring(fromNested pix: Int64) -> Int64 {
        let (ix, iy, face) = nest2xyf(pix)
        return xyf2ring(ix, iy, face)
    }

    /// Nested number of a ring-scheme pixel.
    public func nested(fromRing pix: Int64) -> Int64 {
        let (ix, iy, face) = ring2xyf(pix)
        return xyf2nest(ix, iy, face)
    }

    func xyf2ring(_ ix: Int64, _ iy: Int64, _ face: Int64) -> Int64 {
        let nl4 = 4 * nside
        let jr = HEALPixLayer.jrll[Int(face)] * nside - ix - iy - 1
        var nr: Int64, nBefore: Int64, kshift: Int64
        if jr < nside {
            nr = jr; nBefore = 2 * nr * (nr - 1); kshift = 0
        } else if jr > 3 * nside {
            nr = nl4 - jr; nBefore = pixelCount - 2 * (nr + 1) * nr; kshift = 0
        } else {
            nr = nside; nBefore = ncap + (jr - nside) * nl4; kshift = (jr - nside) & 1
        }
        var jp = (HEALPixLayer.jpll[Int(face)] * nr + ix - iy + 1 + kshift) / 2
        if jp > nl4 { jp -= nl4 } else if jp < 1 { jp += nl4 }
        return nBefore + jp - 1
    }

    static func isqrt(_ v: Int64) -> Int64 {
        var r = Int64(Double(v).squareRoot())
        while r * r > v { r -= 1 }
        while (r + 1) * (r + 1) <= v { r += 1 }
        return r
    }

    func ring2xyf(_ pix: Int64) -> (Int64, Int64, Int64) {
        let nl2 = 2 * nside
        var iring: Int64, iphi: Int64, kshift: Int64, nr: Int64, face: Int64
        if pix < ncap {
            iring = (1 + HEALPixLayer.isqrt(1 + 2 * pix)) >> 1
            iphi = (pix + 1) - 2 * iring * (iring - 1)
            kshift = 0; nr = iring
            face = (iphi - 1) / nr
        } else if pix < pixelCount - ncap {
            let ip = pix - ncap
            let tmp = ip >> (order + 2)
            iring = tmp + nside
            iphi = ip - tmp * 4 * nside + 1
            kshift = (iring + nside) & 1
            nr = nside
            let ire = iring - nside + 1, irm = nl2 + 2 - ire
            let ifm = (iphi - ire / 2 + nside - 1) >> order
            let ifp = (iphi - irm / 2 + nside - 1) >> order
            face = ifp == ifm ? ((ifp & 3) + 4) : (ifp < ifm ? ifp : ifm + 8)
        } else {
            let ip = pixelCount - pix
            iring = (1 + HEALPixLayer.isqrt(2 * ip - 1)) >> 1
            iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1))
            kshift = 0; nr = iring
            iring = 2 * nl2 - iring
            face = 8 + (iphi - 1) / nr
        }
        let irt = iring - HEALPixLayer.jrll[Int(face)] * nside + 1
        var ipt = 2 * iphi - HEALPixLayer.jpll[Int(face)] * nr - kshift - 1
        if ipt >= nl2 { ipt -= 8 * nside }
        return ((ipt - irt) >> 1, (-ipt - irt) >> 1, face)
    }

    // MARK: hierarchy

    /// The parent of a nested pixel `levels` orders up.
    public func parent(of pix: Int64, levels: Int = 1) -> Int64 { pix >> (2 * levels) }
    /// The nested children of a pixel `levels` orders down, as a range.
    public func children(of pix: Int64, levels: Int = 1) -> Range<Int64> { (pix << (2 * levels))..<((pix + 1) << (2 * levels)) }

    // MARK: neighbours

    static let xOffset: [Int64] = [-1, -1, 0, 1, 1, 1, 0, -1]
    static let yOffset: [Int64] = [0, 1, 1, 1, 0, -1, -1, -1]
    static let faceArray: [[Int64]] = [
        [8, 9, 10, 11, -1, -1, -1, -1, 10, 11, 8, 9],   // S
        [5, 6, 7, 4, 8, 9, 10, 11, 9, 10, 11, 8],       // SE
        [-1, -1, -1, -1, 5, 6, 7, 4, -1, -1, -1, -1],   // E
        [4, 5, 6, 7, 11, 8, 9, 10, 11, 8, 9, 10],       // SW
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],         // centre
        [1, 2, 3, 0, 0, 1, 2, 3, 5, 6, 7, 4],           // NE
        [-1, -1, -1, -1, 7, 4, 5, 6, -1, -1, -1, -1],   // W
        [3, 0, 1, 2, 3, 0, 1, 2, 4, 5, 6, 7],           // NW
        [2, 3, 0, 1, -1, -1, -1, -1, 0, 1, 2, 3],       // N
    ]
    static let swapArray: [[Int64]] = [[0, 0, 3], [0, 0, 6], [0, 0, 0], [0, 0, 5], [0, 0, 0], [5, 0, 0], [0, 0, 0], [6, 0, 0], [3, 0, 0]]

    /// The 8 neighbours of a nested pixel in healpy's order SW, W, NW, N, NE, E, SE, S; -1 where a pixel
    /// has only 7 neighbours.
    public func neighbours(nested pix: Int64) -> [Int64] {
        let (ix, iy, face) = nest2xyf(pix)
        var out = [Int64](repeating: -1, count: 8)
        let nsm1 = nside - 1
        if ix > 0 && ix < nsm1 && iy > 0 && iy < nsm1 {
            for i in 0..<8 { out[i] = xyf2nest(ix + HEALPixLayer.xOffset[i], iy + HEALPixLayer.yOffset[i], face) }
            return out
        }
        for i in 0..<8 {
            var x = ix + HEALPixLayer.xOffset[i], y = iy + HEALPixLayer.yOffset[i]
            var nb = 4
            if x < 0 { x += nside; nb -= 1 } else if x >= nside { x -= nside; nb += 1 }
            if y < 0 { y += nside; nb -= 3 } else if y >= nside { y -= nside; nb += 3 }
            let f = HEALPixLayer.faceArray[nb][Int(face)]
            if f >= 0 {
                let bits = HEALPixLayer.swapArray[nb][Int(face >> 2)]
                if bits & 1 != 0 { x = nside - x - 1 }
                if bits & 2 != 0 { y = nside - y - 1 }
                if bits & 4 != 0 { swap(&x, &y) }
                out[i] = xyf2nest(x, y, f)
            }
        }
        return out
    }

    // MARK: corners and boundaries

    /// A point of face `face` at continuous face coordinates (x, y) in [0, 1] (0,0 = the face's south corner).
    static func facePoint(x: Double, y: Double, face: Int) -> UnitVector {
        let jr = Double(jrll[face]) - x - y
        var nr: Double, z: Double, sth = 0.0, have = false
        if jr < 1 {
            nr = jr
            let tmp = nr * nr / 3
            z = 1 - tmp
            if z > 0.99 { sth = (tmp * (2 - tmp)).squareRoot(); have = true }
        } else if jr > 3 {
            nr = 4 - jr
            let tmp = nr * nr / 3
            z = tmp - 1
            if z < -0.99 { sth = (tmp * (2 - tmp)).squareRoot(); have = true }
        } else {
            nr = 1
            z = (2 - jr) * 2 / 3
        }
        var tmp = Double(jpll[face]) * nr + x - y
        if tmp < 0 { tmp += 8 }
        if tmp >= 8 { tmp -= 8 }
        let phi = nr < 1e-15 ? 0 : (0.25 * Double.pi * tmp) / nr
        let st = have ? sth : ((1 - z) * (1 + z)).squareRoot()
        return UnitVector(x: st * cos(phi), y: st * sin(phi), z: z)
    }

    /// The four corners of a nested pixel as (ra, dec) in **degrees**, in the order N, W, S, E (healpy's
    /// `boundaries` with step 1).
    public func corners(nested pix: Int64) -> [(ra: Double, dec: Double)] {
        boundary(nested: pix, step: 1).map { $0.raDec }
    }

    /// Points along the boundary of a nested pixel: `step` points per edge, starting at the north corner
    /// and going N → W → S → E (as healpy's `boundaries`).
    public func boundary(nested pix: Int64, step: Int) -> [UnitVector] {
        let (ix, iy, face) = nest2xyf(pix)
        let ns = Double(nside), x0 = Double(ix) / ns, y0 = Double(iy) / ns, d = 1 / ns
        let s = max(1, step)
        var out: [UnitVector] = []
        out.reserveCapacity(4 * s)
        for i in 0..<s { let t = Double(i) / Double(s); out.append(HEALPixLayer.facePoint(x: x0 + d - t * d, y: y0 + d, face: Int(face))) }
        for i in 0..<s { let t = Double(i) / Double(s); out.append(HEALPixLayer.facePoint(x: x0, y: y0 + d - t * d, face: Int(face))) }
        for i in 0..<s { let t = Double(i) / Double(s); out.append(HEALPixLayer.facePoint(x: x0 + t * d, y: y0, face: Int(face))) }
        for i in 0..<s { let t = Double(i) / Double(s); out.append(HEALPixLayer.facePoint(x: x0 + d, y: y0 + t * d, face: Int(face))) }
        return out
    }
}

/// Namespace for HEALPix helpers across orders.
public enum HEALPix {
    /// The layer at `order` (0...29).
    public static func layer(_ order: Int) throws(HEALPixError) -> HEALPixLayer { try HEALPixLayer(order: order) }

    /// Nested pixels of many positions (degrees) at `order`, using every core for large inputs.
    /// Invalid positions (NaN, |dec| > 90) give -1.
    public static func nestedPixels(order: Int, ra: [Double], dec: [Double]) throws(HEALPixError) -> [Int64] {
        let layer = try HEALPixLayer(order: order)
        let n = min(ra.count, dec.count)
        // Uninitialised output written by the workers themselves (no serial memset, page faults in parallel,
        // on huge pages where the kernel allows).
        return ra.withUnsafeBufferPointer { r in
            dec.withUnsafeBufferPointer { d in
                [Int64](unsafeUninitializedCapacity: n) { o, count in
                    if let rb = r.baseAddress, let db = d.baseAddress, let ob = o.baseAddress {
                        LargeAllocation.adviseHugePages(ob, count: n)
                        let optr = UnsafeMutableSendablePointer(ob)
                        let rp = UnsafeSendablePointer(rb), dp = UnsafeSendablePointer(db)
                        Parallel.forEachChunk(count: n, minChunk: 1 << 16) { lo, hi in
                            layer.nestedPixels(ra: rp.p + lo, dec: dp.p + lo, into: optr.p + lo, count: hi - lo)
                        }
                    }
                    count = n
                }
            }
        }
    }

    /// Ring-scheme pixels of many positions (degrees) at `order`.
    public static func ringPixels(order: Int, ra: [Double], dec: [Double]) throws(HEALPixError) -> [Int64] {
        let layer = try HEALPixLayer(order: order)
        return zip(ra, dec).map { layer.ringPixel(ra: $0, dec: $1) }
    }
}
