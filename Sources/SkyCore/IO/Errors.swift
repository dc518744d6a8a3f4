// Typed errors of SkyCore. Each carries enough context (file, HDU, column, row) to act on.

/// An error reported by cfitsio, with the drained cfitsio error-message stack.
public struct FITSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// cfitsio status code (see cfitsio's `fitsio2.h`; 0 never appears here).
    public var status: Int32
    /// cfitsio's one-line text for `status` (ffgerr).
    public var message: String
    /// The cfitsio error stack (ffgmsg), oldest first; informative text only.
    public var stack: [String]
    /// What skytool was doing when the error happened.
    public var operation: String
    /// The file involved, as given by the caller.
    public var file: String
    /// 0-based HDU number (primary = 0, as in cfitsio's `file.fits[N]`), if known.
    public var hdu: Int?

    public init(status: Int32, message: String, stack: [String] = [], operation: String, file: String, hdu: Int? = nil) {
        self.status = status; self.message = message; self.stack = stack
        self.operation = operation; self.file = file; self.hdu = hdu
    }

    public var description: String {
        var s = "FITS error \(status) (\(message)) while \(operation) in '\(file)'"
        if let hdu { s += ", HDU \(hdu)" }
        let extra = stack.filter { !$0.isEmpty && $0 != message }
        if !extra.isEmpty { s += ": " + extra.joined(separator: "; ") }
        return s
    }
}

/// An error from wcslib or from interpreting a WCS header.
public struct WCSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// wcslib status code (0 when the problem was found by skytool itself).
    public var status: Int32
    public var message: String
    /// The source of the header (file name and HDU, or a description).
    public var source: String

    public init(status: Int32, message: String, source: String) {
        self.status = status; self.message = message; self.source = source
    }
    public var description: String {
        "WCS error\(status != 0 ? " \(status)" : "") in \(source): \(message)"
    }
}

/// An error while reading or writing a CSV file.
public struct CSVError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var file: String
    /// 1-based line number in the file, if the error belongs to a line.
    public var line: Int?
    /// The column name, if the error belongs to a column.
    public var column: String?

    public init(message: String, file: String, line: Int? = nil, column: String? = nil) {
        self.message = message; self.file = file; self.line = line; self.column = column
    }
    public var description: String {
        var s = "CSV error in '\(file)'"
        if let line { s += ", line \(line)" }
        if let column { s += ", column '\(column)'" }
        return s + ": " + message
    }
}

/// An error in using a catalogue: a missing column, a type that does not fit, mismatched lengths.
public struct CatalogueError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable { case missingColumn, wrongType, lengthMismatch, duplicateColumn, noPosition, invalidArgument, unsupportedFormat }
    public var code: Code
    public var message: String
    /// Where the catalogue came from (file name), if known.
    public var source: String?
    public var column: String?
    /// 0-based row, if the error belongs to a row (the description counts rows from 1, as the messages do).
    public var row: Int?

    public init(_ code: Code, _ message: String, source: String? = nil, column: String? = nil, row: Int? = nil) {
        self.code = code; self.message = message; self.source = source; self.column = column; self.row = row
    }
    public var description: String {
        var s = message
        if let column { s += " [column '\(column)']" }
        if let row { s += " [row \(row + 1)]" }
        if let source { s += " in '\(source)'" }
        return s
    }
}
