// The sky background and its noise: SExtractor's mesh estimate (through SEP), or maps given by the user.
import Foundation
import SkyCore

/// How the mesh background is estimated. Defaults are SExtractor's and SEP's (BACK_SIZE 64, BACK_FILTERSIZE 3).
///
/// The image is cut into boxes of `boxWidth` × `boxHeight` pixels; in each box the pixel histogram is
/// clipped at ±3σ around the median until it converges, and the background is the mode estimate
/// 2.5 × median − 1.5 × mean (the mean when the clipping changed σ by more than 20 %, i.e. the box is not
/// crowded); the rms is the clipped σ. The box values are median-filtered over `filterWidth` ×
/// `filterHeight` boxes (only where they differ from the filtered value by more than `filterThreshold`)
/// and interpolated to every pixel by bicubic splines.
public struct BackgroundOptions: Sendable, Equatable {
    /// Box size in pixels (BACK_SIZE).
    public var boxWidth = 64, boxHeight = 64
    /// Median filter size in boxes (BACK_FILTERSIZE).
    public var filterWidth = 3, filterHeight = 3
    /// Filter only boxes whose value differs from the filtered one by more than this (data units; BACK_FILTERTHRESH).
    public var filterThreshold = 0.0
    public init() {}
}

/// A background and 1-sigma noise value for every pixel of an image.
public struct BackgroundMap: Sendable {
    public var width: Int, height: Int
    /// Background, data units, width × height values in FITS order.
    public var background: [Float]
    /// 1-sigma noise, data units.
    public var rms: [Float]
    /// One value for the whole image: SEP's global background (the median of the mesh), or the median of a given map.
    public var globalBackground: Float
    /// One noise value for the whole image: SEP's global rms, or the median of a given map.
    public var globalRMS: Float
    /// Whether the rms is SEP's mesh estimate (true) or a map given by the user (false). Detection measures
    /// its threshold against the global rms for the former and per pixel for the latter, unless told.
    public var rmsFromMesh: Bool

    /// Maps given by the user (e.g. a radio survey's rms image); the global values are the maps' medians
    /// over finite values. A missing background map means zero background.
    public init(width: Int, height: Int, background: [Float]?, rms: [Float]) throws(ImageError) {
        guard rms.count == width * height, background.map({ $0.count == width * height }) ?? true else {
            throw ImageError(.sizeMismatch, "background/rms maps of \(rms.count) pixels for a \(width)×\(height) image", image: "maps", step: "background")
        }
        self.width = width; self.height = height
        self.background = background ?? [Float](repeating: 0, count: width * height)
        self.rms = rms
        self.globalBackground = BackgroundMap.median(self.background)
        self.globalRMS = BackgroundMap.median(rms)
        self.rmsFromMesh = false
    }

    init(width: Int, height: Int, background: [Float], rms: [Float], globalBackground: Float, globalRMS: Float) {
        self.width = width; self.height = height; self.background = background; self.rms = rms
        self.globalBackground = globalBackground; self.globalRMS = globalRMS
        self.rmsFromMesh = true
    }

    /// Median of the finite values (NaN when there are none).
    static func median(_ v: [Float]) -> Float {
        var f = v.filter { $0.isFinite }
        guard !f.isEmpty else { return .nan }
        f.sort()
        return f.count % 2 == 1 ? f[f.count / 2] : (f[f.count / 2 - 1] + f[f.count / 2]) / 2
    }
}

extension SkyImage {
    /// The mesh background and rms of the image (SEP's `Background`). NaN pixels and pixels where `mask` is
    /// true are left out of every box's statistics.
    public func background(options: BackgroundOptions = BackgroundOptions(), mask: [Bool]? = nil) throws(ImageError) -> BackgroundMap {
        guard options.boxWidth > 0, options.boxHeight > 0, options.filterWidth > 0, options.filterHeight > 0 else {
            throw ImageError(.invalidArgument, "box (\(options.boxWidth)×\(options.boxHeight)) and filter (\(options.filterWidth)×\(options.filterHeight)) sizes must be positive", image: source, step: "background")
        }
        let maskBytes = try maskBytes(mask, step: "background")
        let bkg: SEP.Background = try pixels.withUnsafeBufferPointer { (d) throws(ImageError) -> SEP.Background in
            guard let base = d.baseAddress else { throw ImageError(.notAnImage, "the image has no pixels", image: source, step: "background") }
            return try Self.withOptionalBytes(maskBytes) { (m) throws(ImageError) -> SEP.Background in
                let input = SEP.Input(data: base, noise: nil, mask: m, width: width, height: height)
                return try SEP.background(input, box: (options.boxWidth, options.boxHeight), filter: (options.filterWidth, options.filterHeight),
                                          filterThreshold: options.filterThreshold, image: source)
            }
        }
        return BackgroundMap(width: width, height: height, background: try bkg.backArray(image: source), rms: try bkg.rmsArray(image: source),
                             globalBackground: bkg.global, globalRMS: bkg.globalRMS)
    }

    /// A mask as SEP's bytes (1 = masked), checked against the image size.
    func maskBytes(_ mask: [Bool]?, step: String) throws(ImageError) -> [UInt8]? {
        guard let mask else { return nil }
        guard mask.count == width * height else {
            throw ImageError(.sizeMismatch, "the mask has \(mask.count) pixels, the image \(width)×\(height)", image: source, step: step)
        }
        return mask.map { $0 ? 1 : 0 }
    }

    static func withOptionalBytes<R, E: Error>(_ bytes: [UInt8]?, _ body: (UnsafePointer<UInt8>?) throws(E) -> R) throws(E) -> R {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeBufferPointer { (b) throws(E) -> R in try body(b.baseAddress) }
    }

    /// Checks that a map has this image's size.
    func checkMap(_ map: BackgroundMap, step: String) throws(ImageError) {
        guard map.width == width, map.height == height else {
            throw ImageError(.sizeMismatch, "background/rms maps are \(map.width)×\(map.height), the image \(width)×\(height)", image: source, step: step)
        }
    }
}
