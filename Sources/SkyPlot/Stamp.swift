// Postage stamps: one sky position in one or more images, side by side, the same angular size in each.
import Foundation
import SkyCore

/// Settings of a postage stamp.
public struct StampOptions: Sendable {
    /// Width and height on the sky, degrees.
    public var size: Double
    public var interval: ImageInterval = .zscale()
    public var stretch: ImageStretch = .linear
    public var colormap: Colormap = .gray
    /// Radius of the circle on the target, arcseconds (default: 1/12 of the size).
    public var targetRadius: Double? = nil
    /// Lines of text above the panels (flux, SNR, separation, ratio...).
    public var lines: [String] = []
    /// Each panel's size, inches; resolution of PNG output.
    public var panelSize: Double = 3
    public var dpi: Double = 100
    public init(size: Double) { self.size = size }
}

public enum Stamp {
    /// The figure of one stamp: for each image, the cutout of `options.size` around (ra, dec) with its own
    /// interval, a circle on the target and the image's `overlays` (sky ellipses). An image the position
    /// misses shows a "no data" panel; a position outside every image is an error.
    public static func figure(images: [SkyImage], ra: Double, dec: Double, overlays: [[SkyEllipse]] = [], options: StampOptions) throws -> Figure {
        guard !images.isEmpty else { throw PlotError("a stamp needs at least one image") }
        guard options.size > 0, options.size.isFinite else { throw PlotError("the stamp size must be positive (got \(options.size)°)") }
        var panels: [Panel] = []
        var drawn = 0
        for (k, img) in images.enumerated() {
            let name = img.source.split(separator: "/").last.map(String.init) ?? img.source
            var p = Panel(title: name)
            p.ticks = false; p.legend = false
            guard img.wcs != nil else { throw PlotError("\(img.source) has no celestial WCS: a stamp needs one") }
            if let cut = try? img.cutout(ra: ra, dec: dec, size: .angle(options.size, options.size)) {
                var layer = ImageLayer(width: cut.width, height: cut.height, values: cut.pixels)
                layer.interval = options.interval; layer.stretch = options.stretch; layer.colormap = options.colormap
                p.elements = [.image(layer)]
                p.wcs = cut.wcs
                p.x = Axis(label: "", limits: 0.5...(Double(cut.width) + 0.5))
                p.y = Axis(label: "", limits: 0.5...(Double(cut.height) + 0.5))
                let r = options.targetRadius ?? options.size * 3600 / 12
                p.elements.append(.skyEllipse(SkyEllipse(ra: ra, dec: dec, major: r, minor: r, color: PlotColor(0.1, 0.9, 0.1))))
                if k < overlays.count { p.elements += overlays[k].map { .skyEllipse($0) } }
                if layer.limits == nil { p.elements = [] }
                drawn += 1
            } else {
                p.title = name + " (outside)"
            }
            panels.append(p)
        }
        guard drawn > 0 else { throw PlotError(String(format: "the position (%.6f, %.6f) is outside every image", ra, dec)) }
        let titleLines = options.lines.isEmpty ? [String(format: "RA %.5f  Dec %+.5f  (%.3g′ across)", ra, dec, options.size * 60)] : options.lines
        // Square image areas: each panel is panelSize wide less 1 font size of margins; the height adds the
        // panel title (2 font sizes), the bottom margin (½) and the figure title (2.2) — see Figure.plotRect.
        let fontSize = 9.0
        let side = options.panelSize * 72 - fontSize
        var f = Figure(width: options.panelSize * Double(images.count), height: (side + 4.7 * fontSize) / 72, rows: 1, columns: images.count, panels: panels)
        f.title = titleLines.joined(separator: "   ")
        f.dpi = options.dpi
        f.fontSize = fontSize
        return f
    }

    /// Writes one stamp per position, in parallel, to `directory/<name>.png` (names: `names[i]`, or the row number).
    public static func writeMany(images: [SkyImage], ra: [Double], dec: [Double], names: [String]? = nil, options: StampOptions,
                                 directory: String) throws -> Int {
        let n = min(ra.count, dec.count)
        let results = Parallel.map(n) { (i: Int) -> Bool in
            let name = names?[i] ?? String(format: "%06d", i + 1)
            guard let f = try? figure(images: images, ra: ra[i], dec: dec[i], options: options) else { return false }
            return (try? f.write(to: directory + "/" + name + ".png")) != nil
        }
        return results.filter { $0 }.count
    }
}
