// One plate's sources: APPLAUSE `source` and `source_calib` tables joined on source_id.
import Foundation
import SkyCore

/// An error in the plate workflow, naming the plate, file, column and row where it can.
public struct PlateError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable { case emptyPlate, mismatchedTables, missingColumn, badCut, badOption }
    public var code: Code
    public var message: String
    /// The file(s) involved.
    public var file: String?
    public var column: String?
    /// 0-based row of the joined table, if the error belongs to one (the description counts from 1).
    public var row: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, column: String? = nil, row: Int? = nil) {
        self.code = code; self.message = message; self.file = file; self.column = column; self.row = row
    }
    public var description: String {
        var s = message
        if let column { s += " [column '\(column)']" }
        if let row { s += " [row \(row + 1)]" }
        if let file { s += " in \(file)" }
        return s
    }
}

/// The two tables of one plate's sources, as exported from APPLAUSE (or any pair of tables sharing a key).
public struct PlateFiles: Sendable, Equatable, Codable {
    /// The `source` table (SExtractor measurements): CSV or FITS.
    public var source: String
    /// The `source_calib` table (calibrated positions and magnitudes): CSV or FITS.
    public var calib: String
    public init(source: String, calib: String) { self.source = source; self.calib = calib }
    var label: String { "'\(source)' + '\(calib)'" }
}

/// Counts from loading one plate.
public struct PlateLoadReport: Sendable, Equatable, Codable {
    public var sourceRows: Int
    public var calibRows: Int
    public var joinedRows: Int
    /// Source rows with no calib row, and calib rows with no source row (normally both 0).
    public var sourceWithoutCalib: Int
    public var calibWithoutSource: Int
    /// The position columns used (names in the joined table).
    public var ra: String
    public var dec: String
}

/// Loading APPLAUSE plate tables.
public enum PlateTables {
    /// Position column pairs looked for in the calib table, in order (matched without regard to case).
    public static let positionPairs: [(String, String)] = [("ra_icrs", "dec_icrs"), ("raj2000", "dej2000")]

    /// Reads both tables of a plate and joins them (inner join on `key`).
    ///
    /// Names present in both tables get `_1` (source) and `_2` (calib) suffixes, as in the joined APPLAUSE
    /// tables (`sextractor_flags_1`, `model_prediction_1`, `annular_bin_1`); the key appears once.
    /// Positions come from the calib table: `ra_icrs/dec_icrs`, else `raj2000/dej2000` (unless `ra`/`dec`
    /// name joined-table columns explicitly). Errors: an empty table, a missing key, tables with no key in
    /// common, or rows whose `plate_id` differs between the two tables (the tables of two different plates).
    public static func load(_ files: PlateFiles, plate: String, key: String = "source_id",
                            ra: String? = nil, dec: String? = nil) throws -> (Catalogue, PlateLoadReport) {
        let t = try read([files])
        return try join(source: t[0], calib: t[1], files: files, plate: plate, key: key, ra: ra, dec: dec)
    }

    /// Reads the source and calib tables of every plate at once: [source 1, calib 1, source 2, calib 2, ...].
    static func read(_ plates: [PlateFiles]) throws -> [Catalogue] {
        let paths = plates.flatMap { [$0.source, $0.calib] }
        return try Parallel.map(paths.count) { (i: Int) throws -> Catalogue in try Catalogue.read(paths[i]) }
    }

    /// Joins already-read tables (see `load`).
    public static func join(source: Catalogue, calib: Catalogue, files: PlateFiles, plate: String, key: String = "source_id",
                            ra: String? = nil, dec: String? = nil) throws -> (Catalogue, PlateLoadReport) {
        for (t, path, what) in [(source, files.source, "source"), (calib, files.calib, "source_calib")] {
            guard t.rowCount > 0 else {
                throw PlateError(.emptyPlate, "\(plate): the \(what) table has no rows", file: "'\(path)'")
            }
            guard t.hasColumn(key) else {
                throw PlateError(.missingColumn, "\(plate): the \(what) table has no key column '\(key)' to join on", file: "'\(path)'", column: key)
            }
        }
        var joined = try source.join(calib, on: key)
        joined.source = files.source
        guard joined.rowCount > 0 else {
            throw PlateError(.mismatchedTables, "\(plate): no '\(key)' value is in both tables; are they the source and source_calib tables of the same plate?", file: files.label, column: key)
        }
        // The same plate in both tables?
        for name in ["plate_id", "scan_id"] where joined.hasColumn(name + "_1") && joined.hasColumn(name + "_2") {
            let a = try joined.column(name + "_1"), b = try joined.column(name + "_2")
            for r in 0..<joined.rowCount where !a.isMissing(r) && !b.isMissing(r) && a.text(at: r) != b.text(at: r) {
                throw PlateError(.mismatchedTables, "\(plate): \(key) \(try joined.column(key).text(at: r)) has \(name) \(a.text(at: r)) in the source table but \(b.text(at: r)) in the calib table; the tables belong to different plates or scans", file: files.label, column: name, row: r)
            }
        }
        let key1 = try source.column(key), key2 = try calib.column(key)
        let keys1 = Set((0..<source.rowCount).map { key1.text(at: $0) })
        let keys2 = Set((0..<calib.rowCount).map { key2.text(at: $0) })
        let sourceOnly = keys1.subtracting(keys2).count, calibOnly = keys2.subtracting(keys1).count
        // Positions from the calib table.
        var pos: PositionColumns
        if let ra, let dec {
            guard joined.hasColumn(ra) else { throw PlateError(.missingColumn, "\(plate): no column '\(ra)' for right ascension in the joined table", file: files.label, column: ra) }
            guard joined.hasColumn(dec) else { throw PlateError(.missingColumn, "\(plate): no column '\(dec)' for declination in the joined table", file: files.label, column: dec) }
            pos = PositionColumns(ra: ra, dec: dec)
        } else {
            guard let p = detectPositions(calib: calib, source: source) else {
                throw PlateError(.missingColumn, "\(plate): the calib table has no position columns (ra_icrs/dec_icrs or raj2000/dej2000)", file: "'\(files.calib)'")
            }
            pos = p
        }
        joined.positionColumns = pos
        let report = PlateLoadReport(sourceRows: source.rowCount, calibRows: calib.rowCount, joinedRows: joined.rowCount,
                                     sourceWithoutCalib: sourceOnly, calibWithoutSource: calibOnly, ra: pos.ra, dec: pos.dec)
        return (joined, report)
    }

    /// The calib table's position columns, named as they appear after the join.
    static func detectPositions(calib: Catalogue, source: Catalogue) -> PositionColumns? {
        let lower = Dictionary(calib.columnNames.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        for (r, d) in positionPairs {
            if let ra = lower[r], let dec = lower[d] {
                return PositionColumns(ra: source.hasColumn(ra) ? ra + "_2" : ra, dec: source.hasColumn(dec) ? dec + "_2" : dec)
            }
        }
        return nil
    }
}
