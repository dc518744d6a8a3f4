// A summary of a catalogue or image file: what `skytool info` prints.

/// One column of a table, as summarised by `FileSummary`.
public struct ColumnSummary: Sendable, Codable, Equatable {
    public var name: String
    /// skytool type (int64, uint64, double, float, bool, string).
    public var type: String
    /// FITS storage of integer columns (int16, uint32, ...), if known.
    public var storage: String?
    /// Elements per row (FITS repeat).
    public var width: Int
    public var unit: String?
    public var description: String?
    /// Missing elements (masked, TNULL, NaN or empty).
    public var nullCount: Int
}

/// A summary of the celestial WCS of an image HDU.
public struct WCSSummary: Sendable, Codable, Equatable {
    public var ctype: [String]
    public var crval: [Double]
    public var crpix: [Double]
    /// Sky position (degrees) of the image centre, if computable.
    public var centre: [Double]?
    /// Alternates present (" " = primary).
    public var alternates: [String]
    public var notes: [String]
    /// Error text if the header's WCS could not be built.
    public var error: String?
}

/// One HDU (FITS) or the single table (CSV) of a file.
public struct HDUSummary: Sendable, Codable, Equatable {
    /// 0-based HDU number (0 for CSV).
    public var index: Int
    /// "image", "binary_table", "ascii_table" or "csv".
    public var kind: String
    public var name: String?
    /// Image axes (NAXIS1 first) or [rows].
    public var shape: [Int]
    public var bitpix: Int?
    public var columns: [ColumnSummary]
    /// Columns not read (unsupported FITS types).
    public var skippedColumns: [String]
    public var wcs: WCSSummary?
    /// Detected position columns, e.g. "ra/dec" (or nil).
    public var positionColumns: String?
}

/// What a file holds: HDUs, shapes, columns with types, units and null counts, and WCS summaries.
public struct FileSummary: Sendable, Codable, Equatable {
    public var path: String
    public var format: String
    public var hdus: [HDUSummary]

    /// Summarises a FITS or CSV file (format by extension; FITS also when the extension is unknown).
    public static func inspect(_ path: String) throws -> FileSummary {
        if CatalogueFormat.infer(path: path) == .csv {
            let cat = try CSVIO.read(path: path)
            return FileSummary(path: path, format: "csv", hdus: [HDUSummary(index: 0, kind: "csv", name: nil, shape: [cat.rowCount], bitpix: nil, columns: summarize(cat), skippedColumns: [], wcs: nil, positionColumns: positionText(cat))])
        }
        let file = try FITSFile(path: path)
        var hdus: [HDUSummary] = []
        for info in try file.hdus() {
            var h = HDUSummary(index: info.index, kind: info.kind.rawValue, name: info.name, shape: info.shape, bitpix: info.kind == .image ? info.bitpix : nil, columns: [], skippedColumns: [], wcs: nil, positionColumns: nil)
            if info.kind == .image {
                if info.shape.count >= 2 || (try? file.header(hdu: info.index)["CTYPE1"]) != nil {
                    h.wcs = wcsSummary(file: file, hdu: info.index)
                }
            } else {
                let t = try file.readTable(hdu: info.index)
                h.columns = summarize(t.catalogue)
                h.skippedColumns = t.skippedColumns
                h.positionColumns = positionText(t.catalogue)
            }
            hdus.append(h)
        }
        return FileSummary(path: path, format: "fits", hdus: hdus)
    }

    static func summarize(_ cat: Catalogue) -> [ColumnSummary] {
        cat.columns.map { c in
            ColumnSummary(name: c.name, type: c.type.rawValue, storage: c.storage?.rawValue, width: c.width, unit: c.unit, description: c.description, nullCount: c.missingCount)
        }
    }

    static func positionText(_ cat: Catalogue) -> String? {
        guard let p = try? cat.detectPositionColumns() else { return nil }
        return "\(p.ra)/\(p.dec)" + (p.radians ? " (radians)" : "")
    }

    static func wcsSummary(file: FITSFile, hdu: Int) -> WCSSummary? {
        do {
            let w = try WCS(file: file, hdu: hdu)
            var centre: [Double]? = nil
            if w.hasCelestial, let ax = w.celestialAxes, w.imageSize.count > max(ax.lon, ax.lat) {
                let cx = (Double(w.imageSize[ax.lon]) + 1) / 2, cy = (Double(w.imageSize[ax.lat]) + 1) / 2
                if let s = try? w.pixelToWorld(x: [cx], y: [cy]), s.valid[0] { centre = [s.lon[0], s.lat[0]] }
            }
            return WCSSummary(ctype: w.ctypes, crval: w.crval, crpix: w.crpix, centre: centre, alternates: w.alternates.map { String($0) }, notes: w.notes, error: nil)
        } catch let e as WCSError {
            if e.message.contains("no WCS keywords") { return nil }
            return WCSSummary(ctype: [], crval: [], crpix: [], centre: nil, alternates: [], notes: [], error: e.description)
        } catch {
            return WCSSummary(ctype: [], crval: [], crpix: [], centre: nil, alternates: [], notes: [], error: "\(error)")
        }
    }
}
