// Axes: linear or logarithmic scales, inverted or not, data-to-device transforms and "nice" ticks.
import Foundation

/// A colour with components in 0…1.
public struct PlotColor: Sendable, Equatable {
    public var r: Double, g: Double, b: Double, a: Double
    public init(_ r: Double, _ g: Double, _ b: Double, _ a: Double = 1) { self.r = r; self.g = g; self.b = b; self.a = a }
    /// From a hex code "#1f77b4".
    public init(hex: String, alpha: Double = 1) {
        let h = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        let v = UInt32(h, radix: 16) ?? 0
        self.init(Double((v >> 16) & 0xFF) / 255, Double((v >> 8) & 0xFF) / 255, Double(v & 0xFF) / 255, alpha)
    }
    public static let black = PlotColor(0, 0, 0), white = PlotColor(1, 1, 1), gray = PlotColor(0.5, 0.5, 0.5)
    /// matplotlib's default cycle ("tab10"): blue, orange, green, red, purple.
    public static let blue = PlotColor(hex: "#1f77b4"), orange = PlotColor(hex: "#ff7f0e"), green = PlotColor(hex: "#2ca02c"),
                      red = PlotColor(hex: "#d62728"), purple = PlotColor(hex: "#9467bd")
    public static let cycle: [PlotColor] = [.blue, .orange, .green, .red, .purple]
}

/// How data values map along an axis.
public enum AxisScale: String, Sendable, CaseIterable {
    case linear, log
}

/// One axis of a panel: scale, direction, limits, label.
public struct Axis: Sendable, Equatable {
    public var scale: AxisScale = .linear
    /// Values decrease along the axis (magnitudes; right ascension on sky plots).
    public var inverted = false
    /// Data limits; nil: from the data (5 % margins on linear axes, whole decades' fractions on log axes).
    public var limits: ClosedRange<Double>? = nil
    /// The label, units included ("separation scatter [mas]").
    public var label = ""
    public init(label: String = "", scale: AxisScale = .linear, inverted: Bool = false, limits: ClosedRange<Double>? = nil) {
        self.label = label; self.scale = scale; self.inverted = inverted; self.limits = limits
    }

    /// Where a value falls between the limits, 0 at the axis' start (left or bottom) and 1 at its end;
    /// log axes are linear in log₁₀; an inverted axis runs from the upper limit to the lower.
    public func fraction(_ v: Double, in range: ClosedRange<Double>) -> Double {
        let f: Double
        switch scale {
        case .linear: f = (v - range.lowerBound) / (range.upperBound - range.lowerBound)
        case .log: f = (log10(v) - log10(range.lowerBound)) / (log10(range.upperBound) - log10(range.lowerBound))
        }
        return inverted ? 1 - f : f
    }

    /// Limits from data extremes: linear axes get 5 % margins (a single value gets ±1, or ±5 %);
    /// log axes go to the enclosing powers of ten's 1-2-5 steps. Nil when there is nothing to show.
    func autoLimits(min lo: Double, max hi: Double) -> ClosedRange<Double>? {
        guard lo.isFinite, hi.isFinite, lo <= hi else { return nil }
        switch scale {
        case .linear:
            if lo == hi { let d = lo == 0 ? 1 : abs(lo) * 0.05; return (lo - d)...(hi + d) }
            let m = (hi - lo) * 0.05
            return (lo - m)...(hi + m)
        case .log:
            guard lo > 0 else { return nil }
            func down(_ v: Double) -> Double { let p = pow(10, floor(log10(v))); for s in [5.0, 2, 1] where s * p <= v { return s * p }; return p }
            func up(_ v: Double) -> Double { let p = pow(10, floor(log10(v))); for s in [1.0, 2, 5, 10] where s * p >= v { return s * p }; return 10 * p }
            let a = down(lo), b = up(hi)
            return a == b ? (a / 2)...(b * 2) : a...b
        }
    }

    /// Tick positions for the limits: multiples of 1, 2 or 5 × 10ⁿ, at most `target` + 1 of them, on a linear axis;
    /// powers of ten on a log axis (with 2 and 5 × 10ⁿ when the range is under two decades).
    public static func ticks(_ range: ClosedRange<Double>, scale: AxisScale, target: Int = 6) -> [Double] {
        let lo = range.lowerBound, hi = range.upperBound
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo] }
        switch scale {
        case .linear:
            let raw = (hi - lo) / Double(max(1, target))
            let p = pow(10, floor(log10(raw)))
            // The finest 1-2-5 step that gives at most target + 1 ticks.
            let step = [1.0, 2, 5, 10].map { $0 * p }.first { (hi / $0 * (1 + 1e-12)).rounded(.down) - (lo / $0).rounded(.up) + 1 <= Double(target + 1) } ?? 10 * p
            var out: [Double] = []
            var k = (lo / step).rounded(.up)
            while k * step <= hi * (1 + 1e-12) + (hi == 0 ? 1e-300 : 0) {
                let v = k * step
                out.append(abs(v) < step * 1e-9 ? 0 : v)
                k += 1
            }
            return out
        case .log:
            guard lo > 0 else { return [] }
            let d0 = Int(floor(log10(lo))), d1 = Int(ceil(log10(hi)))
            let mult: [Double] = d1 - d0 <= 2 ? [1, 2, 5] : [1]
            var out: [Double] = []
            for d in d0...d1 { for m in mult { let v = m * pow(10, Double(d)); if v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) { out.append(v) } } }
            return out
        }
    }

    /// A tick label: the shortest decimal that shows the step (no trailing zeros), 10ⁿ on log axes' decades.
    public static func label(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-4 { return String(format: "%.3g", v) }
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", v)
    }
}
