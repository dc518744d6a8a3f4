// FITS header cards as values.
import Foundation

/// The value of a header keyword.
public enum FITSHeaderValue: Sendable, Equatable, CustomStringConvertible {
    /// A keyword with no value (or a commentary card).
    case none
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    public var description: String {
        switch self {
        case .none: return ""
        case .bool(let b): return b ? "T" : "F"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        }
    }
    /// The numeric value, if the keyword holds a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(d)
        default: return nil
        }
    }
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// One header card: keyword, value and comment. COMMENT and HISTORY cards carry their text in `comment`.
public struct FITSHeaderCard: Sendable, Equatable {
    public var name: String
    public var value: FITSHeaderValue
    public var comment: String

    public init(_ name: String, _ value: FITSHeaderValue, comment: String = "") {
        self.name = name.uppercased(); self.value = value; self.comment = comment
    }
    /// A COMMENT card.
    public static func commentCard(_ text: String) -> FITSHeaderCard { FITSHeaderCard("COMMENT", .none, comment: text) }
    /// A HISTORY card.
    public static func history(_ text: String) -> FITSHeaderCard { FITSHeaderCard("HISTORY", .none, comment: text) }
}

/// The cards of one HDU, in order.
public struct FITSHeader: Sendable, Equatable {
    public var cards: [FITSHeaderCard]
    public init(_ cards: [FITSHeaderCard] = []) { self.cards = cards }

    /// The value of the first card named `key` (case-insensitive).
    public subscript(key: String) -> FITSHeaderValue? {
        let k = key.uppercased()
        return cards.first { $0.name == k }?.value
    }
    public func comment(of key: String) -> String? {
        let k = key.uppercased()
        return cards.first { $0.name == k }?.comment
    }
    public var history: [String] { cards.filter { $0.name == "HISTORY" }.map(\.comment) }
    public var comments: [String] { cards.filter { $0.name == "COMMENT" }.map(\.comment) }

    /// Keywords that describe the structure of an HDU (written by cfitsio itself, never copied).
    public static func isStructural(_ name: String) -> Bool {
        let fixed: Set<String> = ["SIMPLE", "XTENSION", "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "TFIELDS", "EXTEND", "END", "THEAP", "BSCALE", "BZERO", "BLANK", "ZIMAGE", "ZTABLE"]
        if fixed.contains(name) { return true }
        for p in ["NAXIS", "TTYPE", "TFORM", "TUNIT", "TNULL", "TSCAL", "TZERO", "TDIM", "TDISP", "TBCOL", "TCOMM"] {
            if name.hasPrefix(p), name.dropFirst(p.count).allSatisfy(\.isNumber), name.count > p.count { return true }
        }
        return false
    }
}

extension FITSHeader {
    /// The header as FITS card images (80 characters each, no END), e.g. for `WCS(headerText:)`.
    /// Numbers are written with 17 significant digits (they read back to the same Double); keywords longer
    /// than 8 characters (HIERARCH and non-standard cards) are left out.
    public var cardText: String {
        var out = ""
        for c in cards where c.name.count <= 8 && c.name != "END" {
            let key = c.name.padding(toLength: 8, withPad: " ", startingAt: 0)
            var line: String
            switch c.value {
            case .none:
                line = key + (c.name == "COMMENT" || c.name == "HISTORY" || c.name.isEmpty ? "" : " ") + c.comment
            default:
                let v: String
                switch c.value {
                case .bool(let b): v = String(repeating: " ", count: 19) + (b ? "T" : "F")
                case .int(let i): v = String(i).leftPadded(to: 20)
                case .double(let d): v = String(format: "%.17G", d).leftPadded(to: 20)
                case .string(let s):
                    let quoted = s.replacingOccurrences(of: "'", with: "''")
                    v = "'" + quoted.padding(toLength: max(8, quoted.count), withPad: " ", startingAt: 0) + "'"
                case .none: v = ""
                }
                line = key + "= " + v
                if !c.comment.isEmpty { line += " / " + c.comment }
            }
            let bytes = Array(line.utf8.prefix(80)).map { $0 < 32 || $0 > 126 ? UInt8(ascii: "?") : $0 }
            out += String(decoding: bytes, as: UTF8.self).padding(toLength: 80, withPad: " ", startingAt: 0)
        }
        return out
    }
}

private extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
