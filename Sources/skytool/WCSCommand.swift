import ArgumentParser
import SkyCore

struct WCSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wcs",
        abstract: "Convert pixel <-> sky coordinates with an image's WCS, or print its footprint.",
        discussion: """
        Pixels are FITS 1-based (the first pixel's centre is 1,1) unless --zero-based is given.
        Sky coordinates are degrees.

        Examples:
          skytool wcs image.fits --pix 1,1 --pix 2048,4096
          skytool wcs image.fits --world 83.633,22.014 --json
          skytool wcs image.fits --footprint
        """
    )

    @Argument(help: "A FITS image (or header) file.") var file: String
    @Option(parsing: .unconditional, help: "HDU (0 = primary); default: the first image with data.") var hdu: Int?
    @Option(parsing: .unconditional, help: "Alternate WCS letter A-Z (default: primary).") var alt: String?
    @Option(name: .customLong("pix"), parsing: .unconditionalSingleValue, help: "A pixel position X,Y (repeatable).") var pix: [String] = []
    @Option(name: .customLong("world"), parsing: .unconditionalSingleValue, help: "A sky position RA,DEC in degrees (repeatable).") var world: [String] = []
    @Flag(help: "Print the image footprint polygon (points along the pixel-grid edges).") var footprint = false
    @Flag(help: "Use 0-based pixels (the first pixel's centre is 0,0).") var zeroBased = false
    @Flag(help: "Print JSON.") var json = false

    struct Row: Codable { var x: Double?; var y: Double?; var ra: Double?; var dec: Double?; var valid: Bool }

    func validate() throws {
        if pix.isEmpty && world.isEmpty && !footprint { throw ValidationError("give --pix, --world or --footprint") }
        if let a = alt, a.count != 1 || !(a.first?.isUppercase ?? false) { throw ValidationError("--alt must be one letter A-Z") }
    }

    func run() throws {
        let f = try FITSFile(path: file)
        let w = try WCS(file: f, hdu: hdu, alternate: alt?.first ?? " ")
        let origin: PixelOrigin = zeroBased ? .zero : .one
        var rows: [Row] = []
        if !pix.isEmpty {
            let pts = try pix.map { try Output.pair($0, what: "--pix") }
            let s = try w.pixelToWorld(x: pts.map(\.0), y: pts.map(\.1), origin: origin)
            for (i, p) in pts.enumerated() {
                rows.append(Row(x: p.0, y: p.1, ra: s.valid[i] ? s.lon[i] : nil, dec: s.valid[i] ? s.lat[i] : nil, valid: s.valid[i]))
            }
        }
        if !world.isEmpty {
            let pts = try world.map { try Output.pair($0, what: "--world") }
            let p = try w.worldToPixel(lon: pts.map(\.0), lat: pts.map(\.1), origin: origin)
            for (i, q) in pts.enumerated() {
                rows.append(Row(x: p.valid[i] ? p.x[i] : nil, y: p.valid[i] ? p.y[i] : nil, ra: q.0, dec: q.1, valid: p.valid[i]))
            }
        }
        if footprint {
            let poly = try w.footprint()
            if json { print(try Output.json(poly.map { [$0.ra, $0.dec] })) }
            else { for p in poly { print(String(format: "%.9f %.9f", p.ra, p.dec)) } }
            if rows.isEmpty { return }
        }
        if json { print(try Output.json(rows)); return }
        for r in rows {
            let fmt = { (v: Double?) in v.map { String(format: "%.9f", $0) } ?? "invalid" }
            print("pix \(fmt(r.x)) \(fmt(r.y))  ->  ra \(fmt(r.ra)) dec \(fmt(r.dec))")
        }
    }
}
