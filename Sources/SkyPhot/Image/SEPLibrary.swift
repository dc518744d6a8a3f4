// The one file that calls SEP (Source Extraction and Photometry, the C library behind python-sep). Every C
// pointer, handle and status code stays here; the rest of SkyPhot sees Swift arrays and `ImageError`.
//
// Conventions at this boundary: SEP counts pixels from 0 with the centre of the first pixel at (0, 0);
// callers convert to and from FITS 1-based pixels. Images, noise maps and masks are row-major Float/UInt8
// buffers, x (NAXIS1) varying fastest, exactly as FITS stores them.
internal import CSkySEP
import Foundation

/// An error while measuring an image: SEP's status code and messages, or a problem found before calling it
/// (no WCS, a cube, maps of the wrong size). It names the image and the step.
public struct ImageError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// SEP returned a non-zero status (`sepStatus`).
        case sep
        /// Sky positions were asked of an image without a celestial WCS.
        case noWCS
        /// The HDU is not a 2-D image (a table, a cube with more than one plane, an empty image).
        case notAnImage
        /// A background, rms or mask map whose size differs from the image's.
        case sizeMismatch
        /// An option out of range (box size, radius, threshold, FWHM...).
        case invalidArgument
        /// A header keyword needed by the step is missing or unusable (e.g. BMAJ for `--psf beam`).
        case missingKeyword
    }
    public var code: Code
    /// SEP's status code when `code == .sep` (see sep.h / sepcore.h), else nil.
    public var sepStatus: Int32?
    public var message: String
    /// The image: file name and HDU, or a description.
    public var image: String
    /// What skytool was doing: "background", "detection", "aperture photometry", "forced PSF photometry", "cutout".
    public var step: String

    public init(_ code: Code, _ message: String, image: String, step: String, sepStatus: Int32? = nil) {
        self.code = code; self.message = message; self.image = image; self.step = step; self.sepStatus = sepStatus
    }
    public var description: String {
        var s = "image error during \(step) of '\(image)'"
        if let sepStatus { s += " (SEP status \(sepStatus))" }
        return s + ": " + message
    }
}

/// The SEP library: version, and the calls skytool makes.
enum SEP {
    /// The linked SEP's version string (e.g. "1.2.1").
    static var version: String { String(cString: sep_version_string) }

    /// SEP's short and detailed messages for a status, as one string.
    static func message(_ status: Int32) -> String {
        var short = [CChar](repeating: 0, count: 64)
        sep_get_errmsg(status, &short)
        var detail = [CChar](repeating: 0, count: 520)
        sep_get_errdetail(&detail)
        let s = String(decoding: short.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let d = String(decoding: detail.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return d.isEmpty ? s : s + ": " + d
    }

    static func check(_ status: Int32, image: String, step: String) throws(ImageError) {
        if status != 0 { throw ImageError(.sep, message(status), image: image, step: step, sepStatus: status) }
    }

    /// The pixels SEP reads: data, an optional 1-sigma noise map (or a scalar noise), an optional mask
    /// (a pixel is masked when its byte is non-zero), and the gain (e-/data unit, 0 = no Poisson term).
    struct Input {
        var data: UnsafePointer<Float>
        var noise: UnsafePointer<Float>?
        var noiseValue: Double = 0
        var mask: UnsafePointer<UInt8>?
        var width: Int, height: Int
        var gain: Double = 0

        var image: sep_image {
            var im = sep_image()
            im.data = UnsafeRawPointer(data)
            im.noise = noise.map { UnsafeRawPointer($0) }
            im.mask = mask.map { UnsafeRawPointer($0) }
            im.segmap = nil
            im.dtype = Int32(SEP_TFLOAT)
            im.ndtype = Int32(SEP_TFLOAT)
            im.mdtype = Int32(SEP_TBYTE)
            im.sdtype = Int32(SEP_TINT)
            im.w = Int32(width)
            im.h = Int32(height)
            im.noiseval = noiseValue
            im.noise_type = (noise != nil || noiseValue > 0) ? Int16(SEP_NOISE_STDDEV) : Int16(SEP_NOISE_NONE)
            im.gain = gain
            im.maskthresh = 0
            return im
        }
    }

    // MARK: background

    /// Owns a `sep_bkg` (the mesh of background and rms values); frees it in `deinit`.
    final class Background {
        private let bkg: UnsafeMutablePointer<sep_bkg>
        let width: Int, height: Int
        init(_ bkg: UnsafeMutablePointer<sep_bkg>, width: Int, height: Int) { self.bkg = bkg; self.width = width; self.height = height }
        deinit { sep_bkg_free(bkg) }

        var global: Float { sep_bkg_global(bkg) }
        var globalRMS: Float { sep_bkg_globalrms(bkg) }

        /// The full-resolution background (bicubic spline through the mesh), SEP's `back()`.
        func backArray(image: String) throws(ImageError) -> [Float] {
            var out = [Float](repeating: 0, count: width * height)
            let st = out.withUnsafeMutableBytes { sep_bkg_array(bkg, $0.baseAddress, Int32(SEP_TFLOAT)) }
            try SEP.check(st, image: image, step: "background")
            return out
        }

        /// The full-resolution 1-sigma noise, SEP's `rms()`.
        func rmsArray(image: String) throws(ImageError) -> [Float] {
            var out = [Float](repeating: 0, count: width * height)
            let st = out.withUnsafeMutableBytes { sep_bkg_rmsarray(bkg, $0.baseAddress, Int32(SEP_TFLOAT)) }
            try SEP.check(st, image: image, step: "background")
            return out
        }
    }

    /// SEP's mesh background: tiles of `box` pixels, a median filter of `filter` tiles, filter threshold.
    static func background(_ input: Input, box: (Int, Int), filter: (Int, Int), filterThreshold: Double,
                           image: String) throws(ImageError) -> Background {
        var im = input.image
        var out: UnsafeMutablePointer<sep_bkg>? = nil
        let st = sep_background(&im, Int32(box.0), Int32(box.1), Int32(filter.0), Int32(filter.1), filterThreshold, &out)
        try check(st, image: image, step: "background")
        guard let out else { throw ImageError(.sep, "SEP returned no background", image: image, step: "background") }
        return Background(out, width: input.width, height: input.height)
    }

    // MARK: extraction

    /// SEP's catalogue, copied out of its struct of arrays. Pixels 0-based; theta in radians counter-
    /// clockwise from +x.
    struct Extraction {
        var x: [Double] = [], y: [Double] = [], x2: [Double] = [], y2: [Double] = [], xy: [Double] = []
        var errx2: [Double] = [], erry2: [Double] = [], errxy: [Double] = []
        var a: [Float] = [], b: [Float] = [], theta: [Float] = []
        var flux: [Float] = [], cflux: [Float] = [], peak: [Float] = [], cpeak: [Float] = [], thresh: [Float] = []
        var npix: [Int32] = [], tnpix: [Int32] = [], xpeak: [Int32] = [], ypeak: [Int32] = []
        var xmin: [Int32] = [], xmax: [Int32] = [], ymin: [Int32] = [], ymax: [Int32] = []
        var flag: [Int16] = []
    }

    /// Serialises extractions: the pixel-stack size is a process-wide SEP setting.
    private static let extractLock = NSLock()

    /// `sep_extract` with a relative threshold (units of the noise; the input must carry a noise map or value)
    /// or an absolute one.
    static func extract(_ input: Input, threshold: Double, relative: Bool, minArea: Int, kernel: [Float]?, kernelSize: (Int, Int),
                        matchedFilter: Bool, deblendThresholds: Int, deblendContrast: Double, clean: Bool, cleanParameter: Double,
                        pixelStack: Int, image: String) throws(ImageError) -> Extraction {
        extractLock.lock(); defer { extractLock.unlock() }
        sep_set_extract_pixstack(max(300_000, pixelStack))
        var im = input.image
        var cat: UnsafeMutablePointer<sep_catalog>? = nil
        let st: Int32
        if let kernel {
            st = kernel.withUnsafeBufferPointer { k in
                sep_extract(&im, Float(threshold), Int32(relative ? SEP_THRESH_REL : SEP_THRESH_ABS), Int32(minArea), k.baseAddress,
                            Int32(kernelSize.0), Int32(kernelSize.1), Int32(matchedFilter ? SEP_FILTER_MATCHED : SEP_FILTER_CONV),
                            Int32(deblendThresholds), deblendContrast, clean ? 1 : 0, cleanParameter, &cat)
            }
        } else {
            st = sep_extract(&im, Float(threshold), Int32(relative ? SEP_THRESH_REL : SEP_THRESH_ABS), Int32(minArea), nil, 0, 0,
                             Int32(SEP_FILTER_CONV), Int32(deblendThresholds), deblendContrast, clean ? 1 : 0, cleanParameter, &cat)
        }
        try check(st, image: image, step: "detection")
        guard let cat else { throw ImageError(.sep, "SEP returned no catalogue", image: image, step: "detection") }
        defer { sep_catalog_free(cat) }
        let c = cat.pointee
        let n = Int(c.nobj)
        func copy<T>(_ p: UnsafeMutablePointer<T>?) -> [T] { p.map { Array(UnsafeBufferPointer(start: $0, count: n)) } ?? [] }
        var e = Extraction()
        e.x = copy(c.x); e.y = copy(c.y); e.x2 = copy(c.x2); e.y2 = copy(c.y2); e.xy = copy(c.xy)
        e.errx2 = copy(c.errx2); e.erry2 = copy(c.erry2); e.errxy = copy(c.errxy)
        e.a = copy(c.a); e.b = copy(c.b); e.theta = copy(c.theta)
        e.flux = copy(c.flux); e.cflux = copy(c.cflux); e.peak = copy(c.peak); e.cpeak = copy(c.cpeak); e.thresh = copy(c.thresh)
        e.npix = copy(c.npix); e.tnpix = copy(c.tnpix); e.xpeak = copy(c.xpeak); e.ypeak = copy(c.ypeak)
        e.xmin = copy(c.xmin); e.xmax = copy(c.xmax); e.ymin = copy(c.ymin); e.ymax = copy(c.ymax)
        e.flag = copy(c.flag)
        return e
    }

    // MARK: apertures

    /// One aperture's result: the sum, its 1-sigma error, the pixel area summed, SEP's flags.
    struct ApertureSum { var sum: Double; var error: Double; var area: Double; var flag: Int16 }

    /// Sum in a circle of radius `r` pixels centred at 0-based (x, y); `subpix` 0 = exact overlap.
    static func sumCircle(_ im: UnsafePointer<sep_image>, x: Double, y: Double, r: Double, subpix: Int,
                          image: String) throws(ImageError) -> ApertureSum {
        var s = 0.0, e = 0.0, a = 0.0, f: Int16 = 0
        let st = sep_sum_circle(im, x, y, r, 0, Int32(subpix), 0, &s, &e, &a, &f)
        try check(st, image: image, step: "aperture photometry")
        return ApertureSum(sum: s, error: e, area: a, flag: f)
    }

    /// Sum in the annulus rin ≤ r < rout around 0-based (x, y).
    static func sumAnnulus(_ im: UnsafePointer<sep_image>, x: Double, y: Double, rin: Double, rout: Double, subpix: Int,
                           image: String) throws(ImageError) -> ApertureSum {
        var s = 0.0, e = 0.0, a = 0.0, f: Int16 = 0
        let st = sep_sum_circann(im, x, y, rin, rout, 0, Int32(subpix), 0, &s, &e, &a, &f)
        try check(st, image: image, step: "aperture photometry")
        return ApertureSum(sum: s, error: e, area: a, flag: f)
    }

    /// Runs `body` with a `sep_image` whose pointers stay valid for the call (the image itself is a value).
    static func withImage<R>(_ input: Input, _ body: (UnsafePointer<sep_image>) throws(ImageError) -> R) throws(ImageError) -> R {
        var im = input.image
        return try withUnsafePointer(to: &im) { (p) throws(ImageError) -> R in try body(p) }
    }

    /// SEP's aperture flag bits, re-exported for `PhotometryFlags`.
    static let apertureTruncated = Int(SEP_APER_TRUNC), apertureHasMasked = Int(SEP_APER_HASMASKED),
               apertureAllMasked = Int(SEP_APER_ALLMASKED)
    static let objectMerged = Int(SEP_OBJ_MERGED), objectTruncated = Int(SEP_OBJ_TRUNC), objectSingular = Int(SEP_OBJ_SINGU)
}
