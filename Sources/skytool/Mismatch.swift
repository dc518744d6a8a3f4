import ArgumentParser
import Foundation
import SkyConfig
import SkyCore
import SkyPlates

struct Mismatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sources on one photographic plate with no counterpart on another (APPLAUSE source + source_calib tables).",
        discussion: """
        Steps: join each plate's source and source_calib tables on source_id; quality cuts on plate 1; remove
        scanner artifacts (keep plate-1 rows with a duplicate within --dedup-radius when duplicates are common);
        nearest plate-2 partner within --radius; label unmatched plate-1 rows not_covered (outside plate 2's
        WCS footprint, or the discs around its sources) or not_detected (the candidates).
        Writes DIR/matched.fits, DIR/nonmatched.fits, DIR/summary.json and DIR/candidates.reg.
        A TOML file (--config) can hold every option; flags override it; --print-config prints the defaults.

        Examples:
          skytool mismatch --plate1 p1_source.csv p1_calib.csv --plate2 p2_source.csv p2_calib.csv --out-dir out
          skytool mismatch --config plates.toml --radius 3arcsec --cut elongation='elongation < 2' --drop-cut flux_max
          skytool mismatch --print-config > plates.toml
        """
    )

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Plate 1: its source and source_calib tables (CSV or FITS).", valueName: "SOURCE CALIB")) var plate1: [String] = []
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Plate 2: its source and source_calib tables.", valueName: "SOURCE CALIB")) var plate2: [String] = []
    @Option(parsing: .unconditional, help: "Output folder.") var outDir: String?
    @Option(parsing: .unconditional, help: "TOML configuration file (see --print-config).") var config: String?
    @Flag(help: "Print the configuration (defaults, or --config with the flags applied) as TOML and exit.") var printConfig = false
    @Option(parsing: .unconditional, help: "Plate 2's WCS (FITS header with the image size): its footprint is plate 2's coverage.") var wcs2: String?
    @Option(parsing: .unconditional, help: "Match radius (bare number: arcsec; default 5\").") var radius: RadiusArgument?
    @Option(parsing: .unconditional, help: "Self-match radius for scanner artifacts (default 2\").") var dedupRadius: RadiusArgument?
    @Option(parsing: .unconditional, help: "auto (when more rows than --dedup-threshold have a duplicate), always or never.") var dedup: String?
    @Option(parsing: .unconditional, help: "Fraction of duplicated rows above which the artifact step applies (default 0.1).") var dedupThreshold: Double?
    @Option(parsing: .unconditional, help: "Disc radius around plate-2 sources for its coverage when there is no WCS (default: auto).") var coverageRadius: RadiusArgument?
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Set or add a named plate-1 cut (repeatable).", valueName: "NAME=EXPR")) var cut: [String] = []
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Drop a named plate-1 cut (repeatable).", valueName: "NAME")) var dropCut: [String] = []
    @Option(parsing: .unconditionalSingleValue, help: "A further plate-1 cut (repeatable), e.g. 'natmag < 14'.") var `where`: [String] = []
    @Option(parsing: .unconditional, help: "RA column of the joined tables (default: from source_calib, ra_icrs or raj2000).") var raCol: String?
    @Option(parsing: .unconditional, help: "Dec column of the joined tables.") var decCol: String?
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        if !plate1.isEmpty && plate1.count != 2 { throw ValidationError("--plate1 takes two files: SOURCE CALIB") }
        if !plate2.isEmpty && plate2.count != 2 { throw ValidationError("--plate2 takes two files: SOURCE CALIB") }
        if let d = dedup, DedupMode(rawValue: d) == nil { throw ValidationError("--dedup must be auto, always or never") }
        for c in cut where !c.contains("=") { throw ValidationError("--cut takes NAME=EXPR, got '\(c)'") }
    }

    /// The configuration: the file (if any), then the flags.
    func resolved() throws -> MismatchConfig {
        var cfg = MismatchConfig()
        if let config { cfg = try MismatchConfig(ConfigTable(contentsOf: config)) }
        if plate1.count == 2 { cfg.plate1 = PlateFiles(source: plate1[0], calib: plate1[1]) }
        if plate2.count == 2 { cfg.plate2 = PlateFiles(source: plate2[0], calib: plate2[1]) }
        if let outDir { cfg.outDir = outDir }
        if let wcs2 { cfg.options.wcs2 = wcs2 }
        if let radius { cfg.options.matchRadius = radius.degrees * 3600 }
        if let dedupRadius { cfg.options.dedupRadius = dedupRadius.degrees * 3600 }
        if let dedup, let m = DedupMode(rawValue: dedup) { cfg.options.dedup = m }
        if let dedupThreshold { cfg.options.dedupMinFraction = dedupThreshold }
        if let coverageRadius { cfg.options.coverageRadius = coverageRadius.degrees * 3600 }
        for c in cut {
            let parts = c.split(separator: "=", maxSplits: 1).map(String.init)
            cfg.options.setCut(parts[0].trimmingCharacters(in: .whitespaces), parts.count > 1 ? parts[1] : "")
        }
        for name in dropCut {
            guard cfg.options.cuts.contains(where: { $0.name == name }) else {
                throw ValidationError("--drop-cut: no cut named '\(name)' (cuts: \(cfg.options.cuts.map(\.name).joined(separator: ", ")))")
            }
            cfg.options.setCut(name, "")
        }
        cfg.options.extraCuts += `where`
        if let raCol { cfg.options.ra = raCol }
        if let decCol { cfg.options.dec = decCol }
        try cfg.options.validate()
        return cfg
    }

    func run() throws {
        let cfg = try resolved()
        if printConfig { print(cfg.toml, terminator: ""); return }
        guard let p1 = cfg.plate1, let p2 = cfg.plate2 else {
            throw ValidationError("give both plates: --plate1 SOURCE CALIB --plate2 SOURCE CALIB (or in --config)")
        }
        guard let dir = cfg.outDir else { throw ValidationError("give --out-dir (or output.dir in --config)") }
        let result = try MismatchSearch.run(plate1: p1, plate2: p2, options: cfg.options)
        try result.write(to: dir)
        if json {
            print(try Output.json(result.summary(dir: dir)))
        } else if !quiet {
            for s in result.steps {
                let name = s.name.padding(toLength: max(22, s.name.count), withPad: " ", startingAt: 0)
                let rows = String(s.rows), pad = String(repeating: " ", count: max(0, 8 - rows.count))
                print("\(name) \(pad)\(rows)  \(s.note)")
            }
            print("\n\(result.candidateRows.count) candidates; results in \(dir)/ (matched.fits, nonmatched.fits, summary.json, candidates.reg)")
        }
    }
}
