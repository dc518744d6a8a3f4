import ArgumentParser
import Foundation
import SkyAstrometry
import SkyConfig
import SkyCore

struct Astrometry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Relative astrometry across visits: LSST's AM1-3, AF1-3, AD1-3 over every pair of objects.",
        discussion: """
        The visits are associated into objects (--radius, default 1"); objects seen in at least 2 visits with
        a median magnitude in --mag-range are kept; every pair whose mean-position separation D' lies in
        [D - w/2, D + w/2) for D in --annuli (5, 20, 200 arcmin) and w = --width (2 arcmin) is used, with no
        sampling. Per pair, the separations in the visits where both were measured give:
          AMx = median over pairs of std(ddof=1) of the separations (mas);
          ADx = 90th percentile of x, AFx = percentage of |x| > 20, 20, 30 mas, where x are the residuals
                |d - median(d)| of pairs with >= 3 shared visits less their overall median (faro's definitions).
        --method seed: the two-visit variant (per pair |sep2 - sep1| between the first two visits, annulus
        +-30"; AM = median, AF = percentage above the AD threshold; AD undefined).
        Positions in degrees or radians by their units (LSST coord_ra/coord_dec in radians are read as such).

        Writes DIR/report.json (an lsst.verify job: measurements, specs with pass/fail), DIR/pairs_AMx.fits
        (object_id_1, object_id_2, sep_arcmin, n_visits, rms_mas) and DIR/AMx.png (the per-pair scatter's
        histogram and cumulative fraction with AMx, the requirement and the AF threshold), and prints the
        requirement table.

        Examples:
          skytool astrometry visit1.fits visit2.fits visit3.fits --mag-col psf_mag --out-dir qa
          skytool astrometry src_*.fits --flux-col base_PsfFlux_instFlux --zero-point 27 --out-dir qa
          skytool astrometry all_visits.fits --visit-col visit --mag-col mag --mag-range 17,21.5 --out-dir qa
          skytool astrometry v1.csv v2.csv --method seed --mag-col mag --out-dir seed
        """
    )

    @Argument(help: "Visit catalogues (FITS or CSV), in association order; one file may hold many visits with --visit-col.") var visitFiles: [String]
    @Option(parsing: .unconditional, help: "Output folder (created if missing).") var outDir: String
    @Option(parsing: .unconditional, help: "Magnitude column.") var magCol: String?
    @Option(parsing: .unconditional, help: "Flux column (with --zero-point): mag = ZP - 2.5 log10(flux).") var fluxCol: String?
    @Option(parsing: .unconditional, help: "Zero point for --flux-col (mag).") var zeroPoint: Double?
    @Option(parsing: .unconditional, help: "Median-magnitude range LO,HI (LO <= mag < HI), or 'none'.") var magRange: String?
    @Option(parsing: .unconditional, help: "Association radius (bare number: arcsec).") var radius: RadiusArgument?
    @Option(parsing: .unconditional, help: "Annulus centres, e.g. 5,20,200arcmin (bare numbers: arcmin).") var annuli: String?
    @Option(parsing: .unconditional, help: "Annulus width (bare number: arcmin; default 2', or 1' for --method seed).") var width: String?
    @Option(parsing: .unconditional, help: "faro (all visits) or seed (the two-visit variant).") var method: AstrometryMethod?
    @Option(parsing: .unconditional, help: "Minimum number of visits an object must be detected in.") var minVisits: Int?
    @Option(parsing: .unconditional, help: "A column whose values split one catalogue into visits.") var visitCol: String?
    @Option(parsing: .unconditional, help: "Configuration file (TOML): annuli, width, mag_range, radius, min_visits, method.") var config: String?
    @OptionGroup var positions: PositionOptions
    @Flag(help: "Print the report (report.json) instead of the table.") var json = false

    func validate() throws {
        guard !visitFiles.isEmpty else { throw ValidationError("give the visit catalogues") }
        guard magCol == nil || fluxCol == nil else { throw ValidationError("give --mag-col or --flux-col, not both") }
        guard (fluxCol == nil) == (zeroPoint == nil) else { throw ValidationError("--flux-col and --zero-point go together") }
    }

    /// Angles in arcmin: "5,20,200arcmin", "5,20,200", "0.5deg".
    static func arcminutes(_ text: String, what: String) throws -> [Double] {
        let parts = Output.list(text)
        let unitText = parts.last.map { String($0.drop { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }) } ?? ""
        return try parts.map { p in
            let t = p.first(where: { $0.isLetter || $0 == "'" || $0 == "\"" }) == nil ? p + unitText : p
            guard let d = AngleText.degrees(t, defaultUnit: .arcmin), d > 0 else { throw ValidationError("\(what): '\(p)' is not a positive angle") }
            return d * 60
        }
    }

    func run() throws {
        var o = AstrometryOptions()
        if let config { o = try AstrometryOptions(try ConfigTable(contentsOf: config)) }
        if let method { o.method = method }
        if let annuli { o.annuli = try Self.arcminutes(annuli, what: "--annuli") }
        if let width { o.width = try Self.arcminutes(width, what: "--width")[0] }
        if let radius { o.radius = radius.degrees * 3600 }
        if let minVisits { o.minVisits = minVisits }
        if let magRange {
            if magRange.lowercased() == "none" { o.magnitudeRange = nil } else {
                let (lo, hi) = try Output.pair(magRange, what: "--mag-range")
                guard lo < hi else { throw ValidationError("--mag-range needs LO < HI") }
                o.magnitudeRange = lo..<hi
            }
        }
        let magnitude: Visit.Magnitude
        if let magCol { magnitude = .column(magCol) }
        else if let fluxCol, let zeroPoint { magnitude = .flux(fluxCol, zeroPoint: zeroPoint) }
        else if o.magnitudeRange == nil { magnitude = .none }
        else { throw ValidationError("give --mag-col or --flux-col with --zero-point for the magnitude cut, or --mag-range none") }
        try o.validate()
        var visits: [Visit] = []
        for f in visitFiles {
            var cat = try Catalogue.read(f)
            try positions.apply(&cat)
            visits += try Visit.read(cat, name: URL(fileURLWithPath: f).lastPathComponent, magnitude: magnitude, visitColumn: visitCol)
        }
        let result = try RelativeAstrometry(visits: visits, options: o)
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        let report = try result.reportJSON()
        try writeAtomically(to: outDir + "/report.json") { tmp in try report.write(to: URL(fileURLWithPath: tmp)) }
        for a in result.annuli { try result.pairTable(a).write(to: outDir + "/pairs_AM\(a.index).fits") }
        try result.writePlots(to: outDir)
        if json { print(String(decoding: report, as: UTF8.self)) } else {
            print("\(visits.count) visits, \(result.visits.count) objects kept (\(result.visits.associatedObjects) associated; \(result.visits.cutByVisits) in fewer than \(o.minVisits) visits, \(result.visits.cutByMagnitude) outside the magnitude range)")
            for a in result.annuli {
                print(String(format: "AM%d: annulus %g' ± %g': %d pairs, %d residuals", a.index, a.annulus, a.width / 2, a.pairs.count, a.residualCount))
            }
            print(result.summaryTable)
            for a in result.annuli { for (k, v) in a.notes.sorted(by: { $0.key < $1.key }) { print("note: \(k): \(v)") } }
            print("wrote \(outDir)/report.json, pairs_AM*.fits and AM*.png")
        }
    }
}

extension AstrometryMethod: ExpressibleByArgument {}
