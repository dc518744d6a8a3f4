// Cone and polygon queries on one HEALPix layer, named by what they return.
import Foundation

extension HEALPixLayer {
    /// An upper bound, in radians, of the distance from a pixel centre to any point of that pixel at `order`
    /// (1.5 × healpix_cxx's max_pixrad, which bounds centre-to-corner distances; pixel edges bulge less
    /// than that margin).
    static let safeRadius: [Double] = HEALPixLayer.layers.map { $0.maxPixelRadius * degreesToRadians * 1.5 + 1e-15 }

    /// The disc centre as healpy sees it (ang2vec, then back to a pointing): (unit vector, z, φ).
    static func healpyCentre(ra: Double, dec: Double) -> (v: UnitVector, z: Double, phi: Double) {
        let theta0 = (90.0 - dec) * degreesToRadians, phi0 = ra * degreesToRadians
        let st = sin(theta0)
        let x = st * cos(phi0), y = st * sin(phi0), z0 = cos(theta0)
        let theta = atan2((x * x + y * y).squareRoot(), z0)
        var phi = (x == 0 && y == 0) ? 0 : atan2(y, x)
        if phi < 0 { phi += 2 * Double.pi }
        let z = cos(theta)
        let s = sin(theta)
        return (UnitVector(x: s * cos(phi), y: s * sin(phi), z: z), z, phi)
    }

    /// Nested pixels (sorted) whose **centre** lies inside the disc of `radius` **degrees** around
    /// (ra, dec) — healpy's `query_disc(..., inclusive=False)`, computed with the same arithmetic so that
    /// pixel lists are identical to healpy's.
    public func pixelsWithCentreInCone(ra: Double, dec: Double, radius: Double) -> [Int64] {
        guard ra.isFinite, dec.isFinite, radius > 0 else { return [] }
        let r = radius * degreesToRadians
        if r >= Double.pi { return Array(0..<pixelCount) }
        let c = HEALPixLayer.healpyCentre(ra: ra, dec: dec)
        let cosrad = cos(r)
        var out: [Int64] = []
        var stack: [(Int64, Int)] = (0..<12).reversed().map { (Int64($0), 0) }
        while let (pix, o) = stack.popLast() {
            let layer = HEALPixLayer.layers[o]
            if o == order {
                let (z, phi, _, _) = layer.centreZPhi(nested: pix)
                let cosdist = c.z * z + cos(c.phi - phi) * ((1.0 - c.z * c.z) * (1.0 - z * z)).squareRoot()
                if cosdist >= cosrad { out.append(pix) }
                continue
            }
            let d = c.v.angle(to: layer.centreVector(nested: pix))
            let R = HEALPixLayer.safeRadius[o]
            if d > r + R { continue }
            if d + R < r - 1e-9 {
                out.append(contentsOf: children(of: pix, levels: order - o)); continue
            }
            for k in (0..<4).reversed() { stack.append((4 * pix + Int64(k), o + 1)) }
        }
        return out.sorted()
    }

    /// Nested pixels (sorted) that **overlap** the disc of `radius` **degrees** around (ra, dec): every
    /// pixel that holds a point of the disc, and only those (up to 1e-13 rad on the disc's edge). The exact
    /// test runs only on pixels near the disc's edge: centre inside, disc centre inside, or the pixel's
    /// boundary (sampled and refined along each edge) within the radius.
    public func pixelsOverlappingCone(ra: Double, dec: Double, radius: Double) -> [Int64] {
        rangesOverlappingCone(ra: ra, dec: dec, radius: radius).flatMap { Array($0) }
    }

    /// The pixels of `pixelsOverlappingCone` as sorted, merged ranges of nested pixel numbers.
    public func rangesOverlappingCone(ra: Double, dec: Double, radius: Double) -> [Range<Int64>] {
        guard ra.isFinite, dec.isFinite, radius >= 0 else { return [] }
        let r = radius * degreesToRadians
        if r >= Double.pi { return [0..<pixelCount] }
        let c = UnitVector(ra: ra, dec: dec)
        let home = nestedPixel(ra: ra, dec: dec)
        var out: [Range<Int64>] = []
        var stack: [(Int64, Int)] = (0..<12).reversed().map { (Int64($0), 0) }
        while let (pix, o) = stack.popLast() {
            let layer = HEALPixLayer.layers[o]
            let d = c.angle(to: layer.centreVector(nested: pix))
            let R = HEALPixLayer.safeRadius[o]
            if d > r + R { continue }
            if o == order {
                if d <= r || pix == home || overlapsCap(pix: pix, centre: c, radius: r) { HEALPixLayer.appendRange(&out, pix..<(pix + 1)) }
                continue
            }
            if d + R <= r {
                HEALPixLayer.appendRange(&out, children(of: pix, levels: order - o)); continue
            }
            for k in (0..<4).reversed() { stack.append((4 * pix + Int64(k), o + 1)) }
        }
        return out
    }

    /// Sorted ranges of nested pixels that include every pixel overlapping the disc (a superset, for index
    /// lookups that check exact distances afterwards). For discs smaller than a tenth of a pixel it is the
    /// pixel holding the centre and those of its neighbours that can reach the disc; otherwise a
    /// conservative descent from the base pixels.
    public func candidateRanges(ra: Double, dec: Double, radius: Double) -> [Range<Int64>] {
        guard ra.isFinite, dec.isFinite, radius >= 0 else { return [] }
        let r = radius * degreesToRadians
        if r >= Double.pi { return [0..<pixelCount] }
        let R = HEALPixLayer.safeRadius[order]
        if radius <= 0.1 * resolution {
            let home = nestedPixel(ra: ra, dec: dec)
            guard home >= 0 else { return [] }
            let c = UnitVector(ra: ra, dec: dec)
            var pix: [Int64] = [home]
            for nb in neighbours(nested: home) where nb >= 0 && c.angle(to: centreVector(nested: nb)) <= r + R { pix.append(nb) }
            pix.sort()
            var out: [Range<Int64>] = []
            for p in pix { HEALPixLayer.appendRange(&out, p..<(p + 1)) }
            return out
        }
        let c = UnitVector(ra: ra, dec: dec)
        var out: [Range<Int64>] = []
        var stack: [(Int64, Int)] = (0..<12).reversed().map { (Int64($0), 0) }
        while let (pix, o) = stack.popLast() {
            let d = c.angle(to: HEALPixLayer.layers[o].centreVector(nested: pix))
            let Ro = HEALPixLayer.safeRadius[o]
            if d > r + Ro { continue }
            if o == order || d + Ro <= r {
                HEALPixLayer.appendRange(&out, children(of: pix, levels: order - o)); continue
            }
            for k in (0..<4).reversed() { stack.append((4 * pix + Int64(k), o + 1)) }
        }
        return out
    }

    /// Appends a range to a sorted list, merging with the last range when adjacent.
    static func appendRange(_ list: inout [Range<Int64>], _ r: Range<Int64>) {
        if let last = list.last, last.upperBound == r.lowerBound {
            list[list.count - 1] = last.lowerBound..<r.upperBound
        } else {
            list.append(r)
        }
    }

    /// Whether the boundary of `pix` comes within `radius` (radians) of `centre`.
    func overlapsCap(pix: Int64, centre: UnitVector, radius: Double) -> Bool {
        let (ix, iy, face) = nest2xyf(pix)
        let ns = Double(nside), x0 = Double(ix) / ns, y0 = Double(iy) / ns, w = 1 / ns
        let f = Int(face)
        let tol = 1e-13
        // Edges as segments in face coordinates.
        let edges: [((Double, Double), (Double, Double))] = [
            ((x0, y0), (x0 + w, y0)), ((x0 + w, y0), (x0 + w, y0 + w)),
            ((x0 + w, y0 + w), (x0, y0 + w)), ((x0, y0 + w), (x0, y0)),
        ]
        func dist(_ e: ((Double, Double), (Double, Double)), _ t: Double) -> Double {
            let p = HEALPixLayer.facePoint(x: e.0.0 + t * (e.1.0 - e.0.0), y: e.0.1 + t * (e.1.1 - e.0.1), face: f)
            return centre.angle(to: p)
        }
        let samples = 8
        for e in edges {
            var best = Double.infinity, bestT = 0.0
            for k in 0...samples {
                let t = Double(k) / Double(samples)
                let d = dist(e, t)
                if d <= radius + tol { return true }
                if d < best { best = d; bestT = t }
            }
            // Golden-section refinement around the best sample.
            var a = max(0, bestT - 1 / Double(samples)), b = min(1, bestT + 1 / Double(samples))
            let g = 0.6180339887498949
            var x1 = b - g * (b - a), x2 = a + g * (b - a)
            var f1 = dist(e, x1), f2 = dist(e, x2)
            for _ in 0..<60 {
                if min(f1, f2) <= radius + tol { return true }
                if f1 < f2 { b = x2; x2 = x1; f2 = f1; x1 = b - g * (b - a); f1 = dist(e, x1) }
                else { a = x1; x1 = x2; f1 = f2; x2 = a + g * (b - a); f2 = dist(e, x2) }
                if b - a < 1e-16 { break }
            }
            if min(f1, f2) <= radius + tol { return true }
        }
        return false
    }
}
