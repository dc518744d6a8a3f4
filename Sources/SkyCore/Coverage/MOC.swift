// Coverage maps: IVOA MOC 2.0 (space), as sorted, merged ranges of nested HEALPix pixels at order 29.
import Foundation

/// A HEALPix multi-order coverage map (IVOA MOC 2.0, space only).
///
/// Stored in its canonical form: sorted, disjoint, non-adjacent half-open ranges of nested pixel numbers at
/// order 29. `maxOrder` is the resolution the map was made at (the MOCORDER keyword); every range boundary
/// is a multiple of 4^(29 − maxOrder). Cells of mixed orders (`cells`, NUNIQ) are derived from the ranges.
public struct MOC: Sendable, Equatable, CustomStringConvertible {
    /// Sorted, disjoint, non-adjacent ranges of order-29 nested pixels.
    public private(set) var ranges: [Range<Int64>]
    /// The order of the finest cells (MOCORDER), 0...29.
    public private(set) var maxOrder: Int

    static let npix29: Int64 = 12 << 58

    /// An empty coverage at `maxOrder`.
    public init(maxOrder: Int = 29) { self.ranges = []; self.maxOrder = min(29, max(0, maxOrder)) }

    /// A coverage from ranges of nested pixels at `order` (any order, overlapping allowed).
    public init(ranges: [Range<Int64>], order: Int, maxOrder: Int? = nil) {
        let shift = 2 * (29 - order)
        self.maxOrder = min(29, max(0, maxOrder ?? order))
        self.ranges = MOC.normalise(ranges.map { ($0.lowerBound << shift)..<($0.upperBound << shift) })
        if self.maxOrder < order { self = self.degraded(to: self.maxOrder) }
    }

    /// A coverage from individual nested pixels at `order`.
    public init(pixels: [Int64], order: Int) {
        self.init(ranges: pixels.filter { $0 >= 0 }.map { $0..<($0 + 1) }, order: order)
    }

    /// Sorts and merges ranges (dropping empty ones).
    static func normalise(_ input: [Range<Int64>]) -> [Range<Int64>] {
        let s = input.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var out: [Range<Int64>] = []
        out.reserveCapacity(s.count)
        for r in s {
            if let last = out.last, r.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else { out.append(r) }
        }
        return out
    }

    public var isEmpty: Bool { ranges.isEmpty }

    /// The coverage at a coarser order: every cell that contains covered area is covered (a superset).
    public func degraded(to order: Int) -> MOC {
        let o = min(29, max(0, order))
        let unit = Int64(1) << (2 * (29 - o))
        var m = MOC(maxOrder: o)
        m.ranges = MOC.normalise(ranges.map { ($0.lowerBound / unit * unit)..<(($0.upperBound + unit - 1) / unit * unit) })
        return m
    }

    // MARK: set algebra

    /// Points covered by either map.
    public func union(_ o: MOC) -> MOC {
        var m = MOC(maxOrder: max(maxOrder, o.maxOrder)); m.ranges = MOC.normalise(ranges + o.ranges); return m
    }

    /// Points covered by both maps.
    public func intersection(_ o: MOC) -> MOC {
        var out: [Range<Int64>] = []
        var i = 0, j = 0
        while i < ranges.count && j < o.ranges.count {
            let a = ranges[i], b = o.ranges[j]
            let lo = max(a.lowerBound, b.lowerBound), hi = min(a.upperBound, b.upperBound)
            if lo < hi { out.append(lo..<hi) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        var m = MOC(maxOrder: max(maxOrder, o.maxOrder)); m.ranges = MOC.normalise(out); return m
    }

    /// The whole sky not covered by this map.
    public func complement() -> MOC {
        var out: [Range<Int64>] = []
        var start: Int64 = 0
        for r in ranges {
            if r.lowerBound > start { out.append(start..<r.lowerBound) }
            start = r.upperBound
        }
        if start < MOC.npix29 { out.append(start..<MOC.npix29) }
        var m = MOC(maxOrder: maxOrder); m.ranges = out; return m
    }

    /// Points covered by this map and not by `o`.
    public func subtracting(_ o: MOC) -> MOC { intersection(o.complement()) }

    // MARK: queries

    /// Whether the nested order-29 pixel `p29` is covered.
    @inline(__always) func contains29(_ p29: Int64) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if ranges[mid].upperBound <= p29 { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(p29)
    }

    /// Whether the position (ra, dec in **degrees**) lies in a covered cell.
    public func contains(ra: Double, dec: Double) -> Bool {
        let p = HEALPixLayer.layers[29].nestedPixel(ra: ra, dec: dec)
        return p >= 0 && contains29(p)
    }

    /// `contains` for many positions (degrees), on all cores for large inputs. Invalid positions give false.
    public func contains(ra: [Double], dec: [Double]) -> [Bool] {
        let pix = (try? HEALPix.nestedPixels(order: 29, ra: ra, dec: dec)) ?? []
        return pix.map { $0 >= 0 && contains29($0) }
    }

    /// Covered area in **steradians**.
    public var area: Double {
        let total = ranges.reduce(0.0) { $0 + Double($1.count) }
        return total / Double(MOC.npix29) * 4 * Double.pi
    }
    /// Covered area in **square degrees**.
    public var areaDeg2: Double { area * radiansToDegrees * radiansToDegrees }
    /// Fraction of the sky covered.
    public var skyFraction: Double { ranges.reduce(0.0) { $0 + Double($1.count) } / Double(MOC.npix29) }

    // MARK: cells

    /// The minimal list of cells (order, nested pixel) covering exactly the map, sorted by order then pixel.
    public var cells: [(order: Int, pixel: Int64)] {
        var byOrder = [[Int64]](repeating: [], count: 30)
        for r in ranges {
            var lo = r.lowerBound
            let hi = r.upperBound
            while lo < hi {
                // The largest aligned cell starting at lo that fits in [lo, hi).
                var o = 0
                while o < 29 {
                    let size = Int64(1) << (2 * (29 - o))
                    if lo % size == 0 && lo + size <= hi { break }
                    o += 1
                }
                let size = Int64(1) << (2 * (29 - o))
                byOrder[o].append(lo / size)
                lo += size
            }
        }
        var out: [(Int, Int64)] = []
        for o in 0...29 { for p in byOrder[o] { out.append((o, p)) } }
        return out
    }

    /// NUNIQ numbers (4·4^order + pixel) of `cells`, ascending.
    public var uniq: [Int64] { cells.map { (Int64(4) << (2 * $0.order)) + $0.pixel } }

    /// A coverage from NUNIQ numbers.
    public init(uniq: [Int64], maxOrder: Int? = nil) throws(HEALPixError) {
        var rs: [Range<Int64>] = []
        var top = 0
        for u in uniq {
            guard u >= 4 else { throw HEALPixError(message: "invalid NUNIQ value \(u)") }
            let order = (63 - u.leadingZeroBitCount) / 2 - 1
            guard order <= 29 else { throw HEALPixError(message: "NUNIQ value \(u) is beyond order 29") }
            let pix = u - (Int64(4) << (2 * order))
            let shift = 2 * (29 - order)
            rs.append((pix << shift)..<((pix + 1) << shift))
            top = max(top, order)
        }
        self.maxOrder = maxOrder ?? top
        self.ranges = MOC.normalise(rs)
    }

    // MARK: ASCII serialisation ("3/1-3 4/20")

    /// The IVOA ASCII form: `order/pix pix-pix ...` per order, with an empty `maxOrder/` at the end when no
    /// cell has that order.
    public var ascii: String {
        var parts: [String] = []
        var current = -1
        var line: [String] = []
        let cs = cells
        var i = 0
        while i < cs.count {
            let (o, p) = cs[i]
            if o != current {
                if !line.isEmpty { parts.append(line.joined(separator: " ")) }
                current = o; line = ["\(o)/"]
            }
            var j = i
            while j + 1 < cs.count && cs[j + 1].order == o && cs[j + 1].pixel == cs[j].pixel + 1 { j += 1 }
            let token = j > i ? "\(p)-\(cs[j].pixel)" : "\(p)"
            if line.count == 1 && line[0].hasSuffix("/") { line[0] += token } else { line.append(token) }
            i = j + 1
        }
        if !line.isEmpty { parts.append(line.joined(separator: " ")) }
        if current != maxOrder { parts.append("\(maxOrder)/") }
        return parts.joined(separator: " ")
    }

    public var description: String { "MOC(order \(maxOrder), \(String(format: "%.6g", areaDeg2)) deg², \(ranges.count) ranges)" }

    /// Parses the IVOA ASCII form (MOC 2.0 `3/1-3 4/20`, also MOC 1.0's commas `3/1,2-4`).
    public init(ascii text: String) throws(HEALPixError) {
        var rs: [Range<Int64>] = []
        var order: Int? = nil
        var top = 0
        let tokens = text.replacingOccurrences(of: ",", with: " ").split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        for raw in tokens {
            var t = Substring(raw)
            if t.hasPrefix("s") { t = t.dropFirst() }   // MOC 2.0 space prefix ("s3/1")
            if let slash = t.firstIndex(of: "/") {
                guard let o = Int(t[..<slash]), (0...29).contains(o) else { throw HEALPixError(message: "bad order in '\(raw)'") }
                order = o; top = max(top, o)
                t = t[t.index(after: slash)...]
                if t.isEmpty { continue }
            }
            guard let o = order else { throw HEALPixError(message: "cell '\(raw)' comes before any order") }
            let parts = t.split(separator: "-", omittingEmptySubsequences: false)
            guard let a = Int64(parts[0]), parts.count <= 2 else { throw HEALPixError(message: "bad cell '\(raw)'") }
            let b = parts.count == 2 ? Int64(parts[1]) : a
            guard let b, b >= a, a >= 0, b < (12 << (2 * o)) else { throw HEALPixError(message: "bad cell range '\(raw)'") }
            let shift = 2 * (29 - o)
            rs.append((a << shift)..<((b + 1) << shift))
        }
        self.maxOrder = top
        self.ranges = MOC.normalise(rs)
    }
}

// MARK: - Building coverage

extension MOC {
    /// The cells at `order` overlapping a disc of `radius` **degrees** around (ra, dec).
    public static func cone(ra: Double, dec: Double, radius: Double, order: Int) throws(HEALPixError) -> MOC {
        let layer = try HEALPixLayer(order: order)
        return MOC(ranges: layer.rangesOverlappingCone(ra: ra, dec: dec, radius: radius), order: order)
    }

    /// The union of discs of `radius` **degrees** around every position (degrees) at `order`.
    /// Invalid positions are skipped.
    public static func positions(ra: [Double], dec: [Double], radius: Double, order: Int) throws(HEALPixError) -> MOC {
        let layer = try HEALPixLayer(order: order)
        var rs: [Range<Int64>] = []
        if radius <= 0 {
            for p in try HEALPix.nestedPixels(order: order, ra: ra, dec: dec) where p >= 0 { rs.append(p..<(p + 1)) }
        } else {
            // Discs in parallel chunks; each chunk's ranges are normalised before the final merge.
            let n = min(ra.count, dec.count)
            let chunk = 256
            let parts = Parallel.map((n + chunk - 1) / chunk) { (c: Int) -> [Range<Int64>] in
                var local: [Range<Int64>] = []
                for i in (c * chunk)..<min(n, (c + 1) * chunk) where ra[i].isFinite && dec[i].isFinite {
                    local.append(contentsOf: layer.rangesOverlappingCone(ra: ra[i], dec: dec[i], radius: radius))
                }
                return MOC.normalise(local)
            }
            for part in parts { rs.append(contentsOf: part) }
        }
        return MOC(ranges: rs, order: order)
    }

    /// The cells at `order` overlapping a spherical polygon whose vertices (degrees) are joined by great-circle
    /// arcs. Convex or concave; the polygon must fit in a hemisphere (its inside is the side holding the
    /// vertices' mean direction). Far from the edges cells are classified exactly by their centre; along the
    /// edges a cell at `order` is kept when its centre, one of 16 points along its boundary, or a polygon
    /// vertex lies inside the polygon.
    public static func polygon(_ vertices: [(ra: Double, dec: Double)], order: Int) throws(HEALPixError) -> MOC {
        let poly = try SphericalPolygon(vertices)
        let layer = try HEALPixLayer(order: order)
        let vertexPixels = Set(poly.vertices.map { layer.nestedPixel($0) })
        var out: [Range<Int64>] = []
        var stack: [(Int64, Int)] = (0..<12).reversed().map { (Int64($0), 0) }
        while let (pix, o) = stack.popLast() {
            let l = HEALPixLayer.layers[o]
            let c = l.centreVector(nested: pix)
            let R = HEALPixLayer.safeRadius[o]
            let inside = poly.contains(c)
            let edgeDistance = poly.distanceToBoundary(c)
            if edgeDistance > R {
                if inside { HEALPixLayer.appendRange(&out, l.children(of: pix, levels: order - o)) }
                continue
            }
            if o == order {
                if inside || l.boundary(nested: pix, step: 4).contains(where: { poly.contains($0) }) || vertexPixels.contains(pix) {
                    HEALPixLayer.appendRange(&out, pix..<(pix + 1))
                }
                continue
            }
            for k in (0..<4).reversed() { stack.append((4 * pix + Int64(k), o + 1)) }
        }
        return MOC(ranges: out, order: order)
    }

    /// The map shrunk by `radius` **degrees** (morphological erosion at the map's `maxOrder`): a cell is
    /// removed when its centre lies within `radius` of the outside, measured from the centres of border cells
    /// (covered cells with an uncovered neighbour, whose centres lie about half a cell inside the edge, so the
    /// distance used is `radius` − half a cell). Cells are kept or removed whole: exact to about one cell.
    /// `MOC.positions(radius: R)` followed by `eroded(by: R)` is a closing: it fills gaps narrower than
    /// about 2R between positions without extending beyond them.
    public func eroded(by radius: Double) throws(HEALPixError) -> MOC {
        guard radius > 0, !isEmpty else { return self }
        let order = maxOrder
        let layer = try HEALPixLayer(order: order)
        var removed: [Range<Int64>] = []
        let reach = radius - layer.resolution / 2
        for p in borderCells() {
            removed.append(p..<(p + 1))
            guard reach > 0 else { continue }
            let c = layer.centre(nested: p)
            for q in layer.pixelsWithCentreInCone(ra: c.ra, dec: c.dec, radius: reach) { removed.append(q..<(q + 1)) }
        }
        return subtracting(MOC(ranges: removed, order: order, maxOrder: order))
    }

    /// The cells at `maxOrder` that have an uncovered neighbour.
    func borderCells() -> [Int64] {
        let layer = HEALPixLayer.layers[maxOrder]
        let shift = Int64(2 * (29 - maxOrder))
        var out: [Int64] = []
        for r in ranges {
            let lo = r.lowerBound >> shift, hi = (r.upperBound - 1) >> shift
            for p in lo...hi where layer.neighbours(nested: p).contains(where: { $0 >= 0 && !contains29($0 << shift) }) { out.append(p) }
        }
        return out
    }

    /// The map grown by `rings` rings of neighbouring cells at `maxOrder` (morphological dilation with the
    /// 8-neighbourhood, cells about `HEALPixLayer.resolution` wide). Works from the border only.
    public func dilated(rings: Int) -> MOC {
        guard rings > 0, !isEmpty else { return self }
        let layer = HEALPixLayer.layers[maxOrder]
        let shift = Int64(2 * (29 - maxOrder))
        var added = Set<Int64>()
        var frontier = borderCells()
        for _ in 0..<rings {
            var next: [Int64] = []
            for p in frontier {
                for q in layer.neighbours(nested: p) where q >= 0 && !added.contains(q) && !contains29(q << shift) {
                    added.insert(q); next.append(q)
                }
            }
            frontier = next
        }
        return union(MOC(pixels: Array(added), order: maxOrder))
    }

    /// The map shrunk by `rings` rings of cells at `maxOrder` (morphological erosion with the 8-neighbourhood):
    /// `dilated(rings: k).eroded(rings: k)` is a closing, which fills gaps narrower than about 2k cells.
    public func eroded(rings: Int) -> MOC {
        guard rings > 0, !isEmpty else { return self }
        let layer = HEALPixLayer.layers[maxOrder]
        let shift = Int64(2 * (29 - maxOrder))
        var removed = Set<Int64>()
        var frontier = borderCells()
        for _ in 0..<rings {
            for p in frontier { removed.insert(p) }
            var next = Set<Int64>()
            for p in frontier {
                for q in layer.neighbours(nested: p) where q >= 0 && !removed.contains(q) && contains29(q << shift) { next.insert(q) }
            }
            frontier = Array(next)
        }
        return subtracting(MOC(pixels: Array(removed), order: maxOrder))
    }

    /// The coverage of an image: the polygon through points along its pixel-grid edges (see `WCS.footprint`).
    public static func footprint(of wcs: WCS, size: (Int, Int)? = nil, order: Int, perEdge: Int = 16) throws -> MOC {
        let fp = try wcs.footprint(size: size, perEdge: perEdge)
        guard fp.count >= 3 else { throw WCSError(status: 0, message: "the image footprint has fewer than 3 valid points", source: "footprint") }
        return try polygon(fp, order: order)
    }
}

/// A spherical polygon with great-circle edges, inside a hemisphere.
struct SphericalPolygon {
    let vertices: [UnitVector]
    let centre: UnitVector
    // Gnomonic projection around `centre` maps great circles to straight lines.
    let e1: UnitVector, e2: UnitVector
    let planar: [(Double, Double)]

    init(_ radec: [(ra: Double, dec: Double)]) throws(HEALPixError) {
        var v = radec.filter { $0.ra.isFinite && $0.dec.isFinite }.map { UnitVector(ra: $0.ra, dec: $0.dec) }
        if let f = v.first, let l = v.last, f.angle(to: l) < 1e-15 { v.removeLast() }
        guard v.count >= 3 else { throw HEALPixError(message: "a polygon needs at least 3 vertices") }
        var s = UnitVector(x: 0, y: 0, z: 0)
        for p in v { s = s + p }
        guard s.norm > 1e-12 else { throw HEALPixError(message: "the polygon's vertices have no mean direction") }
        let c = s.normalized
        guard v.allSatisfy({ $0.dot(c) > 1e-9 }) else { throw HEALPixError(message: "the polygon does not fit in a hemisphere") }
        let ref = abs(c.z) < 0.9 ? UnitVector(x: 0, y: 0, z: 1) : UnitVector(x: 1, y: 0, z: 0)
        let a = ref.cross(c).normalized, b = c.cross(a)
        vertices = v; centre = c; e1 = a; e2 = b
        planar = v.map { p in let d = p.dot(c); return (p.dot(a) / d, p.dot(b) / d) }
    }

    /// Even-odd rule in the gnomonic plane (exact for great-circle edges); points in the far hemisphere are out.
    func contains(_ p: UnitVector) -> Bool {
        let d = p.dot(centre)
        guard d > 0 else { return false }
        let x = p.dot(e1) / d, y = p.dot(e2) / d
        var inside = false
        var j = planar.count - 1
        for i in 0..<planar.count {
            let (xi, yi) = planar[i], (xj, yj) = planar[j]
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
        return inside
    }

    /// The smallest angle (radians) from `p` to any edge arc.
    func distanceToBoundary(_ p: UnitVector) -> Double {
        var best = Double.infinity
        for i in 0..<vertices.count {
            let a = vertices[i], b = vertices[(i + 1) % vertices.count]
            best = min(best, SphericalPolygon.distance(p, arc: a, b))
        }
        return best
    }

    /// Angle from p to the minor great-circle arc a–b.
    static func distance(_ p: UnitVector, arc a: UnitVector, _ b: UnitVector) -> Double {
        let n = a.cross(b)
        let nn = n.norm
        if nn < 1e-300 { return p.angle(to: a) }
        let nu = (1 / nn) * n
        // Projection of p onto the great circle; inside the arc if it lies between a and b.
        let q = p - p.dot(nu) * nu
        if q.norm > 1e-300 {
            let qu = q.normalized
            if a.cross(qu).dot(n) >= 0 && qu.cross(b).dot(n) >= 0 {
                return abs(asin(max(-1, min(1, p.dot(nu)))))
            }
        }
        return min(p.angle(to: a), p.angle(to: b))
    }
}
