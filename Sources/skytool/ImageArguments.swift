// Options shared by the image subcommands (background, detect, photometry, cutout): which HDU, the
// background and noise maps, the mask, and sizes given in pixels or as angles.
import ArgumentParser
import Foundation
import SkyCore
import SkyPhot

/// A length on the image: pixels (`5pix`, `5px`, or a bare number) or an angle (`3arcsec`, `3"`, `0.5'`,
/// `0.01deg`, `200mas`), converted to pixels with the image's pixel scale.
struct PixelLength: ExpressibleByArgument, Sendable {
    enum Value: Sendable { case pixels(Double), degrees(Double) }
    let value: Value
    let text: String

    init?(argument: String) {
        text = argument
        let t = argument.trimmingCharacters(in: .whitespaces).lowercased()
        for suffix in ["pixels", "pixel", "pix", "px"] where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), v > 0, v.isFinite else { return nil }
            value = .pixels(v); return
        }
        if let v = Double(t) {
            guard v > 0, v.isFinite else { return nil }
            value = .pixels(v); return
        }
        guard let d = AngleText.degrees(argument, defaultUnit: .arcsec), d > 0, d.isFinite else { return nil }
        value = .degrees(d)
    }

    /// The length in pixels; an angle uses the local pixel scale at the image centre.
    func pixels(on image: SkyImage) throws -> Double {
        switch value {
        case .pixels(let p): return p
        case .degrees(let d):
            guard image.wcs != nil else {
                throw DataError("\(text) is an angle, but \(image.source) has no celestial WCS to convert it: give it in pixels (e.g. 5pix)")
            }
            return d / (try image.pixelScale(atX: (Double(image.width) + 1) / 2, y: (Double(image.height) + 1) / 2))
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// The mesh background's settings and the mask.
struct MeshArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Mesh box size in pixels (BACK_SIZE).") var box: Int = 64
    @Option(parsing: .unconditional, help: "Mesh median filter size in boxes (BACK_FILTERSIZE).") var filter: Int = 3
    @Option(parsing: .unconditional, help: "Filter only boxes differing by more than this from the median (data units; BACK_FILTERTHRESH).") var filterThreshold: Double = 0
    @Option(parsing: .unconditional, help: "A mask image (FITS): pixels with a non-zero value are ignored. NaN pixels are always ignored.") var mask: String?

    var meshOptions: BackgroundOptions {
        var o = BackgroundOptions()
        o.boxWidth = box; o.boxHeight = box; o.filterWidth = filter; o.filterHeight = filter; o.filterThreshold = filterThreshold
        return o
    }

    func validate() throws {
        guard box > 0, filter > 0 else { throw ValidationError("--box and --filter must be positive") }
    }

    /// The mask (true = ignore) read from --mask.
    func readMask(for image: SkyImage) throws -> [Bool]? {
        guard let mask else { return nil }
        let m = try SkyImage.read(mask)
        guard m.width == image.width, m.height == image.height else {
            throw DataError("the mask \(mask) is \(m.width)×\(m.height), the image \(image.width)×\(image.height)")
        }
        return m.pixels.map { $0 != 0 && !$0.isNaN }
    }
}

/// Where the background and noise come from.
struct BackgroundArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Background: 'mesh' (SExtractor's mesh estimate, subtracted), 'none' (the image is used as it is), or a FITS map to subtract.")
    var background: String = "mesh"
    @Option(parsing: .unconditional, help: "A 1-sigma noise map (FITS, e.g. a radio survey's rms image); default: the mesh estimate's rms.")
    var rms: String?
    @OptionGroup var mesh: MeshArguments

    /// Files this option group reads.
    var inputs: [String] { [background == "mesh" || background == "none" ? nil : background, rms, mesh.mask].compactMap { $0 } }

    func readMask(for image: SkyImage) throws -> [Bool]? { try mesh.readMask(for: image) }

    /// The maps and whether to subtract the background.
    func maps(for image: SkyImage, mask: [Bool]?) throws -> (maps: BackgroundMap, subtract: Bool) {
        func readMap(_ path: String, _ what: String) throws -> [Float] {
            let m = try SkyImage.read(path)
            guard m.width == image.width, m.height == image.height else {
                throw DataError("the \(what) map \(path) is \(m.width)×\(m.height), the image \(image.width)×\(image.height)")
            }
            return m.pixels
        }
        let mode = background.lowercased()
        let needMesh = rms == nil || mode == "mesh"
        let meshMaps = needMesh ? try image.background(options: mesh.meshOptions, mask: mask) : nil
        let back: [Float]? = mode == "mesh" ? meshMaps?.background : mode == "none" ? nil : try readMap(background, "background")
        if let rms {
            return (try BackgroundMap(width: image.width, height: image.height, background: back, rms: try readMap(rms, "rms")), mode != "none")
        }
        guard let meshMaps else { throw DataError("internal: no mesh background") }
        var maps = meshMaps
        if let back { maps.background = back } else { maps.background = [Float](repeating: 0, count: image.width * image.height) }
        return (maps, mode != "none")
    }
}
