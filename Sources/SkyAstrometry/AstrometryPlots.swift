// The figure of each annulus, as the notebook draws it: the distribution of the per-pair separation scatter
// with its median (AMx) and the requirement, and its cumulative fraction with the outlier threshold.
import Foundation
import SkyPlot

extension RelativeAstrometry {
    /// Annulus `a`'s figure: left, the histogram of the per-pair scatter (rms, mas; the seed method's
    /// |Δsep|) with AMx and the design requirement as vertical lines; right, the cumulative fraction of pairs
    /// with AMx, the requirement and the AF threshold t (20 or 30 mas). No pair: "no data" panels.
    public func figure(_ a: AnnulusMetrics) -> Figure {
        let values = a.rms.filter(\.isFinite)
        let name = "AM\(a.index)"
        let design = RelativeAstrometry.isStandard(a) ? RelativeAstrometry.specifications(index: a.index).first { $0.metric.hasSuffix(".\(name)") && $0.level == "design" }?.threshold : nil
        let what = options.method == .seed ? "|sep₂ − sep₁| of pairs [mas]" : "separation scatter of pairs [mas]"
        // Range: up to the larger of the 99th percentile and the thresholds, so a few outliers do not squash the bulk.
        let sorted = values.sorted()
        let p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(0.99 * Double(sorted.count)))]
        let top = max(p99, design ?? 0, a.afThreshold) * 1.1
        var h = Histogram(values, bins: 60, range: 0...max(top, 1e-9))
        h.label = "\(values.count) pairs"
        var left = Panel(title: String(format: "%@: D = %g′ ± %g′", name, a.annulus, a.width / 2), x: Axis(label: what), y: Axis(label: "pairs"))
        left.elements = [.histogram(h)]
        var right = Panel(title: "cumulative fraction", x: Axis(label: what, limits: 0...max(top, 1e-9)), y: Axis(label: "fraction of pairs", limits: 0...1))
        right.legendBelow = true
        if !values.isEmpty {
            let n = Double(sorted.count)
            let step = max(1, sorted.count / 2000)
            var xs: [Double] = [0], ys: [Double] = [0]
            for k in stride(from: 0, to: sorted.count, by: step) { xs.append(sorted[k]); ys.append(Double(k + 1) / n) }
            xs.append(sorted[sorted.count - 1]); ys.append(1)
            right.elements = [.line(x: xs, y: ys, color: .blue, width: 1.5, dashed: false, label: "pairs")]
        }
        for panel in [0, 1] {
            var els: [PlotElement] = []
            if let am = a.am { els.append(.verticalLine(x: am, color: .black, dashed: false, label: String(format: "%@ = %.2f mas (median)", name, am))) }
            if let design { els.append(.verticalLine(x: design, color: .red, dashed: true, label: String(format: "design %g mas", design))) }
            if panel == 1 { els.append(.verticalLine(x: a.afThreshold, color: .orange, dashed: true, label: String(format: "AF threshold %g mas", a.afThreshold))) }
            if values.isEmpty { els = [] }
            if panel == 0 { left.elements += els } else { right.elements += els }
        }
        var f = Figure(width: 11, height: 4.2, rows: 1, columns: 2, panels: [left, right])
        f.title = "Relative astrometry, \(visits.visits) visits, \(visits.count) objects"
        return f
    }

    /// Writes `dir/AM1.png`, `dir/AM2.png`, ... (one per annulus).
    public func writePlots(to dir: String) throws {
        for a in annuli { try figure(a).write(to: dir + "/AM\(a.index).png") }
    }
}
