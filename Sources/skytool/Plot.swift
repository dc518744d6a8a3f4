import ArgumentParser
import Foundation
import SkyCore
import SkyPlot

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a table or an image: histograms, scatter plots, light curves, sky plots, images (PNG, SVG, PDF).",
        discussion: """
        The output type follows the extension of --out (.png, .svg, .pdf). Ticks are 1-2-5 steps (decades on
        log axes); magnitude axes are inverted; RA increases to the left on sky plots. A column with no finite
        value gives a "no data" panel; values <= 0 on a log axis, a missing column or an unknown extension are
        errors.
        """,
        subcommands: [PlotHist.self, PlotScatter.self, PlotLightcurve.self, PlotSky.self, PlotImage.self]
    )
}

/// Figure options every plot subcommand takes.
struct FigureOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Output file (.png, .svg or .pdf).") var out: String
    @Option(parsing: .unconditional, help: "Title.") var title: String?
    @Option(parsing: .unconditional, help: "x-axis label (default: the column name).") var xlabel: String?
    @Option(parsing: .unconditional, help: "y-axis label.") var ylabel: String?
    @Option(parsing: .unconditional, help: "Figure width in inches.") var width: Double = 6.4
    @Option(parsing: .unconditional, help: "Figure height in inches.") var height: Double = 4.8
    @Option(parsing: .unconditional, help: "Resolution of PNG output, pixels per inch.") var dpi: Double = 100
    @Option(name: .customLong("where"), parsing: .unconditional, help: "Row filter expression.") var whereExpr: String?

    func validate() throws {
        guard width > 0, height > 0, dpi > 0 else { throw ValidationError("--width, --height and --dpi must be positive") }
    }

    /// The table, filtered.
    func read(_ path: String) throws -> Catalogue {
        var c = try Catalogue.read(path)
        if let w = whereExpr { c = try c.filter(w) }
        return c
    }

    func write(_ panel: Panel, inputs: [String]) throws {
        try Output.refuseOverwriting(inputs: inputs, outputs: [out])
        var f = Figure(width: width, height: height, panels: [panel])
        f.dpi = dpi
        if let title { f.title = title }
        try f.write(to: out)
        print("wrote \(out)")
    }
}

/// --interval: zscale, minmax, or a percentile in (0, 100].
func intervalArgument(_ s: String) throws -> ImageInterval {
    switch s {
    case "zscale": return .zscale()
    case "minmax": return .minMax
    default:
        guard let p = Double(s), p > 0, p <= 100 else { throw ValidationError("--interval is zscale, minmax or a percentile in (0, 100]") }
        return .percentile(p)
    }
}

/// "LO,HI" as a closed range.
func rangeArgument(_ s: String?, _ what: String) throws -> ClosedRange<Double>? {
    guard let s else { return nil }
    let (a, b) = try Output.pair(s, what: what)
    guard a < b else { throw ValidationError("\(what) needs LO < HI") }
    return a...b
}

struct PlotHist: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hist", abstract: "Histogram of a column.",
        discussion: "Example: skytool plot hist sources.fits --col mag --bins 40 --range 12,22 --out mag.png")
    @Argument(help: "Table (FITS or CSV).") var table: String
    @Option(parsing: .unconditional, help: "Column.") var col: String
    @Option(parsing: .unconditional, help: "Number of bins.") var bins: Int = 50
    @Option(parsing: .unconditional, help: "Range LO,HI (default: the data's).") var range: String?
    @Flag(help: "Cumulative.") var cumulative = false
    @Flag(help: "Density (counts / (N · bin width)); with --cumulative, the fraction.") var density = false
    @Flag(help: "Logarithmic count axis.") var log = false
    @Flag(help: "Steps instead of filled bars.") var step = false
    @OptionGroup var figure: FigureOptions

    func run() throws {
        let cat = try figure.read(table)
        var h = Histogram(try cat.doubles(col), bins: max(1, bins), range: try rangeArgument(range, "--range"))
        h.cumulative = cumulative; h.density = density; h.filled = !step
        var p = Panel(x: Axis(label: figure.xlabel ?? col), y: Axis(label: figure.ylabel ?? (density ? (cumulative ? "fraction" : "density") : "count"), scale: log ? .log : .linear))
        if log { let (_, heights) = h.counts(); p.y.limits = (heights.filter { $0 > 0 }.min().map { max(0.5, $0 / 2) } ?? 0.5)...max(1, (heights.max() ?? 1) * 2) }
        p.elements = [.histogram(h)]
        try figure.write(p, inputs: [table])
    }
}

struct PlotScatter: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scatter", abstract: "Scatter plot of two columns, optionally coloured by a third.",
        discussion: "Example: skytool plot scatter matched.fits --x mag_1 --y dmag --color sep_arcsec --out dmag.png")
    @Argument(help: "Table (FITS or CSV).") var table: String
    @Option(parsing: .unconditional, help: "x column.") var x: String
    @Option(parsing: .unconditional, help: "y column.") var y: String
    @Option(parsing: .unconditional, help: "Colour by this column (with a colour bar).") var color: String?
    @Option(parsing: .unconditional, help: "Colour map: gray, gray_r, viridis, inferno.") var cmap: String = "viridis"
    @Option(parsing: .unconditional, help: "Point diameter in points.") var size: Double = 3
    @Flag(help: "Logarithmic x axis.") var xlog = false
    @Flag(help: "Logarithmic y axis.") var ylog = false
    @Flag(help: "Invert the x axis.") var invertX = false
    @Flag(help: "Invert the y axis (magnitudes).") var invertY = false
    @OptionGroup var figure: FigureOptions

    func run() throws {
        guard let map = Colormap(rawValue: cmap) else { throw ValidationError("--cmap is gray, gray_r, viridis or inferno") }
        let cat = try figure.read(table)
        var s = Scatter(x: try cat.doubles(x), y: try cat.doubles(y))
        if let color { s.values = try cat.doubles(color); s.valueLabel = color; s.colormap = map }
        s.size = size
        var p = Panel(x: Axis(label: figure.xlabel ?? x, scale: xlog ? .log : .linear, inverted: invertX),
                      y: Axis(label: figure.ylabel ?? y, scale: ylog ? .log : .linear, inverted: invertY))
        p.elements = [.scatter(s)]
        try figure.write(p, inputs: [table])
    }
}

struct PlotLightcurve: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lightcurve", abstract: "Magnitude against time, one colour per group (band, object).",
        discussion: "Example: skytool plot lightcurve macho.csv --time mjd --mag mag --err mag_err --group band --where \"macho_id == '1.3449.27'\" --out lc.png")
    @Argument(help: "Table (FITS or CSV).") var table: String
    @Option(parsing: .unconditional, help: "Time column.") var time: String
    @Option(parsing: .unconditional, help: "Magnitude column (the axis is inverted).") var mag: String
    @Option(parsing: .unconditional, help: "Magnitude error column.") var err: String?
    @Option(parsing: .unconditional, help: "Group column: one colour per value.") var group: String?
    @OptionGroup var figure: FigureOptions

    func run() throws {
        let cat = try figure.read(table)
        let t = try cat.doubles(time), m = try cat.doubles(mag)
        let e = try err.map { try cat.doubles($0) }
        var groups: [(String, [Int])] = [("", Array(0..<cat.rowCount))]
        if let group {
            let col = try cat.column(group)
            var order: [String] = [], rows: [String: [Int]] = [:]
            for i in 0..<cat.rowCount {
                let k: String
                switch col.values {
                case .string(let a): k = a[i]
                case .int64(let a): k = String(a[i])
                case .double(let a): k = String(a[i])
                default: k = "?"
                }
                if rows[k] == nil { order.append(k) }
                rows[k, default: []].append(i)
            }
            groups = order.map { ($0, rows[$0] ?? []) }
        }
        var p = Panel(x: Axis(label: figure.xlabel ?? time), y: Axis(label: figure.ylabel ?? mag, inverted: true))
        for (k, g) in groups.enumerated() {
            let color = PlotColor.cycle[k % PlotColor.cycle.count]
            let label = group == nil ? nil : "\(group ?? "") \(g.0)"
            if let e { p.elements.append(.errorBars(x: g.1.map { t[$0] }, y: g.1.map { m[$0] }, error: g.1.map { e[$0] }, color: color, label: label)) }
            else { p.elements.append(.points(x: g.1.map { t[$0] }, y: g.1.map { m[$0] }, color: color, size: 4, label: label)) }
        }
        try figure.write(p, inputs: [table])
    }
}

struct PlotSky: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sky", abstract: "Positions on the sky (RA increasing to the left), optionally coloured by a column.",
        discussion: "Example: skytool plot sky hip2.fits --color Hpmag --out sky.png")
    @Argument(help: "Table (FITS or CSV) with positions.") var table: String
    @Option(parsing: .unconditional, help: "Colour by this column.") var color: String?
    @Option(parsing: .unconditional, help: "Point diameter in points.") var size: Double = 3
    @OptionGroup var positions: PositionOptions
    @OptionGroup var figure: FigureOptions

    func run() throws {
        var cat = try figure.read(table)
        try positions.apply(&cat)
        let (ra, dec) = try cat.positions()
        var s = Scatter(x: ra, y: dec)
        if let color { s.values = try cat.doubles(color); s.valueLabel = color }
        s.size = size
        var p = Panel(x: Axis(label: figure.xlabel ?? "RA [deg]", inverted: true), y: Axis(label: figure.ylabel ?? "Dec [deg]"))
        p.elements = [.scatter(s)]
        try figure.write(p, inputs: [table])
    }
}

struct PlotImage: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "image", abstract: "An image with a stretch, an interval and a colour map, sources circled.",
        discussion: "Example: skytool plot image field.fits --interval zscale --stretch asinh --overlay sources.fits --out field.png")
    @Argument(help: "Image (FITS).") var image: String
    @Option(parsing: .unconditional, help: "Catalogue whose sources are circled (needs the image's WCS).") var overlay: String?
    @Option(parsing: .unconditional, help: "Circle radius for --overlay (bare number: arcsec).") var markerRadius: RadiusArgument?
    @Option(parsing: .unconditional, help: "Interval: zscale, minmax, or a percentile such as 99.5.") var interval: String = "zscale"
    @Option(parsing: .unconditional, help: "Stretch: linear, sqrt, log, asinh.") var stretch: String = "linear"
    @Option(parsing: .unconditional, help: "Colour map: gray, gray_r, viridis, inferno.") var cmap: String = "gray"
    @OptionGroup var figure: FigureOptions

    func run() throws {
        let img = try SkyImage.read(image)
        var layer = ImageLayer(width: img.width, height: img.height, values: img.pixels)
        layer.interval = try intervalArgument(interval)
        guard let s = ImageStretch(rawValue: stretch), let m = Colormap(rawValue: cmap) else { throw ValidationError("unknown --stretch or --cmap") }
        layer.stretch = s; layer.colormap = m
        let sky = img.wcs != nil
        var p = Panel(x: Axis(label: figure.xlabel ?? (sky ? "RA" : "x [pixel]"), limits: 0.5...(Double(img.width) + 0.5)),
                      y: Axis(label: figure.ylabel ?? (sky ? "Dec" : "y [pixel]"), limits: 0.5...(Double(img.height) + 0.5)))
        p.elements = [.image(layer)]
        p.wcs = img.wcs
        if let overlay {
            guard img.wcs != nil else { throw DataError("\(img.source) has no celestial WCS: sources cannot be placed on it") }
            let (ra, dec) = try Catalogue.read(overlay).positions()
            let r = (markerRadius?.degrees ?? 5.0 / 3600) * 3600
            for i in 0..<ra.count where ra[i].isFinite { p.elements.append(.skyEllipse(SkyEllipse(ra: ra[i], dec: dec[i], major: r, minor: r, color: PlotColor(1, 0.3, 0.2)))) }
        }
        try figure.write(p, inputs: [image] + (overlay.map { [$0] } ?? []))
    }
}
