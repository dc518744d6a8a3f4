// CSV reading and writing: header row, quoted fields, comment lines, missing values, type inference,
// and an ECSV-style metadata header that keeps types, units and descriptions.
import Foundation

/// Options for reading CSV.
public struct CSVReadOptions: Sendable {
    /// Field separator (default ','; a `.tsv` file defaults to tab).
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// Lines starting with this byte are comments (default '#'), except the ECSV metadata header.
    public var comment: UInt8? = UInt8(ascii: "#")
    /// Field texts that mean "missing" (besides the empty field), compared exactly.
    public var missingTokens: Set<String> = ["NaN", "nan", "NAN", "null", "NULL", "None", "\\N", "--"]
    /// Per-column type overrides (by column name); an unparsable value then is an error naming the line.
    public var types: [String: ColumnType] = [:]
    /// Whether the first non-comment line holds the column names (else col1, col2, ...).
    public var header: Bool = true

    public init() {}
}

/// Options for writing CSV.
public struct CSVWriteOptions: Sendable {
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// Write the ECSV metadata header (`# %ECSV 1.0` comment lines with each column's datatype, unit and
    /// description) so that types and units survive a round trip. astropy reads such a file as ECSV;
    /// CSV readers that skip `#` comments read the data. Default true.
    public var metadata: Bool = true
    public init() {}
}

/// Reads and writes CSV files.
///
/// Reading: a header row of names; fields may be quoted with `"` (a doubled `""` inside is a quote, and a
/// quoted field may span lines); blank lines and comment lines are skipped; an empty field or one of
/// `missingTokens` is missing. Types are inferred per column: Int64 if every present value is an integer,
/// else Double if every one is a number, else Bool if every one is true/false (also t/f, T/F), else
/// String. An ECSV header, if present, fixes types and units instead. Integers too large for Int64 make the
/// column Double.
public enum CSVIO {
    /// Reads a CSV file. A `.tsv` extension selects tab as the delimiter unless `options` says otherwise.
    public static func read(path: String, options: CSVReadOptions = CSVReadOptions()) throws -> Catalogue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CSVError(message: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file", file: path)
        }
        var opts = options
        if path.lowercased().hasSuffix(".tsv") && options.delimiter == UInt8(ascii: ",") { opts.delimiter = 0x09 }
        return try parse(data, source: path, options: opts)
    }

    /// Parses CSV bytes. `source` names the data in errors.
    public static func parse(_ data: Data, source: String = "<csv>", options: CSVReadOptions = CSVReadOptions()) throws -> Catalogue {
        try data.withUnsafeBytes { raw -> Catalogue in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress, bytes.count > 0 else {
                throw CSVError(message: "the file is empty (no header row)", file: source)
            }
            var parser = CSVParser(p: base, n: bytes.count, source: source, options: options)
            return try parser.run()
        }
    }

    /// Writes a catalogue as CSV, atomically. Vector columns become `name_1 ... name_n`.
    public static func write(_ cat: Catalogue, to path: String, options: CSVWriteOptions = CSVWriteOptions()) throws {
        var opts = options
        if path.lowercased().hasSuffix(".tsv") && options.delimiter == UInt8(ascii: ",") { opts.delimiter = 0x09 }
        let text = render(cat, options: opts)
        try writeAtomically(to: path) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
                throw CSVError(message: "cannot create the file", file: path)
            }
        }
    }

    /// The CSV text of a catalogue.
    public static func render(_ cat: Catalogue, options: CSVWriteOptions = CSVWriteOptions()) -> String {
        let d = Character(UnicodeScalar(options.delimiter))
        var names: [String] = []
        var expanded: [(col: Column, element: Int)] = []
        for c in cat.columns {
            if c.width == 1 { names.append(c.name); expanded.append((c, 0)) }
            else { for e in 0..<c.width { names.append("\(c.name)_\(e + 1)"); expanded.append((c, e)) } }
        }
        var out = ""
        out.reserveCapacity(cat.rowCount * max(1, names.count) * 10 + 256)
        if options.metadata {
            out += "# %ECSV 1.0\n# ---\n"
            if options.delimiter != UInt8(ascii: " ") { out += "# delimiter: '\(d)'\n" }
            out += "# datatype:\n"
            for (k, (c, _)) in expanded.enumerated() {
                var entry = "# - {name: \(yamlQuote(names[k])), datatype: \(ecsvType(c))"
                if let u = c.unit, !u.isEmpty { entry += ", unit: \(yamlQuote(u))" }
                if let ds = c.description, !ds.isEmpty { entry += ", description: \(yamlQuote(ds))" }
                out += entry + "}\n"
            }
        }
        out += names.map { quoteField($0, d) }.joined(separator: String(d)) + "\n"
        for r in 0..<cat.rowCount {
            for (k, (c, e)) in expanded.enumerated() {
                if k > 0 { out.append(d) }
                let i = r * c.width + e
                if c.isMissing(i) { continue }
                switch c.values {
                case .int64(let a): out += String(a[i])
                case .uint64(let a): out += String(a[i])
                case .double(let a): out += "\(a[i])"
                case .float(let a): out += "\(a[i])"
                case .bool(let a): out += a[i] ? "True" : "False"
                case .string(let a): out += quoteField(a[i], d)
                }
            }
            out.append("\n")
        }
        return out
    }

    static func ecsvType(_ c: Column) -> String {
        switch c.values {
        case .int64: return c.storage.map { $0 == .int64 ? "int64" : $0.rawValue } ?? "int64"
        case .uint64: return "uint64"
        case .double: return "float64"
        case .float: return "float32"
        case .bool: return "bool"
        case .string: return "string"
        }
    }

    static func yamlQuote(_ s: String) -> String {
        let plain = s.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-./ *()[]^".unicodeScalars.contains($0)) && $0.isASCII }
        if plain && !s.isEmpty && !s.hasPrefix(" ") && !s.hasSuffix(" ") && !s.hasPrefix("-") && !s.hasPrefix("*") && !s.hasPrefix("[") { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func quoteField(_ s: String, _ d: Character) -> String {
        if s.isEmpty { return "\"\"" }
        if s.contains(d) || s.contains("\"") || s.contains("\n") || s.contains("\r") || s.first == " " || s.last == " " || s.first == "#" {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}

/// One pass over the bytes: records and field ranges, then typed columns.
struct CSVParser {
    let p: UnsafePointer<UInt8>
    let n: Int
    let source: String
    var options: CSVReadOptions
    var starts: [Int] = [], ends: [Int] = []
    var escaped: [Bool] = []           // field contains "" that must be unescaped
    var anyEscaped = false
    var recordLines: [Int] = []
    var ecsv: [(name: String, type: String, unit: String?, description: String?)] = []
    var ncols = 0

    init(p: UnsafePointer<UInt8>, n: Int, source: String, options: CSVReadOptions) {
        self.p = p; self.n = n; self.source = source; self.options = options
    }

    /// The offset of the first byte that does not start a well-formed UTF-8 sequence (overlong forms,
    /// surrogates and code points above U+10FFFF are ill-formed), or nil.
    static func firstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        var i = 0
        while i < n {
            // ASCII runs eight bytes at a time (no byte with its high bit set).
            while i + 8 <= n, UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            let len: Int, lead: UInt32, minimum: UInt32
            if b & 0xE0 == 0xC0 { len = 2; lead = UInt32(b & 0x1F); minimum = 0x80 }
            else if b & 0xF0 == 0xE0 { len = 3; lead = UInt32(b & 0x0F); minimum = 0x800 }
            else if b & 0xF8 == 0xF0 { len = 4; lead = UInt32(b & 0x07); minimum = 0x10000 }
            else { return i }
            guard i + len <= n else { return i }
            var cp = lead
            for k in 1..<len {
                let c = p[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                cp = cp << 6 | UInt32(c & 0x3F)
            }
            guard cp >= minimum, cp <= 0x10FFFF, !(0xD800...0xDFFF).contains(cp) else { return i }
            i += len
        }
        return nil
    }

    /// Refuses bytes that are not UTF-8 (a Latin-1 file, say), naming the line and the column, instead of
    /// turning them into U+FFFD silently.
    func checkUTF8() throws {
        guard let bad = CSVParser.firstInvalidUTF8(p, n) else { return }
        var line = 1, lineStart = 0
        for k in 0..<bad where p[k] == UInt8(ascii: "\n") { line += 1; lineStart = k + 1 }
        var field = 0, quoted = false
        for k in lineStart..<bad {
            if p[k] == UInt8(ascii: "\"") { quoted.toggle() } else if p[k] == options.delimiter && !quoted { field += 1 }
        }
        // The header's name for that field, when the header (the first line that is not a comment) is readable.
        var column: String? = nil
        var h = 0
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { h = 3 }
        while h < n, let c = options.comment, p[h] == c { while h < n && p[h] != UInt8(ascii: "\n") { h += 1 }; h += 1 }
        if h < n {
            var e = h
            while e < n && p[e] != UInt8(ascii: "\n") && p[e] != UInt8(ascii: "\r") { e += 1 }
            if bad >= e, let header = String(validating: UnsafeBufferPointer(start: p + h, count: e - h), as: UTF8.self) {
                let names = header.split(separator: Character(UnicodeScalar(options.delimiter)), omittingEmptySubsequences: false)
                if field < names.count { column = names[field].trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
            }
        }
        throw CSVError(message: String(format: "byte 0x%02X (offset %d) is not UTF-8: the file is in another encoding (convert it, e.g. iconv -f latin1 -t utf-8)", p[bad], bad),
                       file: source, line: line, column: column ?? "field \(field + 1)")
    }

    mutating func run() throws -> Catalogue {
        try checkUTF8()
        // Rough capacity: one field per 8 bytes.
        starts.reserveCapacity(n / 8); ends.reserveCapacity(n / 8); escaped.reserveCapacity(n / 8)
        var i = 0
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        var line = 1
        let nl = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), quote = UInt8(ascii: "\"")
        let delim = options.delimiter
        var headerNames: [String]? = nil
        var metaLines: [String] = []
        while i < n {
            // Start of a record: skip blank and comment lines.
            if p[i] == nl { i += 1; line += 1; continue }
            if p[i] == cr && i + 1 < n && p[i + 1] == nl { i += 2; line += 1; continue }
            if let c = options.comment, p[i] == c {
                var j = i
                while j < n && p[j] != nl { j += 1 }
                if headerNames == nil { metaLines.append(String(decoding: UnsafeBufferPointer(start: p + i, count: j - i), as: UTF8.self)) }
                i = j < n ? j + 1 : n; line += 1
                continue
            }
            let recordLine = line
            var fields = 0
            let firstField = starts.count
            while true {
                // One field.
                if i < n && p[i] == quote {
                    i += 1
                    let s = i
                    var esc = false
                    while true {
                        guard i < n else { throw CSVError(message: "unterminated quoted field", file: source, line: recordLine) }
                        if p[i] == quote {
                            if i + 1 < n && p[i + 1] == quote { esc = true; i += 2; continue }
                            break
                        }
                        if p[i] == nl { line += 1 }
                        i += 1
                    }
                    starts.append(s); ends.append(i); escaped.append(esc)
                    if esc { anyEscaped = true }
                    i += 1 // closing quote
                    // Allow blanks before the delimiter.
                    while i < n && (p[i] == 0x20 || p[i] == 0x09) && p[i] != delim { i += 1 }
                } else {
                    let s = i
                    while i < n && p[i] != delim && p[i] != nl { i += 1 }
                    var e = i
                    if e > s && p[e - 1] == cr { e -= 1 }
                    starts.append(s); ends.append(e); escaped.append(false)
                }
                fields += 1
                if i < n && p[i] == delim { i += 1; if i >= n { starts.append(n); ends.append(n); escaped.append(false); fields += 1; break }; continue }
                if i < n && p[i] == cr { i += 1 }
                if i < n && p[i] == nl { i += 1; line += 1 }
                else if i < n {
                    throw CSVError(message: "unexpected character after a quoted field", file: source, line: recordLine)
                }
                break
            }
            if headerNames == nil {
                if !metaLines.isEmpty { try parseECSV(metaLines) }
                if options.header {
                    headerNames = (0..<fields).map { k in field(firstField + k).trimmingCharacters(in: .whitespaces) }
                    starts.removeLast(fields); ends.removeLast(fields); escaped.removeLast(fields)
                    ncols = fields
                    continue
                } else {
                    headerNames = (0..<fields).map { "col\($0 + 1)" }
                    ncols = fields
                }
            }
            if fields != ncols {
                throw CSVError(message: "expected \(ncols) fields, found \(fields)", file: source, line: recordLine)
            }
            recordLines.append(recordLine)
        }
        guard let names = headerNames else { throw CSVError(message: "the file is empty (no header row)", file: source) }
        if Set(names).count != names.count {
            let dup = names.first { n in names.filter { $0 == n }.count > 1 } ?? ""
            throw CSVError(message: "duplicate column name '\(dup)' in the header", file: source, line: nil, column: dup)
        }
        let rows = recordLines.count
        var cat = Catalogue(rowCount: rows)
        cat.source = source
        let meta = Dictionary(ecsv.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (c, name) in names.enumerated() {
            var col: Column
            if let m = meta[name] {
                col = try typedColumn(c, name: name, rows: rows, type: Self.columnType(ecsv: m.type), ecsvType: m.type)
                col.unit = m.unit; col.description = m.description
            } else if let t = options.types[name] {
                col = try typedColumn(c, name: name, rows: rows, type: t, ecsvType: nil)
            } else {
                col = inferredColumn(c, name: name, rows: rows)
            }
            try cat.add(col)
        }
        return cat
    }

    static func columnType(ecsv: String) -> ColumnType {
        switch ecsv {
        case "float64", "float128": return .double
        case "float32", "float16": return .float
        case "bool": return .bool
        case "uint64": return .uint64
        case let t where t.hasPrefix("int") || t.hasPrefix("uint"): return .int64
        default: return .string
        }
    }

    /// Text of field `k` (unescaped).
    func field(_ k: Int) -> String {
        let s = String(decoding: UnsafeBufferPointer(start: p + starts[k], count: ends[k] - starts[k]), as: UTF8.self)
        return escaped[k] ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }

    @inline(__always) func isMissing(_ k: Int) -> Bool {
        let len = ends[k] - starts[k]
        if len == 0 { return true }
        if len > 5 { return false }
        // Fast path: a field starting like a number is not a missing token ("--" is one).
        let c0 = p[starts[k]]
        if c0 &- 48 < 10 || c0 == UInt8(ascii: "+") || c0 == UInt8(ascii: ".") { return false }
        if c0 == UInt8(ascii: "-") && len >= 2 && p[starts[k] + 1] != UInt8(ascii: "-") { return false }
        if escaped[k] { return false }
        return options.missingTokens.contains(String(decoding: UnsafeBufferPointer(start: p + starts[k], count: len), as: UTF8.self))
    }

    static func boolValue(_ s: String) -> Bool? {
        switch s.trimmingCharacters(in: .whitespaces) {
        case "true", "True", "TRUE", "t", "T": return true
        case "false", "False", "FALSE", "f", "F": return false
        default: return nil
        }
    }

    /// A column whose type is inferred from its values.
    func inferredColumn(_ c: Int, name: String, rows: Int) -> Column {
        var missing = [Bool](repeating: false, count: rows)
        var anyMissing = false
        var ints = [Int64](repeating: 0, count: rows)
        var r = 0
        // Try Int64.
        while r < rows {
            let k = r * ncols + c
            if isMissing(k) { missing[r] = true; anyMissing = true; r += 1; continue }
            guard !escaped[k], let v = parseInt64(p, starts[k], ends[k]) else { break }
            ints[r] = v; r += 1
        }
        if r == rows && !(anyMissing && missing.allSatisfy { $0 }) {
            return Column(name: name, values: .int64(ints), missing: anyMissing ? missing : nil)
        }
        // Try Double, reusing the integers parsed so far.
        var dbl = [Double](repeating: .nan, count: rows)
        for q in 0..<r where !missing[q] { dbl[q] = Double(ints[q]) }
        ints = []
        var numeric = true
        var q = r
        while q < rows {
            let k = q * ncols + c
            if isMissing(k) { missing[q] = true; anyMissing = true; q += 1; continue }
            guard !escaped[k], let v = parseDouble(p, starts[k], ends[k]) else { numeric = false; break }
            dbl[q] = v
            if v.isNaN { missing[q] = true; anyMissing = true }
            q += 1
        }
        if numeric && !missing.allSatisfy({ $0 }) {
            return Column(name: name, values: .double(dbl), missing: anyMissing ? missing : nil)
        }
        // Try Bool, else String.
        var bools = [Bool](repeating: false, count: rows)
        var isBool = true
        var strings = [String](repeating: "", count: rows)
        for s in 0..<rows {
            let k = s * ncols + c
            missing[s] = isMissing(k)
            if missing[s] { continue }
            let t = field(k)
            strings[s] = t
            if isBool { if let b = CSVParser.boolValue(t) { bools[s] = b } else { isBool = false } }
        }
        if isBool && !missing.allSatisfy({ $0 }) {
            return Column(name: name, values: .bool(bools), missing: missing)
        }
        return Column(name: name, values: .string(strings), missing: missing)
    }

    /// A column of a given type; a value that does not parse is an error naming the line and column.
    func typedColumn(_ c: Int, name: String, rows: Int, type: ColumnType, ecsvType: String?) throws -> Column {
        var missing = [Bool](repeating: false, count: rows)
        func bad(_ r: Int, _ k: Int) -> CSVError {
            CSVError(message: "value '\(field(k))' is not \(type == .bool ? "a boolean" : "a number of type \(type.rawValue)")", file: source, line: recordLines[r], column: name)
        }
        var storage: IntegerStorage? = nil
        if let t = ecsvType, let st = IntegerStorage(rawValue: t) { storage = st }
        switch type {
        case .int64:
            var a = [Int64](repeating: 0, count: rows)
            for r in 0..<rows {
                let k = r * ncols + c
                if isMissing(k) { missing[r] = true; continue }
                guard let v = parseInt64(p, starts[k], ends[k]) else { throw bad(r, k) }
                a[r] = v
            }
            return Column(name: name, values: .int64(a), missing: missing, storage: storage)
        case .uint64:
            var a = [UInt64](repeating: 0, count: rows)
            for r in 0..<rows {
                let k = r * ncols + c
                if isMissing(k) { missing[r] = true; continue }
                guard let v = UInt64(field(k).trimmingCharacters(in: .whitespaces)) else { throw bad(r, k) }
                a[r] = v
            }
            return Column(name: name, values: .uint64(a), missing: missing)
        case .double, .float:
            var a = [Double](repeating: .nan, count: rows)
            for r in 0..<rows {
                let k = r * ncols + c
                if isMissing(k) { missing[r] = true; continue }
                guard let v = parseDouble(p, starts[k], ends[k]) else { throw bad(r, k) }
                a[r] = v
                if v.isNaN { missing[r] = true }
            }
            if type == .float { return Column(name: name, values: .float(a.map { Float($0) }), missing: missing) }
            return Column(name: name, values: .double(a), missing: missing)
        case .bool:
            var a = [Bool](repeating: false, count: rows)
            for r in 0..<rows {
                let k = r * ncols + c
                if isMissing(k) { missing[r] = true; continue }
                guard let v = CSVParser.boolValue(field(k)) else { throw bad(r, k) }
                a[r] = v
            }
            return Column(name: name, values: .bool(a), missing: missing)
        case .string:
            var a = [String](repeating: "", count: rows)
            for r in 0..<rows {
                let k = r * ncols + c
                if isMissing(k) && !escaped[k] && ends[k] == starts[k] { missing[r] = true; continue }
                a[r] = field(k)
            }
            return Column(name: name, values: .string(a), missing: missing)
        }
    }

    /// Reads the ECSV subset skytool writes: `# %ECSV`, `# delimiter: 'x'`, and flow-style
    /// `# - {name: ..., datatype: ..., unit: ..., description: ...}` entries.
    mutating func parseECSV(_ lines: [String]) throws {
        guard lines.first?.hasPrefix("# %ECSV") == true else { return }
        var sawDelimiter = false
        for l in lines.dropFirst() {
            let body = l.dropFirst(1).trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("delimiter:") {
                let v = body.dropFirst("delimiter:".count).trimmingCharacters(in: .whitespaces)
                let t = v.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                if let b = t.utf8.first { options.delimiter = b; sawDelimiter = true }
                if t == "" && v.count >= 2 { options.delimiter = UInt8(ascii: " "); sawDelimiter = true }
            } else if body.hasPrefix("- {") && body.hasSuffix("}") {
                let inner = String(body.dropFirst(3).dropLast())
                var d: [String: String] = [:]
                for (k, v) in CSVParser.flowMapEntries(inner) { d[k] = v }
                if let name = d["name"] {
                    ecsv.append((name, d["datatype"] ?? "string", d["unit"], d["description"]))
                }
            }
        }
        if !sawDelimiter { options.delimiter = UInt8(ascii: " ") }
    }

    /// Splits `a: 1, b: 'x, y', c: z` into key/value pairs (single or double quoted values allowed).
    static func flowMapEntries(_ s: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var chars = Array(s)
        chars.append(",")
        var i = 0
        while i < chars.count {
            while i < chars.count && chars[i] == " " { i += 1 }
            var key = ""
            while i < chars.count && chars[i] != ":" { key.append(chars[i]); i += 1 }
            i += 1
            while i < chars.count && chars[i] == " " { i += 1 }
            var value = ""
            if i < chars.count && (chars[i] == "'" || chars[i] == "\"") {
                let q = chars[i]; i += 1
                while i < chars.count {
                    if chars[i] == q {
                        if q == "'" && i + 1 < chars.count && chars[i + 1] == "'" { value.append("'"); i += 2; continue }
                        i += 1; break
                    }
                    value.append(chars[i]); i += 1
                }
                while i < chars.count && chars[i] != "," { i += 1 }
            } else {
                while i < chars.count && chars[i] != "," { value.append(chars[i]); i += 1 }
                value = value.trimmingCharacters(in: .whitespaces)
            }
            i += 1
            if !key.isEmpty { out.append((key.trimmingCharacters(in: .whitespaces), value)) }
        }
        return out
    }
}
