// Finding the sky position, proper-motion and epoch columns of a catalogue.
import Foundation

/// The columns that hold a catalogue's sky positions.
public struct PositionColumns: Sendable, Equatable {
    public var ra: String
    public var dec: String
    /// True when the columns hold radians (LSST `coord_ra`/`coord_dec`, or TUNIT "rad"); they are
    /// converted to degrees when read.
    public var radians: Bool

    public init(ra: String, dec: String, radians: Bool = false) {
        self.ra = ra; self.dec = dec; self.radians = radians
    }

    /// Column-name pairs recognised automatically, in order of preference (compared case-insensitively).
    /// `coord_ra`/`coord_dec` are in radians (the LSST pipelines' convention).
    public static let knownPairs: [(ra: String, dec: String, radians: Bool)] = [
        ("ra", "dec", false), ("ra_icrs", "dec_icrs", false), ("ra_icrs", "de_icrs", false),
        ("raj2000", "dej2000", false), ("raj2000", "decj2000", false), ("ra_j2000", "dec_j2000", false),
        ("alpha_j2000", "delta_j2000", false), ("alpha_sky", "delta_sky", false), ("radeg", "dedeg", false),
        ("ra_deg", "dec_deg", false), ("raj2000_deg", "dej2000_deg", false), ("_raj2000", "_dej2000", false),
        ("right_ascension", "declination", false), ("coord_ra", "coord_dec", true),
    ]
}

/// Proper-motion columns: pmra = mu_alpha * cos(delta) and pmdec, both in mas/yr.
public struct ProperMotionColumns: Sendable, Equatable {
    public var pmra: String
    public var pmdec: String
    public init(pmra: String, pmdec: String) { self.pmra = pmra; self.pmdec = pmdec }
    public static let knownPairs: [(String, String)] = [("pmra", "pmdec"), ("pmra", "pmde"), ("pm_ra", "pm_dec"), ("pmra_cosdec", "pmdec")]
}

extension Catalogue {
    /// The position columns: the explicit choice if set, else the first known pair present.
    ///
    /// The columns' units (FITS TUNIT) are authoritative: columns whose unit is radians ("rad", "radian",
    /// "radians") are read as radians even when named explicitly with `radians: false`; degrees, no unit or
    /// any other unit are read as degrees (or radians when `radians` is set or the known pair is in
    /// radians). Columns in hours or in arcsec/arcmin/mas units, or one in radians and the other in degrees,
    /// are refused with an error naming the column and its unit: reading them as degrees would be silently
    /// wrong.
    public func detectPositionColumns() throws(CatalogueError) -> PositionColumns {
        if let p = positionColumns {
            let ra = try column(p.ra), dec = try column(p.dec)
            return PositionColumns(ra: p.ra, dec: p.dec, radians: try positionUnitsAreRadians(ra, dec, default: p.radians))
        }
        for pair in PositionColumns.knownPairs {
            if let i = index(of: pair.ra), let j = index(of: pair.dec) {
                return PositionColumns(ra: columns[i].name, dec: columns[j].name,
                                       radians: try positionUnitsAreRadians(columns[i], columns[j], default: pair.radians))
            }
        }
        throw CatalogueError(.noPosition, "no sky position columns found; name them explicitly (known pairs: \(PositionColumns.knownPairs.map { "\($0.ra)/\($0.dec)" }.joined(separator: ", ")))", source: source)
    }

    /// Whether position columns `ra` and `dec` hold radians by their units (see `detectPositionColumns()`);
    /// `fallback` when neither unit names an angle unit SkyCore reads.
    private func positionUnitsAreRadians(_ ra: Column, _ dec: Column, default fallback: Bool) throws(CatalogueError) -> Bool {
        enum Kind { case degrees, radians, unknown }
        func kind(_ c: Column) throws(CatalogueError) -> Kind {
            let u = (c.unit ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            switch u {
            case "rad", "radian", "radians": return .radians
            case "deg", "degree", "degrees": return .degrees
            case "h", "hr", "hour", "hours", "hourangle", "hour_angle", "arcsec", "arcmin", "mas", "arcseconds", "arcminutes":
                throw CatalogueError(.invalidArgument, "position column '\(c.name)' has unit '\(c.unit ?? "")': skytool reads positions in degrees or radians; convert the column (or name other position columns)", source: source, column: c.name)
            default: return .unknown
            }
        }
        switch (try kind(ra), try kind(dec)) {
        case (.radians, .radians), (.radians, .unknown), (.unknown, .radians): return true
        case (.degrees, .degrees), (.degrees, .unknown), (.unknown, .degrees): return false
        case (.unknown, .unknown): return fallback
        case (.radians, .degrees), (.degrees, .radians):
            throw CatalogueError(.invalidArgument, "position columns '\(ra.name)' (unit '\(ra.unit ?? "")') and '\(dec.name)' (unit '\(dec.unit ?? "")') are in different units", source: source, column: dec.name)
        }
    }

    /// Right ascension and declination of every row in **degrees** (NaN where missing).
    public func positions() throws(CatalogueError) -> (ra: [Double], dec: [Double]) {
        let p = try detectPositionColumns()
        var ra = try doubles(p.ra), dec = try doubles(p.dec)
        if p.radians {
            let k = 180.0 / Double.pi
            for i in 0..<ra.count { ra[i] *= k; dec[i] *= k }
        }
        return (ra, dec)
    }

    /// The proper-motion columns (mas/yr, pmra including cos dec), if the catalogue has them.
    public func detectProperMotionColumns() -> ProperMotionColumns? {
        for (a, d) in ProperMotionColumns.knownPairs {
            if let i = index(of: a), let j = index(of: d) {
                return ProperMotionColumns(pmra: columns[i].name, pmdec: columns[j].name)
            }
        }
        return nil
    }

    /// The name of an epoch column (Julian years), if present: `epoch`, `ref_epoch`, `epoch_yr`.
    public func detectEpochColumn() -> String? {
        for n in ["epoch", "ref_epoch", "epoch_yr", "epoc"] { if let i = index(of: n) { return columns[i].name } }
        return nil
    }
}
