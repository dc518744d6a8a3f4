// Crossmatching a table too large for memory: table 2 is prepared once and kept; table 1 arrives in blocks of
// rows, each matched on arrival. Per block the work and memory are those of an in-memory match of the block
// against table 2, so a survey-sized table 1 streams through in constant memory.
import SkyCore

/// Matches table 1, block by block, against table 2 held in memory, with a fixed radius.
///
/// Supported: `find: .best1` (each row of table 1 gets its nearest partner in table 2 within the radius, ties
/// to the lower table-2 row: exactly `Crossmatch.match`'s answer, since a row's candidates all lie in table 2)
/// and `find: .all` (every pair; pair lists are final per block, but `groupIDs` are not computed, as groups
/// may span blocks). `best2` and `best` need every pair of a table-2 row at once and are refused.
///
/// ```swift
/// let m = try BlockCrossmatch(ra2: ra2, dec2: dec2, radiusArcsec: 1, find: .best1, expectedRows1: 1_000_000_000)
/// for block in blocksOfTable1 { let r = try m.match(ra1: block.ra, dec1: block.dec, firstRow: block.first); ... }
/// let never = m.unmatched2   // table-2 rows no block matched
/// ```
/// Not safe for concurrent use from several tasks (the blocks share table 2's matched flags); each call uses
/// every core itself.
public final class BlockCrossmatch {
    /// The match radius in **arcseconds**.
    public let radiusArcsec: Double
    public let find: FindMode
    let p2: PositionSource
    let b: PixelSorted
    let order: Int
    /// Table-2 rows matched by some block, or invalid.
    private var used2: [Bool]
    /// Rows of table 2 whose position is invalid (NaN or |dec| > 90), ascending.
    public let invalid2: [Int]
    /// Rows of table 1 matched so far (the sum of the blocks' sizes).
    public private(set) var rows1Seen = 0

    /// Prepares table 2 (positions in **degrees**) for blocks of table 1. `expectedRows1`: the total rows of
    /// table 1, if known (it sets the HEALPix block size with table 2's density; a guess is fine).
    public init(ra2: [Double], dec2: [Double], radiusArcsec: Double, find: FindMode = .best1, expectedRows1: Int = 0) throws {
        guard find == .best1 || find == .all else {
            throw CatalogueError(.invalidArgument, "matching in blocks supports find best1 and all (best2 and best need every pair of a table-2 row at once)")
        }
        guard radiusArcsec.isFinite, radiusArcsec > 0 else {
            throw CatalogueError(.invalidArgument, "the match radius must be a positive number of arcseconds")
        }
        let n2 = min(ra2.count, dec2.count)
        self.radiusArcsec = radiusArcsec; self.find = find
        p2 = PositionSource(ra: ra2, dec: dec2)
        let maxR = radiusArcsec / 3600
        order = PairSearch.order(maxRadius: maxR, count: max(n2, expectedRows1), areaDeg2: Crossmatch.estimatedArea(p2, PositionSource(ra: [], dec: [])))
        b = PixelSorted(p2, order: order, radius: maxR, role: .searched)
        invalid2 = b.invalidRows
        used2 = [Bool](repeating: false, count: n2)
        for r in invalid2 { used2[r] = true }
    }

    /// Matches the next block of table 1: rows `firstRow ..< firstRow + count` of table 1, positions in
    /// **degrees**. The result numbers table-1 rows from the start of table 1 (pairs, `unmatched1`,
    /// `invalid1`); `count1` is the block's size; `unmatched2` and `invalid2` are empty (see `unmatched2`
    /// after the last block).
    public func match(ra1: [Double], dec1: [Double], firstRow: Int) throws -> MatchResult {
        guard firstRow >= 0 else { throw CatalogueError(.invalidArgument, "a block's first row cannot be negative") }
        let p1 = PositionSource(ra: ra1, dec: dec1)
        let n1 = p1.count, n2 = used2.count
        var result = MatchResult(rows1: [], rows2: [], separations: [], scores: [], groupIDs: nil, groupSizes: nil,
                                 unmatched1: [], unmatched2: [], invalid1: [], invalid2: invalid2,
                                 count1: n1, count2: n2)
        rows1Seen += n1
        if n1 > 0 && n2 > 0 {
            let a = PixelSorted(p1, order: order, radius: radiusArcsec / 3600, role: .walked)
            result.invalid1 = a.invalidRows
            Crossmatch.run(a, b, p1, p2, order: order, maxRadius: radiusArcsec / 3600,
                           options: MatchOptions(.radius(arcsec: radiusArcsec), find: find), groups: false, into: &result)
        } else {
            result.invalid1 = Crossmatch.invalidRows(p1)
            result.unmatched1 = Crossmatch.validRows(n1, invalid: result.invalid1)
        }
        for r in result.rows2 { used2[r] = true }
        result.unmatched2 = []; result.invalid2 = []
        if firstRow != 0 {
            for i in result.rows1.indices { result.rows1[i] += firstRow }
            for i in result.unmatched1.indices { result.unmatched1[i] += firstRow }
            for i in result.invalid1.indices { result.invalid1[i] += firstRow }
        }
        return result
    }

    /// Rows of table 2 that no block has matched so far and whose position is valid, ascending.
    public var unmatched2: [Int] { Crossmatch.unset(used2) }
}
