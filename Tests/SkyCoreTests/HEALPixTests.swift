// HEALPix against healpy 1.16.1 (Fixtures/reference/healpix.json, made by shared/reference/make_reference.py):
// pixel numbers, centres, neighbours and disc queries must be identical (bit-exact), plus property tests.
import Foundation
import Numerics
import Testing
@testable import SkyCore

struct HealpixReference: Decodable {
    struct Points: Decodable { let ra: [Double]; let dec: [Double] }
    struct Pix: Decodable { let nest: [Int64]; let ring: [Int64] }
    struct Centres: Decodable { let pix: [Int64]; let ra: [Double]; let dec: [Double] }
    struct Neigh: Decodable {
        let pix: [Int64]; let neighbours: [[Int64]]
        enum CodingKeys: String, CodingKey { case pix; case neighbours = "neighbours_SW_W_NW_N_NE_E_SE_S" }
    }
    struct Disc: Decodable { let order: Int; let ra: Double; let dec: Double; let radius_deg: Double; let exact: [Int64]; let inclusive: [Int64] }
    let points: Points
    let ang2pix: [String: Pix]
    let pix2ang_nest: [String: Centres]
    let neighbours_nest: [String: Neigh]
    let query_disc_nest: [Disc]

    static let shared: HealpixReference? = {
        guard let d = FileManager.default.contents(atPath: Fixtures.path("reference/healpix.json")) else { return nil }
        return try? JSONDecoder().decode(HealpixReference.self, from: d)
    }()
}

@Suite("HEALPix against healpy")
struct HEALPixReferenceTests {
    static var orders: [Int] { (HealpixReference.shared?.ang2pix.keys.compactMap { Int($0) } ?? []).sorted() }

    @Test func referenceIsComplete() throws {
        let r = try #require(HealpixReference.shared)
        #expect(r.points.ra.count == 414)
        #expect(HEALPixReferenceTests.orders == [0, 1, 2, 5, 8, 10, 13, 16, 20, 24, 29])
    }

    @Test("ang2pix nested and ring, bit-exact", arguments: HEALPixReferenceTests.orders)
    func ang2pix(order: Int) throws {
        let r = try #require(HealpixReference.shared)
        let ref = try #require(r.ang2pix[String(order)])
        let layer = try HEALPixLayer(order: order)
        let nest = try HEALPix.nestedPixels(order: order, ra: r.points.ra, dec: r.points.dec)
        for i in 0..<nest.count {
            #expect(nest[i] == ref.nest[i], "nest order \(order) point \(i) (\(r.points.ra[i]), \(r.points.dec[i]))")
            #expect(layer.ringPixel(ra: r.points.ra[i], dec: r.points.dec[i]) == ref.ring[i], "ring order \(order) point \(i)")
            #expect(layer.ring(fromNested: ref.nest[i]) == ref.ring[i], "nest2ring order \(order) point \(i)")
            #expect(layer.nested(fromRing: ref.ring[i]) == ref.nest[i], "ring2nest order \(order) point \(i)")
            #expect(layer.nestedPixel(UnitVector(ra: r.points.ra[i], dec: r.points.dec[i])) >= 0)
        }
    }

    @Test("pix2ang centres, bit-exact", arguments: ["0", "1", "3", "8", "12", "20", "29"])
    func centres(order: String) throws {
        let r = try #require(HealpixReference.shared)
        let ref = try #require(r.pix2ang_nest[order])
        let layer = try HEALPixLayer(order: Int(order) ?? -1)
        for (i, p) in ref.pix.enumerated() {
            let c = layer.centre(nested: p)
            #expect(c.ra == ref.ra[i] && c.dec == ref.dec[i], "order \(order) pixel \(p): \(c) vs (\(ref.ra[i]), \(ref.dec[i]))")
        }
    }

    @Test("neighbours in healpy's order", arguments: ["0", "1", "2", "4", "10", "20"])
    func neighbours(order: String) throws {
        let r = try #require(HealpixReference.shared)
        let ref = try #require(r.neighbours_nest[order])
        let layer = try HEALPixLayer(order: Int(order) ?? -1)
        for (i, p) in ref.pix.enumerated() {
            #expect(layer.neighbours(nested: p) == ref.neighbours[i], "order \(order) pixel \(p)")
        }
    }

    @Test func discQueries() throws {
        let r = try #require(HealpixReference.shared)
        #expect(r.query_disc_nest.count == 35)
        for d in r.query_disc_nest {
            let layer = try HEALPixLayer(order: d.order)
            // Centres inside: identical to healpy inclusive=False.
            #expect(layer.pixelsWithCentreInCone(ra: d.ra, dec: d.dec, radius: d.radius_deg) == d.exact, "exact \(d)")
            // Overlapping: contains every exact pixel; where it differs from healpy's inclusive list it may only
            // leave out pixels that do not touch the disc (the reference README's rule).
            let mine = Set(layer.pixelsOverlappingCone(ra: d.ra, dec: d.dec, radius: d.radius_deg))
            #expect(Set(d.exact).isSubset(of: mine), "overlap misses an exact pixel: \(d)")
            for extra in mine.subtracting(d.inclusive) {
                Issue.record("pixel \(extra) not in healpy's inclusive list for \(d)")
            }
            for left in Set(d.inclusive).subtracting(mine) {
                // Verify that a pixel we leave out really does not touch the disc: dense boundary sampling.
                let b = layer.boundary(nested: left, step: 200)
                let c = UnitVector(ra: d.ra, dec: d.dec)
                let minDist = b.map { c.angle(to: $0) }.min() ?? 0
                #expect(minDist * radiansToDegrees > d.radius_deg, "left out pixel \(left) touches the disc \(d)")
            }
        }
    }
}

@Suite("HEALPix properties")
struct HEALPixPropertyTests {
    /// The centre's unit vector and two unit vectors completing an orthonormal frame around it.
    static func frame(_ c: (Double, Double)) -> (UnitVector, UnitVector, UnitVector) {
        let centre = UnitVector(ra: c.0, dec: c.1)
        let ref = abs(centre.z) < 0.9 ? UnitVector(x: 0, y: 0, z: 1) : UnitVector(x: 1, y: 0, z: 0)
        let e1 = centre.cross(ref).normalized
        return (centre, e1, centre.cross(e1))
    }

    /// Random points within r of a centre (uniform on the cap).
    static func pointsInCap(_ c: (Double, Double), _ r: Double, _ n: Int, _ rng: inout SeededRNG) -> [(Double, Double)] {
        let (centre, e1, e2) = frame(c)
        let rr = r * degreesToRadians
        var out: [(Double, Double)] = []
        for _ in 0..<n {
            let u = Double(rng.next() >> 11) / Double(1 << 53), w = Double(rng.next() >> 11) / Double(1 << 53)
            let cosT = 1 - u * (1 - cos(rr))
            let t = acos(cosT) * (1 - 1e-12)
            let phi = 2 * Double.pi * w
            let v = cos(t) * centre + (sin(t) * cos(phi)) * e1 + (sin(t) * sin(phi)) * e2
            out.append(v.raDec)
        }
        return out
    }

    @Test("every point within r falls in an overlapping pixel", arguments: Array(0...29))
    func overlapNeverMisses(order: Int) throws {
        var rng = SeededRNG(seed: UInt64(1000 + order))
        let layer = try HEALPixLayer(order: order)
        let radii = [1.0 / 3_600_000, 1.0 / 3600, 1.0 / 60, 1.0, 10.0, 90.0]
        // Centres near the poles, across the ra seam, on the z = 2/3 boundary, and random.
        let centres: [(Double, Double)] = [(0, 90), (180, -90), (0.0001, 89.99), (359.9999, -89.95), (359.9999, 0), (0.00001, 41.8103148957786),
                                           (45, -41.81031489577862), (Double(rng.next() % 360), 12.3)]
        for r in radii {
            // Keep the number of edge pixels bounded (r / pixel size), as any HEALPix library must.
            if r / layer.resolution > 300 { continue }
            for c in centres {
                let ranges = layer.rangesOverlappingCone(ra: c.0, dec: c.1, radius: r)
                for p in HEALPixPropertyTests.pointsInCap(c, r, 200, &rng) {
                    let pix = layer.nestedPixel(ra: p.0, dec: p.1)
                    let found = ranges.contains { $0.contains(pix) }
                    #expect(found, "order \(order) r \(r) centre \(c): point \(p) in pixel \(pix) missed")
                    if !found { return }
                }
            }
        }
    }

    /// `edges(ra:dec:radius:)` + `neighbourMask`: every point of the disc lies in the centre's pixel or in a
    /// neighbour the mask allows. Centres are random and on pixel boundaries (edges, corners, face seams),
    /// radii from 1/1000 of a pixel to 0.4 pixel; the points are on and inside the disc's rim.
    @Test("a disc reaches only the neighbours its edge set allows", arguments: [2, 5, 9, 12, 16, 22])
    func edgeSetsAreSupersets(order: Int) throws {
        var rng = SeededRNG(seed: UInt64(3000 + order))
        let layer = try HEALPixLayer(order: order)
        var centres: [(Double, Double)] = []
        for _ in 0..<300 {
            let u = Double(rng.next() >> 11) / Double(1 << 53), w = Double(rng.next() >> 11) / Double(1 << 53)
            centres.append((360 * u, asin(1.3 * w - 0.65) * radiansToDegrees))
        }
        for _ in 0..<150 {
            let p = Int64(rng.next() % UInt64(layer.pixelCount))
            for v in layer.boundary(nested: p, step: 2) { let (ra, dec) = v.raDec; if abs(v.z) < 0.62 { centres.append((ra, dec)) } }
        }
        var reduced = 0
        for c in centres {
            let own = layer.nestedPixel(ra: c.0, dec: c.1)
            let nb = layer.neighbours(nested: own)
            for f in [0.001, 0.05, 0.4] {
                let r = f * layer.resolution
                let mask = HEALPixLayer.neighbourMask(layer.edges(ra: c.0, dec: c.1, radius: r))
                if mask != 0xFF { reduced += 1 }
                for p in HEALPixPropertyTests.pointsInCap(c, r, 64, &rng) + HEALPixPropertyTests.rim(c, r, 64) {
                    let pix = layer.nestedPixel(ra: p.0, dec: p.1)
                    if pix == own { continue }
                    let i = nb.firstIndex(of: pix)
                    let allowed = i.map { mask & (UInt8(1) << UInt8($0)) != 0 } ?? false
                    #expect(allowed, "order \(order) centre \(c) r \(r): point \(p) in pixel \(pix), neighbour \(String(describing: i)), mask \(mask)")
                    if !allowed { return }
                }
            }
        }
        // The test must exercise the reduction, not only the "every edge" answer.
        #expect(reduced > centres.count)
    }

    /// The packed masks of `neighbourMask` equal the table derived from the neighbour offsets, for all 16 edge
    /// sets. Spot values from healpy's neighbour order (SW, W, NW, N, NE, E, SE, S = face offsets (−1, 0),
    /// (−1, 1), (0, 1), (1, 1), (1, 0), (1, −1), (0, −1), (−1, −1)): x-low alone reaches SW only; x-low and
    /// y-low reach SW, SE and the corner S.
    @Test("packed neighbour masks equal the masks derived from the offsets")
    func packedNeighbourMasks() {
        for raw in UInt8(0)..<16 {
            #expect(HEALPixLayer.neighbourMask(HEALPixLayer.Edges(rawValue: raw)) == HEALPixLayer.neighbourMasks[Int(raw)], "edges \(raw)")
        }
        #expect(HEALPixLayer.neighbourMask([]) == 0)
        #expect(HEALPixLayer.neighbourMask(.xLow) == 0b0000_0001)                 // SW
        #expect(HEALPixLayer.neighbourMask([.xLow, .yLow]) == 0b1100_0001)        // SW, SE, S
        #expect(HEALPixLayer.neighbourMask(.all) == 0xFF)
    }

    /// Points on the rim of the cap (distance r, 64 directions).
    static func rim(_ c: (Double, Double), _ r: Double, _ n: Int) -> [(Double, Double)] {
        let (centre, e1, e2) = frame(c)
        let t = r * degreesToRadians
        return (0..<n).map { k in
            let phi = 2 * Double.pi * Double(k) / Double(n)
            return (cos(t) * centre + (sin(t) * cos(phi)) * e1 + (sin(t) * sin(phi)) * e2).raDec
        }
    }

    @Test("discs centred on pixel corners return every pixel sharing the corner (healpy #968, #229)", arguments: [1, 4, 8, 13, 20, 29])
    func cornerDiscs(order: Int) throws {
        var rng = SeededRNG(seed: UInt64(order))
        let layer = try HEALPixLayer(order: order)
        var pixels: [Int64] = [0, 3, 4, 7, 8, 11, layer.pixelCount - 1]    // polar and z = 2/3 corners included
        for _ in 0..<40 { pixels.append(Int64(rng.next() % UInt64(layer.pixelCount))) }
        for p in pixels {
            for c in layer.corners(nested: p) {
                for r in [1e-3 * layer.resolution, 3 * layer.resolution] {
                    let hits = layer.pixelsOverlappingCone(ra: c.ra, dec: c.dec, radius: r)
                    #expect(hits.contains(p), "order \(order): disc of \(r) deg on a corner of pixel \(p) misses it")
                }
            }
        }
    }

    @Test("the fast ang2pix (one point and eight lanes) equals healpy's exact arithmetic, also on pixel boundaries", arguments: [0, 1, 2, 6, 12, 18, 24, 28, 29])
    func fastEqualsExact(order: Int) throws {
        var rng = SeededRNG(seed: UInt64(77 + order))
        let layer = try HEALPixLayer(order: order)
        var pts: [(Double, Double)] = []
        for _ in 0..<100_000 {
            let u = Double(rng.next() >> 11) / Double(1 << 53), w = Double(rng.next() >> 11) / Double(1 << 53)
            pts.append((360 * u, asin(2 * w - 1) * radiansToDegrees))
        }
        // Points on pixel corners and edges (where floor() sits on an integer), and their 1-ulp neighbours.
        for _ in 0..<3000 {
            let p = Int64(rng.next() % UInt64(layer.pixelCount))
            for v in layer.boundary(nested: p, step: 3) {
                let (ra, dec) = v.raDec
                pts.append((ra, dec)); pts.append((ra.nextUp, dec.nextDown)); pts.append((ra.nextDown, dec.nextUp))
            }
        }
        pts += [(0, 41.8103148957786), (0, -41.81031489577862), (45, 89.4), (45, 89.40000000000001), (10, -89.39999999999999)]
        // Region and face seams (ra = k·90°, z = ±2/3), the poles, ra outside [0, 360), invalid input.
        for k in 0...8 { for dec in [0, 41.8103148957786, -41.8103148957786, 41.81031489577862, 60, -75, 90, -90] { pts.append((Double(k) * 45, dec)) } }
        pts += [(360, 10), (360, 80), (-0.0, 5), (-10, 20), (-370, -50), (725, 42), (1e300, 3), (.nan, 1), (1, .nan), (5, 90.5), (5, -91), (.infinity, 0)]
        var mismatches = 0
        for (ra, dec) in pts where layer.nestedPixel(ra: ra, dec: dec) != layer.nestedPixelExact(ra: ra, dec: dec) {
            mismatches += 1
            if mismatches < 5 { Issue.record("order \(order): (\(ra), \(dec)) fast \(layer.nestedPixel(ra: ra, dec: dec)) exact \(layer.nestedPixelExact(ra: ra, dec: dec))") }
        }
        #expect(mismatches == 0)
        // `hasPixel` is false exactly where the pixel functions answer -1 (NaN, infinities, |dec| > 90).
        #expect(pts.allSatisfy { HEALPixLayer.hasPixel(ra: $0.0, dec: $0.1) == (layer.nestedPixelExact(ra: $0.0, dec: $0.1) >= 0) })
        #expect([(1e300, 3.0), (.nan, 1), (1, .nan), (5, 90.5), (5, -91), (.infinity, 0), (-370, -90)].map { HEALPixLayer.hasPixel(ra: $0.0, dec: $0.1) }
                == [true, false, false, false, false, false, true])
        // The eight-lane kernel (through the parallel batch API and the single-thread buffer API), at every
        // lane position: the list is shifted so each special point meets each lane, and its length is not a
        // multiple of eight (the scalar tail).
        for shift in [0, 3, 5] {
            let shifted = Array(pts[shift...]) + Array(pts[..<shift]) + [(12.5, 33.25)]
            let ra = shifted.map(\.0), dec = shifted.map(\.1)
            let batch = try HEALPix.nestedPixels(order: order, ra: ra, dec: dec)
            var single = [Int64](repeating: 7, count: ra.count)
            ra.withUnsafeBufferPointer { r in dec.withUnsafeBufferPointer { d in single.withUnsafeMutableBufferPointer { o in
                layer.nestedPixels(ra: r, dec: d, into: o)
            }}}
            var bad = 0
            for i in ra.indices where batch[i] != layer.nestedPixelExact(ra: ra[i], dec: dec[i]) || single[i] != batch[i] {
                bad += 1
                if bad < 5 { Issue.record("order \(order) batch: (\(ra[i]), \(dec[i])) \(batch[i]) / \(single[i]) exact \(layer.nestedPixelExact(ra: ra[i], dec: dec[i]))") }
            }
            #expect(bad == 0)
        }
    }

    /// The polynomial behind the fast path: |sinPoly(x) − sin(x)| ≤ 4e-16 on |x| ≤ π/2 (libm's sin is within
    /// 1 ulp, ≤ 1.1e-16 here, so the polynomial's own error is below 5.1e-16 either way), for the scalar and the
    /// eight-lane form, which must agree bit for bit. zBound's budget allows 6e-16.
    @Test func sinPolynomialBound() {
        var rng = SeededRNG(seed: 5)
        var worst = 0.0
        for _ in 0..<50_000 {
            var x = SIMD8<Double>()
            for l in 0..<8 { x[l] = (Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) * Double.pi / 2 }
            let v = HEALPixLayer.sinPoly(x)
            for l in 0..<8 {
                #expect(v[l] == HEALPixLayer.sinPoly(x[l]))
                worst = max(worst, abs(v[l] - sin(x[l])))
            }
        }
        #expect(worst <= 4e-16, "worst |sinPoly − sin| = \(worst)")
        #expect(HEALPixLayer.sinPoly(Double.pi / 2).isApproximatelyEqual(to: 1, absoluteTolerance: 4e-16))
    }

    @Test func nestRingRoundTripAndHierarchy() throws {
        var rng = SeededRNG(seed: 7)
        for order in [0, 3, 11, 20, 29] {
            let layer = try HEALPixLayer(order: order)
            for _ in 0..<2000 {
                let p = Int64(rng.next() % UInt64(layer.pixelCount))
                #expect(layer.nested(fromRing: layer.ring(fromNested: p)) == p)
                // The centre of a pixel lies in that pixel, and in its parent at lower orders.
                let c = layer.centre(nested: p)
                #expect(layer.nestedPixel(ra: c.ra, dec: c.dec) == p)
                if order > 0 { #expect(HEALPixLayer.layers[order - 1].nestedPixel(ra: c.ra, dec: c.dec) == layer.parent(of: p)) }
                #expect(layer.children(of: p).contains(HEALPixLayer.layers[min(29, order + 1)].nestedPixel(ra: c.ra, dec: c.dec)) || order == 29)
            }
        }
        #expect(throws: HEALPixError.self) { _ = try HEALPixLayer(order: 30) }
        #expect(HEALPixLayer.layers[0].nestedPixel(ra: .nan, dec: 0) == -1)
    }

    @Test func areasAndScales() {
        // Sum of pixel areas is the sphere: 4π (180/π)² deg² = 41252.96124941928 (numpy 1.24, Debian python3).
        #expect((Double(HEALPixLayer.layers[5].pixelCount) * HEALPixLayer.layers[5].pixelAreaDeg2).isApproximatelyEqual(to: 41252.96124941928, relativeTolerance: 1e-12))
        // healpy 1.16.1 (Debian python3-healpy): nside2resol(1024, arcmin=True) = 3.435486411817406; tolerance 1e-9.
        #expect((HEALPixLayer.layers[10].resolution * 60).isApproximatelyEqual(to: 3.435486411817406, relativeTolerance: 1e-9))
        #expect(HEALPixLayer.order(forScale: 1.0 / 60) == 12)
        let corners = HEALPixLayer.layers[0].corners(nested: 0)
        #expect(corners.count == 4 && abs(corners[0].dec - 90) < 1e-9)
    }
}
