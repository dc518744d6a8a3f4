import ArgumentParser
import Foundation
import SkyCore
import SkyPlot

struct StampCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stamp",
        abstract: "Postage stamps: a sky position in one or more images side by side, the same angular size in each.",
        discussion: """
        Each panel is a cutout of --size around the position, scaled by its own --interval (zscale as IRAF and
        astropy compute it, by default), with a circle on the target and, with --overlay, a circle (or the
        ellipse of --ellipse-cols A,B,PA: semi-axes in arcsec, PA in degrees east of north) at every catalogue
        source in view. --label lines go above the panels. An image the position misses shows an empty
        panel; a position outside every image is an error.
        With --positions CAT --out-dir DIR, one stamp per row (DIR/<--name-col value or row>.png), in parallel.

        Examples:
          skytool stamp nvss.fits first.fits --ra 162.5263 --dec 30.6739 --size 2arcmin --label "ratio 12" --out s.png
          skytool stamp image.fits --ra 83.633 --dec -5.39 --size 13arcmin --overlay sources.fits --out stamp.pdf
          skytool stamp survey.fits new.fits --positions candidates.fits --name-col id --size 1arcmin --out-dir stamps
        """
    )

    @Argument(help: "Images (FITS with a celestial WCS).") var images: [String]
    @Option(parsing: .unconditional, help: "Right ascension of the target (degrees or hh:mm:ss).") var ra: RAArgument?
    @Option(parsing: .unconditional, help: "Declination of the target (degrees or dd:mm:ss; may be negative).") var dec: DecArgument?
    @Option(parsing: .unconditional, help: "Width and height on the sky, e.g. 2arcmin (bare number: arcsec).") var size: RadiusArgument
    @Option(parsing: .unconditional, help: "Output image (.png, .svg, .pdf).") var out: String?
    @Option(parsing: .unconditional, help: "Catalogue of positions: one stamp per row into --out-dir.") var positions: String?
    @Option(parsing: .unconditional, help: "Output folder for --positions.") var outDir: String?
    @Option(parsing: .unconditional, help: "Column naming each stamp file (default: the row number).") var nameCol: String?
    @Option(parsing: .unconditional, help: "Catalogue whose sources are marked in every panel.") var overlay: String?
    @Option(parsing: .unconditional, help: "Ellipse columns A,B,PA of --overlay (arcsec, arcsec, degrees east of north).") var ellipseCols: String?
    @Option(parsing: .unconditional, help: "Marker radius for --overlay sources without --ellipse-cols (bare number: arcsec).") var markerRadius: RadiusArgument?
    @Option(parsing: .unconditionalSingleValue, help: "A line of text above the panels (repeat for more).") var label: [String] = []
    @Option(parsing: .unconditional, help: "Interval: zscale, minmax, or a percentile such as 99.5.") var interval: String = "zscale"
    @Option(parsing: .unconditional, help: "Stretch: linear, sqrt, log, asinh.") var stretch: String = "linear"
    @Option(parsing: .unconditional, help: "Colour map: gray, gray_r, viridis, inferno.") var cmap: String = "gray"
    @Option(parsing: .unconditional, help: "Panel size in inches.") var panelSize: Double = 3
    @Option(parsing: .unconditional, help: "Resolution of PNG output, pixels per inch.") var dpi: Double = 100

    func validate() throws {
        guard (ra != nil && dec != nil && out != nil && positions == nil) || (positions != nil && outDir != nil && ra == nil && dec == nil) else {
            throw ValidationError("give --ra, --dec and --out for one stamp, or --positions and --out-dir for one per row")
        }
        guard size.degrees > 0 else { throw ValidationError("--size must be positive") }
        guard ImageStretch(rawValue: stretch) != nil else { throw ValidationError("--stretch is linear, sqrt, log or asinh") }
        guard Colormap(rawValue: cmap) != nil else { throw ValidationError("--cmap is gray, gray_r, viridis or inferno") }
        guard panelSize > 0, dpi > 0 else { throw ValidationError("--panel-size and --dpi must be positive") }
    }

    func run() throws {
        try Output.refuseOverwriting(inputs: images + [positions, overlay].compactMap { $0 }, outputs: [out])
        if let out { _ = try PlotFormat.of(path: out) }
        var o = StampOptions(size: size.degrees)
        o.interval = try intervalArgument(interval)
        o.stretch = ImageStretch(rawValue: stretch) ?? .linear
        o.colormap = Colormap(rawValue: cmap) ?? .gray
        o.lines = label; o.panelSize = panelSize; o.dpi = dpi
        let imgs = try images.map { try SkyImage.read($0) }
        var marks: [SkyEllipse] = []
        if let overlay {
            let cat = try Catalogue.read(overlay)
            let (ra, dec) = try cat.positions()
            let r = (markerRadius?.degrees ?? 3.0 / 3600) * 3600
            if let cols = ellipseCols {
                let names = Output.list(cols)
                guard names.count == 3 else { throw ValidationError("--ellipse-cols takes A,B,PA") }
                let a = try cat.doubles(names[0]), b = try cat.doubles(names[1]), pa = try cat.doubles(names[2])
                for i in 0..<cat.rowCount where ra[i].isFinite && a[i].isFinite { marks.append(SkyEllipse(ra: ra[i], dec: dec[i], major: a[i], minor: b[i].isFinite ? b[i] : a[i], positionAngle: pa[i].isFinite ? pa[i] : 0, color: PlotColor(1, 0.3, 0.2))) }
            } else {
                for i in 0..<cat.rowCount where ra[i].isFinite { marks.append(SkyEllipse(ra: ra[i], dec: dec[i], major: r, minor: r, color: PlotColor(1, 0.3, 0.2))) }
            }
        }
        let overlays = imgs.map { _ in marks }
        if let ra, let dec, let out {
            let near = marks.filter { SkyGeometry.separation($0.ra, $0.dec, ra.degrees, dec.degrees) < size.degrees }
            try Stamp.figure(images: imgs, ra: ra.degrees, dec: dec.degrees, overlays: overlays.map { _ in near }, options: o).write(to: out)
            print("wrote \(out)")
        } else if let positions, let outDir {
            var cat = try Catalogue.read(positions)
            let (ra, dec) = try cat.positions()
            let names = try nameCol.map { c in try cat.column(c).values }.map { v -> [String] in
                switch v {
                case .int64(let a): return a.map { String($0) }
                case .string(let a): return a
                case .double(let a): return a.map { String($0) }
                default: return (0..<cat.rowCount).map { String(format: "%06d", $0 + 1) }
                }
            }
            cat = Catalogue(rowCount: 0)
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            let n = try Stamp.writeMany(images: imgs, ra: ra, dec: dec, names: names, options: o, directory: outDir)
            print("wrote \(n) stamps to \(outDir) (\(ra.count - n) positions outside every image)")
        }
    }
}
