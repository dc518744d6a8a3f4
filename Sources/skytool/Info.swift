import ArgumentParser
import Foundation
import SkyCore

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a file's HDUs, shapes, columns (types, units, null counts) and WCS.",
        discussion: """
        Examples:
          skytool info plates.fits
          skytool info 'survey.fits[EVENTS]' --json
          skytool info sources.csv
        """
    )

    @Argument(help: "A FITS file (cfitsio extended names allowed) or a CSV file.")
    var file: String

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let summary = try FileSummary.inspect(file)
        if json { print(try Output.json(summary)); return }
        print("\(summary.path) (\(summary.format))")
        for h in summary.hdus {
            var line = "HDU \(h.index) \(h.kind)"
            if let n = h.name { line += " '\(n)'" }
            if h.kind == "image" { line += " \(h.shape.map(String.init).joined(separator: " x "))" + (h.bitpix.map { " BITPIX=\($0)" } ?? "") }
            else { line += " \(h.shape.first ?? 0) rows, \(h.columns.count) columns" }
            print(line)
            if let p = h.positionColumns { print("  positions: \(p)") }
            if !h.columns.isEmpty {
                let w = max(4, h.columns.map(\.name.count).max() ?? 4)
                for c in h.columns {
                    var t = c.type + (c.width > 1 ? "[\(c.width)]" : "")
                    if let s = c.storage { t += " (\(s))" }
                    let pad = String(repeating: " ", count: w - c.name.count)
                    print("  \(c.name)\(pad)  \(t.padding(toLength: 18, withPad: " ", startingAt: 0)) unit=\(c.unit ?? "-")  nulls=\(c.nullCount)")
                }
            }
            if !h.skippedColumns.isEmpty { print("  not read (unsupported types): \(h.skippedColumns.joined(separator: ", "))") }
            if let w = h.wcs {
                if let e = w.error { print("  WCS: unusable: \(e)") }
                else {
                    print("  WCS: \(w.ctype.joined(separator: " ")) CRVAL=\(w.crval) CRPIX=\(w.crpix)")
                    if let c = w.centre { print("  centre: ra=\(c[0]) dec=\(c[1]) deg") }
                    for n in w.notes { print("  note: \(n)") }
                }
            }
        }
    }
}
