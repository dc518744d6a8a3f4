// Crossmatching a FITS table larger than memory: read block by block, matched against table 2 in memory
// (BlockCrossmatch), and the joined table written as it grows (FITSTableAppender).
import SkyCore

/// What `CatalogueMatch.matchInBlocks` did.
public struct BlockMatchSummary: Sendable, Equatable {
    public var rows1 = 0, rows2 = 0, pairs = 0, unmatched1 = 0, unmatched2 = 0, invalid1 = 0, invalid2 = 0
    public var outputRows = 0, blocks = 0
}

extension CatalogueMatch {
    /// Matches the FITS table at `table1` (HDU `hdu`, default the first table), read `blockRows` rows at a time,
    /// against `t2` held in memory, and writes the joined table to the FITS file `out` as each block is matched.
    /// Memory: table 2 and one block, whatever the size of table 1.
    ///
    /// The output equals `CatalogueMatch(t1, t2, options:).table()` (same rows, order and columns) for a fixed
    /// radius (`.radius`) and `find` `.best1` or `.all` — without `group_id`/`group_size`, since groups may span
    /// blocks. Epochs are as for `CatalogueMatch` (each block moved by its proper motions, table 2 once). Not
    /// supported: coverage labels, other criteria or find modes, string columns (choose columns with
    /// `columns1`/`columns2`), CSV output.
    /// `positions1`: table 1's position columns when they are not found by name.
    public static func matchInBlocks(table1: String, hdu: Int? = nil, positions1: PositionColumns? = nil, _ t2: Catalogue,
                                     options: CatalogueMatchOptions, blockRows: Int, out: String) throws -> BlockMatchSummary {
        guard blockRows > 0 else { throw CatalogueError(.invalidArgument, "the block size must be a positive number of rows") }
        guard case .radius(let radius) = options.match.criterion else {
            throw CatalogueError(.invalidArgument, "matching in blocks needs a fixed radius")
        }
        guard !options.labelsCoverage else {
            throw CatalogueError(.invalidArgument, "coverage labels are not available when matching in blocks")
        }
        guard CatalogueFormat.infer(path: table1) == .fits, CatalogueFormat.infer(path: out) == .fits else {
            throw CatalogueError(.unsupportedFormat, "matching in blocks reads a FITS table 1 and writes a FITS table (got '\(table1)' and '\(out)')")
        }
        let file = try FITSFile(path: table1)
        let total = try file.tableRowCount(hdu: hdu)
        // Table 2 at the match epoch (moved, when its epochs differ from it); each block is moved there too.
        let epochs = try CatalogueMatch.epochsOfTable2(t2, options)
        var (ra2, dec2) = try t2.positions()
        if let (target, e2) = epochs {
            (ra2, dec2) = try CatalogueMatch.moved(PositionSource(ra: ra2, dec: dec2), t2, epochs: e2, to: target, table: 2).arrays()
        }
        let matcher = try BlockCrossmatch(ra2: ra2, dec2: dec2, radiusArcsec: radius, find: options.match.find, expectedRows1: total)
        let t2out = try options.columns2.map { try t2.selecting($0) } ?? t2
        let appender = try FITSTableAppender(path: out)
        var summary = BlockMatchSummary(rows1: total, rows2: t2.rowCount)
        var empty1: Catalogue? = nil   // table 1's output columns with no rows, for the table-2-only rows
        var lo = 0
        repeat {
            let hi = min(total, lo + blockRows)
            var block = try file.readTable(hdu: hdu, rows: lo..<hi).catalogue
            if let positions1 { block.positionColumns = positions1 }
            let out1 = try options.columns1.map { try block.selecting($0) } ?? block
            let (ra1, dec1) = try CatalogueMatch.positions1(block, options, target: epochs?.0)
            // Rows numbered within the block for the join; table-2-only rows come after the last block.
            let r = try matcher.match(ra1: ra1, dec1: dec1, firstRow: 0)
            let joined = try join({ out1.rowsAllowingMissing($0) }, { t2out.rowsAllowingMissing($0) }, r, join: options.join, reasons1: [:], reasons2: [:], labelled: false, scored: false)
            try appender.append(joined)
            summary.pairs += r.pairCount; summary.unmatched1 += r.unmatched1.count; summary.invalid1 += r.invalid1.count
            summary.outputRows += joined.rowCount; summary.blocks += 1
            if empty1 == nil { empty1 = out1.rows([]) }
            lo = hi
        } while lo < total
        var rest = MatchResult(rows1: [], rows2: [], separations: [], scores: [], groupIDs: nil, groupSizes: nil,
                               unmatched1: [], unmatched2: matcher.unmatched2, invalid1: [], invalid2: matcher.invalid2, count1: 0, count2: t2.rowCount)
        summary.unmatched2 = rest.unmatched2.count; summary.invalid2 = rest.invalid2.count
        if [.or, .all2, .only2, .xor].contains(options.join), let empty1 {
            rest.count1 = 0
            let tail = try join({ empty1.rowsAllowingMissing($0) }, { t2out.rowsAllowingMissing($0) }, rest, join: options.join, reasons1: [:], reasons2: [:], labelled: false, scored: false)
            try appender.append(tail)
            summary.outputRows += tail.rowCount
        }
        try appender.finish()
        return summary
    }
}
