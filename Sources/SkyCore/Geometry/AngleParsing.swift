// Parsing angles with units, for command lines and configuration files.
import Foundation

/// Angle units accepted in text.
public enum AngleUnit: String, Sendable, CaseIterable {
    case mas, arcsec, arcmin, deg

    /// Units per degree (3 600 000 mas, 3600 arcsec, 60 arcmin, 1 deg).
    public var perDegree: Double {
        switch self {
        case .mas: return 3_600_000
        case .arcsec: return 3600
        case .arcmin: return 60
        case .deg: return 1
        }
    }
}

/// Angles written with units: `2arcsec`, `2"`, `1.5'`, `3arcmin`, `0.5deg`, `0.5d`, `200mas`.
public enum AngleText {
    /// The angle in **degrees**. A bare number is in `defaultUnit` (arcsec for radii in skytool's CLI).
    public static func degrees(_ text: String, defaultUnit: AngleUnit) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let suffixes: [(String, AngleUnit)] = [("mas", .mas), ("arcsec", .arcsec), ("asec", .arcsec), ("\"", .arcsec), ("''", .arcsec),
                                               ("arcmin", .arcmin), ("amin", .arcmin), ("'", .arcmin), ("degrees", .deg), ("deg", .deg), ("d", .deg), ("°", .deg)]
        for (s, u) in suffixes where t.hasSuffix(s) {
            guard let v = Double(t.dropLast(s.count).trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
            return v / u.perDegree
        }
        guard let v = Double(t), v.isFinite else { return nil }
        return v / defaultUnit.perDegree
    }

    /// A right ascension in **degrees**: decimal degrees (`83.633`, `83.633d`) or sexagesimal hours
    /// (`05:34:31.94`, `5h34m31.94s`).
    public static func rightAscension(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.contains(":") || t.contains("h") {
            guard let v = sexagesimal(t.replacingOccurrences(of: "h", with: ":").replacingOccurrences(of: "m", with: ":").replacingOccurrences(of: "s", with: "")) else { return nil }
            return v * 15
        }
        return degrees(t, defaultUnit: .deg)
    }

    /// A declination in **degrees**: decimal (`22.014`) or sexagesimal (`+22:00:52.2`, `22d00m52.2s`).
    public static func declination(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.contains(":") || (t.contains("d") && t.contains("m")) {
            return sexagesimal(t.replacingOccurrences(of: "d", with: ":").replacingOccurrences(of: "m", with: ":").replacingOccurrences(of: "s", with: ""))
        }
        return degrees(t, defaultUnit: .deg)
    }

    static func sexagesimal(_ t: String) -> Double? {
        var s = Substring(t.trimmingCharacters(in: .whitespaces))
        var sign = 1.0
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil }) else { return nil }
        let v = parts.compactMap { $0 }
        var out = v[0]
        if v.count > 1 { out += v[1] / 60 }
        if v.count > 2 { out += v[2] / 3600 }
        return sign * out
    }
}
