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
    /// or CSV, chosen by the file extension.
    public static func read(_ path: String, hdu: Int? = nil, csv: CSVReadOptions = CSVReadOptions()) throws -> Catalogue {
        guard let format = CatalogueFormat.infer(path: path) else {
            throw CatalogueError(.unsupportedFormat, "cannot tell the format of '\(path)' from its extension (use .fits, .fits.gz, .csv, .tsv or .ecsv)", source: path)
        }
        switch format {
        case .fits: return try FITSFile(path: path).readTable(hdu: hdu).catalogue
        case .csv: return try CSVIO.read(path: path, options: csv)
        }
    }

    /// Reads several catalogues as `read(_:)` does (format by extension, first table HDU), at the same time
    /// when the libraries allow it (cfitsio built reentrant; CSV always): each file's serial part — reading
    /// its bytes — overlaps the others' conversion. The catalogues come back in the order of `paths`; if
    /// reads fail, the error of the first failing path in that order is thrown.
    public static func read(_ paths: [String]) throws -> [Catalogue] {
        let concurrent = paths.count > 1 && (FITSHandle.isReentrant || !paths.contains { CatalogueFormat.infer(path: $0) == .fits })
        guard concurrent else { return try paths.map { try read($0) } }
        let results = Parallel.map(paths.count) { (i: Int) -> Result<Catalogue, Error> in Result { try read(paths[i]) } }
        return try results.map { try $0.get() }
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
