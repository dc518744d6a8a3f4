// DS9 region files (circles in ICRS), for looking at candidates over an image in DS9 or Aladin.
import Foundation

/// A circle region on the sky.
public struct SkyCircle: Sendable, Equatable {
    /// Centre in **degrees** (ICRS).
    public var ra: Double
    public var dec: Double
    /// Radius in **arcseconds**.
    public var radius: Double
    /// Label shown beside the circle (DS9 `text={...}`); braces are removed.
    public var text: String?
    public init(ra: Double, dec: Double, radius: Double, text: String? = nil) {
        self.ra = ra; self.dec = dec; self.radius = radius; self.text = text
    }
}

/// DS9 region files (version 4.1 syntax, `icrs` frame, degrees).
public enum DS9Regions {
    /// The region file text: a header line, `global color=...`, `icrs`, then one `circle(ra,dec,r")` per line.
    public static func text(_ circles: [SkyCircle], color: String = "red", comment: String? = nil) -> String {
        var s = "# Region file format: DS9 version 4.1\n"
        if let comment { for line in comment.split(separator: "\n") { s += "# \(line)\n" } }
        s += "global color=\(color) width=1 font=\"helvetica 10 normal roman\"\nicrs\n"
        for c in circles where c.ra.isFinite && c.dec.isFinite {
            s += String(format: "circle(%.8f,%+.8f,%.3f\")", c.ra, c.dec, c.radius)
            if let t = c.text { s += " # text={\(t.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: ""))}" }
            s += "\n"
        }
        return s
    }

    /// Writes a region file atomically.
    public static func write(_ circles: [SkyCircle], to path: String, color: String = "red", comment: String? = nil) throws {
        let data = Data(text(circles, color: color, comment: comment).utf8)
        try writeAtomically(to: path) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: data) else {
                throw CatalogueError(.invalidArgument, "cannot write region file '\(path)'")
            }
        }
    }
}
