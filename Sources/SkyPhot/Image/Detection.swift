// Source detection (SExtractor's algorithm through SEP): thresholding, deblending, cleaning, moments.
import Foundation
import SkyCore

/// Detection settings. Defaults are python-sep's `extract` defaults (which follow SExtractor's).
public struct DetectionOptions: Sendable, Equatable {
    /// Detection threshold in units of the noise (DETECT_THRESH).
    public var threshold = 1.5
    /// Minimum number of connected pixels above the threshold (DETECT_MINAREA).
    public var minArea = 5
    /// Filter kernel, row-major, `kernelWidth` × `kernelHeight`; nil: no filtering. Default: SExtractor's
    /// default.conv, the 3×3 pyramid [1 2 1; 2 4 2; 1 2 1].
    public var kernel: [Float]? = [1, 2, 1, 2, 4, 2, 1, 2, 1]
    public var kernelWidth = 3, kernelHeight = 3
    /// The matched filter (python-sep's default, which weights by the noise map when there is one), or a
    /// plain convolution (SExtractor's FILTER).
    public var matchedFilter = true
    /// Deblending: number of thresholds (DEBLEND_NTHRESH) and minimum contrast (DEBLEND_MINCONT; 1 turns
    /// deblending off).
    public var deblendThresholds = 32
    public var deblendContrast = 0.005
    /// Cleaning of spurious detections near bright objects (CLEAN, CLEAN_PARAM).
    public var clean = true
    public var cleanParameter = 1.0
    /// Threshold against the per-pixel rms map (true), or against the single global rms (false: SExtractor
    /// without a weight map). nil: the map when the rms was given by the user, the global value for the
    /// mesh estimate (`BackgroundMap.rmsFromMesh`).
    public var perPixelNoise: Bool? = nil
    public init() {}
}

/// Sources found on an image, as parallel arrays (one entry per source, in SEP's order).
///
/// Pixel positions are FITS 1-based. Second moments (x2, y2, xy) and their errors in pixel²; `a`, `b` the
/// semi-major and semi-minor rms extents in pixels; `theta` the major axis' angle in degrees,
/// counter-clockwise from +x, in (−90, 90] (SExtractor's THETA_IMAGE). `flux` is the sum of the
/// background-subtracted pixels of the object's isophote, `peak` its highest pixel; `ra`, `dec` in degrees
/// through the image's WCS (NaN without one). `flags`: SExtractor's extraction flags (1 deblended,
/// 2 truncated at the image border, 8 singular moments).
public struct DetectedSources: Sendable {
    public var x: [Double] = [], y: [Double] = []
    public var ra: [Double] = [], dec: [Double] = []
    public var x2: [Double] = [], y2: [Double] = [], xy: [Double] = []
    public var errX2: [Double] = [], errY2: [Double] = [], errXY: [Double] = []
    public var a: [Double] = [], b: [Double] = [], theta: [Double] = []
    public var flux: [Double] = [], peak: [Double] = []
    /// Pixels in the object's isophote (after filtering), and of them above the threshold unfiltered.
    public var area: [Int] = [], thresholdArea: [Int] = []
    /// Bounding box, 1-based inclusive.
    public var xMin: [Int] = [], xMax: [Int] = [], yMin: [Int] = [], yMax: [Int] = []
    /// The brightest pixel, 1-based.
    public var xPeak: [Int] = [], yPeak: [Int] = []
    /// The detection threshold at the object, data units.
    public var threshold: [Double] = []
    public var flags: [Int] = []

    public var count: Int { x.count }

    /// The sources as a catalogue: id (1…n), x, y, ra, dec (when the image has a WCS), shape, fluxes, flags.
    public func catalogue(withSky: Bool) throws(CatalogueError) -> Catalogue {
        var cols: [Column] = [.int64("id", (0..<count).map { Int64($0 + 1) })]
        cols.append(.double("x", x, unit: "pix")); cols.append(.double("y", y, unit: "pix"))
        if withSky { cols.append(.double("ra", ra, unit: "deg")); cols.append(.double("dec", dec, unit: "deg")) }
        cols += [.double("x2", x2, unit: "pix2"), .double("y2", y2, unit: "pix2"), .double("xy", xy, unit: "pix2"),
                 .double("errx2", errX2, unit: "pix2"), .double("erry2", errY2, unit: "pix2"), .double("errxy", errXY, unit: "pix2"),
                 .double("a", a, unit: "pix"), .double("b", b, unit: "pix"), .double("theta", theta, unit: "deg"),
                 .double("flux", flux), .double("peak", peak),
                 .int64("npix", area.map(Int64.init)), .int64("tnpix", thresholdArea.map(Int64.init)),
                 .int64("xmin", xMin.map(Int64.init), unit: "pix"), .int64("xmax", xMax.map(Int64.init), unit: "pix"),
                 .int64("ymin", yMin.map(Int64.init), unit: "pix"), .int64("ymax", yMax.map(Int64.init), unit: "pix"),
                 .int64("x_peak", xPeak.map(Int64.init), unit: "pix"), .int64("y_peak", yPeak.map(Int64.init), unit: "pix"),
                 .double("thresh", threshold), .int64("flags", flags.map(Int64.init))]
        return try Catalogue(columns: cols)
    }
}

extension SkyImage {
    /// Finds the sources of the image.
    ///
    /// - Parameters:
    ///   - maps: the background and noise; the background is subtracted first when `subtract` is true.
    ///   - mask: pixels to ignore (true = masked). NaN pixels are always masked (radio mosaics' borders).
    public func detect(maps: BackgroundMap, subtract: Bool = true, options: DetectionOptions = DetectionOptions(),
                       mask: [Bool]? = nil) throws -> DetectedSources {
        let step = "detection"
        try checkMap(maps, step: step)
        guard options.threshold > 0, options.threshold.isFinite, options.minArea >= 1 else {
            throw ImageError(.invalidArgument, "the threshold must be positive and the minimum area at least 1 pixel (got \(options.threshold), \(options.minArea))", image: source, step: step)
        }
        if let k = options.kernel, k.count != options.kernelWidth * options.kernelHeight || k.isEmpty {
            throw ImageError(.invalidArgument, "the filter kernel has \(k.count) values for \(options.kernelWidth)×\(options.kernelHeight)", image: source, step: step)
        }
        let n = width * height
        let planes = try measurementPlanes(maps: maps, subtract: subtract, mask: mask, step: step)
        let perPixel = options.perPixelNoise ?? !maps.rmsFromMesh
        guard maps.globalRMS.isFinite, maps.globalRMS > 0 else {
            throw ImageError(.invalidArgument, "the noise is zero or undefined (global rms \(maps.globalRMS)); is the image constant or all NaN?", image: source, step: step)
        }
        let e: SEP.Extraction = try planes.data.withUnsafeBufferPointer { (d) throws(ImageError) -> SEP.Extraction in
            try planes.rms.withUnsafeBufferPointer { (r) throws(ImageError) -> SEP.Extraction in
                try Self.withOptionalBytes(planes.mask) { (mb) throws(ImageError) -> SEP.Extraction in
                    guard let db = d.baseAddress else { throw ImageError(.notAnImage, "the image has no pixels", image: source, step: step) }
                    var input = SEP.Input(data: db, noise: perPixel ? r.baseAddress : nil, mask: mb, width: width, height: height)
                    if !perPixel { input.noiseValue = Double(maps.globalRMS) }
                    return try SEP.extract(input, threshold: options.threshold, relative: true, minArea: options.minArea,
                                           kernel: options.kernel, kernelSize: (options.kernelWidth, options.kernelHeight),
                                           matchedFilter: options.matchedFilter, deblendThresholds: options.deblendThresholds,
                                           deblendContrast: options.deblendContrast, clean: options.clean,
                                           cleanParameter: options.cleanParameter, pixelStack: n / 4, image: source)
                }
            }
        }
        var out = DetectedSources()
        out.x = e.x.map { $0 + 1 }; out.y = e.y.map { $0 + 1 }
        out.x2 = e.x2; out.y2 = e.y2; out.xy = e.xy; out.errX2 = e.errx2; out.errY2 = e.erry2; out.errXY = e.errxy
        out.a = e.a.map(Double.init); out.b = e.b.map(Double.init); out.theta = e.theta.map { Double($0) * 180 / .pi }
        out.flux = e.flux.map(Double.init); out.peak = e.peak.map(Double.init)
        out.area = e.npix.map(Int.init); out.thresholdArea = e.tnpix.map(Int.init)
        out.xMin = e.xmin.map { Int($0) + 1 }; out.xMax = e.xmax.map { Int($0) + 1 }
        out.yMin = e.ymin.map { Int($0) + 1 }; out.yMax = e.ymax.map { Int($0) + 1 }
        out.xPeak = e.xpeak.map { Int($0) + 1 }; out.yPeak = e.ypeak.map { Int($0) + 1 }
        out.threshold = e.thresh.map(Double.init); out.flags = e.flag.map(Int.init)
        if let wcs {
            let s = try wcs.pixelToWorld(x: out.x, y: out.y)
            out.ra = s.lon; out.dec = s.lat
        } else {
            out.ra = [Double](repeating: .nan, count: out.count); out.dec = out.ra
        }
        return out
    }
}
