import ArgumentParser
import SkyCore
import SkyPhot

struct Varstats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Variability statistics per object of a long light-curve table (id, time, mag, err).",
        discussion: """
        Writes one row per object: n, weighted_mean, reduced_chi2 (the 'eta' of VAST and TraP), V,
        von_neumann_eta, stetson_k, mad, iqr, max_abs_m and vs_at_max_m (pairs with |Vs| >= --vs-threshold).

        Example:
          skytool varstats lightcurves.csv --id-col star --time-col mjd --mag-col mag --err-col magerr --out stats.fits
        """
    )

    @Argument(help: "Light-curve table (FITS or CSV).") var lightcurves: String
    @Option(parsing: .unconditional, help: "Object id column, or several separated by commas (e.g. star,band).") var idCol: String
    @Option(parsing: .unconditional, help: "Time column.") var timeCol: String = "time"
    @Option(parsing: .unconditional, help: "Magnitude column.") var magCol: String = "mag"
    @Option(parsing: .unconditional, help: "Magnitude error column.") var errCol: String = "err"
    @Option(parsing: .unconditional, help: "|Vs| threshold for the two-epoch m statistic (VAST: 4.3).") var vsThreshold: Double = 4.3
    @Option(parsing: .unconditional, help: "Output table.") var out: String

    func run() throws {
        try Output.refuseOverwriting(inputs: [lightcurves], outputs: [out])
        let t = try Catalogue.read(lightcurves)
        let s = try Variability.statistics(t, ids: Output.list(idCol), time: timeCol, mag: magCol, err: errCol, vsThreshold: vsThreshold)
        try s.write(to: out)
        print("statistics of \(s.rowCount) objects written to \(out)")
    }
}
