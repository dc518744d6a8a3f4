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
        let (data, noise, maskBytes) = try measurementPlanes(maps: maps, subtract: subtract, mask: mask, step: step)
        let n = x.count
        var flux = [Double](repeating: .nan, count: n), err = flux, area = flux, local = flux
        var flags = [Int](repeating: 0, count: n)
        let w = width, h = height, src = source
        let firstError = ErrorSlot()
        data.withUnsafeBufferPointer { d in noise.withUnsafeBufferPointer { r in maskBytes.withUnsafeBufferPointer { m in
            flux.withUnsafeMutableBufferPointer { fb in err.withUnsafeMutableBufferPointer { eb in
            area.withUnsafeMutableBufferPointer { ab in local.withUnsafeMutableBufferPointer { lb in
            flags.withUnsafeMutableBufferPointer { gb in
                guard let dp = d.baseAddress, let rp = r.baseAddress, let mp = m.baseAddress,
                      let fp = fb.baseAddress, let ep = eb.baseAddress, let ap = ab.baseAddress, let lp = lb.baseAddress, let gp = gb.baseAddress else { return }
                let D = UnsafeSendablePointer(dp), R = UnsafeSendablePointer(rp), M = UnsafeSendablePointer(mp)
                let F = UnsafeMutableSendablePointer(fp), E = UnsafeMutableSendablePointer(ep), A = UnsafeMutableSendablePointer(ap)
                let L = UnsafeMutableSendablePointer(lp), G = UnsafeMutableSendablePointer(gp)
                Parallel.forEachChunk(count: n, minChunk: 2048) { lo, hi in
                    let input = SEP.Input(data: D.p, noise: R.p, mask: M.p, width: w, height: h, gain: options.gain)
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

    /// The planes a measurement reads: data (background subtracted when asked; NaN → 0), the rms map
    /// (non-finite or non-positive values → the global rms), and mask bytes (the user's mask, NaN pixels).
    func measurementPlanes(maps: BackgroundMap, subtract: Bool, mask: [Bool]?, step: String) throws(ImageError) -> ([Float], [Float], [UInt8]) {
        let n = width * height
        var data = [Float](repeating: 0, count: n)
        var m = try maskBytes(mask, step: step) ?? [UInt8](repeating: 0, count: n)
        var rms = maps.rms
        let g = maps.globalRMS
        for i in 0..<n {
            let v = subtract ? pixels[i] - maps.background[i] : pixels[i]
            if v.isFinite { data[i] = v } else { m[i] = 1 }
            if !(rms[i].isFinite && rms[i] > 0) { rms[i] = g.isFinite && g > 0 ? g : 0 }
        }
        return (data, rms, m)
    }
}

/// The first error thrown by any worker of a parallel loop.
final class ErrorSlot: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func set(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
}
