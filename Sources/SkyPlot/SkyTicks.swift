// Right-ascension and declination tick labels along an image panel's edges, through its WCS.
import Foundation
import SkyCore

enum SkyTicks {
    enum Coordinate { case ra, dec }

    /// Steps in arcseconds of declination, and in seconds of time of right ascension (1 s = 15″ of RA).
    static let decSteps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 18000, 36000, 72000]
    static let raSteps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400]

    /// Ticks where the coordinate takes round values along the straight pixel edge from `a` to `b` (1-based
    /// pixels): the fraction along the edge and the label (RA as hh:mm:ss, Dec as ±dd:mm:ss, with only the
    /// units the step needs). The coordinate is sampled at 200 points; crossings are interpolated linearly.
    static func along(_ wcs: WCS, from a: (Double, Double), to b: (Double, Double), _ coordinate: Coordinate, target: Int = 5) -> [(Double, String)] {
        let n = 200
        let xs = (0...n).map { a.0 + (b.0 - a.0) * Double($0) / Double(n) }, ys = (0...n).map { a.1 + (b.1 - a.1) * Double($0) / Double(n) }
        guard let s = try? wcs.pixelToWorld(x: xs, y: ys) else { return [] }
        // The coordinate in its step unit (seconds of time for RA, arcseconds for Dec), unwrapped along the edge.
        var v: [Double] = []
        for k in 0...n {
            guard s.valid[k] else { v.append(.nan); continue }
            var x = coordinate == .ra ? s.lon[k] * 240 : s.lat[k] * 3600
            if coordinate == .ra, let last = v.last(where: { $0.isFinite }) {
                while x - last > 43200 { x -= 86400 }
                while last - x > 43200 { x += 86400 }
            }
            v.append(x)
        }
        let finite = v.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max(), hi > lo else { return [] }
        let steps = coordinate == .ra ? raSteps : decSteps
        let step = steps.first { (hi - lo) / $0 <= Double(target) } ?? steps[steps.count - 1]
        var out: [(Double, String)] = []
        for k in 0..<n {
            let p = v[k], q = v[k + 1]
            guard p.isFinite, q.isFinite, p != q else { continue }
            let m0 = (min(p, q) / step).rounded(.up), m1 = (max(p, q) / step).rounded(.down)
            guard m0 <= m1 else { continue }
            for m in stride(from: m0, through: m1, by: 1) {
                let value = m * step
                if k > 0 && value == p { continue }      // counted in the previous segment
                let t = (Double(k) + (value - p) / (q - p)) / Double(n)
                out.append((t, label(value, step: step, coordinate)))
            }
        }
        return out
    }

    static func label(_ value: Double, step: Double, _ coordinate: Coordinate) -> String {
        switch coordinate {
        case .ra:
            var s = Int(value.rounded()) % 86400
            if s < 0 { s += 86400 }
            let h = s / 3600, m = (s % 3600) / 60, sec = s % 60
            return step >= 3600 ? String(format: "%02dh", h) : step >= 60 ? String(format: "%02dh%02dm", h, m) : String(format: "%02dh%02dm%02ds", h, m, sec)
        case .dec:
            let t = Int(abs(value).rounded()), sign = value < 0 ? "−" : "+"
            let d = t / 3600, m = (t % 3600) / 60, sec = t % 60
            return step >= 3600 ? "\(sign)\(d)°" : step >= 60 ? String(format: "%@%d°%02d′", sign, d, m) : String(format: "%@%d°%02d′%02d″", sign, d, m, sec)
        }
    }
}
