// The maths of plotting, not pixels that change with a font version: ticks, data-to-device transforms
// (checked against the formula and on the written PNG), histogram counts, formats, bad input.
import Foundation
import Numerics
import Testing
@testable import SkyPlot

final class PlotScratch {
    let path = NSTemporaryDirectory() + "skytool-plot-" + UUID().uuidString
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    func file(_ n: String) -> String { path + "/" + n }
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Plots")
struct PlotTests {
    @Test func niceTicks() {
        #expect(Axis.ticks(0...10, scale: .linear) == [0, 2, 4, 6, 8, 10])
        #expect(Axis.ticks(-1...1, scale: .linear, target: 4) == [-1, -0.5, 0, 0.5, 1])
        let small = Axis.ticks(0.013...0.087, scale: .linear)
        // 0.074 / 6 = 0.0123: steps of 0.01 give 7 ticks (at most target + 1), 0.02…0.08.
        #expect(small.count == 7 && zip(small, [0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(Axis.ticks(0.5...14, scale: .linear) == [2, 4, 6, 8, 10, 12, 14])
        #expect(Axis.ticks(1...1000, scale: .log) == [1, 10, 100, 1000])
        #expect(Axis.ticks(1...50, scale: .log) == [1, 2, 5, 10, 20, 50])
        #expect(Axis.label(0.25, step: 0.05) == "0.25" && Axis.label(20, step: 5) == "20" && Axis.label(0, step: 1) == "0")
    }

    @Test func histogramCountsFollowNumpy() {
        // numpy.histogram([0, 1, 1, 2, 3, 9.99, 10, 11], bins=5, range=(0, 10)) → [3, 2, 0, 0, 2] (10 is in the last bin).
        var h = Histogram([0, 1, 1, 2, 3, 9.99, 10, 11, .nan], bins: 5, range: 0...10)
        let (edges, counts) = h.counts()
        #expect(edges == [0, 2, 4, 6, 8, 10] && counts == [3, 2, 0, 0, 2])
        h.density = true
        let density: [Double] = [3.0 / 14, 2.0 / 14, 0, 0, 2.0 / 14]
        #expect(h.counts().heights == density)
        h.cumulative = true
        let cumulative: [Double] = [3.0 / 7, 5.0 / 7, 5.0 / 7, 5.0 / 7, 1]
        #expect(h.counts().heights == cumulative)
    }

    /// A point at a data coordinate lands on the expected pixel (within half a pixel): linear, log, inverted.
    @Test(arguments: [(AxisScale.linear, false), (.log, false), (.linear, true)])
    func dataLandsOnTheExpectedPixel(_ yScale: AxisScale, _ inverted: Bool) throws {
        let s = PlotScratch()
        var p = Panel(x: Axis(label: "x", inverted: inverted, limits: 0...10), y: Axis(label: "y", scale: yScale, limits: yScale == .log ? 1...1000 : 0...100))
        p.elements = [.points(x: [3], y: [yScale == .log ? 100 : 25], color: PlotColor(1, 0, 0), size: 12, label: nil)]
        let f = Figure(width: 4, height: 3, panels: [p])
        let r = f.plotRect(0)
        let fx = inverted ? 0.7 : 0.3, fy = yScale == .log ? 2.0 / 3 : 0.25
        let expected = (r.x + fx * r.w, r.y + r.h * (1 - fy))
        let got = try #require(f.devicePoint(panel: 0, x: 3, y: yScale == .log ? 100 : 25))
        #expect(abs(got.x - expected.0) < 0.5 && abs(got.y - expected.1) < 0.5)
        try f.write(to: s.file("p.png"))
        #expect(try Canvas.pngSize(s.file("p.png")) == (400, 300))
        let px = try Canvas.pngPixel(s.file("p.png"), x: Int(got.x), y: Int(got.y))
        #expect(px.r > 200 && px.g < 60 && px.b < 60, "the marker is drawn at the transformed point: \(px)")
    }

    @Test func formatsByExtensionAndBadInput() throws {
        let s = PlotScratch()
        var p = Panel(x: Axis(label: "separation scatter [mas]"), y: Axis(label: "pairs"))
        var h = Histogram((0..<1000).map { Double($0 % 37) }, bins: 20)
        h.label = "pairs"
        p.elements = [.histogram(h), .verticalLine(x: 18, color: .red, dashed: true, label: "median")]
        let f = Figure(width: 5, height: 3.5, panels: [p])
        for ext in ["png", "svg", "pdf"] { try f.write(to: s.file("h.\(ext)")) }
        let svg = try String(contentsOfFile: s.file("h.svg"), encoding: .utf8)
        #expect(svg.contains("<svg"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: s.file("h.pdf"))).prefix(4) == Data("%PDF".utf8))
        #expect(throws: PlotError.self) { try f.write(to: s.file("h.jpg")) }
        // Non-positive values on a log axis: an error, and no file.
        var bad = p; bad.x.scale = .log
        #expect(throws: PlotError.self) { try Figure(panels: [bad]).write(to: s.file("log.png")) }
        // Empty and all-NaN data: a "no data" panel, not an error.
        var empty = Panel(); empty.elements = [.histogram(Histogram([.nan, .nan]))]
        try Figure(columns: 2, panels: [empty, Panel()]).write(to: s.file("empty.png"))
        #expect(s.contents == ["empty.png", "h.pdf", "h.png", "h.svg"])
    }
}
