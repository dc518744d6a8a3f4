import ArgumentParser
import Foundation
import SkyCore

struct Cone: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Select the rows of a catalogue within a radius of a position (a cone search).",
        discussion: """
        Rows come out nearest first with a sep_arcsec column. The radius takes units (mas, arcsec or ",
        arcmin or ', deg); a bare number is arcsec.

        Examples:
          skytool cone hip2.fits --ra 56.75 --dec 24.1167 --radius 1deg --out pleiades.fits
          skytool cone sources.csv --ra 05:34:31.94 --dec +22:00:52.2 --radius 2arcsec
        """
    )

    @Argument(help: "Catalogue (FITS or CSV).") var catalogue: String
    @Option(parsing: .unconditional, help: "Centre right ascension (degrees or hh:mm:ss).") var ra: RAArgument
    @Option(parsing: .unconditional, help: "Centre declination (degrees or dd:mm:ss).") var dec: DecArgument
    @Option(parsing: .unconditional, help: "Radius, e.g. 2arcsec, 1.5', 0.1deg (bare number: arcsec).") var radius: RadiusArgument
    @Option(parsing: .unconditional, help: "Output catalogue; without it the rows are printed as CSV.") var out: String?
    @OptionGroup var positions: PositionOptions

    func run() throws {
        try Output.refuseOverwriting(inputs: [catalogue], outputs: [out])
        var cat = try Catalogue.read(catalogue)
        try positions.apply(&cat)
        let hits = try cat.cone(ra: ra.degrees, dec: dec.degrees, radius: radius.degrees)
        if let out {
            try hits.write(to: out)
            print("wrote \(hits.rowCount) rows to \(out)")
        } else {
            var o = CSVWriteOptions(); o.metadata = false
            print(CSVIO.render(hits, options: o), terminator: "")
        }
    }
}
