// Finding the sky position, proper-motion and epoch columns of a catalogue.

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
    /// A column whose unit is "rad" is taken as radians.
    public func detectPositionColumns() throws(CatalogueError) -> PositionColumns {
        if let p = positionColumns {
            _ = try column(p.ra); _ = try column(p.dec)
            return p
        }
        for pair in PositionColumns.knownPairs {
            if let i = index(of: pair.ra), let j = index(of: pair.dec) {
                let unitRad = columns[i].unit?.lowercased().hasPrefix("rad") == true
                return PositionColumns(ra: columns[i].name, dec: columns[j].name, radians: pair.radians || unitRad)
            }
        }
        throw CatalogueError(.noPosition, "no sky position columns found; name them explicitly (known pairs: \(PositionColumns.knownPairs.map { "\($0.ra)/\($0.dec)" }.joined(separator: ", ")))", source: source)
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
