// Workflow configuration files (TOML) read with typed, located errors. The only file that imports TOMLKit.
import Foundation
internal import TOMLKit

/// An error in a configuration file: which file, which key, what is wrong.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// The file (or "<string>") the configuration came from.
    public var source: String
    /// The dotted key (`match.radius`), if the error belongs to one.
    public var key: String?

    public init(_ message: String, source: String, key: String? = nil) {
        self.message = message; self.source = source; self.key = key
    }
    public var description: String {
        "configuration error in '\(source)'" + (key.map { ", key '\($0)'" } ?? "") + ": " + message
    }
}

/// A value from a configuration file.
public enum ConfigValue: Sendable, Equatable {
    case string(String), integer(Int), double(Double), bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])
}

/// A parsed configuration file: nested tables addressed by dotted keys (`dedup.radius`).
///
/// Typed accessors return `nil` for an absent key and throw `ConfigError` naming the file and key when a
/// value has the wrong type. `checkKeys(allowed:)` rejects keys a workflow does not know, so that a typo
/// (`raduis = 3`) is an error rather than silently ignored.
public struct ConfigTable: Sendable, Equatable {
    public let values: [String: ConfigValue]
    public let source: String

    /// Parses TOML text; `source` names it in errors.
    public init(toml text: String, source: String = "<string>") throws(ConfigError) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError("TOML syntax error at line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)", source: source)
        } catch {
            throw ConfigError("TOML syntax error: \(error)", source: source)
        }
        self.values = ConfigTable.convert(table)
        self.source = source
    }

    /// Reads and parses a TOML file.
    public init(contentsOf path: String) throws(ConfigError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read the file", source: path)
        }
        try self.init(toml: String(decoding: data, as: UTF8.self), source: path)
    }

    init(values: [String: ConfigValue], source: String) { self.values = values; self.source = source }

    static func convert(_ t: TOMLTable) -> [String: ConfigValue] {
        var out: [String: ConfigValue] = [:]
        for (k, v) in t { out[k] = convert(v) }
        return out
    }

    static func convert(_ v: TOMLValueConvertible) -> ConfigValue {
        if let t = v.table { return .table(convert(t)) }
        if let a = v.array { return .array(a.map { convert($0) }) }
        if let b = v.bool { return .bool(b) }
        if let i = v.int { return .integer(i) }
        if let d = v.double { return .double(d) }
        if let s = v.string { return .string(s) }
        return .string(String(describing: v))
    }

    /// The value at a dotted key, or nil.
    public func value(_ key: String) -> ConfigValue? {
        var current: [String: ConfigValue] = values
        let parts = key.split(separator: ".").map(String.init)
        for (k, p) in parts.enumerated() {
            guard let v = current[p] else { return nil }
            if k == parts.count - 1 { return v }
            guard case .table(let t) = v else { return nil }
            current = t
        }
        return nil
    }

    private func wrongType(_ key: String, _ want: String) -> ConfigError {
        ConfigError("expected \(want)", source: source, key: key)
    }

    public func string(_ key: String) throws(ConfigError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, "a string") }
        return s
    }

    /// A number (integer or floating point).
    public func double(_ key: String) throws(ConfigError) -> Double? {
        switch value(key) {
        case nil: return nil
        case .double(let d)?: return d
        case .integer(let i)?: return Double(i)
        default: throw wrongType(key, "a number")
        }
    }

    public func integer(_ key: String) throws(ConfigError) -> Int? {
        switch value(key) {
        case nil: return nil
        case .integer(let i)?: return i
        default: throw wrongType(key, "an integer")
        }
    }

    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        switch value(key) {
        case nil: return nil
        case .bool(let b)?: return b
        default: throw wrongType(key, "true or false")
        }
    }

    /// An array of strings (a single string is taken as a one-element array).
    public func strings(_ key: String) throws(ConfigError) -> [String]? {
        switch value(key) {
        case nil: return nil
        case .string(let s)?: return [s]
        case .array(let a)?:
            var out: [String] = []
            for e in a { guard case .string(let s) = e else { throw wrongType(key, "an array of strings") }; out.append(s) }
            return out
        default: throw wrongType(key, "an array of strings")
        }
    }

    /// The keys of the table at `key` (the top level for nil), sorted.
    public func keys(in key: String? = nil) throws(ConfigError) -> [String] {
        guard let key else { return values.keys.sorted() }
        switch value(key) {
        case nil: return []
        case .table(let t)?: return t.keys.sorted()
        default: throw wrongType(key, "a table")
        }
    }

    /// Throws for the first key not in `allowed` (dotted full keys; a table name allows the table itself and,
    /// when it ends in `.*`, any key inside it).
    public func checkKeys(allowed: Set<String>) throws(ConfigError) {
        func walk(_ t: [String: ConfigValue], _ prefix: String) throws(ConfigError) {
            for k in t.keys.sorted() {
                let full = prefix.isEmpty ? k : prefix + "." + k
                if allowed.contains(prefix + ".*") { continue }
                guard allowed.contains(full) || allowed.contains(full + ".*") else {
                    throw ConfigError("unknown key (known: \(allowed.sorted().joined(separator: ", ")))", source: source, key: full)
                }
                if case .table(let sub)? = t[k], !allowed.contains(full + ".*") { try walk(sub, full) }
            }
        }
        try walk(values, "")
    }
}

extension String {
    /// This text as a TOML basic string (quoted and escaped).
    public var tomlQuoted: String {
        var s = "\""
        for c in unicodeScalars {
            switch c {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\t": s += "\\t"
            case "\r": s += "\\r"
            default:
                if c.value < 0x20 { s += String(format: "\\u%04X", c.value) } else { s.unicodeScalars.append(c) }
            }
        }
        return s + "\""
    }
}
