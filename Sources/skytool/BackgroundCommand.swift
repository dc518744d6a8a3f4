import ArgumentParser
import Foundation
import SkyCore
import SkyPhot

struct BackgroundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "background",
        abstract: "Estimate an image's background and noise maps (SExtractor's mesh method, through SEP).",
        discussion: """
        The image is cut into --box pixel boxes; in each the histogram is sigma-clipped and the mode estimated
        (2.5 median - 1.5 mean); the box values are median-filtered over --filter boxes and spline-interpolated
        to every pixel. Defaults are SExtractor's and SEP's (64, 3). NaN pixels and --mask pixels are ignored.

        Examples:
          skytool background image.fits --out-back back.fits --out-rms rms.fits
          skytool background mosaic.fits --box 128 --filter 5 --mask bad.fits --out-rms rms.fits --json
        """
    )

    @Argument(help: "Image (FITS; an HDU may be named as image.fits[1]).") var image: String
    @Option(parsing: .unconditional, help: "Background map to write (FITS).") var outBack: String?
    @Option(parsing: .unconditional, help: "1-sigma noise map to write (FITS).") var outRms: String?
    @OptionGroup var mesh: MeshArguments
    @Flag(help: "Print the summary as JSON.") var json = false

    struct Summary: Encodable { var image: String; var width: Int; var height: Int; var box: Int; var filter: Int; var globalBackground: Double; var globalRMS: Double; var outputs: [String] }

    func validate() throws {
        guard outBack != nil || outRms != nil || json else { throw ValidationError("give --out-back and/or --out-rms (or --json for the global values)") }
    }

    func run() throws {
        try Output.refuseOverwriting(inputs: [image] + (mesh.mask.map { [$0] } ?? []), outputs: [outBack, outRms])
        let img = try SkyImage.read(image)
        let maps = try img.background(options: mesh.meshOptions, mask: try mesh.readMask(for: img))
        var header = img.header
        header.cards.append(FITSHeaderCard.history("skytool background: box \(mesh.box), filter \(mesh.filter), SEP mesh estimate"))
        if let outBack { try SkyImage(width: img.width, height: img.height, pixels: maps.background, header: header).write(to: outBack) }
        if let outRms { try SkyImage(width: img.width, height: img.height, pixels: maps.rms, header: header).write(to: outRms) }
        let s = Summary(image: img.source, width: img.width, height: img.height, box: mesh.box, filter: mesh.filter,
                        globalBackground: Double(maps.globalBackground), globalRMS: Double(maps.globalRMS), outputs: [outBack, outRms].compactMap { $0 })
        if json { print(try Output.json(s)) } else {
            print("\(img.source): \(img.width)×\(img.height), global background \(maps.globalBackground), global rms \(maps.globalRMS)")
            for f in s.outputs { print("wrote \(f)") }
        }
    }
}
