// A catalogue's coverage made from its own sources: where it could have detected something, for catalogues
// that come without an image or a MOC.
import Foundation

/// A coverage built from a catalogue's sources (`MOC.sources`), with the parameters it was built with.
public struct SourceCoverage: Sendable, Equatable {
    /// The coverage.
    public var moc: MOC
    /// HEALPix order of the cells (about the median source spacing wide, unless given).
    public var order: Int
    /// The closing radius R (**arcsec**): gaps between sources up to about this size are filled.
    public var radiusArcsec: Double
    /// The median distance from a source to its nearest neighbour (**arcsec**; nil for fewer than 2 sources).
    public var medianNearestArcsec: Double?
}

extension MOC {
    /// The coverage of a catalogue from its sources (positions in **degrees**; invalid ones skipped): the
    /// HEALPix cells about d wide that hold a source (d: the median nearest-neighbour distance,
    /// `medianNearestNeighbour`), grown by R/d rings of neighbouring cells and shrunk back by as many (a
    /// morphological closing). Gaps between sources up to about 2R across are filled (up to ~2.8R where they
    /// lie diagonally to the cells: a ring is a step to any of a cell's 8 neighbours) — with R = 4d a Poisson
    /// field leaves under 2·10⁻⁵ of its area uncovered — while the edge stays within about one cell of the
    /// outermost sources (a closing never reaches beyond them); wider holes (a masked bright star, a chip
    /// gap) stay out.
    ///
    /// - Parameters:
    ///   - closingRadius: R in **arcsec**; nil: 4d, but never less than `matchRadius`.
    ///   - matchRadius: the match radius (**arcsec**, ≥ 0) the coverage serves: the least default R, and the
    ///     spacing assumed when there are fewer than two sources (60" when it is 0 too).
    ///   - order: the cells' HEALPix order; nil: the order whose cells are closest to d wide (6...16).
    public static func sources(ra: [Double], dec: [Double], closingRadius: Double? = nil, matchRadius: Double,
                               order: Int? = nil) throws -> SourceCoverage {
        guard matchRadius.isFinite, matchRadius >= 0 else {
            throw CatalogueError(.invalidArgument, "the match radius of a coverage from sources must be a number of arcsec, at least 0")
        }
        if let r = closingRadius, !(r.isFinite && r > 0) {
            throw CatalogueError(.invalidArgument, "the closing radius of a coverage from sources must be a positive number of arcsec")
        }
        if let o = order, !(0...29).contains(o) { throw CatalogueError(.invalidArgument, "a coverage's HEALPix order must be 0...29") }
        let median = try medianNearestNeighbour(ra: ra, dec: dec)
        let d = median ?? (matchRadius > 0 ? matchRadius : 60)
        let radius = closingRadius ?? max(matchRadius, 4 * d)
        let cellOrder = order ?? min(16, max(6, Int(log2(58.6 * 3600 / d).rounded())))
        let cell = HEALPixLayer.layers[cellOrder].resolution * 3600
        let rings = max(1, Int((radius / cell).rounded()))
        let occupied = MOC(pixels: try HEALPix.nestedPixels(order: cellOrder, ra: ra, dec: dec), order: cellOrder)
        return SourceCoverage(moc: occupied.dilated(rings: rings).eroded(rings: rings), order: cellOrder,
                              radiusArcsec: radius, medianNearestArcsec: median)
    }

    /// The median distance (**arcsec**) from a source to its nearest neighbour (positions in **degrees**;
    /// invalid ones skipped; nil for fewer than 2 sources). Uses at most 5 000 evenly spaced sources (the
    /// median to about 1 %), each searched in a `SkyIndex` of all of them, the search radius doubled until
    /// most have a neighbour.
    public static func medianNearestNeighbour(ra: [Double], dec: [Double]) throws -> Double? {
        let valid = ra.indices.filter { $0 < dec.count && ra[$0].isFinite && dec[$0].isFinite && abs(dec[$0]) <= 90 }
        guard valid.count >= 2 else { return nil }
        let stride = max(1, valid.count / 5_000)
        let sample = Swift.stride(from: 0, to: valid.count, by: stride).map { valid[$0] }
        // First search radius: twice the mean spacing, from the area of the order-10 cells (3.4') holding sources.
        let coarse = try HEALPixLayer(order: 10)
        let occupied = Set(valid.map { coarse.nestedPixel(ra: ra[$0], dec: dec[$0]) }).count
        var radius = min(1.0, 2 * (Double(occupied) * coarse.resolution * coarse.resolution / Double(valid.count)).squareRoot())
        while true {
            // Cells about twice the radius: a query visits a few cells of a few sources each.
            var order = 0
            while order < 20 && HEALPixLayer.layers[order + 1].resolution > 2 * radius { order += 1 }
            let index = try SkyIndex(ra: ra, dec: dec, order: order)
            var d: [Double] = []
            for i in sample {
                let hits = index.nearest(ra: ra[i], dec: dec[i], k: 2, within: radius)
                if let h = hits.first(where: { $0.row != i }) { d.append(h.separation) }
            }
            if d.count * 2 > sample.count || radius >= 180 {
                d += Array(repeating: Double.infinity, count: sample.count - d.count)
                d.sort()
                let m = d[(d.count - 1) / 2]
                return m.isFinite ? m * 3600 : nil
            }
            radius = min(180, radius * 2)
        }
    }
}
