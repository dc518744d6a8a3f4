import ArgumentParser
import Foundation
import SkyCore
import SkyPhot

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the sources of an image (SExtractor's detection and deblending, through SEP).",
        discussion: """
        The mesh background is subtracted (--background none: the image is used as it is; or a FITS map), the
        image is filtered with --kernel, and groups of at least --min-area connected pixels above --threshold
        times the noise are sources, deblended over --deblend-thresholds levels. The noise is the global rms
        of the mesh estimate, or the --rms map when one is given (--noise decides otherwise).

        The catalogue has id, x, y (FITS 1-based pixels), ra, dec (degrees, through the image's WCS), the
        second moments, a, b (pixels), theta (degrees counter-clockwise from +x), flux, peak, npix, the
        bounding box and SExtractor's flags (1 deblended, 2 truncated at the border, 8 singular moments).

        Examples:
          skytool detect image.fits --out sources.fits
          skytool detect radio.fits --rms rms.fits --threshold 5 --min-area 3 --out radio_sources.fits
          skytool detect image.fits --background none --kernel none --deblend-contrast 1 --out raw.csv
        """
    )

    @Argument(help: "Image (FITS; an HDU may be named as image.fits[1]).") var image: String
    @Option(parsing: .unconditional, help: "Source catalogue to write (FITS or CSV).") var out: String
    @Option(parsing: .unconditional, help: "Detection threshold in units of the noise (DETECT_THRESH).") var threshold: Double = 1.5
    @Option(parsing: .unconditional, help: "Minimum number of connected pixels (DETECT_MINAREA).") var minArea: Int = 5
    @Option(parsing: .unconditional, help: "Filter kernel: 'default' (3x3 pyramid), 'none', or a SExtractor .conv file.") var kernel: String = "default"
    @Option(parsing: .unconditional, help: "Deblending thresholds (DEBLEND_NTHRESH).") var deblendThresholds: Int = 32
    @Option(parsing: .unconditional, help: "Deblending minimum contrast (DEBLEND_MINCONT; 1 turns deblending off).") var deblendContrast: Double = 0.005
    @Flag(help: "Do not clean spurious detections near bright objects.") var noClean = false
    @Option(parsing: .unconditional, help: "Cleaning parameter (CLEAN_PARAM).") var cleanParam: Double = 1.0
    @Option(parsing: .unconditional, help: "Threshold against the 'global' rms or the per-pixel 'map' (default: map when --rms is given).") var noise: String?
    @OptionGroup var maps: BackgroundArguments
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard threshold > 0, minArea >= 1 else { throw ValidationError("--threshold must be positive and --min-area at least 1") }
        if let noise, noise != "global" && noise != "map" { throw ValidationError("--noise is 'global' or 'map'") }
    }

    struct Summary: Encodable { var image: String; var sources: Int; var globalBackground: Double; var globalRMS: Double; var threshold: Double; var out: String }

    func run() throws {
        try Output.refuseOverwriting(inputs: [image] + maps.inputs, outputs: [out])
        let img = try SkyImage.read(image)
        let mask = try maps.readMask(for: img)
        let (m, subtract) = try maps.maps(for: img, mask: mask)
        var o = DetectionOptions()
        o.threshold = threshold; o.minArea = minArea
        o.deblendThresholds = deblendThresholds; o.deblendContrast = deblendContrast
        o.clean = !noClean; o.cleanParameter = cleanParam
        if let noise { o.perPixelNoise = noise == "map" }
        switch kernel {
        case "default": break
        case "none": o.kernel = nil
        default:
            let k = try ConvolutionKernel.read(kernel)
            o.kernel = k.values; o.kernelWidth = k.width; o.kernelHeight = k.height
        }
        let found = try img.detect(maps: m, subtract: subtract, options: o, mask: mask)
        try found.catalogue(withSky: img.wcs != nil).write(to: out)
        let s = Summary(image: img.source, sources: found.count, globalBackground: Double(m.globalBackground), globalRMS: Double(m.globalRMS), threshold: threshold, out: out)
        if json { print(try Output.json(s)) } else { print("\(img.source): \(found.count) sources; wrote \(out)") }
    }
}

/// A SExtractor filter file (.conv): a "CONV NORM" or "CONV NONORM" line, comments, then rows of numbers.
enum ConvolutionKernel {
    static func read(_ path: String) throws -> (values: [Float], width: Int, height: Int) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw DataError("cannot read the kernel file \(path)") }
        var rows: [[Float]] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") || t.uppercased().hasPrefix("CONV") { continue }
            let parts = t.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let v = parts.compactMap { Float($0) }
            guard v.count == parts.count else { throw DataError("kernel file \(path), line \(n + 1): not a row of numbers: '\(t)'") }
            rows.append(v)
        }
        guard let w = rows.first?.count, w > 0, rows.allSatisfy({ $0.count == w }) else {
            throw DataError("kernel file \(path): rows of different lengths, or no rows")
        }
        return (rows.flatMap { $0 }, w, rows.count)
    }
}
