// Settings of the relative astrometry metrics (LSST AM/AF/AD), with their defaults and their TOML form.
import Foundation
import SkyConfig
import SkyCore

/// Which definition of the metrics to compute.
public enum AstrometryMethod: String, Sendable, Codable, CaseIterable {
    /// faro's (LSST's verification package): per-pair standard deviation of the separations over all shared
    /// visits (AM), per-visit deviations from the pair's median (AF, AD). Needs ≥ 3 visits for AF/AD.
    case faro
    /// The two-visit variant of the seed notebook: per pair |sep₁ − sep₂| between the first two visits,
    /// AM = its median, AF = the percentage above the AD threshold; AD undefined.
    case seed
}

/// Settings of `RelativeAstrometry`. Angles in the units their names say.
public struct AstrometryOptions: Sendable, Equatable {
    /// Annulus centres D in arcminutes (AM1, AM2, AM3 by default: 5′, 20′, 200′).
    public var annuli: [Double] = [5, 20, 200]
    /// Annulus width w in arcminutes: a pair counts when D − w/2 ≤ D′ < D + w/2 (faro's 2′). The seed
    /// method's default is 1′ (±30″).
    public var width: Double? = nil
    /// Magnitude range [lo, hi) of an object's median magnitude (the seed notebook's 17.5–21.5).
    public var magnitudeRange: Range<Double>? = 17.5..<21.5
    /// Association radius in arcseconds.
    public var radius: Double = 1
    /// An object needs detections in at least this many visits (faro: 2).
    public var minVisits: Int = 2
    public var method: AstrometryMethod = .faro
    public init() {}

    /// The annulus width in arcminutes actually used.
    public var effectiveWidth: Double { width ?? (method == .seed ? 1 : 2) }

    /// Checks the values; errors name the option.
    public func validate() throws(AstrometryError) {
        guard !annuli.isEmpty, annuli.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw AstrometryError("annuli must be positive angles (got \(annuli))")
        }
        guard effectiveWidth > 0, effectiveWidth.isFinite, annuli.allSatisfy({ $0 - effectiveWidth / 2 >= 0 }) else {
            throw AstrometryError("the annulus width must be positive and no wider than twice the smallest annulus (got \(effectiveWidth)′)")
        }
        guard radius > 0, radius.isFinite else { throw AstrometryError("the association radius must be positive (got \(radius)″)") }
        guard minVisits >= 2 else { throw AstrometryError("an object needs at least 2 visits (got \(minVisits))") }
    }

    /// Keys of the `[astrometry]` configuration file.
    public static let allowedKeys: Set<String> = ["annuli", "width", "mag_range", "radius", "min_visits", "method"]

    /// Reads a configuration: `annuli = [5, 20, 200]` (arcmin), `width` (arcmin), `mag_range = [17.5, 21.5]`
    /// (or `[]` for no cut), `radius` (arcsec or text with units), `min_visits`, `method = "faro" | "seed"`.
    public init(_ table: ConfigTable) throws {
        self.init()
        try table.checkKeys(allowed: AstrometryOptions.allowedKeys)
        func numbers(_ key: String) throws(ConfigError) -> [Double]? {
            guard let v = table.value(key) else { return nil }
            guard case .array(let a) = v else { throw ConfigError("expected an array of numbers", source: table.source, key: key) }
            var out: [Double] = []
            for e in a {
                switch e {
                case .integer(let i): out.append(Double(i))
                case .double(let d): out.append(d)
                default: throw ConfigError("expected an array of numbers", source: table.source, key: key)
                }
            }
            return out
        }
        if let a = try numbers("annuli") { annuli = a }
        if let w = try table.double("width") { width = w }
        if let r = try numbers("mag_range") {
            if r.isEmpty { magnitudeRange = nil }
            else {
                guard r.count == 2, r[0] < r[1] else { throw ConfigError("expected [lo, hi] with lo < hi", source: table.source, key: "mag_range") }
                magnitudeRange = r[0]..<r[1]
            }
        }
        switch table.value("radius") {
        case nil: break
        case .integer(let i)?: radius = Double(i)
        case .double(let d)?: radius = d
        case .string(let s)?:
            guard let d = AngleText.degrees(s, defaultUnit: .arcsec) else { throw ConfigError("'\(s)' is not an angle", source: table.source, key: "radius") }
            radius = d * 3600
        default: throw ConfigError("expected an angle", source: table.source, key: "radius")
        }
        if let m = try table.integer("min_visits") { minVisits = m }
        if let m = try table.string("method") {
            guard let v = AstrometryMethod(rawValue: m) else { throw ConfigError("expected \"faro\" or \"seed\"", source: table.source, key: "method") }
            method = v
        }
        do { try validate() } catch { throw ConfigError(error.message, source: table.source) }
    }
}

/// A problem with the inputs or settings of the astrometry metrics.
public struct AstrometryError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "astrometry: " + message }
}
