import ArgumentParser
import Foundation
import SkyCore
import SkyPhot

struct Recalibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tie a search epoch's photometry to a reference with a 2-D Chebyshev zero-point surface; flag variables.",
        discussion: """
        Matches REF and SEARCH one-to-one (--radius, default 1"), fits search - reference magnitudes as a Chebyshev
        surface of the search (x, y) over --domain (the chip's pixel extent), clips outliers, rescales the search
        errors by sqrt(chi2/nu), and lists sources whose corrected magnitude differs by >= --nsigma.

        Examples:
          skytool recalibrate ref.fits search.fits --domain 1,2046,1,4094 --out corrected.fits --variables vars.fits --report fit.json
          skytool recalibrate ref.csv search.csv --order 3 --total-degree --mag-col MAG_AUTO --err-col MAGERR_AUTO --out c.fits
        """
    )

    @Argument(help: "Reference catalogue (FITS or CSV).") var reference: String
    @Argument(help: "Search catalogue (FITS or CSV).") var search: String
    @Option(parsing: .unconditional, help: "Chebyshev degree in x and y (with --total-degree: the total degree).") var order: Int = 4
    @Flag(help: "Use the total-degree basis i + j <= order.") var totalDegree = false
    @Option(parsing: .unconditional, help: "Chip pixel extent xmin,xmax,ymin,ymax (default: NAXIS1/NAXIS2 of --image, else the data's range).") var domain: String?
    @Option(parsing: .unconditional, help: "An image of the search chip: its NAXIS1/NAXIS2 give the domain.") var image: String?
    @Option(parsing: .unconditional, help: "Variable threshold in sigma.") var nsigma: Double = 15
    @Option(parsing: .unconditional, help: "Uncertainty floor in mag.") var floor: Double = 0.01
    @Option(parsing: .unconditional, help: "Clipping threshold in sigma.") var clip: Double = 3
    @Option(parsing: .unconditional, help: "Match radius (bare number: arcsec).") var radius: RadiusArgument?
    @Flag(help: "Apply the rescale factor even when it is below 1.") var alwaysRescale = false
    @Option(parsing: .unconditional, help: "Magnitude column (both tables).") var magCol: String = "mag"
    @Option(parsing: .unconditional, help: "Magnitude error column (both tables).") var errCol: String = "mag_err"
    @Option(parsing: .unconditional, help: "x column of the search table.") var xCol: String = "x"
    @Option(parsing: .unconditional, help: "y column of the search table.") var yCol: String = "y"
    @Option(parsing: .unconditional, help: "Corrected search catalogue.") var out: String
    @Option(parsing: .unconditional, help: "Variable candidates.") var variables: String?
    @Option(parsing: .unconditional, help: "Residual table (one row per matched pair).") var residuals: String?
    @Option(parsing: .unconditional, help: "Reference sources missing from the search epoch (inside its coverage).") var disappeared: String?
    @Option(parsing: .unconditional, help: "Search sources with no reference counterpart.") var appeared: String?
    @Option(parsing: .unconditional, help: "Fit report (JSON).") var report: String?

    func run() throws {
        try Output.refuseOverwriting(inputs: [reference, search] + (image.map { [$0] } ?? []), outputs: [out, variables, residuals, disappeared, appeared, report])
        let ref = try Catalogue.read(reference), sea = try Catalogue.read(search)
        let dom: ChebyshevDomain
        if let d = domain {
            let v = Output.list(d).compactMap(Double.init)
            guard let cd = ChebyshevDomain(v) else { throw ValidationError("--domain must be xmin,xmax,ymin,ymax with xmin < xmax, ymin < ymax") }
            dom = cd
        } else if let img = image {
            let file = try FITSFile(path: img)
            let h = try file.header(hdu: file.resolveImageHDU(nil))
            guard let nx = h["NAXIS1"]?.doubleValue, let ny = h["NAXIS2"]?.doubleValue else { throw DataError("\(img) has no NAXIS1/NAXIS2") }
            dom = ChebyshevDomain(xmin: 1, xmax: nx, ymin: 1, ymax: ny)
        } else {
            let x = try sea.doubles(xCol).filter(\.isFinite), y = try sea.doubles(yCol).filter(\.isFinite)
            guard let x0 = x.min(), let x1 = x.max(), let y0 = y.min(), let y1 = y.max(), x1 > x0, y1 > y0 else { throw DataError("cannot derive a domain from the search x/y columns") }
            FileHandle.standardError.write(Data("skytool: note: no --domain or --image; using the data's range \(x0),\(x1),\(y0),\(y1) (fits of other epochs will not be comparable)\n".utf8))
            dom = ChebyshevDomain(xmin: x0, xmax: x1, ymin: y0, ymax: y1)
        }
        var o = RecalibrationOptions(domain: dom)
        o.degreeX = order; o.degreeY = order; o.totalDegree = totalDegree ? order : nil
        o.nsigma = nsigma; o.floor = floor; o.clip = clip; o.alwaysRescale = alwaysRescale
        if let radius { o.matchRadius = radius.degrees * 3600 }
        o.reference = PhotometryColumns(mag: magCol, magErr: errCol, x: xCol, y: yCol)
        o.search = o.reference
        let r = try Recalibration(reference: ref, search: sea, options: o)
        try r.corrected.write(to: out)
        if let v = variables { try r.variables.write(to: v) }
        if let p = residuals { try r.residuals.write(to: p) }
        if let p = disappeared { try r.disappeared.write(to: p) }
        if let p = appeared { try r.appeared.write(to: p) }
        if let p = report {
            let text = try Output.json(r.report)
            try writeAtomically(to: p) { tmp in try (text + "\n").write(toFile: tmp, atomically: false, encoding: .utf8) }
        }
        let rep = r.report
        print(String(format: "matched %d, used %d, clipped %d; chi2/nu %.3f, rescale %.3f%@; rms %.4f mag; %d variables, %d disappeared, %d appeared",
                     rep.matched, rep.used, rep.clipped, rep.chi2PerDof, rep.rescaleFactor, rep.rescaleApplied ? " (applied)" : "", rep.rms, rep.variables, rep.disappeared, rep.appeared))
    }
}
