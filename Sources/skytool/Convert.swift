import ArgumentParser
import SkyCore

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a catalogue between FITS and CSV, optionally selecting columns and rows.",
        discussion: """
        The formats follow the file extensions (.fits, .fits.gz, .csv, .tsv, .ecsv). CSV output starts
        with an ECSV metadata header (types, units) unless --plain-csv is given.

        Examples:
          skytool convert sources.csv sources.fits
          skytool convert plate.fits bright.csv --where "mag < 12 && flags == 0" --columns ra,dec,mag
          skytool convert 'multi.fits[2]' out.fits --where "flux_max > 0.3*max(flux_max)"
        """
    )

    @Argument(help: "Input catalogue (FITS or CSV).") var input: String
    @Argument(help: "Output catalogue (FITS or CSV, by extension).") var output: String
    @Option(parsing: .unconditional, help: "HDU to read (0 = primary, as in file.fits[N]); default: the first table.") var hdu: Int?
    @Option(parsing: .unconditional, help: "Comma-separated columns to keep, in this order.") var columns: String?
    @Option(name: .customLong("where"), parsing: .unconditional, help: "Row filter expression, e.g. \"mag < 12 && abs(dec) < 30\".") var whereExpr: String?
    @Flag(help: "Write CSV without the ECSV metadata header.") var plainCsv = false

    func run() throws {
        try Output.refuseOverwriting(inputs: [input], outputs: [output])
        releaseCachedPages(ofReplacedOutput: output, inputs: [input])
        var cat = try Catalogue.read(input, hdu: hdu)
        if let e = whereExpr { cat = try cat.filter(e) }
        if let c = columns { cat = try cat.selecting(Output.list(c)) }
        var opts = CSVWriteOptions()
        opts.metadata = !plainCsv
        try cat.write(to: output, csv: opts)
        print("wrote \(cat.rowCount) rows, \(cat.columns.count) columns to \(output)")
    }
}
