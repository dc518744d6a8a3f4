// A static spatial index over sky positions: rows sorted by nested HEALPix pixel.
import Foundation

/// One hit of an index query: a row of the indexed positions and its separation in **degrees**.
public struct IndexHit: Sendable, Equatable {
    /// Row number in the positions the index was built from (0-based).
    public var row: Int
    /// Angular separation in **degrees**.
    public var separation: Double
}

/// A static index over sky positions: rows sorted by their nested HEALPix pixel at `order`.
///
/// The index is two arrays: `keys` (the sorted pixel numbers) and `permutation` (the original row of each
/// sorted entry); a pixel's rows are a contiguous slice found by binary search, so no per-pixel storage is
/// needed. Unit vectors are kept in sorted order for fast distance checks. Rows with invalid positions
/// (NaN, |dec| > 90) are never returned.
///
/// Choose `order` so that pixels are comparable to the typical query radius (see `SkyIndex.order(forRadius:)`).
public struct SkyIndex: Sendable {
    public let layer: HEALPixLayer
    /// Sorted nested pixel numbers (-1 for invalid rows, which come first).
    public let keys: [Int64]
    /// `permutation[k]` is the original row of the k-th sorted entry.
    public let permutation: [Int32]
    /// Unit vectors in sorted order (x, y, z interleaved).
    let xyz: [Double]
    /// Number of rows with an invalid position.
    public let invalidCount: Int

    public var order: Int { layer.order }
    public var count: Int { keys.count }

    /// A good index order for queries of `radius` **degrees**: the deepest order whose pixels are still
    /// ten times larger than the radius (so a cone needs only a pixel and its neighbours), capped at 16.
    public static func order(forRadius radius: Double) -> Int {
        var o = 0
        while o < 16 && HEALPixLayer.layers[o + 1].resolution > 10 * radius { o += 1 }
        return o
    }

    /// Builds the index of positions (ra, dec in **degrees**) at `order`.
    public init(ra: [Double], dec: [Double], order: Int) throws {
        let n = min(ra.count, dec.count)
        guard n < Int(Int32.max) else { throw CatalogueError(.invalidArgument, "an index holds at most 2^31 - 1 rows") }
        let layer = try HEALPixLayer(order: order)
        var keys = try HEALPix.nestedPixels(order: order, ra: Array(ra.prefix(n)), dec: Array(dec.prefix(n)))
        let perm = RadixSort.sortWithPermutation(&keys, bits: 2 * order + 4)
        var xyz = [Double](repeating: .nan, count: 3 * n)
        let invalid = keys.prefix { $0 < 0 }.count
        xyz.withUnsafeMutableBufferPointer { xb in
            ra.withUnsafeBufferPointer { rb in
                dec.withUnsafeBufferPointer { db in
                    perm.withUnsafeBufferPointer { pb in
                        guard let x = xb.baseAddress, let r = rb.baseAddress, let d = db.baseAddress, let p = pb.baseAddress else { return }
                        let xp = UnsafeMutableSendablePointer(x), rp = UnsafeSendablePointer(r), dp = UnsafeSendablePointer(d), pp = UnsafeSendablePointer(p)
                        Parallel.forEachChunk(count: n - invalid, minChunk: 1 << 15) { lo, hi in
                            for k in (lo + invalid)..<(hi + invalid) {
                                let row = Int(pp.p[k])
                                let v = UnitVector(ra: rp.p[row], dec: dp.p[row])
                                xp.p[3 * k] = v.x; xp.p[3 * k + 1] = v.y; xp.p[3 * k + 2] = v.z
                            }
                        }
                    }
                }
            }
        }
        self.layer = layer; self.keys = keys; self.permutation = perm; self.xyz = xyz; self.invalidCount = invalid
    }

    /// Builds the index of a catalogue's positions (see `Catalogue.positions()`).
    public init(_ catalogue: Catalogue, order: Int) throws {
        let (ra, dec) = try catalogue.positions()
        try self.init(ra: ra, dec: dec, order: order)
    }

    /// The sorted-entry range holding pixel `pix` (possibly empty).
    public func entries(ofPixel pix: Int64) -> Range<Int> { entries(ofPixels: pix..<(pix + 1)) }

    /// The sorted-entry range holding pixels `pixels` (a range of nested numbers at the index order).
    public func entries(ofPixels pixels: Range<Int64>) -> Range<Int> {
        lowerBound(pixels.lowerBound)..<lowerBound(pixels.upperBound)
    }

    @inline(__always) func lowerBound(_ key: Int64) -> Int {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    @inline(__always) func vector(_ k: Int) -> UnitVector { UnitVector(x: xyz[3 * k], y: xyz[3 * k + 1], z: xyz[3 * k + 2]) }

    /// Rows within `radius` **degrees** of (ra, dec), sorted by separation (ties by row), with exact
    /// separations (atan2 of |a×b| and a·b).
    public func cone(ra: Double, dec: Double, radius: Double) -> [IndexHit] {
        guard ra.isFinite, dec.isFinite, radius >= 0 else { return [] }
        let c = UnitVector(ra: ra, dec: dec)
        // Chord prefilter with a small margin; exact angle decides.
        let chord2 = pow(SkyGeometry.chord(forAngle: min(180, radius)) * (1 + 1e-12) + 1e-15, 2)
        var hits: [IndexHit] = []
        for pr in layer.candidateRanges(ra: ra, dec: dec, radius: radius) {
            let er = entries(ofPixels: pr)
            for k in er {
                let dx = xyz[3 * k] - c.x, dy = xyz[3 * k + 1] - c.y, dz = xyz[3 * k + 2] - c.z
                if dx * dx + dy * dy + dz * dz > chord2 { continue }
                let sep = c.angle(to: vector(k)) * radiansToDegrees
                if sep <= radius { hits.append(IndexHit(row: Int(permutation[k]), separation: sep)) }
            }
        }
        hits.sort { $0.separation != $1.separation ? $0.separation < $1.separation : $0.row < $1.row }
        return hits
    }

    /// The `k` nearest rows within `radius` **degrees**, nearest first (ties by row).
    public func nearest(ra: Double, dec: Double, k: Int, within radius: Double) -> [IndexHit] {
        Array(cone(ra: ra, dec: dec, radius: radius).prefix(max(0, k)))
    }

    /// The nearest row within `radius` **degrees**, or nil.
    public func nearest(ra: Double, dec: Double, within radius: Double) -> IndexHit? {
        nearest(ra: ra, dec: dec, k: 1, within: radius).first
    }
}
