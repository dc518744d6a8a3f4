// Photometric recalibration of a search epoch to a reference: a weighted 2-D Chebyshev zero-point surface in
// detector coordinates, iterative clipping, error rescaling and N-sigma variable candidates.
import Foundation
import SkyCore
import SkyMatch

/// Column names of a photometric catalogue (positions are detected unless given).
public struct PhotometryColumns: Sendable, Codable, Equatable {
    public var mag = "mag"
    public var magErr = "mag_err"
    public var x = "x"
    public var y = "y"
    public var ra: String? = nil
    public var dec: String? = nil
    public init(mag: String = "mag", magErr: String = "mag_err", x: String = "x", y: String = "y", ra: String? = nil, dec: String? = nil) {
        self.mag = mag; self.magErr = magErr; self.x = x; self.y = y; self.ra = ra; self.dec = dec
    }
}

/// Options of `Recalibration`.
public struct RecalibrationOptions: Sendable {
    /// Match radius in **arcseconds** (SkyMatch `best`, one-to-one). Default 1″.
    public var matchRadius: Double = 1
    public var degreeX: Int = 4
    public var degreeY: Int = 4
    /// Use the total-degree basis i + j ≤ n instead of the tensor product.
    public var totalDegree: Int? = nil
    /// The chip's pixel extent (not the data's): fits of different epochs are then comparable.
    public var domain: ChebyshevDomain
    /// Uncertainty floor in **mag**, applied to both catalogues before anything else. Default 0.01.
    public var floor: Double = 0.01
    /// Clip points whose normalised residual exceeds `clip` × sqrt(χ²/ν). Default 3; at most `maxIterations`.
    public var clip: Double = 3
    public var maxIterations: Int = 10
    /// Variable candidates: |signif| ≥ nsigma. Default 15.
    public var nsigma: Double = 15
    /// Apply the rescale factor sqrt(χ²/ν) to the search errors even when it is below 1.
    public var alwaysRescale = false
    public var reference = PhotometryColumns()
    public var search = PhotometryColumns()
    /// Coverage of the search image: reference sources inside it with no search detection are "disappeared".
    /// Default: a MOC of the search catalogue's positions (radius 30″, order 12).
    public var searchCoverage: MOC? = nil

    public init(domain: ChebyshevDomain) { self.domain = domain }
}

/// The fit report (written as JSON by `skytool recalibrate --report`).
public struct RecalibrationReport: Sendable, Codable, Equatable {
    public var domain: [Double]
    public var degreeX: Int, degreeY: Int, totalDegree: Int?
    /// coefficients[i][j] multiplies T_i(u) T_j(v).
    public var coefficients: [[Double]]
    public var chi2: Double, dof: Int, chi2PerDof: Double
    /// sqrt(χ²/ν); applied to the search errors when > 1 (or always with `alwaysRescale`).
    public var rescaleFactor: Double
    public var rescaleApplied: Bool
    public var matched: Int, used: Int, clipped: Int, iterations: Int
    /// rms of the used residuals (Δ − model), in mag.
    public var rms: Double
    public var variables: Int, disappeared: Int, appeared: Int
    public var floor: Double, clip: Double, nsigma: Double, matchRadiusArcsec: Double
}

/// Recalibrates a search catalogue to a reference catalogue.
///
/// 1. Match reference and search one-to-one within `matchRadius` (SkyMatch `best`).
/// 2. Floor both uncertainties at `floor`; σ² = σ_search² + σ_ref²; weights 1/σ.
/// 3. Fit Δ = mag_search − mag_ref as a Chebyshev surface of the search (x, y), iteratively clipping points with
///    |Δ − model|/σ > clip · sqrt(χ²/ν) (re-deciding every point each round) until nothing changes.
/// 4. rescale = sqrt(χ²/ν) of the final fit; err_corr = σ_search · rescale when rescale > 1 (or always).
/// 5. mag_corr = mag_search − model(x, y); delta = mag_corr − mag_ref; signif = delta / sqrt(err_corr² + σ_ref²);
///    |signif| ≥ nsigma are variable candidates.
/// 6. Reference sources without a search partner inside the search coverage are "disappeared"; search sources
///    without a reference partner are "appeared".
public struct Recalibration: Sendable {
    public var surface: Chebyshev2D
    public var report: RecalibrationReport
    /// The search catalogue with mag_corr, mag_err_corr and zp_model columns.
    public var corrected: Catalogue
    /// One row per matched pair: search_row, ref_row, x, y, delta, model, residual, sigma, clipped.
    public var residuals: Catalogue
    /// Variable candidates: the search row's columns plus mag_ref, mag_err_ref, mag_corr, mag_err_corr, delta, signif.
    public var variables: Catalogue
    /// Reference rows inside the search coverage without a search partner.
    public var disappeared: Catalogue
    /// Search rows without a reference partner.
    public var appeared: Catalogue
    /// Search rows removed by clipping.
    public var clippedRows: [Int]

    public init(reference ref: Catalogue, search: Catalogue, options o: RecalibrationOptions) throws {
        var refC = ref, seaC = search
        if let r = o.reference.ra, let d = o.reference.dec { refC.positionColumns = PositionColumns(ra: r, dec: d) }
        if let r = o.search.ra, let d = o.search.dec { seaC.positionColumns = PositionColumns(ra: r, dec: d) }
        let rm = try refC.doubles(o.reference.mag), re = try refC.doubles(o.reference.magErr)
        let sm = try seaC.doubles(o.search.mag), se = try seaC.doubles(o.search.magErr)
        let sx = try seaC.doubles(o.search.x), sy = try seaC.doubles(o.search.y)
        let (rra, rdec) = try refC.positions(), (sra, sdec) = try seaC.positions()
        let match = try Crossmatch.match(ra1: rra, dec1: rdec, ra2: sra, dec2: sdec, options: MatchOptions(.radius(arcsec: o.matchRadius), find: .best))
        // Matched pairs with usable photometry.
        var pr: [Int] = [], ps: [Int] = []
        for t in 0..<match.pairCount {
            let r = match.rows1[t], s = match.rows2[t]
            if rm[r].isFinite && sm[s].isFinite && re[r].isFinite && se[s].isFinite && sx[s].isFinite && sy[s].isFinite { pr.append(r); ps.append(s) }
        }
        let np = pr.count
        let fl = { (e: Double) in max(e, o.floor) }
        let x = ps.map { sx[$0] }, y = ps.map { sy[$0] }
        let z = (0..<np).map { sm[ps[$0]] - rm[pr[$0]] }
        let sigma = (0..<np).map { (fl(se[ps[$0]]) * fl(se[ps[$0]]) + fl(re[pr[$0]]) * fl(re[pr[$0]])).squareRoot() }
        let clipped = try ClippedChebyshevFit(x: x, y: y, z: z, sigma: sigma, degreeX: o.degreeX, degreeY: o.degreeY,
                                              totalDegree: o.totalDegree, domain: o.domain, clip: o.clip, maxIterations: o.maxIterations)
        let keep = clipped.kept
        let idx = (0..<np).filter { keep[$0] }
        let used = idx.count
        let iterations = clipped.iterations
        let fitted = (surface: clipped.surface, chi2: clipped.chi2)
        surface = fitted.surface
        let dof = clipped.dof
        let chi2nu = fitted.chi2 / Double(dof)
        let rescale = chi2nu.squareRoot()
        let apply = o.alwaysRescale || rescale > 1
        let factor = apply ? rescale : 1
        // Corrected search catalogue.
        let zp = surface.evaluate(x: sx, y: sy)
        var out = seaC
        let magCorr = (0..<sm.count).map { sm[$0] - zp[$0] }
        let errCorr = se.map { fl($0) * factor }
        try out.set(Column(name: "zp_model", values: .double(zp), unit: "mag", description: "fitted search - reference zero point at (x, y)"))
        try out.set(Column(name: "mag_corr", values: .double(magCorr), unit: "mag", description: "search magnitude on the reference system"))
        try out.set(Column(name: "mag_err_corr", values: .double(errCorr), unit: "mag", description: "floored, rescaled search uncertainty"))
        corrected = out
        // Residual table.
        let model = surface.evaluate(x: x, y: y)
        clippedRows = (0..<np).filter { !keep[$0] }.map { ps[$0] }
        residuals = try Catalogue(columns: [
            .int64("search_row", ps.map(Int64.init)), .int64("ref_row", pr.map(Int64.init)),
            .double("x", x, unit: "pix"), .double("y", y, unit: "pix"),
            .double("delta", z, unit: "mag"), .double("model", model, unit: "mag"),
            .double("residual", (0..<np).map { z[$0] - model[$0] }, unit: "mag"),
            .double("sigma", sigma, unit: "mag"), .bool("clipped", keep.map { !$0 }),
        ])
        // Variables.
        var vs: [Int] = [], vr: [Int] = [], delta: [Double] = [], signif: [Double] = []
        for k in 0..<np {
            let s = ps[k], r = pr[k]
            let d = magCorr[s] - rm[r]
            let sg = d / (errCorr[s] * errCorr[s] + fl(re[r]) * fl(re[r])).squareRoot()
            if abs(sg) >= o.nsigma { vs.append(s); vr.append(r); delta.append(d); signif.append(sg) }
        }
        var v = out.rows(vs)
        try v.set(Column(name: "mag_ref", values: .double(vr.map { rm[$0] }), unit: "mag"))
        try v.set(Column(name: "mag_err_ref", values: .double(vr.map { fl(re[$0]) }), unit: "mag"))
        try v.set(Column(name: "delta", values: .double(delta), unit: "mag", description: "mag_corr - mag_ref"))
        try v.set(Column(name: "signif", values: .double(signif), description: "delta / sqrt(mag_err_corr^2 + mag_err_ref^2)"))
        try v.set(Column(name: "ref_row", values: .int64(vr.map(Int64.init))))
        variables = v
        // Disappeared and appeared.
        let coverage = try o.searchCoverage ?? MOC.positions(ra: sra, dec: sdec, radius: 30.0 / 3600, order: 12)
        let um = match.unmatched1
        let inside = coverage.contains(ra: um.map { rra[$0] }, dec: um.map { rdec[$0] })
        disappeared = refC.rows(zip(um, inside).filter { $0.1 }.map(\.0))
        appeared = seaC.rows(match.unmatched2)
        var rmsPlain = 0.0
        for k in idx { rmsPlain += (z[k] - model[k]) * (z[k] - model[k]) }
        report = RecalibrationReport(
            domain: [o.domain.xmin, o.domain.xmax, o.domain.ymin, o.domain.ymax], degreeX: o.degreeX, degreeY: o.degreeY,
            totalDegree: o.totalDegree, coefficients: surface.coefficients, chi2: fitted.chi2, dof: dof, chi2PerDof: chi2nu,
            rescaleFactor: rescale, rescaleApplied: apply, matched: np, used: used, clipped: np - used, iterations: iterations,
            rms: (rmsPlain / Double(max(1, used))).squareRoot(), variables: vs.count, disappeared: disappeared.rowCount,
            appeared: appeared.rowCount, floor: o.floor, clip: o.clip, nsigma: o.nsigma, matchRadiusArcsec: o.matchRadius)
    }
}
