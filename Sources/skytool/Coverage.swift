import ArgumentParser
import Foundation
import SkyCore

struct Coverage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a coverage map (IVOA MOC) of a catalogue or an image, or flag rows inside one.",
        discussion: """
        A catalogue's coverage is the union of discs of --radius around its positions, or with --sources the
        closed cells holding its sources (as match --coverage2-sources); an image's is its WCS footprint. The
        MOC is written as IVOA MOC 2.0 FITS (NUNIQ), or as ASCII text with --ascii.

        Examples:
          skytool coverage sources.fits --radius 30arcsec --order 12 --out sources_moc.fits
          skytool coverage sources.fits --sources --out sources_moc.fits     (gaps between sources filled)
          skytool coverage plate.fits --order 10 --out plate_moc.fits          (an image: its footprint)
          skytool coverage --contains plate_moc.fits other.csv --out flagged.fits
        """
    )

    @Argument(help: "A catalogue (with --radius) or an image with a WCS.") var input: String
    @Option(parsing: .unconditional, help: "Radius around each catalogue position (bare number: arcsec); with --sources, the closing radius (default 4x the median spacing).") var radius: RadiusArgument?
    @Flag(help: "A catalogue's coverage from its sources: HEALPix cells about its median source spacing wide, closed (gaps up to ~2x the radius filled).") var sources = false
    @Option(parsing: .unconditional, help: "MOC order (resolution) 0...29 (default 10; with --sources, cells about the median spacing wide).") var order: Int?
    @Option(parsing: .unconditional, help: "Output file: a MOC (.fits or, with --ascii, text) or the flagged catalogue.") var out: String
    @Flag(help: "Write the MOC in the IVOA ASCII form instead of FITS.") var ascii = false
    @Option(parsing: .unconditional, help: "Flag the rows of INPUT that lie inside this MOC (FITS or ASCII file; an image: its footprint at --order).") var contains: String?
    @Option(parsing: .unconditional, help: "Name of the flag column.") var column: String = "in_coverage"
    @OptionGroup var positions: PositionOptions

    func validate() throws {
        if let order, !(0...29).contains(order) { throw ValidationError("--order must be 0...29") }
        if sources && contains != nil { throw ValidationError("--sources builds a coverage; --contains flags rows inside one") }
    }

    func run() throws {
        try Output.refuseOverwriting(inputs: [input] + (contains.map { [$0] } ?? []), outputs: [out])
        if let mocPath = contains {
            let moc = try MOC.coverage(ofFile: mocPath, footprintOrder: order ?? 10)
            var cat = try Catalogue.read(input)
            try positions.apply(&cat)
            let flagged = try cat.flaggingCoverage(moc, column: column)
            try flagged.write(to: out)
            let n = (flagged[column]?.values).map { v -> Int in if case .bool(let b) = v { return b.filter { $0 }.count }; return 0 } ?? 0
            print("\(n) of \(flagged.rowCount) rows inside \(mocPath); wrote \(out)")
            return
        }
        let moc: MOC
        if sources || radius != nil {
            var cat = try Catalogue.read(input)
            try positions.apply(&cat)
            moc = try sources ? sourceCoverage(of: cat) : MOC.positions(of: cat, radius: radius?.degrees ?? 0, order: order ?? 10)
        } else {
            let file = try FITSFile(path: input)
            moc = try MOC.footprint(of: WCS(file: file), order: order ?? 10)
        }
        if ascii {
            try writeAtomically(to: out) { tmp in try (moc.ascii + "\n").write(toFile: tmp, atomically: false, encoding: .utf8) }
        } else {
            try moc.writeFITS(to: out)
        }
        print("coverage \(String(format: "%.6g", moc.areaDeg2)) deg² at order \(moc.maxOrder) (\(moc.cells.count) cells) written to \(out)")
    }

    /// `--sources`: the closed cells holding the catalogue's sources (`MOC.sources`), `--radius` closing them.
    func sourceCoverage(of cat: Catalogue) throws -> MOC {
        let (ra, dec) = try cat.positions()
        let c = try MOC.sources(ra: ra, dec: dec, closingRadius: radius.map { $0.degrees * 3600 }, matchRadius: 0, order: order)
        print("median source spacing \(c.medianNearestArcsec.map { String(format: "%.3g\"", $0) } ?? "unknown (fewer than 2 sources)"), closing radius \(String(format: "%.3g\"", c.radiusArcsec))")
        return c.moc
    }
}
