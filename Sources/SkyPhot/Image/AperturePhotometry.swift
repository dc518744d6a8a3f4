// Circular aperture photometry at given positions (SEP's exact or sub-sampled pixel overlaps).
import Foundation
import SkyCore

/// Flags of a photometry measurement. The aperture bits are SEP's (and SExtractor's); the others skytool's.
public struct PhotometryFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The aperture (or PSF footprint) extends beyond the image.
    public static let truncated = PhotometryFlags(rawValue: SEP.apertureTruncated)
    /// Some pixels in the aperture are masked or NaN (for apertures SEP replaces each by its mirror
    /// through the centre, SExtractor's MASK_TYPE CORRECT; the PSF fit leaves them out).
    public static let hasMasked = PhotometryFlags(rawValue: SEP.apertureHasMasked)
    /// Every pixel in the aperture is masked or NaN: no measurement.
    public static let allMasked = PhotometryFlags(rawValue: SEP.apertureAllMasked)
    /// The position is outside the image (or has no pixel in its projection): no measurement.
    public static let outside = PhotometryFlags(rawValue: 0x100)
    /// The position is missing (NaN) in the input: no measurement.
    public static let noPosition = PhotometryFlags(rawValue: 0x200)
    /// PSF fit: the source's error ignores part of its coupling to neighbours (a crowded group larger than
    /// the exact limit; the flux itself is exact). See `ForcedPhotometryOptions.maxGroupSize`.
    public static let approximateError = PhotometryFlags(rawValue: 0x400)
}

/// Aperture settings.
public struct ApertureOptions: Sendable, Equatable {
    /// Aperture radius in pixels.
    public var radius: Double
    /// Optional local background annulus, inner and outer radii in pixels: its mean per pixel (summed with
    /// SEP's centre sampling, as python-sep does) times the aperture's area is subtracted from the sum. As in
    /// python-sep, the flags are the aperture's; an annulus with no usable pixel gives NaN.
    public var annulusInner: Double? = nil
    public var annulusOuter: Double? = nil
    /// Gain in e⁻ per data unit; 0 leaves the Poisson term out of the error (then the error is the rms map's alone).
    public var gain: Double = 0
    /// Sub-pixel sampling of the aperture's edge per axis (SEP's `subpix`; python-sep's default 5); 0 computes
    /// the exact overlap of circle and pixel.
    public var subpixels: Int = 5
    public init(radius: Double) { self.radius = radius }
}

/// Aperture photometry, one entry per position.
public struct ApertureMeasurements: Sendable {
    /// Background-subtracted sum in the aperture (data units × pixels); NaN when not measured.
    public var flux: [Double]
    /// Its 1-sigma error: √(Σ rms² + flux / gain) (+ the annulus background's error scaled to the area).
    public var fluxError: [Double]
    /// Pixel area summed (less than πr² where the aperture leaves the image).
    public var area: [Double]
    /// Annulus background per pixel, when an annulus was used (else NaN).
    public var localBackground: [Double]
    public var flags: [PhotometryFlags]
}

extension SkyImage {
    /// Pixel positions for sky positions (degrees) through the WCS; positions with no pixel are NaN.
    public func pixels(ra: [Double], dec: [Double]) throws -> (x: [Double], y: [Double]) {
        let w = try requireWCS(for: "positions given as ra/dec")
        let p = try w.worldToPixel(lon: ra, lat: dec)
        return (p.x, p.y)
    }

    /// Sums the image in circles at 1-based pixel positions.
    ///
    /// - Parameters:
    ///   - maps: background (subtracted when `subtract`) and the rms map that gives the errors.
    ///   - mask: true = masked. NaN pixels are masked too.
    public func aperturePhotometry(x: [Double], y: [Double], maps: BackgroundMap, subtract: Bool = true,
                                   options: ApertureOptions, mask: [Bool]? = nil) throws -> ApertureMeasurements {
        let step = "aperture photometry"
        try checkMap(maps, step: step)
        guard x.count == y.count else { throw ImageError(.invalidArgument, "\(x.count) x values for \(y.count) y values", image: source, step: step) }
        guard options.radius > 0, options.radius.isFinite else {
            throw ImageError(.invalidArgument, "the aperture radius must be positive (got \(options.radius) pixels)", image: source, step: step)
        }
        let annulus: (Double, Double)?
        switch (options.annulusInner, options.annulusOuter) {
        case (nil, nil): annulus = nil
        case let (i?, o?) where i >= 0 && o > i && o.isFinite: annulus = (i, o)
        default:
            throw ImageError(.invalidArgument, "the annulus needs 0 ≤ inner < outer radii (got \(String(describing: options.annulusInner)), \(String(describing: options.annulusOuter)))", image: source, step: step)
        }
        guard options.subpixels >= 0, options.gain >= 0 else {
            throw ImageError(.invalidArgument, "subpixels and gain must not be negative", image: source, step: step)
        }
        let planes = try measurementPlanes(maps: maps, subtract: subtract, mask: mask, step: step)
        let n = x.count
        var flux = [Double](repeating: .nan, count: n), err = flux, area = flux, local = flux
        var flags = [Int](repeating: 0, count: n)
        let w = width, h = height, src = source
        let firstError = ErrorSlot()
        planes.data.withUnsafeBufferPointer { d in planes.rms.withUnsafeBufferPointer { r in Self.withOptionalBytes(planes.mask) { mp in
            flux.withUnsafeMutableBufferPointer { fb in err.withUnsafeMutableBufferPointer { eb in
            area.withUnsafeMutableBufferPointer { ab in local.withUnsafeMutableBufferPointer { lb in
            flags.withUnsafeMutableBufferPointer { gb in
                guard let dp = d.baseAddress, let rp = r.baseAddress,
                      let fp = fb.baseAddress, let ep = eb.baseAddress, let ap = ab.baseAddress, let lp = lb.baseAddress, let gp = gb.baseAddress else { return }
                let D = UnsafeSendablePointer(dp), R = UnsafeSendablePointer(rp), M = mp.map { UnsafeSendablePointer($0) }
                let F = UnsafeMutableSendablePointer(fp), E = UnsafeMutableSendablePointer(ep), A = UnsafeMutableSendablePointer(ap)
                let L = UnsafeMutableSendablePointer(lp), G = UnsafeMutableSendablePointer(gp)
                Parallel.forEachChunk(count: n, minChunk: 2048) { lo, hi in
                    let input = SEP.Input(data: D.p, noise: R.p, mask: M?.p, width: w, height: h, gain: options.gain)
                    do {
                        try SEP.withImage(input) { (im) throws(ImageError) in
                            for i in lo..<hi {
                                let cx = x[i] - 1, cy = y[i] - 1
                                guard cx.isFinite, cy.isFinite else { G.p[i] = PhotometryFlags.noPosition.rawValue; continue }
                                guard cx >= -0.5, cx < Double(w) - 0.5, cy >= -0.5, cy < Double(h) - 0.5 else {
                                    G.p[i] = PhotometryFlags.outside.rawValue; continue
                                }
                                let s = try SEP.sumCircle(im, x: cx, y: cy, r: options.radius, subpix: options.subpixels, image: src)
                                var f = s.sum, e = s.error, flag = Int(s.flag)
                                if let (rin, rout) = annulus {
                                    let b = try SEP.sumAnnulus(im, x: cx, y: cy, rin: rin, rout: rout, subpix: 1, image: src)
                                    if b.area > 0 {
                                        let perPixel = b.sum / b.area
                                        f -= perPixel * s.area
                                        let be = b.error / b.area * s.area
                                        e = (e * e + be * be).squareRoot()
                                        L.p[i] = perPixel
                                    } else {
                                        f = .nan; e = .nan
                                    }
                                }
                                if flag & PhotometryFlags.allMasked.rawValue != 0 { f = .nan; e = .nan }
                                F.p[i] = f; E.p[i] = e; A.p[i] = s.area; G.p[i] = flag
                            }
                        }
                    } catch { firstError.set(error) }
                }
            }}}}}}}}
        if let e = firstError.error { throw e }
        return ApertureMeasurements(flux: flux, fluxError: err, area: area, localBackground: local,
                                    flags: flags.map { PhotometryFlags(rawValue: $0) })
    }

    /// The planes a measurement reads: data (background subtracted when asked; NaN and masked pixels → 0), the rms map
    /// (non-finite or non-positive values → the global rms), and mask bytes (the user's mask and the NaN
    /// pixels; nil when nothing is masked). Arrays are shared, not copied, where nothing changes them.
    func measurementPlanes(maps: BackgroundMap, subtract: Bool, mask: [Bool]?, step: String) throws(ImageError) -> MeasurementPlanes {
        let n = width * height
        var m = try maskBytes(mask, step: step)
        var data: [Float]
        if subtract {
            data = [Float](unsafeUninitializedCapacity: n) { out, count in
                pixels.withUnsafeBufferPointer { p in maps.background.withUnsafeBufferPointer { b in
                    for i in 0..<n { out[i] = p[i] - b[i] }
                }}
                count = n
            }
        } else {
            data = pixels
        }
        let firstBad = data.withUnsafeBufferPointer { d in d.firstIndex { !$0.isFinite } }
        if let firstBad {
            if m == nil { m = [UInt8](repeating: 0, count: n) }
            for i in firstBad..<n where !data[i].isFinite { data[i] = 0; m?[i] = 1 }
        }
        // Masked pixels hold 0 (the background level): SEP's extraction does not ignore a mask everywhere
        // (python-sep 1.2 detects objects on masked pixels of the first rows), and a zero neither triggers a
        // detection nor biases a filtered neighbour upwards.
        if let mm = mask {
            for i in 0..<n where mm[i] { data[i] = 0 }
        }
        var rms = maps.rms
        let g = maps.globalRMS.isFinite && maps.globalRMS > 0 ? maps.globalRMS : 0
        if let bad = rms.withUnsafeBufferPointer({ r in r.firstIndex { !($0.isFinite && $0 > 0) } }) {
            for i in bad..<n where !(rms[i].isFinite && rms[i] > 0) { rms[i] = g }
        }
        return MeasurementPlanes(data: data, rms: rms, mask: m)
    }

    /// The image minus a background map (e.g. to subtract once and measure several times with
    /// `subtract: false`).
    public func subtracting(_ maps: BackgroundMap) throws(ImageError) -> SkyImage {
        try checkMap(maps, step: "background subtraction")
        var out = self
        out.pixels = [Float](unsafeUninitializedCapacity: width * height) { o, count in
            pixels.withUnsafeBufferPointer { p in maps.background.withUnsafeBufferPointer { b in
                for i in 0..<p.count { o[i] = p[i] - b[i] }
            }}
            count = width * height
        }
        return out
    }
}

/// What SEP and the PSF fitter read; see `SkyImage.measurementPlanes`.
struct MeasurementPlanes {
    var data: [Float]
    var rms: [Float]
    /// 1 = masked (the user's mask or a NaN pixel); nil when no pixel is masked.
    var mask: [UInt8]?
}

/// The first error thrown by any worker of a parallel loop.
final class ErrorSlot: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func set(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
}
