// Point-spread-function models for forced photometry: a pixel-integrated circular Gaussian (optical images)
// and an elliptical Gaussian sampled at pixel centres (a radio image's restoring beam).
import Foundation
import SkyCore

/// The PSF that forced photometry fits at each position.
public enum PSFModel: Sendable, Equatable {
    /// A circular Gaussian of full width at half maximum `fwhm` pixels, normalised to unit total flux and
    /// integrated over each pixel:
    /// P(i, j) = Ix(i)·Iy(j),  Ix(i) = ½[erf((i + ½ − x₀)/(σ√2)) − erf((i − ½ − x₀)/(σ√2))],  σ = FWHM/(2√(2 ln 2)).
    /// The fitted amplitude is the source's total flux (data units × pixels). Integrating matters: at high
    /// signal-to-noise a Gaussian sampled at pixel centres biases the flux of a star with FWHM ≈ 2 pixels by
    /// about 2 %.
    case gaussian(fwhm: Double)
    /// An elliptical Gaussian of peak 1 sampled at pixel centres, P(d) = exp(−½ dᵀ C⁻¹ d) with d the offset in
    /// pixels and C the covariance (pixel²). A radio image is the sky convolved with the restoring beam and
    /// sampled, so the fitted amplitude is the peak: for an image in Jy/beam, the peak flux density in
    /// Jy/beam, which for a point source equals its integrated flux density in Jy.
    case sampledGaussian(covarianceXX: Double, covarianceYY: Double, covarianceXY: Double)

    static let fwhmPerSigma = 2 * (2 * log(2.0)).squareRoot()

    /// The restoring beam (FWHM major and minor axes in degrees, position angle in degrees east of north,
    /// as BMAJ, BMIN, BPA) as a pixel-space Gaussian, through the image's WCS at 1-based pixel (x, y).
    ///
    /// With J the Jacobian of (east, north) in degrees per pixel, and u = (sin PA, cos PA), v = (cos PA, −sin PA)
    /// the major and minor axis directions in (east, north): C_sky = σ²_maj uuᵀ + σ²_min vvᵀ and
    /// C_pix = J⁻¹ C_sky J⁻ᵀ.
    public static func beam(major: Double, minor: Double, positionAngle: Double, image: SkyImage, atX x: Double, y: Double) throws -> PSFModel {
        guard major > 0, minor > 0, major.isFinite, minor.isFinite, positionAngle.isFinite else {
            throw ImageError(.invalidArgument, "the beam needs positive major and minor axes (got \(major), \(minor) deg)", image: image.source, step: "forced PSF photometry")
        }
        let j = try image.skyJacobian(atX: x, y: y)
        let sMaj = major / fwhmPerSigma, sMin = minor / fwhmPerSigma
        let pa = positionAngle * .pi / 180
        let u = (sin(pa), cos(pa)), v = (cos(pa), -sin(pa))
        let cee = sMaj * sMaj * u.0 * u.0 + sMin * sMin * v.0 * v.0
        let cnn = sMaj * sMaj * u.1 * u.1 + sMin * sMin * v.1 * v.1
        let cen = sMaj * sMaj * u.0 * u.1 + sMin * sMin * v.0 * v.1
        let det = j.dEastDx * j.dNorthDy - j.dEastDy * j.dNorthDx
        guard det != 0, det.isFinite else {
            throw ImageError(.invalidArgument, "the WCS is singular at pixel (\(x), \(y))", image: image.source, step: "forced PSF photometry")
        }
        // K = J⁻¹ = [[dNdy, −dEdy], [−dNdx, dEdx]] / det;  C_pix = K C_sky Kᵀ.
        let k11 = j.dNorthDy / det, k12 = -j.dEastDy / det, k21 = -j.dNorthDx / det, k22 = j.dEastDx / det
        let a11 = k11 * cee + k12 * cen, a12 = k11 * cen + k12 * cnn
        let a21 = k21 * cee + k22 * cen, a22 = k21 * cen + k22 * cnn
        return .sampledGaussian(covarianceXX: a11 * k11 + a12 * k12, covarianceYY: a21 * k21 + a22 * k22, covarianceXY: a11 * k21 + a12 * k22)
    }

    /// The image's restoring beam from its header (BMAJ, BMIN in degrees; BPA in degrees east of north,
    /// 0 when absent), evaluated at the image centre.
    public static func beam(of image: SkyImage) throws -> PSFModel {
        guard let bmaj = image.header["BMAJ"]?.doubleValue, let bmin = image.header["BMIN"]?.doubleValue else {
            throw ImageError(.missingKeyword, "no BMAJ/BMIN keywords in the header: give the PSF's FWHM instead", image: image.source, step: "forced PSF photometry")
        }
        let bpa = image.header["BPA"]?.doubleValue ?? 0
        return try beam(major: bmaj, minor: bmin, positionAngle: bpa, image: image,
                        atX: (Double(image.width) + 1) / 2, y: (Double(image.height) + 1) / 2)
    }

    /// The largest 1-sigma extent in pixels (the square root of the covariance's larger eigenvalue).
    var sigmaMax: Double {
        switch self {
        case .gaussian(let f): return f / PSFModel.fwhmPerSigma
        case let .sampledGaussian(xx, yy, xy):
            let t = (xx + yy) / 2, d = (((xx - yy) / 2) * ((xx - yy) / 2) + xy * xy).squareRoot()
            return (t + d).squareRoot()
        }
    }

    /// Whether the model's parameters describe a proper Gaussian.
    var isValid: Bool {
        switch self {
        case .gaussian(let f): return f > 0 && f.isFinite
        case let .sampledGaussian(xx, yy, xy): return xx > 0 && yy > 0 && xx * yy - xy * xy > 0 && (xx + yy).isFinite
        }
    }

    /// Fills `out` (row-major, `w` × `h`) with the model centred at 0-based (cx, cy), for the box whose
    /// first pixel is 0-based (x0, y0).
    func fill(_ out: UnsafeMutablePointer<Float>, x0: Int, y0: Int, w: Int, h: Int, cx: Double, cy: Double, scratch: inout [Double]) {
        switch self {
        case .gaussian(let fwhm):
            let s = 1 / (fwhm / PSFModel.fwhmPerSigma * 2.0.squareRoot())
            if scratch.count < w + h { scratch = [Double](repeating: 0, count: w + h) }
            var lo = erf((Double(x0) - 0.5 - cx) * s)
            for i in 0..<w { let hi = erf((Double(x0 + i) + 0.5 - cx) * s); scratch[i] = 0.5 * (hi - lo); lo = hi }
            lo = erf((Double(y0) - 0.5 - cy) * s)
            for j in 0..<h { let hi = erf((Double(y0 + j) + 0.5 - cy) * s); scratch[w + j] = 0.5 * (hi - lo); lo = hi }
            for j in 0..<h {
                let yv = scratch[w + j]
                for i in 0..<w { out[j * w + i] = Float(scratch[i] * yv) }
            }
        case let .sampledGaussian(xx, yy, xy):
            let det = xx * yy - xy * xy
            let ixx = yy / det, iyy = xx / det, ixy = -xy / det
            for j in 0..<h {
                let dy = Double(y0 + j) - cy
                for i in 0..<w {
                    let dx = Double(x0 + i) - cx
                    out[j * w + i] = Float(exp(-0.5 * (ixx * dx * dx + 2 * ixy * dx * dy + iyy * dy * dy)))
                }
            }
        }
    }
}
