import ArgumentParser
import Foundation
import SkyCore
import SkyPhot

struct Photometry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure an image at given positions: circular apertures and/or forced PSF photometry.",
        discussion: """
        Positions come from the catalogue's ra/dec (degrees, through the image's WCS; columns detected or named
        with --ra-col/--dec-col) or from pixel columns with --xy COLX,COLY (FITS 1-based). The output keeps the
        input columns and adds, for --aperture, flux_aper, flux_aper_err, flags_aper, and for --psf-fwhm or
        --psf beam, flux_psf, flux_psf_err, chi2_psf, flags_psf. Lengths are pixels (5pix, or a bare number) or
        angles (3arcsec).

        Aperture: SEP's circle sums (--subpix 0 = exact overlap), optional local --annulus RIN,ROUT, errors
        from the rms map and --gain. PSF: a Gaussian of FWHM F integrated over each pixel (flux_psf is the total
        flux), or the header's restoring beam (BMAJ/BMIN/BPA) sampled at pixel centres (flux_psf is the peak,
        e.g. Jy/beam); amplitudes fitted by weighted least squares jointly for overlapping sources; chi2_psf is
        the reduced chi2 over the source's footprint.
        Flags: 16 truncated, 32 masked pixels, 64 all masked, 256 off the image, 512 no position, 1024
        approximate error (crowded group beyond --max-group).

        Examples:
          skytool photometry search.fits --positions reference.fits --aperture 5pix --out aper.fits
          skytool photometry search.fits --positions ref.fits --psf-fwhm 1.2arcsec --out psf.fits
          skytool photometry vlass.fits --positions first.fits --psf beam --rms vlass_rms.fits --background none --out forced.fits
          skytool photometry image.fits --positions stars.csv --xy X,Y --aperture 4 --annulus 8,12 --gain 2.5 --out phot.csv
        """
    )

    @Argument(help: "Image (FITS; an HDU may be named as image.fits[1]).") var image: String
    @Option(parsing: .unconditional, help: "Catalogue of positions (FITS or CSV).") var positions: String
    @Option(parsing: .unconditional, help: "Output catalogue (FITS or CSV).") var out: String
    @Option(parsing: .unconditional, help: "Aperture radius (pixels, or an angle).") var aperture: PixelLength?
    @Option(parsing: .unconditional, help: "Local background annulus RIN,ROUT (pixels, or angles).") var annulus: String?
    @Option(parsing: .unconditional, help: "Gain in e- per data unit for the Poisson term of aperture errors (0: none).") var gain: Double = 0
    @Option(parsing: .unconditional, help: "Aperture edge sub-sampling per axis (SEP's subpix; 0 = exact).") var subpix: Int = 5
    @Option(parsing: .unconditional, help: "PSF FWHM (pixels, or an angle) for forced PSF photometry.") var psfFwhm: PixelLength?
    @Option(parsing: .unconditional, help: "'beam': forced PSF photometry with the header's restoring beam (BMAJ, BMIN, BPA).") var psf: String?
    @Option(parsing: .unconditional, help: "Largest group of overlapping sources with exact joint errors.") var maxGroup: Int = 400
    @Option(parsing: .unconditional, help: "Pixel position columns COLX,COLY (FITS 1-based) instead of ra/dec.") var xy: String?
    @OptionGroup var positionColumns: PositionOptions
    @OptionGroup var maps: BackgroundArguments
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard aperture != nil || psfFwhm != nil || psf != nil else { throw ValidationError("give --aperture, --psf-fwhm or --psf beam") }
        if let psf, psf != "beam" { throw ValidationError("--psf takes 'beam' (or use --psf-fwhm F)") }
        guard psf == nil || psfFwhm == nil else { throw ValidationError("give one of --psf-fwhm and --psf beam") }
        guard annulus == nil || aperture != nil else { throw ValidationError("--annulus goes with --aperture") }
        guard subpix >= 0, gain >= 0, maxGroup >= 1 else { throw ValidationError("--subpix and --gain must not be negative, --max-group at least 1") }
    }

    struct Summary: Encodable {
        var image: String; var positions: Int; var outside: Int
        var apertureRadiusPixels: Double?; var psf: String?; var measuredAperture: Int?; var measuredPSF: Int?; var out: String
    }

    func run() throws {
        try Output.refuseOverwriting(inputs: [image, positions] + maps.inputs, outputs: [out])
        let img = try SkyImage.read(image)
        var cat = try Catalogue.read(positions)
        try positionColumns.apply(&cat)
        let x: [Double], y: [Double]
        if let xy {
            let cols = Output.list(xy)
            guard cols.count == 2 else { throw ValidationError("--xy takes two column names, COLX,COLY") }
            x = try cat.doubles(cols[0]); y = try cat.doubles(cols[1])
        } else {
            let (ra, dec) = try cat.positions()
            guard img.wcs != nil else {
                throw DataError("\(img.source) has no celestial WCS: give pixel positions with --xy COLX,COLY")
            }
            (x, y) = try img.pixels(ra: ra, dec: dec)
        }
        let mask = try maps.readMask(for: img)
        let (m, subtract) = try maps.maps(for: img, mask: mask)
        var summary = Summary(image: img.source, positions: cat.rowCount, outside: 0, out: out)
        var outsideMask = [Bool](repeating: false, count: cat.rowCount)
        if let aperture {
            var o = ApertureOptions(radius: try aperture.pixels(on: img))
            o.gain = gain; o.subpixels = subpix
            if let annulus {
                let parts = Output.list(annulus).compactMap(PixelLength.init(argument:))
                guard parts.count == 2 else { throw ValidationError("--annulus takes RIN,ROUT, e.g. 8,12 or 6arcsec,9arcsec") }
                o.annulusInner = try parts[0].pixels(on: img); o.annulusOuter = try parts[1].pixels(on: img)
            }
            let r = try img.aperturePhotometry(x: x, y: y, maps: m, subtract: subtract, options: o, mask: mask)
            try cat.set(.double("flux_aper", r.flux))
            try cat.set(.double("flux_aper_err", r.fluxError))
            try cat.set(.int64("flags_aper", r.flags.map { Int64($0.rawValue) }))
            summary.apertureRadiusPixels = o.radius
            summary.measuredAperture = r.flux.filter(\.isFinite).count
            for i in 0..<cat.rowCount where r.flags[i].contains(.outside) { outsideMask[i] = true }
        }
        if psfFwhm != nil || psf != nil {
            let model: PSFModel
            if let psfFwhm { model = .gaussian(fwhm: try psfFwhm.pixels(on: img)); summary.psf = "gaussian FWHM \(psfFwhm.text)" }
            else { model = try PSFModel.beam(of: img); summary.psf = "beam" }
            var o = ForcedPhotometryOptions(psf: model)
            o.maxGroupSize = maxGroup
            let r = try img.forcedPhotometry(x: x, y: y, maps: m, subtract: subtract, options: o, mask: mask)
            try cat.set(.double("flux_psf", r.flux))
            try cat.set(.double("flux_psf_err", r.fluxError))
            try cat.set(.double("chi2_psf", r.chi2))
            try cat.set(.int64("flags_psf", r.flags.map { Int64($0.rawValue) }))
            summary.measuredPSF = r.flux.filter(\.isFinite).count
            for i in 0..<cat.rowCount where r.flags[i].contains(.outside) { outsideMask[i] = true }
        }
        summary.outside = outsideMask.filter { $0 }.count
        try cat.write(to: out)
        if json { print(try Output.json(summary)) } else {
            var parts: [String] = []
            if let a = summary.measuredAperture { parts.append("\(a) aperture") }
            if let p = summary.measuredPSF { parts.append("\(p) PSF") }
            print("\(img.source): \(cat.rowCount) positions (\(summary.outside) off the image), \(parts.joined(separator: " and ")) measurements; wrote \(out)")
        }
    }
}
