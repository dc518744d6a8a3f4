import ArgumentParser
import Foundation
import SkyCore
import SkyMatch

struct Match: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Crossmatch two catalogues (STILTS tmatch2's find and join modes), labelling rows without partners.",
        discussion: """
        --find: all (every pair), best1 (best partner for each row of A), best2 (for each row of B),
        best (one-to-one; optimal assignment, or STILTS's greedy one with --greedy).
        --join: 1and2, 1or2, all1, all2, 1not2, 2not1, 1xor2.
        Radii take units (mas, arcsec or ", arcmin or ', deg; a bare number is arcsec).

        Examples:
          skytool match plate1.fits plate2.fits --radius 2arcsec --find best1 --out pairs.fits
          skytool match hip2.fits tycho2.fits --radius 1arcsec --epoch1 1991.25 --epoch2 2000
          skytool match tycho2.fits gaia.fits --radius 1 --epoch-col1 mean_epoch --epoch-col2 ref_epoch
          skytool match a.csv b.csv --radius 3 --join 1not2 --coverage2 b_moc.fits --out missing.fits
          skytool match a.fits b.fits --err1 pos_err --err2 pos_err --nsigma 3 --find best
          skytool match a.fits b.fits --err1 ra_err,dec_err --err2 ra_err,dec_err --de-ruiter 5.68 --find best
          skytool match a.fits b.fits --radius 1 --find best1 --columns1 id --columns2 id --out pairs.fits
        """
    )

    @Argument(help: "Table 1 (FITS or CSV).") var table1: String
    @Argument(help: "Table 2 (FITS or CSV).") var table2: String
    @Option(parsing: .unconditional, help: "Match radius (bare number: arcsec).") var radius: RadiusArgument?
    @Option(parsing: .unconditional, help: "Per-row radius column of table 1, in arcsec.") var radiusCol1: String?
    @Option(parsing: .unconditional, help: "Positional error column of table 1 (arcsec): sep <= err1 + err2, or with --nsigma; with --de-ruiter, RA and Dec error columns.") var err1: String?
    @Option(parsing: .unconditional, help: "Positional error column of table 2 (arcsec).") var err2: String?
    @Option(parsing: .unconditional, help: "With --err1/--err2: match when sep <= nsigma * sqrt(err1^2 + err2^2).") var nsigma: Double?
    @Option(parsing: .unconditional, help: "With --err1 RAERR,DECERR and --err2 RAERR,DECERR (1-sigma, arcsec; RA error of ra*cos dec): match when the de Ruiter radius is at most this (VAST/TraP).") var deRuiter: Double?
    @Option(parsing: .unconditional, help: "Error-ellipse columns of table 1: semi-major,semi-minor (arcsec),position angle (deg E of N); match when ellipses overlap.") var ellipse1: String?
    @Option(parsing: .unconditional, help: "Error-ellipse columns of table 2 (as --ellipse1).") var ellipse2: String?
    @Option(parsing: .unconditional, help: "all, best1, best2 or best.") var find: String = "best"
    @Flag(help: "With --find best: STILTS's greedy assignment instead of the optimal one.") var greedy = false
    @Option(parsing: .unconditional, help: "1and2, 1or2, all1, all2, 1not2, 2not1 or 1xor2.") var join: String = "1and2"
    @Option(parsing: .unconditional, help: "RA column of table 1.") var ra1: String?
    @Option(parsing: .unconditional, help: "Dec column of table 1.") var dec1: String?
    @Option(parsing: .unconditional, help: "RA column of table 2.") var ra2: String?
    @Option(parsing: .unconditional, help: "Dec column of table 2.") var dec2: String?
    @Option(parsing: .unconditional, help: "Epoch of table 1 (Julian years); with --epoch2 and proper motions in table 1.") var epoch1: Double?
    @Option(parsing: .unconditional, help: "Epoch of table 2 (Julian years).") var epoch2: Double?
    @Option(parsing: .unconditional, help: "Per-row epoch column of table 1 (Julian years; rows without a value take --epoch1).") var epochCol1: String?
    @Option(parsing: .unconditional, help: "Per-row epoch column of table 2 (Julian years; rows without a value take --epoch2).") var epochCol2: String?
    @Option(parsing: .unconditional, help: "Epoch to match at (Julian years; default: table 2's, which must then be one value); both tables are moved there by their proper motions.") var matchEpoch: Double?
    @Option(parsing: .unconditional, help: "Coverage of table 2 (MOC, FITS or ASCII; or table 2's image, its WCS footprint): unmatched table-1 rows outside it are not_covered.") var coverage2: String?
    @Option(parsing: .unconditional, help: "Coverage of table 1 (as --coverage2): labels unmatched table-2 rows.") var coverage1: String?
    @Flag(help: "Build table 2's coverage from its own sources (closed HEALPix cells about its median source spacing wide; instead of --coverage2).") var coverage2Sources = false
    @Flag(help: "Build table 1's coverage from its own sources (as --coverage2-sources).") var coverage1Sources = false
    @Option(parsing: .unconditional, help: "Closing radius of a coverage from sources: gaps up to about this size are filled (bare number: arcsec; default 4x the median spacing, at least the match radius).") var coverageRadius: RadiusArgument?
    @Option(parsing: .unconditional, help: "HEALPix order of a coverage made from an image (default 12) or from sources (default: cells about the median spacing wide).") var coverageOrder: Int?
    @Option(parsing: .unconditional, help: "Output table (FITS or CSV by extension).") var out: String?
    @Option(parsing: .unconditional, help: "Comma-separated columns of table 1 to copy to the output (default: all; \"\" for none).") var columns1: String?
    @Option(parsing: .unconditional, help: "Comma-separated columns of table 2 to copy to the output (default: all; \"\" for none).") var columns2: String?
    @Option(parsing: .unconditional, help: "Read table 1 (FITS) this many rows at a time and write the output (FITS) as it goes, for a table 1 larger than memory (--radius, --find best1 or all, no group columns or coverage labels).") var blockRows: Int?
    @Flag(help: "Print a JSON summary.") var json = false
    @Flag(help: "No progress bar or summary text (the bar is drawn only when stderr is a terminal).") var quiet = false

    func validate() throws {
        guard FindMode(rawValue: find) != nil else { throw ValidationError("--find must be all, best1, best2 or best") }
        guard JoinMode(rawValue: join) != nil else { throw ValidationError("--join must be 1and2, 1or2, all1, all2, 1not2, 2not1 or 1xor2") }
        let kinds = [radius != nil, radiusCol1 != nil, err1 != nil || err2 != nil, ellipse1 != nil || ellipse2 != nil].filter { $0 }.count
        guard kinds == 1 else { throw ValidationError("give exactly one of --radius, --radius-col1, --err1 with --err2 (and --nsigma or --de-ruiter), or --ellipse1 with --ellipse2") }
        if (ellipse1 == nil) != (ellipse2 == nil) { throw ValidationError("--ellipse1 and --ellipse2 go together") }
        for e in [ellipse1, ellipse2].compactMap({ $0 }) where Output.list(e).count != 3 {
            throw ValidationError("an ellipse is three columns: semi-major,semi-minor,position-angle")
        }
        if (err1 == nil) != (err2 == nil) { throw ValidationError("--err1 and --err2 go together") }
        if (ra1 == nil) != (dec1 == nil) { throw ValidationError("give both --ra1 and --dec1, or neither") }
        if (ra2 == nil) != (dec2 == nil) { throw ValidationError("give both --ra2 and --dec2, or neither") }
        if deRuiter != nil {
            guard let e1 = err1, let e2 = err2, Output.list(e1).count == 2, Output.list(e2).count == 2, nsigma == nil else {
                throw ValidationError("--de-ruiter needs --err1 RAERR,DECERR and --err2 RAERR,DECERR (two columns each), without --nsigma")
            }
        } else if let e = [err1, err2].compactMap({ $0 }).first(where: { Output.list($0).count != 1 }) {
            throw ValidationError("--err1/--err2 name one error column each (got '\(e)'; two columns are for --de-ruiter)")
        }
        if (epoch1 == nil && epochCol1 == nil) != (epoch2 == nil && epochCol2 == nil) {
            throw ValidationError("the epochs of both tables go together: --epoch1 or --epoch-col1 with --epoch2 or --epoch-col2")
        }
        if let o = coverageOrder, !(0...29).contains(o) { throw ValidationError("--coverage-order must be 0...29") }
        if coverage1 != nil && coverage1Sources || coverage2 != nil && coverage2Sources {
            throw ValidationError("give a table's coverage as a file (--coverage1/--coverage2) or from its sources (--coverage1-sources/--coverage2-sources), not both")
        }
        if coverageRadius != nil && !coverage1Sources && !coverage2Sources {
            throw ValidationError("--coverage-radius is for a coverage from sources (--coverage1-sources or --coverage2-sources)")
        }
        if matchEpoch != nil && epoch1 == nil && epochCol1 == nil { throw ValidationError("--match-epoch needs the epochs of both tables") }
    }

    struct Summary: Codable {
        var rows1: Int, rows2: Int, pairs: Int, unmatched1: Int, unmatched2: Int
        var notCovered1: Int, notCovered2: Int, invalid1: Int, invalid2: Int
        var outputRows: Int, seconds: [String: Double]
        /// Coverages built from the tables' sources (--coverage1-sources/--coverage2-sources).
        var sourceCoverage1: CoverageSummary?, sourceCoverage2: CoverageSummary?
    }

    struct CoverageSummary: Codable {
        var order: Int, radiusArcsec: Double, medianNearestArcsec: Double?, areaDeg2: Double
        init(_ c: SourceCoverage) {
            order = c.order; radiusArcsec = c.radiusArcsec; medianNearestArcsec = c.medianNearestArcsec; areaDeg2 = c.moc.areaDeg2
        }
    }

    func run() throws {
        // An output that replaces a file: its cached pages serve this run (see releaseCachedPages).
        try Output.refuseOverwriting(inputs: [table1, table2] + [coverage1, coverage2].compactMap { $0 }, outputs: [out])
        if let out { releaseCachedPages(ofReplacedOutput: out, inputs: [table1, table2]) }
        if let blockRows { try runInBlocks(blockRows); return }
        let clock = ContinuousClock()
        var t = clock.now
        var times: [String: Double] = [:]
        func lap(_ k: String) { let n = clock.now; let d = n - t; times[k] = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18; t = n }
        // The files' match columns live only inside readAndMatch (output columns are kept by the match or read
        // after it), so they are freed before the join; the match itself (its row lists) is released before
        // the write, whose file pages then reuse that memory.
        var (summary, table) = try matchAndJoin(lap: lap)
        if let out, let table { try table.write(to: out); lap("write") }
        summary.seconds = times
        if json { print(try Output.json(summary)); return }
        if quiet { return }
        print("\(summary.pairs) pairs; table 1: \(summary.unmatched1) of \(summary.rows1) unmatched (\(summary.notCovered1) not covered, \(summary.invalid1) invalid); table 2: \(summary.unmatched2) of \(summary.rows2) unmatched")
        if let out { print("wrote \(summary.outputRows) rows to \(out)") }
    }

    /// Reads, matches and (with --out) joins (`CatalogueFiles`): the summary (without timings) and the joined
    /// table. The files' match columns live only until the match; output columns read after the match are
    /// read in the "join" lap.
    func matchAndJoin(lap: (String) -> Void) throws -> (Summary, Catalogue?) {
        let fm = try readAndMatch(lap: lap)
        var t: Catalogue? = nil
        if out != nil { t = try fm.table(); lap("join") }
        let m = fm.match, r = m.result
        let summary = Summary(rows1: r.count1, rows2: r.count2, pairs: r.pairCount, unmatched1: r.unmatched1.count, unmatched2: r.unmatched2.count,
                              notCovered1: m.notCovered1.count, notCovered2: m.notCovered2.count,
                              invalid1: r.invalid1.count, invalid2: r.invalid2.count, outputRows: t?.rowCount ?? 0, seconds: [:],
                              sourceCoverage1: m.sourceCoverage1.map(CoverageSummary.init), sourceCoverage2: m.sourceCoverage2.map(CoverageSummary.init))
        return (summary, t)
    }

    /// Reads both files and matches them (the "read" and "match" laps).
    func readAndMatch(lap: (String) -> Void) throws -> CatalogueFileMatch {
        func input(_ path: String, _ ra: String?, _ dec: String?, _ criterion: [String]) -> MatchInput {
            MatchInput(path: path, positionColumns: ra.flatMap { r in dec.map { PositionColumns(ra: r, dec: $0) } }, criterionColumns: criterion)
        }
        // What is read depends on the options but not on the criterion (set below from the files' columns).
        var options = try catalogueOptions(MatchOptions(.radius(arcsec: 1)))
        let files = try CatalogueFiles(input(table1, ra1, dec1, criterionColumns1), input(table2, ra2, dec2, criterionColumns2),
                                       options: options, joining: out != nil)
        let a = files.table1, b = files.table2
        lap("read")
        let criterion: MatchCriterion
        if let radius { criterion = .radius(arcsec: radius.degrees * 3600) }
        else if let c = radiusCol1 { criterion = .radiusPerRow1(arcsec: try a.doubles(c)) }
        else if let e1 = err1.map(Output.list), let e2 = err2.map(Output.list), let limit = deRuiter {
            criterion = .deRuiter(raErr1: try a.doubles(e1[0]), decErr1: try a.doubles(e1[1]),
                                  raErr2: try b.doubles(e2[0]), decErr2: try b.doubles(e2[1]), limit: limit)
        } else if let e1 = err1, let e2 = err2 {
            let v1 = try a.doubles(e1), v2 = try b.doubles(e2)
            criterion = nsigma.map { .combinedErrors(err1: v1, err2: v2, nsigma: $0) } ?? .sumOfErrors(err1: v1, err2: v2, scale: 1)
        } else if let e1 = ellipse1.map(Output.list), let e2 = ellipse2.map(Output.list) {
            criterion = .ellipses(a1: try a.doubles(e1[0]), b1: try a.doubles(e1[1]), pa1: try a.doubles(e1[2]),
                                  a2: try b.doubles(e2[0]), b2: try b.doubles(e2[1]), pa2: try b.doubles(e2[2]))
        } else { throw ValidationError("no match criterion") }
        let bar = ProgressBar("matching", quiet: quiet || json)
        options.match = MatchOptions(criterion, find: FindMode(rawValue: find) ?? .best, greedy: greedy, progress: { bar.update($0) })
        let m = try files.match(options: options)
        bar.finish()
        lap("match")
        return m
    }

    /// Per-row criterion columns of table 1 / table 2 (radius, errors, ellipses).
    var criterionColumns1: [String] { [radiusCol1].compactMap { $0 } + (err1.map(Output.list) ?? []) + (ellipse1.map(Output.list) ?? []) }
    var criterionColumns2: [String] { (err2.map(Output.list) ?? []) + (ellipse2.map(Output.list) ?? []) }

    /// The join, epoch, coverage and column options around `mo`.
    func catalogueOptions(_ mo: MatchOptions) throws -> CatalogueMatchOptions {
        var o = CatalogueMatchOptions(mo, join: JoinMode(rawValue: join) ?? .and, epoch1: epoch1, epoch2: epoch2,
                                      coverage1: try coverage1.map { try MOC.coverage(ofFile: $0, footprintOrder: coverageOrder ?? 12) },
                                      coverage2: try coverage2.map { try MOC.coverage(ofFile: $0, footprintOrder: coverageOrder ?? 12) },
                                      columns1: columns1.map(Output.list), columns2: columns2.map(Output.list),
                                      epochColumn1: epochCol1, epochColumn2: epochCol2, matchEpoch: matchEpoch)
        o.coverageFromSources1 = coverage1Sources; o.coverageFromSources2 = coverage2Sources
        o.sourceCoverageRadius = coverageRadius.map { $0.degrees * 3600 }; o.sourceCoverageOrder = coverageOrder
        return o
    }

    /// `--block-rows`: CatalogueMatch.matchInBlocks, table 1 streamed from its file.
    func runInBlocks(_ rows: Int) throws {
        guard let out else { throw ValidationError("--block-rows writes as it goes: give --out") }
        guard let radius else { throw ValidationError("--block-rows needs --radius") }
        var b = try Catalogue.read(table2)
        if let r = ra2, let d = dec2 { b.positionColumns = PositionColumns(ra: r, dec: d) }
        let mo = MatchOptions(.radius(arcsec: radius.degrees * 3600), find: FindMode(rawValue: find) ?? .best, greedy: greedy)
        let options = try catalogueOptions(mo)
        let positions1 = ra1.flatMap { r in dec1.map { PositionColumns(ra: r, dec: $0) } }
        let s = try CatalogueMatch.matchInBlocks(table1: table1, positions1: positions1, b, options: options, blockRows: rows, out: out)
        if json {
            print(try Output.json(Summary(rows1: s.rows1, rows2: s.rows2, pairs: s.pairs, unmatched1: s.unmatched1, unmatched2: s.unmatched2,
                                          notCovered1: 0, notCovered2: 0, invalid1: s.invalid1, invalid2: s.invalid2, outputRows: s.outputRows, seconds: [:])))
            return
        }
        if quiet { return }
        print("\(s.pairs) pairs in \(s.blocks) blocks; table 1: \(s.unmatched1) of \(s.rows1) unmatched (\(s.invalid1) invalid); table 2: \(s.unmatched2) of \(s.rows2) unmatched")
        print("wrote \(s.outputRows) rows to \(out)")
    }
}
