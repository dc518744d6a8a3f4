// Loading and saving catalogues by file extension.

/// File formats a catalogue can be read from or written to.
public enum CatalogueFormat: String, Sendable, CaseIterable {
    case fits, csv

    /// The format implied by a path: FITS for `.fits`, `.fit`, `.fts` (optionally `.gz`) and for
    /// cfitsio extended names ending in `]`; CSV for `.csv`, `.tsv`, `.ecsv`, `.txt`. Nil otherwise.
    public static func infer(path: String) -> CatalogueFormat? {
        var p = path.lowercased()
        if p.hasSuffix("]"), let i = p.firstIndex(of: "[") { p = String(p[..<i]) }
        if p.hasSuffix(".gz") { p = String(p.dropLast(3)) }
        if p.hasSuffix(".fits") || p.hasSuffix(".fit") || p.hasSuffix(".fts") { return .fits }
        if p.hasSuffix(".csv") || p.hasSuffix(".tsv") || p.hasSuffix(".ecsv") || p.hasSuffix(".txt") { return .csv }
        return nil
    }
}

extension Catalogue {
    /// Reads a catalogue from FITS (first table HDU unless `hdu` or the path's `[N]` says otherwise)
    /// or CSV, chosen by the file extension. `columns`: only these columns, in this order (nil: all). A FITS
    /// file then decodes only those; a CSV file is parsed whole and the rest dropped.
    public static func read(_ path: String, hdu: Int? = nil, csv: CSVReadOptions = CSVReadOptions(), columns: [String]? = nil) throws -> Catalogue {
        guard let format = CatalogueFormat.infer(path: path) else {
            throw CatalogueError(.unsupportedFormat, "cannot tell the format of '\(path)' from its extension (use .fits, .fits.gz, .csv, .tsv or .ecsv)", source: path)
        }
        switch format {
        case .fits: return try FITSFile(path: path).readTable(hdu: hdu, columns: columns).catalogue
        case .csv:
            let all = try CSVIO.read(path: path, options: csv)
            return try columns.map { try all.selecting($0) } ?? all
        }
    }

    /// Reads several catalogues as `read(_:columns:)` does (format by extension, first table HDU), at the
    /// same time when the libraries allow it (cfitsio built reentrant; CSV always): each file's serial part —
    /// reading its bytes — overlaps the others' conversion. `columns[i]`: the columns of `paths[i]` (nil or
    /// missing: all). The catalogues come back in the order of `paths`; if reads fail, the error of the first
    /// failing path in that order is thrown.
    public static func read(_ paths: [String], columns: [[String]?] = []) throws -> [Catalogue] {
        let wanted = paths.indices.map { $0 < columns.count ? columns[$0] : nil }
        let concurrent = paths.count > 1 && (FITSHandle.isReentrant || !paths.contains { CatalogueFormat.infer(path: $0) == .fits })
        guard concurrent else { return try paths.indices.map { try read(paths[$0], columns: wanted[$0]) } }
        let results = Parallel.map(paths.count) { (i: Int) -> Result<Catalogue, Error> in Result { try read(paths[i], columns: wanted[i]) } }
        return try results.map { try $0.get() }
    }

    /// The columns of a catalogue file without its rows (names, types, units, header; no rows), where the
    /// format allows it without reading the data: FITS (first table HDU). Nil for CSV, whose column types
    /// come from the values. Callers use it to read the columns they need first and others later.
    public static func schema(ofFile path: String) throws -> Catalogue? {
        guard CatalogueFormat.infer(path: path) == .fits else { return nil }
        return try FITSFile(path: path).readTable(rows: 0..<0).catalogue
    }

    /// Writes the catalogue to FITS or CSV, chosen by the file extension, atomically.
    public func write(to path: String, csv: CSVWriteOptions = CSVWriteOptions()) throws {
        guard let format = CatalogueFormat.infer(path: path) else {
            throw CatalogueError(.unsupportedFormat, "cannot tell the format of '\(path)' from its extension (use .fits, .fits.gz, .csv, .tsv or .ecsv)", source: path)
        }
        switch format {
        case .fits: try FITSWriter.write(self, to: path)
        case .csv: try CSVIO.write(self, to: path, options: csv)
        }
    }
}
