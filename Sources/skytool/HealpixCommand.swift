import ArgumentParser
import SkyCore

struct HealpixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healpix",
        abstract: "Add a HEALPix pixel column to a catalogue, or print the pixel of one position.",
        discussion: """
        Pixels are nested unless --ring is given; the column is named _healpix_<order> (as HATS names its
        _healpix_29 column) unless --column says otherwise. Invalid positions get -1.

        Examples:
          skytool healpix sources.fits --order 10 --out sources_hp.fits
          skytool healpix --order 29 --ra 83.633 --dec 22.0145
          skytool healpix --order 12 --ra 05:34:31.94 --dec +22:00:52.2 --ring
        """
    )

    @Argument(help: "Input catalogue (FITS or CSV).") var catalogue: String?
    @Option(parsing: .unconditional, help: "HEALPix order 0...29 (nside = 2^order).") var order: Int
    @Flag(help: "Ring scheme instead of nested.") var ring = false
    @Option(parsing: .unconditional, help: "Output catalogue (FITS or CSV).") var out: String?
    @Option(parsing: .unconditional, help: "Name of the pixel column.") var column: String?
    @Option(parsing: .unconditional, help: "Right ascension (degrees or hh:mm:ss).") var ra: RAArgument?
    @Option(parsing: .unconditional, help: "Declination (degrees or dd:mm:ss).") var dec: DecArgument?
    @OptionGroup var positions: PositionOptions

    func validate() throws {
        guard (0...29).contains(order) else { throw ValidationError("--order must be 0...29") }
        if catalogue == nil {
            guard ra != nil, dec != nil else { throw ValidationError("give a catalogue and --out, or --ra and --dec") }
        } else if out == nil {
            throw ValidationError("--out is required with a catalogue")
        }
    }

    func run() throws {
        if let path = catalogue, let out { try Output.refuseOverwriting(inputs: [path], outputs: [out]) }
        if let path = catalogue, let out {
            var cat = try Catalogue.read(path)
            try positions.apply(&cat)
            let result = try cat.addingHEALPixColumn(order: order, ring: ring, name: column)
            try result.write(to: out)
            print("wrote \(result.rowCount) rows with column \(result.columns.last?.name ?? "") to \(out)")
            return
        }
        guard let ra, let dec else { return }
        let layer = try HEALPixLayer(order: order)
        print(ring ? layer.ringPixel(ra: ra.degrees, dec: dec.degrees) : layer.nestedPixel(ra: ra.degrees, dec: dec.degrees))
    }
}
