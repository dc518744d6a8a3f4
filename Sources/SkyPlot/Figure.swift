// Figures of panels drawn with cairo: histograms, lines, points, error bars, reference lines, legends.
import Foundation
import SkyCore

/// A histogram of values: counts, density or cumulative, drawn as steps or filled bars.
///
/// Bins follow numpy: `bins` equal bins over `range` (default: the finite values' extent), each [edgeᵢ, edgeᵢ₊₁)
/// with the last bin closed; values outside the range are not counted. Density divides by (N · width), N
/// the values counted; cumulative sums from the left (a fraction of N when `density`).
public struct Histogram: Sendable {
    public var values: [Double]
    public var bins: Int = 50
    public var range: ClosedRange<Double>? = nil
    public var density = false
    public var cumulative = false
    public var filled = true
    public var color: PlotColor = .blue
    public var label: String? = nil
    public init(_ values: [Double], bins: Int = 50, range: ClosedRange<Double>? = nil) { self.values = values; self.bins = bins; self.range = range }

    /// Bin edges and heights (empty when no finite value lies in the range).
    public func counts() -> (edges: [Double], heights: [Double]) {
        let finite = values.filter(\.isFinite)
        guard bins >= 1, let lo = range?.lowerBound ?? finite.min(), let hi = range?.upperBound ?? finite.max() else { return ([], []) }
        let (a, b) = lo < hi ? (lo, hi) : (lo - 0.5, hi + 0.5)
        let edges = (0...bins).map { a + (b - a) * Double($0) / Double(bins) }
        var h = [Double](repeating: 0, count: bins)
        var n = 0.0
        for v in finite where v >= a && v <= b {
            let k = min(bins - 1, Int((v - a) / (b - a) * Double(bins)))
            h[k] += 1; n += 1
        }
        guard n > 0 else { return ([], []) }
        if cumulative { for k in 1..<bins { h[k] += h[k - 1] }; if density { h = h.map { $0 / n } } }
        else if density { let w = (b - a) / Double(bins); h = h.map { $0 / (n * w) } }
        return (edges, h)
    }
}

/// What a panel shows.
public enum PlotElement: Sendable {
    case histogram(Histogram)
    /// A polyline through (x, y); NaN points break it.
    case line(x: [Double], y: [Double], color: PlotColor, width: Double, dashed: Bool, label: String?)
    /// Filled circles of `size` points diameter.
    case points(x: [Double], y: [Double], color: PlotColor, size: Double, label: String?)
    /// Points with vertical error bars (±err).
    case errorBars(x: [Double], y: [Double], error: [Double], color: PlotColor, label: String?)
    /// A vertical reference line at x, labelled in the legend.
    case verticalLine(x: Double, color: PlotColor, dashed: Bool, label: String?)
    /// A horizontal reference line at y.
    case horizontalLine(y: Double, color: PlotColor, dashed: Bool, label: String?)
    /// A shaded band between y = lo(x) and y = hi(x).
    case band(x: [Double], lower: [Double], upper: [Double], color: PlotColor, label: String?)
    /// An image; the panel's coordinates are then its 1-based pixels (pixel i spans i − ½ … i + ½).
    case image(ImageLayer)
    /// Many points, optionally coloured by a value (with a colour bar).
    case scatter(Scatter)
    /// An ellipse given on the sky, drawn through the panel's WCS.
    case skyEllipse(SkyEllipse)
    /// A marker or text at a sky position, drawn through the panel's WCS.
    case skyMark(SkyMark)
}

/// One panel: two axes, a title, the elements, and a legend of the labelled elements.
public struct Panel: Sendable {
    public var x = Axis(), y = Axis()
    public var title = ""
    public var elements: [PlotElement] = []
    public var legend = true
    /// Legend in the lower right corner instead of the upper right (for rising curves).
    public var legendBelow = false
    /// The WCS of an image panel's pixel coordinates, for sky overlays.
    public var wcs: WCS? = nil
    /// Tick marks and numbers (off for image panels, whose pixel numbers say little).
    public var ticks = true
    public init(title: String = "", x: Axis = Axis(), y: Axis = Axis()) { self.title = title; self.x = x; self.y = y }

    /// The data extremes of the elements (reference lines included), per axis.
    func extent() -> (x: (Double, Double), y: (Double, Double)) {
        var x0 = Double.infinity, x1 = -Double.infinity, y0 = Double.infinity, y1 = -Double.infinity
        func addX(_ v: Double) { if v.isFinite && (self.x.scale == .linear || v > 0) { x0 = min(x0, v); x1 = max(x1, v) } }
        func addY(_ v: Double) { if v.isFinite && (self.y.scale == .linear || v > 0) { y0 = min(y0, v); y1 = max(y1, v) } }
        for e in elements {
            switch e {
            case .histogram(let h):
                let (edges, heights) = h.counts()
                if let a = edges.first, let b = edges.last { addX(a); addX(b) }
                for v in heights { addY(v) }
                if !heights.isEmpty && y.scale == .linear { addY(0) }
            case let .line(xs, ys, _, _, _, _), let .points(xs, ys, _, _, _):
                for (a, b) in zip(xs, ys) where a.isFinite && b.isFinite { addX(a); addY(b) }
            case let .errorBars(xs, ys, es, _, _):
                for ((a, b), e) in zip(zip(xs, ys), es) where a.isFinite && b.isFinite { addX(a); addY(b - (e.isFinite ? e : 0)); addY(b + (e.isFinite ? e : 0)) }
            case let .verticalLine(v, _, _, _): addX(v)
            case let .horizontalLine(v, _, _, _): addY(v)
            case let .band(xs, lo, hi, _, _):
                for k in 0..<min(xs.count, lo.count, hi.count) where xs[k].isFinite { addX(xs[k]); addY(lo[k]); addY(hi[k]) }
            case .image(let im):
                addX(0.5); addX(Double(im.width) + 0.5); addY(0.5); addY(Double(im.height) + 0.5)
            case .skyEllipse, .skyMark: break
            case .scatter(let sc):
                for (a, b) in zip(sc.x, sc.y) where a.isFinite && b.isFinite { addX(a); addY(b) }
            }
        }
        return ((x0, x1), (y0, y1))
    }

    /// Checks the data against the axes: values ≤ 0 on a log axis are an error (they cannot be drawn and
    /// must not vanish silently).
    func validate() throws(PlotError) {
        func check(_ v: [Double], _ axis: Axis, _ name: String) throws(PlotError) {
            if axis.scale == .log, let bad = v.first(where: { $0.isFinite && $0 <= 0 }) {
                throw PlotError("\(bad) on the logarithmic \(name) axis\(axis.label.isEmpty ? "" : " '\(axis.label)'"): values must be positive")
            }
        }
        for e in elements {
            switch e {
            case .histogram(let h): try check(h.values, x, "x")
            case let .line(xs, ys, _, _, _, _), let .points(xs, ys, _, _, _), let .errorBars(xs, ys, _, _, _): try check(xs, x, "x"); try check(ys, y, "y")
            case let .verticalLine(v, _, _, _): try check([v], x, "x")
            case let .horizontalLine(v, _, _, _): try check([v], y, "y")
            case let .band(xs, lo, hi, _, _): try check(xs, x, "x"); try check(lo + hi, y, "y")
            case .image: break
            case .scatter(let sc): try check(sc.x, x, "x"); try check(sc.y, y, "y")
            case .skyEllipse, .skyMark: if wcs == nil { throw PlotError("a sky overlay on a panel without a WCS (\(title.isEmpty ? "untitled" : title))") }
            }
        }
    }
}

/// A figure: a grid of panels, its size in inches and its resolution.
public struct Figure: Sendable {
    public var width: Double, height: Double
    /// Pixels per inch for PNG output (SVG and PDF are in points, 72 per inch).
    public var dpi: Double = 100
    public var rows: Int, columns: Int
    public var panels: [Panel]
    public var title = ""
    /// Font size in points.
    public var fontSize: Double = 10

    public init(width: Double = 6.4, height: Double = 4.8, rows: Int = 1, columns: Int = 1, panels: [Panel]) {
        self.width = width; self.height = height; self.rows = rows; self.columns = columns; self.panels = panels
    }

    /// Device units per point: dpi/72 for PNG, 1 for vector output.
    func unit(_ format: PlotFormat) -> Double { format == .png ? dpi / 72 : 1 }

    /// The plotting rectangle (x, y, width, height in device units, y down) of panel k.
    public func plotRect(_ k: Int, format: PlotFormat = .png) -> (x: Double, y: Double, w: Double, h: Double) {
        let u = unit(format)
        let W = width * 72 * u, H = height * 72 * u
        let top = title.isEmpty ? 0 : 2.2 * fontSize * u
        let cw = W / Double(columns), ch = (H - top) / Double(rows)
        let r = k / columns, c = k % columns
        // Panels without ticks (images) need no room for tick numbers and axis labels.
        let bare = k < panels.count && !panels[k].ticks
        let hasBar = k < panels.count && panels[k].elements.contains { if case .scatter(let s) = $0 { return s.values != nil }; return false }
        let left = (bare ? 0.5 : 5.2) * fontSize * u, right = (hasBar ? 7.0 : bare ? 0.5 : 1.2) * fontSize * u
        let bottom = (bare ? 0.5 : 3.6) * fontSize * u, ptop = 2.0 * fontSize * u
        return (Double(c) * cw + left, top + Double(r) * ch + ptop, cw - left - right, ch - ptop - bottom)
    }

    /// The limits a panel's axes use: set, or from its data.
    public func limits(_ k: Int) -> (x: ClosedRange<Double>, y: ClosedRange<Double>)? {
        let p = panels[k]
        let e = p.extent()
        guard let x = p.x.limits ?? p.x.autoLimits(min: e.x.0, max: e.x.1),
              let y = p.y.limits ?? p.y.autoLimits(min: e.y.0, max: e.y.1) else { return nil }
        var yy = y
        // Histograms and counts start at zero on a linear y axis.
        if p.y.limits == nil, p.y.scale == .linear, e.y.0 >= 0, p.elements.contains(where: { if case .histogram = $0 { return true }; return false }) {
            yy = 0...y.upperBound
        }
        return (x, yy)
    }

    /// Device coordinates (pixels for PNG, top-left origin) of data point (x, y) in panel k.
    public func devicePoint(panel k: Int, x: Double, y: Double, format: PlotFormat = .png) -> (x: Double, y: Double)? {
        guard let lim = limits(k) else { return nil }
        let r = plotRect(k, format: format)
        return (r.x + panels[k].x.fraction(x, in: lim.x) * r.w, r.y + r.h - panels[k].y.fraction(y, in: lim.y) * r.h)
    }

    /// Draws the figure into `path` (PNG, SVG or PDF by extension), atomically. Panels without data show
    /// "no data"; values ≤ 0 on a log axis are an error.
    public func write(to path: String) throws {
        let format = try PlotFormat.of(path: path)
        guard width > 0, height > 0, dpi > 0, rows >= 1, columns >= 1, panels.count <= rows * columns else {
            throw PlotError("a figure needs a positive size and resolution and room for its \(panels.count) panels", file: path)
        }
        for p in panels { do { try p.validate() } catch var e { e.file = path; throw e } }
        let u = unit(format)
        try writeAtomically(to: path) { tmp in
            let canvas = try Canvas(format: format, width: (width * 72 * u).rounded(), height: (height * 72 * u).rounded(), temporaryPath: tmp)
            canvas.color(.white); canvas.rectangle(0, 0, canvas.width, canvas.height); canvas.fill()
            if !title.isEmpty {
                canvas.color(.black); canvas.font(size: 1.2 * fontSize * u, bold: true)
                canvas.text(title, canvas.width / 2, 0.6 * fontSize * u, ax: 0.5, ay: 0)
            }
            for k in panels.indices { draw(k, on: canvas, format: format) }
            try canvas.write(to: format == .png ? tmp : path)
        }
    }

    func draw(_ k: Int, on c: Canvas, format: PlotFormat) {
        let p = panels[k], u = unit(format), r = plotRect(k, format: format)
        c.font(size: fontSize * u)
        c.color(.black)
        if !p.title.isEmpty { c.text(p.title, r.x + r.w / 2, r.y - 1.5 * fontSize * u, ax: 0.5, ay: 0) }
        guard let lim = limits(k) else {
            c.lineWidth(0.8 * u); c.rectangle(r.x, r.y, r.w, r.h); c.stroke()
            c.text("no data", r.x + r.w / 2, r.y + r.h / 2, ax: 0.5, ay: 0.5)
            return
        }
        func px(_ v: Double) -> Double { r.x + p.x.fraction(v, in: lim.x) * r.w }
        func py(_ v: Double) -> Double { r.y + r.h - p.y.fraction(v, in: lim.y) * r.h }
        // Data, clipped to the plotting rectangle.
        c.save(); c.clip(r.x, r.y, r.w, r.h)
        var legend: [(String, PlotColor, Bool)] = []
        var colorbars: [(Colormap, ClosedRange<Double>, String)] = []
        for e in p.elements {
            switch e {
            case .histogram(let h):
                let (edges, heights) = h.counts()
                guard !heights.isEmpty else { continue }
                let base = p.y.scale == .log ? lim.y.lowerBound : 0
                if h.filled && !h.cumulative {
                    c.color(PlotColor(h.color.r, h.color.g, h.color.b, 0.75))
                    for b in heights.indices where heights[b] > 0 { let y0 = py(base), y1 = py(heights[b]); c.rectangle(px(edges[b]), y1, px(edges[b + 1]) - px(edges[b]), y0 - y1) }
                    c.fill()
                } else {
                    c.color(h.color); c.lineWidth(1.2 * u); c.dash([])
                    c.moveTo(px(edges[0]), py(h.cumulative ? heights[0] : base))
                    for b in heights.indices { c.lineTo(px(edges[b]), py(heights[b])); c.lineTo(px(edges[b + 1]), py(heights[b])) }
                    if !h.cumulative { c.lineTo(px(edges[heights.count]), py(base)) }
                    c.stroke()
                }
                if let l = h.label { legend.append((l, h.color, false)) }
            case let .line(xs, ys, color, width, dashed, label):
                c.color(color); c.lineWidth(width * u); c.dash(dashed ? [5 * u, 3 * u] : [])
                var open = false
                for (a, b) in zip(xs, ys) {
                    guard a.isFinite, b.isFinite else { open = false; continue }
                    if open { c.lineTo(px(a), py(b)) } else { c.moveTo(px(a), py(b)); open = true }
                }
                c.stroke()
                if let label { legend.append((label, color, dashed)) }
            case let .points(xs, ys, color, size, label):
                c.color(color)
                for (a, b) in zip(xs, ys) where a.isFinite && b.isFinite { c.circle(px(a), py(b), size / 2 * u) }
                c.fill()
                if let label { legend.append((label, color, false)) }
            case let .errorBars(xs, ys, es, color, label):
                c.color(color); c.lineWidth(0.8 * u); c.dash([])
                for ((a, b), e) in zip(zip(xs, ys), es) where a.isFinite && b.isFinite && e.isFinite {
                    c.moveTo(px(a), py(b - e)); c.lineTo(px(a), py(b + e))
                }
                c.stroke()
                for (a, b) in zip(xs, ys) where a.isFinite && b.isFinite { c.circle(px(a), py(b), 2 * u) }
                c.fill()
                if let label { legend.append((label, color, false)) }
            case let .verticalLine(v, color, dashed, label):
                c.color(color); c.lineWidth(1.5 * u); c.dash(dashed ? [5 * u, 3 * u] : [])
                c.moveTo(px(v), r.y); c.lineTo(px(v), r.y + r.h); c.stroke()
                if let label { legend.append((label, color, dashed)) }
            case let .horizontalLine(v, color, dashed, label):
                c.color(color); c.lineWidth(1.5 * u); c.dash(dashed ? [5 * u, 3 * u] : [])
                c.moveTo(r.x, py(v)); c.lineTo(r.x + r.w, py(v)); c.stroke()
                if let label { legend.append((label, color, dashed)) }
            case let .band(xs, lo, hi, color, label):
                let n = min(xs.count, lo.count, hi.count)
                guard n > 1 else { continue }
                c.color(PlotColor(color.r, color.g, color.b, 0.3))
                c.moveTo(px(xs[0]), py(lo[0]))
                for k in 1..<n { c.lineTo(px(xs[k]), py(lo[k])) }
                for k in stride(from: n - 1, through: 0, by: -1) { c.lineTo(px(xs[k]), py(hi[k])) }
                c.closePath(); c.fill()
                if let label { legend.append((label, color, false)) }
            case .image(let im):
                let x0 = px(0.5), x1 = px(Double(im.width) + 0.5), y0 = py(Double(im.height) + 0.5), y1 = py(0.5)
                c.image(im.pixels(), width: im.width, height: im.height, into: min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
            case .scatter(let sc):
                let vr = sc.valueRange, table = sc.colormap.table
                if format == .png && sc.x.count > 2000 {
                    let w = Int(r.w.rounded(.up)), h = Int(r.h.rounded(.up))
                    let bytes = sc.raster(w: w, h: h, radius: sc.size / 2 * u, px: { px($0) - r.x }, py: { py($0) - r.y })
                    c.image(bytes, width: w, height: h, into: r.x, r.y, Double(w), Double(h))
                } else {
                    for i in 0..<min(sc.x.count, sc.y.count) where sc.x[i].isFinite && sc.y[i].isFinite {
                        c.color(sc.color(i, table, vr)); c.circle(px(sc.x[i]), py(sc.y[i]), sc.size / 2 * u); c.fill()
                    }
                }
                if let label = sc.label, sc.values == nil { legend.append((label, sc.color, false)) }
                if let vr { colorbars.append((sc.colormap, vr, sc.valueLabel)) }
            case .skyMark(let m):
                guard let wcs = p.wcs, let q = try? wcs.worldToPixel(lon: [m.ra], lat: [m.dec]), q.valid[0] else { continue }
                let x = px(q.x[0]), y = py(q.y[0]), h = m.size / 2 * u
                c.color(m.color); c.lineWidth(1.5 * u); c.dash([])
                if let t = m.text {
                    c.font(size: 0.9 * fontSize * u); c.text(t, x + 0.3 * fontSize * u, y, ax: 0, ay: 0.5)
                } else {
                    switch m.shape {
                    case .plus: c.moveTo(x - h, y); c.lineTo(x + h, y); c.moveTo(x, y - h); c.lineTo(x, y + h); c.stroke()
                    case .cross: c.moveTo(x - h, y - h); c.lineTo(x + h, y + h); c.moveTo(x - h, y + h); c.lineTo(x + h, y - h); c.stroke()
                    case .circle: c.circle(x, y, h); c.stroke()
                    }
                }
            case .skyEllipse(let e):
                guard let wcs = p.wcs, let outline = try? e.pixelOutline(wcs: wcs) else { continue }
                c.color(e.color); c.lineWidth(1.5 * u); c.dash([])
                c.moveTo(px(outline[0].x), py(outline[0].y))
                for q in outline.dropFirst() { c.lineTo(px(q.x), py(q.y)) }
                c.closePath(); c.stroke()
                if let label = e.label { legend.append((label, e.color, false)) }
            }
        }
        c.restore()
        // Frame, ticks and labels.
        c.dash([]); c.color(.black); c.lineWidth(0.8 * u)
        c.rectangle(r.x, r.y, r.w, r.h); c.stroke()
        c.font(size: 0.9 * fontSize * u)
        let tick = 4 * u
        let xt = Axis.ticks(lim.x, scale: p.x.scale), yt = Axis.ticks(lim.y, scale: p.y.scale)
        let xstep = xt.count > 1 ? xt[1] - xt[0] : max(1e-300, abs(lim.x.upperBound - lim.x.lowerBound))
        let ystep = yt.count > 1 ? yt[1] - yt[0] : max(1e-300, abs(lim.y.upperBound - lim.y.lowerBound))
        let skyAxes = p.ticks && p.wcs != nil && p.elements.contains { if case .image = $0 { return true }; return false }
        if skyAxes, let wcs = p.wcs {
            // Sky coordinates along the bottom (RA) and left (Dec) edges instead of pixel numbers.
            let bottom = SkyTicks.along(wcs, from: (lim.x.lowerBound, lim.y.lowerBound), to: (lim.x.upperBound, lim.y.lowerBound), .ra)
            for (t, text) in bottom {
                let x = r.x + t * r.w
                c.moveTo(x, r.y + r.h); c.lineTo(x, r.y + r.h + tick); c.stroke()
                c.text(text, x, r.y + r.h + tick + 2 * u, ax: 0.5, ay: 0)
            }
            let left = SkyTicks.along(wcs, from: (lim.x.lowerBound, lim.y.lowerBound), to: (lim.x.lowerBound, lim.y.upperBound), .dec)
            for (t, text) in left {
                let y = r.y + r.h - t * r.h
                c.moveTo(r.x - tick, y); c.lineTo(r.x, y); c.stroke()
                c.text(text, r.x - tick - 3 * u, y, ax: 1, ay: 0.5)
            }
        }
        for v in xt where p.ticks && !skyAxes {
            let x = px(v)
            c.moveTo(x, r.y + r.h); c.lineTo(x, r.y + r.h + tick); c.stroke()
            c.text(Axis.label(v, step: p.x.scale == .log ? v : xstep), x, r.y + r.h + tick + 2 * u, ax: 0.5, ay: 0)
        }
        for v in yt where p.ticks && !skyAxes {
            let y = py(v)
            c.moveTo(r.x - tick, y); c.lineTo(r.x, y); c.stroke()
            c.text(Axis.label(v, step: p.y.scale == .log ? v : ystep), r.x - tick - 3 * u, y, ax: 1, ay: 0.5)
        }
        c.font(size: fontSize * u)
        if !p.x.label.isEmpty { c.text(p.x.label, r.x + r.w / 2, r.y + r.h + tick + 1.6 * fontSize * u, ax: 0.5, ay: 0) }
        if !p.y.label.isEmpty { c.text(p.y.label, r.x - 4.6 * fontSize * u, r.y + r.h / 2, ax: 0.5, ay: 0, angle: .pi / 2) }
        // A colour bar at the right edge inside the panel's right margin.
        if let (map, vr, label) = colorbars.first {
            let bw = 0.9 * fontSize * u, bx = r.x + r.w + 0.4 * fontSize * u, steps = 64
            let table = map.table
            for k in 0..<steps {
                let t = (Double(k) + 0.5) / Double(steps)
                let col = table[Colormap.index(t)]
                c.color(PlotColor(col.0, col.1, col.2)); c.rectangle(bx, r.y + r.h * (1 - Double(k + 1) / Double(steps)), bw, r.h / Double(steps) + 0.5); c.fill()
            }
            c.color(.black); c.lineWidth(0.6 * u); c.rectangle(bx, r.y, bw, r.h); c.stroke()
            c.font(size: 0.8 * fontSize * u)
            let ticks = Axis.ticks(vr, scale: .linear, target: 5)
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
            for v in ticks {
                let y = r.y + r.h * (1 - (v - vr.lowerBound) / (vr.upperBound - vr.lowerBound))
                c.text(Axis.label(v, step: step), bx + bw + 2 * u, y, ax: 0, ay: 0.5)
            }
            if !label.isEmpty { c.text(label, bx + bw + 4.2 * fontSize * u, r.y + r.h / 2, ax: 0.5, ay: 1, angle: .pi / 2) }
        }
        // Legend, top right inside the frame.
        guard p.legend, !legend.isEmpty else { return }
        c.font(size: 0.85 * fontSize * u)
        let lh = 1.3 * fontSize * u
        let lw = (legend.map { c.textSize($0.0).width }.max() ?? 0) + 3 * fontSize * u
        let boxHeight = lh * Double(legend.count) + 0.4 * fontSize * u
        let lx = r.x + r.w - lw - 0.5 * fontSize * u
        let ly = p.legendBelow ? r.y + r.h - boxHeight - 0.5 * fontSize * u : r.y + 0.5 * fontSize * u
        c.color(PlotColor(1, 1, 1, 0.85)); c.rectangle(lx, ly, lw, boxHeight); c.fill()
        for (i, entry) in legend.enumerated() {
            let y = ly + lh * (Double(i) + 0.5) + 0.2 * fontSize * u
            c.color(entry.1); c.lineWidth(2 * u); c.dash(entry.2 ? [4 * u, 2 * u] : [])
            c.moveTo(lx + 0.4 * fontSize * u, y); c.lineTo(lx + 2 * fontSize * u, y); c.stroke()
            c.dash([]); c.color(.black)
            c.text(entry.0, lx + 2.4 * fontSize * u, y, ax: 0, ay: 0.5)
        }
    }
}

extension Figure {
    /// The pixel size of a PNG file, decoded by cairo (to check what was written).
    public static func pngSize(of path: String) throws -> (width: Int, height: Int) { try Canvas.pngSize(path) }
}
