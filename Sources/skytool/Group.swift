import ArgumentParser
import SkyCore
import SkyMatch

struct Group: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Self-match one catalogue: friends-of-friends groups of rows within a radius, or the pairs.",
        discussion: """
        Adds group_id (missing for rows without neighbours) and group_size. --keep duplicated keeps only rows
        that have a neighbour (the plate workflow's scanner-artifact filter), singles only those without, first
        one row per group plus the singles. --pairs writes each pair as one wide row (_1/_2 columns, sep_arcsec).

        Examples:
          skytool group plate.fits --radius 2arcsec --keep duplicated --out real_sources.fits
          skytool group sources.csv --radius 1 --pairs --out close_pairs.csv
        """
    )

    @Argument(help: "Catalogue (FITS or CSV).") var catalogue: String
    @Option(parsing: .unconditional, help: "Link radius (bare number: arcsec).") var radius: RadiusArgument
    @Option(parsing: .unconditional, help: "all, duplicated, singles or first.") var keep: String = "all"
    @Flag(help: "Write the pairs (wide rows) instead of the grouped rows.") var pairs = false
    @Option(parsing: .unconditional, help: "Output catalogue (FITS or CSV).") var out: String
    @OptionGroup var positions: PositionOptions

    func validate() throws {
        guard SelfMatch.Keep(rawValue: keep) != nil else { throw ValidationError("--keep must be all, duplicated, singles or first") }
    }

    func run() throws {
        try Output.refuseOverwriting(inputs: [catalogue], outputs: [out])
        releaseCachedPages(ofReplacedOutput: out, inputs: [catalogue])
        var cat = try Catalogue.read(catalogue)
        try positions.apply(&cat)
        let g = try SelfMatch(cat, radius: radius.degrees * 3600)
        let result = pairs ? try g.pairTable(cat) : try g.annotate(cat, keep: SelfMatch.Keep(rawValue: keep) ?? .all)
        try result.write(to: out)
        let groups = Set(g.groupIDs.filter { $0 > 0 }).count
        print("\(g.rows1.count) pairs, \(groups) groups; \(Int((g.duplicatedFraction * 100).rounded()))% of rows have a neighbour; wrote \(result.rowCount) rows to \(out)")
    }
}
