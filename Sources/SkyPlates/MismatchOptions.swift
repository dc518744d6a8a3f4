// Options of the plate mismatch workflow, with their defaults and their TOML form.
import Foundation
import SkyCore
import SkyConfig

/// When the scanner-artifact step (plate-1 self-match) removes rows.
public enum DedupMode: String, Sendable, Codable, CaseIterable {
    /// Only when more than `dedupMinFraction` of plate-1 rows have a duplicate (the plate was scanned twice).
    case auto
    /// Always keep only rows with a duplicate.
    case always
    /// Never (keep every row).
    case never
}

/// A named quality cut: a filter expression on plate 1's joined table (see `SkyCore.Expression`).
public struct PlateCut: Sendable, Equatable, Codable {
    public var name: String
    public var expression: String
    public init(_ name: String, _ expression: String) { self.name = name; self.expression = expression }
}

/// Everything the mismatch workflow can be told. Angles are in **arcseconds**.
public struct MismatchOptions: Sendable, Equatable {
    /// Quality cuts on plate 1 only (plate 2 is taken as it is, so that anything near a plate-1 source counts).
    /// All are evaluated on the joined plate-1 table, aggregates (`max(flux_max)`) over all its rows, and
    /// combined with AND; the count after each is reported cumulatively, in this order.
    public var cuts: [PlateCut] = MismatchOptions.defaultCuts
    /// Further cuts (`--where`), applied with the named ones.
    public var extraCuts: [String] = []
    /// Self-match radius for scanner artifacts (default 2").
    public var dedupRadius: Double = 2
    /// `auto` applies the step when more than this fraction of rows have a duplicate (default 0.10).
    public var dedupMinFraction: Double = 0.10
    public var dedup: DedupMode = .auto
    /// Nearest-partner radius on plate 2 (default 5"). APPLAUSE DR4 plate solutions have rms residuals of
    /// roughly 0.2"-1" against Gaia, growing towards plate edges; two plates together reach ~2" in the
    /// tails, and 5" keeps those counterparts while the chance of an unrelated plate-2 source inside 5"
    /// stays below ~1% at plate source densities (< 2000 per deg²).
    public var matchRadius: Double = 5
    /// Plate 2's astrometric solution (a FITS file whose header holds a celestial WCS and the image size,
    /// NAXISn or IMAGEW/IMAGEH). When nil, plate 2's coverage is a MOC of its sources.
    public var wcs2: String?
    /// Source-based coverage (no `wcs2`): HEALPix cells about d wide (d: plate 2's median nearest-neighbour
    /// distance) holding a source, grown by R/d rings of neighbouring cells and shrunk back by one ring less
    /// (a morphological closing). Gaps between sources are filled (with R = 4d a Poisson field leaves < 2e-5 of
    /// its area uncovered) and the edge stays about one cell beyond the outermost sources. nil = 4d, but never
    /// less than `matchRadius`.
    public var coverageRadius: Double?
    /// HEALPix order of the coverage MOC; nil = order 14 (13" cells) for a WCS footprint, or cells about d
    /// wide for the source-based coverage.
    public var coverageOrder: Int?
    /// Key joining `source` and `source_calib`.
    public var key: String = "source_id"
    /// Position columns in the joined tables; nil = detected from source_calib (ra_icrs/dec_icrs, raj2000/dej2000).
    public var ra: String?
    public var dec: String?
    /// Radius of the candidate circles in the DS9 region file.
    public var regionRadius: Double = 10
    /// Search radius for the nearest plate-2 source reported (`sep_arcsec`) beside each non-matched row.
    public var nearestRadius: Double = 60

    public init() {}

    /// The default quality cuts of the original APPLAUSE analysis.
    public static let defaultCuts: [PlateCut] = [
        PlateCut("sextractor_flags", "sextractor_flags_1 <= 4"),
        PlateCut("model_prediction", "model_prediction_1 > 0.8"),
        PlateCut("elongation", "elongation < 1.5"),
        PlateCut("annular_bin", "annular_bin_1 <= 7"),
        PlateCut("flag_rim", "flag_rim == 0"),
        PlateCut("flux_max", "flux_max > 0.3 * max(flux_max)"),
    ]

    /// The named cuts, then the further ones named `where1`, `where2`, ... — the order they are applied and
    /// reported in.
    public var allCuts: [PlateCut] {
        cuts + extraCuts.enumerated().map { PlateCut("where\($0.offset + 1)", $0.element) }
    }

    /// Sets (or adds) a named cut; an empty expression drops it.
    public mutating func setCut(_ name: String, _ expression: String) {
        let e = expression.trimmingCharacters(in: .whitespaces)
        if let i = cuts.firstIndex(where: { $0.name == name }) {
            if e.isEmpty { cuts.remove(at: i) } else { cuts[i].expression = e }
        } else if !e.isEmpty {
            cuts.append(PlateCut(name, e))
        }
    }

    /// Checks ranges; throws `PlateError(.badOption)`.
    public func validate() throws {
        func positive(_ v: Double, _ what: String) throws {
            guard v.isFinite, v > 0 else { throw PlateError(.badOption, "\(what) must be a positive angle, got \(v) arcsec") }
        }
        try positive(dedupRadius, "the dedup radius"); try positive(matchRadius, "the match radius")
        try positive(regionRadius, "the region radius"); try positive(nearestRadius, "the nearest-source radius")
        if let r = coverageRadius { try positive(r, "the coverage radius") }
        guard (0...1).contains(dedupMinFraction) else { throw PlateError(.badOption, "the dedup threshold must be a fraction in 0...1, got \(dedupMinFraction)") }
        if let o = coverageOrder, !(0...29).contains(o) { throw PlateError(.badOption, "the coverage order must be in 0...29, got \(o)") }
        if (ra == nil) != (dec == nil) { throw PlateError(.badOption, "name both position columns (ra and dec) or neither") }
    }
}

// MARK: - TOML

/// A configuration file for `skytool mismatch`: the options and, optionally, the input and output paths.
public struct MismatchConfig: Sendable, Equatable {
    public var options = MismatchOptions()
    public var plate1: PlateFiles?
    public var plate2: PlateFiles?
    public var outDir: String?
    public init() {}

    static let allowedKeys: Set<String> = [
        "plate1", "plate1.source", "plate1.calib", "plate2", "plate2.source", "plate2.calib", "plate2.wcs",
        "columns", "columns.key", "columns.ra", "columns.dec", "cuts.*",
        "dedup", "dedup.mode", "dedup.radius", "dedup.min_fraction",
        "match", "match.radius",
        "coverage", "coverage.radius", "coverage.order",
        "output", "output.dir", "output.region_radius", "output.nearest_radius",
    ]

    /// Reads a configuration. Paths in it are taken relative to the file's folder. Angles are numbers
    /// (arcsec) or text with units (`"2arcsec"`, `"0.5'"`); `"auto"` where the option allows it.
    public init(_ table: ConfigTable) throws {
        try table.checkKeys(allowed: MismatchConfig.allowedKeys)
        let base = URL(fileURLWithPath: table.source).deletingLastPathComponent()
        func path(_ key: String) throws -> String? {
            guard let p = try table.string(key), !p.isEmpty else { return nil }
            return p.hasPrefix("/") || table.source == "<string>" ? p : base.appendingPathComponent(p).path
        }
        func angle(_ key: String) throws -> Double?? {     // nil: absent; .some(nil): "auto"
            switch table.value(key) {
            case nil: return nil
            case .integer(let i)?: return .some(Double(i))
            case .double(let d)?: return .some(d)
            case .string(let s)?:
                if s.lowercased() == "auto" { return .some(nil) }
                guard let deg = AngleText.degrees(s, defaultUnit: .arcsec) else {
                    throw ConfigError("'\(s)' is not an angle (e.g. 2arcsec, 0.5', 200mas; a bare number is arcsec)", source: table.source, key: key)
                }
                return .some(deg * 3600)
            default: throw ConfigError("expected an angle", source: table.source, key: key)
            }
        }
        func required(_ key: String, _ v: Double??) throws -> Double? {
            guard let v else { return nil }
            guard let x = v else { throw ConfigError("\"auto\" is not allowed here", source: table.source, key: key) }
            return x
        }
        if let s = try path("plate1.source"), let c = try path("plate1.calib") { plate1 = PlateFiles(source: s, calib: c) }
        if let s = try path("plate2.source"), let c = try path("plate2.calib") { plate2 = PlateFiles(source: s, calib: c) }
        options.wcs2 = try path("plate2.wcs")
        outDir = try path("output.dir")
        if let k = try table.string("columns.key") { options.key = k }
        if let r = try table.string("columns.ra"), !r.isEmpty { options.ra = r }
        if let d = try table.string("columns.dec"), !d.isEmpty { options.dec = d }
        for name in try table.keys(in: "cuts") where name != "where" {
            guard let e = try table.string("cuts." + name) else { continue }
            options.setCut(name, e)
        }
        if let w = try table.strings("cuts.where") { options.extraCuts = w.filter { !$0.isEmpty } }
        if let m = try table.string("dedup.mode") {
            guard let mode = DedupMode(rawValue: m) else { throw ConfigError("expected auto, always or never", source: table.source, key: "dedup.mode") }
            options.dedup = mode
        }
        if let r = try required("dedup.radius", try angle("dedup.radius")) { options.dedupRadius = r }
        if let f = try table.double("dedup.min_fraction") { options.dedupMinFraction = f }
        if let r = try required("match.radius", try angle("match.radius")) { options.matchRadius = r }
        if let r = try angle("coverage.radius") { options.coverageRadius = r }
        if let o = try table.integer("coverage.order") { options.coverageOrder = o > 0 ? o : nil }
        if let r = try required("output.region_radius", try angle("output.region_radius")) { options.regionRadius = r }
        if let r = try required("output.nearest_radius", try angle("output.nearest_radius")) { options.nearestRadius = r }
        try options.validate()
    }

    /// The configuration as a commented TOML file (what `skytool mismatch --print-config` prints).
    public var toml: String {
        let o = options
        func num(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)" }
        func arcsec(_ d: Double) -> String { "\(num(d))arcsec".tomlQuoted }
        var s = """
        # skytool mismatch: sources on plate 1 with no counterpart on plate 2.
        # Every key may be left out (its default applies); command-line flags override this file.
        # Angles: a number (arcsec) or text with a unit ("2arcsec", "0.5'", "200mas", "0.001deg").
        # Paths are relative to this file's folder.

        [plate1]                 # --plate1 SOURCE CALIB (CSV or FITS, APPLAUSE source and source_calib)
        source = \((plate1?.source ?? "").tomlQuoted)
        calib = \((plate1?.calib ?? "").tomlQuoted)

        [plate2]                 # --plate2 SOURCE CALIB
        source = \((plate2?.source ?? "").tomlQuoted)
        calib = \((plate2?.calib ?? "").tomlQuoted)
        wcs = \((o.wcs2 ?? "").tomlQuoted)    # --wcs2: plate 2's WCS (FITS header); "" = coverage from its sources

        [columns]
        key = \(o.key.tomlQuoted)      # joins source and source_calib
        ra = \((o.ra ?? "").tomlQuoted)               # "" = from source_calib: ra_icrs/dec_icrs, else raj2000/dej2000
        dec = \((o.dec ?? "").tomlQuoted)

        [cuts]                   # quality cuts on plate 1 only; "" drops a cut; new names add cuts (--cut NAME=EXPR)

        """
        for c in o.cuts { s += "\(c.name) = \(c.expression.tomlQuoted)\n" }
        for d in MismatchOptions.defaultCuts where !o.cuts.contains(where: { $0.name == d.name }) {
            s += "\(d.name) = \"\"               # dropped (default: \(d.expression))\n"
        }
        s += "where = [\(o.extraCuts.map(\.tomlQuoted).joined(separator: ", "))]             # further cuts, all must hold (--where)\n"
        s += """

        [dedup]                  # scanner artifacts: keep plate-1 rows with a duplicate (both scans of a plate)
        mode = \(o.dedup.rawValue.tomlQuoted)            # auto | always | never
        radius = \(arcsec(o.dedupRadius))
        min_fraction = \(num(o.dedupMinFraction))      # auto: applied only when more rows than this have a duplicate

        [match]
        radius = \(arcsec(o.matchRadius))     # nearest plate-2 partner within this (plate astrometry: see the guide)

        [coverage]               # plate 2's footprint when no WCS is given: cells holding its sources, closed
        radius = \(o.coverageRadius.map(arcsec) ?? "\"auto\"")          # gaps up to this size are filled; "auto" = 4 x median neighbour distance
        order = \(o.coverageOrder ?? 0)                # HEALPix order of the MOC; 0 = auto

        [output]
        dir = \((outDir ?? "").tomlQuoted)                 # --out-dir
        region_radius = \(arcsec(o.regionRadius))   # circles in candidates.reg
        nearest_radius = \(arcsec(o.nearestRadius))  # non-matched rows: sep_arcsec to the nearest plate-2 source within this

        """
        return s
    }
}
