// The one file that calls cairo. It owns the surface and context handles, checks cairo's status after the
// drawing and turns it into `PlotError`; the rest of SkyPlot draws through `Canvas`.
internal import CSkyCairo
import Foundation

/// An error while drawing or writing a plot: bad input data, an unknown output type, or cairo's status.
public struct PlotError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// The output file, when the error belongs to one.
    public var file: String?
    public init(_ message: String, file: String? = nil) { self.message = message; self.file = file }
    public var description: String { "plot error" + (file.map { " writing '\($0)'" } ?? "") + ": " + message }
}

/// The output formats, chosen by the file extension.
public enum PlotFormat: String, Sendable, CaseIterable {
    case png, svg, pdf

    /// The format of a path's extension (case-insensitive), or an error naming it.
    public static func of(path: String) throws(PlotError) -> PlotFormat {
        let ext = (path as NSString).pathExtension.lowercased()
        guard let f = PlotFormat(rawValue: ext) else {
            throw PlotError("unknown output type '.\(ext)': use .png, .svg or .pdf", file: path)
        }
        return f
    }
}

/// A drawing surface in device units: pixels for PNG (the figure's inches × dpi), points (1/72 inch) for
/// SVG and PDF, with y growing downwards from the top-left corner. Draw on it, then `write()` once.
final class Canvas {
    private let surface: OpaquePointer
    private let cr: OpaquePointer
    let width: Double, height: Double
    let format: PlotFormat
    /// Where an SVG or PDF is written while drawing (cairo streams vector output to its file).
    private let vectorPath: String?

    /// A canvas of `width` × `height` device units. Vector formats go to `temporaryPath` (renamed by the caller).
    init(format: PlotFormat, width: Double, height: Double, temporaryPath: String?) throws(PlotError) {
        self.format = format; self.width = width; self.height = height
        let s: OpaquePointer?
        switch format {
        case .png: s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width.rounded()), Int32(height.rounded())); vectorPath = nil
        case .svg: s = cairo_svg_surface_create(temporaryPath, width, height); vectorPath = temporaryPath
        case .pdf: s = cairo_pdf_surface_create(temporaryPath, width, height); vectorPath = temporaryPath
        }
        guard let s, cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            throw PlotError("cairo could not create a \(Int(width))×\(Int(height)) \(format.rawValue) surface")
        }
        guard let c = cairo_create(s), cairo_status(c) == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(s)
            throw PlotError("cairo could not create a drawing context")
        }
        surface = s; cr = c
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    // MARK: drawing

    func color(_ c: PlotColor) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }
    func lineWidth(_ w: Double) { cairo_set_line_width(cr, w) }
    func dash(_ pattern: [Double]) { cairo_set_dash(cr, pattern, Int32(pattern.count), 0) }
    func moveTo(_ x: Double, _ y: Double) { cairo_move_to(cr, x, y) }
    func lineTo(_ x: Double, _ y: Double) { cairo_line_to(cr, x, y) }
    func rectangle(_ x: Double, _ y: Double, _ w: Double, _ h: Double) { cairo_rectangle(cr, x, y, w, h) }
    func circle(_ x: Double, _ y: Double, _ r: Double) { cairo_new_sub_path(cr); cairo_arc(cr, x, y, r, 0, 2 * .pi) }
    func closePath() { cairo_close_path(cr) }
    func stroke() { cairo_stroke(cr) }
    func fill() { cairo_fill(cr) }
    func save() { cairo_save(cr) }
    func restore() { cairo_restore(cr) }
    /// Restricts drawing to a rectangle until `restore()`.
    func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) { cairo_rectangle(cr, x, y, w, h); cairo_clip(cr) }

    /// Font size in device units; bold or not.
    func font(size: Double, bold: Bool = false) {
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    /// The advance width and the ascent of a string in the current font.
    func textSize(_ s: String) -> (width: Double, height: Double) {
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        var f = cairo_font_extents_t()
        cairo_font_extents(cr, &f)
        return (e.x_advance, f.ascent)
    }

    /// Draws `s` with its anchor at (x, y): `ax`, `ay` in 0…1 place the anchor along the text's width and
    /// ascent (0, 0: left, top; 0.5, 0.5: centre), rotated by `angle` radians counter-clockwise.
    func text(_ s: String, _ x: Double, _ y: Double, ax: Double = 0, ay: Double = 0, angle: Double = 0) {
        let (w, h) = textSize(s)
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_rotate(cr, -angle)
        cairo_move_to(cr, -ax * w, -ay * h + h)
        cairo_show_text(cr, s)
        cairo_restore(cr)
    }

    /// Paints premultiplied BGRA bytes (rows from the top) scaled into the rectangle, nearest-neighbour.
    func image(_ bgra: [UInt8], width w: Int, height h: Int, into x: Double, _ y: Double, _ rw: Double, _ rh: Double) {
        var bytes = bgra
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, Int32(w)))
        if stride != w * 4 {
            var padded = [UInt8](repeating: 0, count: stride * h)
            for r in 0..<h { for k in 0..<(w * 4) { padded[r * stride + k] = bgra[r * w * 4 + k] } }
            bytes = padded
        }
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self),
                  let img = cairo_image_surface_create_for_data(base, CAIRO_FORMAT_ARGB32, Int32(w), Int32(h), Int32(stride)) else { return }
            defer { cairo_surface_destroy(img) }
            cairo_save(cr)
            cairo_rectangle(cr, x, y, rw, rh); cairo_clip(cr)
            cairo_translate(cr, x, y)
            cairo_scale(cr, rw / Double(w), rh / Double(h))
            cairo_set_source_surface(cr, img, 0, 0)
            cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST)
            cairo_paint(cr)
            cairo_restore(cr)
        }
    }

    // MARK: output

    /// Finishes the drawing and writes it: a PNG to `path`; SVG and PDF are complete in `temporaryPath`.
    func write(to path: String) throws(PlotError) {
        if cairo_status(cr) != CAIRO_STATUS_SUCCESS {
            throw PlotError("cairo: " + String(cString: cairo_status_to_string(cairo_status(cr))), file: path)
        }
        switch format {
        case .png:
            cairo_surface_flush(surface)
            let st = cairo_surface_write_to_png(surface, path)
            if st != CAIRO_STATUS_SUCCESS { throw PlotError("cairo: " + String(cString: cairo_status_to_string(st)), file: path) }
        case .svg, .pdf:
            cairo_surface_finish(surface)
            let st = cairo_surface_status(surface)
            if st != CAIRO_STATUS_SUCCESS { throw PlotError("cairo: " + String(cString: cairo_status_to_string(st)), file: vectorPath ?? path) }
        }
    }

    /// The size in pixels of a PNG file (cairo decodes it), to check what was written.
    static func pngSize(_ path: String) throws(PlotError) -> (width: Int, height: Int) {
        guard let s = cairo_image_surface_create_from_png(path) else { throw PlotError("cannot read the PNG", file: path) }
        defer { cairo_surface_destroy(s) }
        guard cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            throw PlotError("cairo: " + String(cString: cairo_status_to_string(cairo_surface_status(s))), file: path)
        }
        return (Int(cairo_image_surface_get_width(s)), Int(cairo_image_surface_get_height(s)))
    }

    /// The ARGB pixel at (x, y) of a PNG file (top-left origin), for tests of where things were drawn.
    static func pngPixel(_ path: String, x: Int, y: Int) throws(PlotError) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        guard let s = cairo_image_surface_create_from_png(path), cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            throw PlotError("cannot read the PNG", file: path)
        }
        defer { cairo_surface_destroy(s) }
        cairo_surface_flush(s)
        let stride = Int(cairo_image_surface_get_stride(s))
        guard let data = cairo_image_surface_get_data(s), x >= 0, y >= 0,
              x < Int(cairo_image_surface_get_width(s)), y < Int(cairo_image_surface_get_height(s)) else {
            throw PlotError("pixel (\(x), \(y)) is outside the PNG", file: path)
        }
        let p = data + y * stride + 4 * x
        return (p[2], p[1], p[0], p[3])   // cairo's ARGB32 is native-endian: B, G, R, A in memory on x86
    }
}
