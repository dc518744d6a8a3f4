import Foundation
// Row-filter and column expressions, e.g.
//   sextractor_flags <= 4 && elongation < 1.5 && flux_max > 0.3*max(flux_max)

/// An error in an expression, pointing at the offending character.
public struct ExpressionError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// 0-based character offset in `expression`.
    public var position: Int
    public var expression: String

    public var description: String {
        "\(message) at character \(position + 1):\n  \(expression)\n  \(String(repeating: " ", count: max(0, position)))^"
    }
}

/// A parsed expression over a catalogue's columns.
///
/// Grammar (lowest precedence first): `||` (or `or`); `&&` (or `and`); `!` (or `not`); comparisons
/// `< <= > >= == !=`; `+ -`; `* / %`; unary `-`; `^` or `**` (power, right-associative); then numbers,
/// `"strings"`/`'strings'`, `true`/`false`, column names (letters, digits, `_`, `.`; or any name inside
/// backticks), parentheses and functions:
/// - element-wise: `abs sqrt log10 ln exp sin cos tan` (radians), `min(a, b)`, `max(a, b)`,
///   `isnull(x)` (true where x is missing);
/// - column aggregates over all rows (missing values ignored): `max(x) min(x) mean(x) median(x) sum(x)
///   std(x)` (sample standard deviation, ddof = 1), `count(x)` (present values).
///
/// Numbers are Doubles (integer columns are converted; exact below 2^53). A missing value is NaN;
/// every comparison involving a missing value is false (including `!=`), so a filter drops such rows.
public struct Expression: Sendable, CustomStringConvertible {
    public let text: String
    let root: Node

    public init(_ text: String) throws(ExpressionError) {
        self.text = text
        var p = ExprParser(text: text)
        self.root = try p.parseAll()
    }

    public var description: String { text }

    /// The column names the expression uses.
    public var columnNames: [String] {
        var out: [String] = []
        root.collectColumns(&out)
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Evaluates to one Bool per row (a numeric result is true where non-zero and present).
    public func mask(on cat: Catalogue) throws(ExpressionError) -> [Bool] {
        let v = try root.eval(cat, text)
        switch v {
        case .bool(let b): return b
        case .num(let d): return d.map { !$0.isNaN && $0 != 0 }
        case .scalar(let d): return Array(repeating: !d.isNaN && d != 0, count: cat.rowCount)
        case .str, .scalarStr:
            throw ExpressionError(message: "the expression gives text, not a condition", position: 0, expression: text)
        }
    }

    /// Evaluates to one Double per row (booleans give 1/0; missing is NaN).
    public func values(on cat: Catalogue) throws(ExpressionError) -> [Double] {
        switch try root.eval(cat, text) {
        case .num(let d): return d
        case .bool(let b): return b.map { $0 ? 1 : 0 }
        case .scalar(let d): return Array(repeating: d, count: cat.rowCount)
        case .str, .scalarStr:
            throw ExpressionError(message: "the expression gives text, not a number", position: 0, expression: text)
        }
    }
}

extension Catalogue {
    /// The rows for which `expression` is true.
    public func filter(_ expression: String) throws -> Catalogue {
        try filter(try Expression(expression).mask(on: self))
    }
}

// MARK: - AST and evaluation

enum ExprValue {
    case num([Double]), bool([Bool]), str([String?]), scalar(Double), scalarStr(String)
    var isText: Bool { switch self { case .str, .scalarStr: return true; default: return false } }
}

indirect enum Node: Sendable {
    case number(Double, Int)
    case string(String, Int)
    case boolean(Bool, Int)
    case column(String, Int)
    case unary(String, Node, Int)
    case binary(String, Node, Node, Int)
    case call(String, [Node], Int)

    var position: Int {
        switch self {
        case .number(_, let p), .string(_, let p), .boolean(_, let p), .column(_, let p), .unary(_, _, let p), .binary(_, _, _, let p), .call(_, _, let p): return p
        }
    }

    func collectColumns(_ out: inout [String]) {
        switch self {
        case .column(let n, _): out.append(n)
        case .unary(_, let a, _): a.collectColumns(&out)
        case .binary(_, let a, let b, _): a.collectColumns(&out); b.collectColumns(&out)
        case .call(_, let args, _): for a in args { a.collectColumns(&out) }
        default: break
        }
    }

    func eval(_ cat: Catalogue, _ text: String) throws(ExpressionError) -> ExprValue {
        let n = cat.rowCount
        func fail(_ m: String, _ p: Int) -> ExpressionError { ExpressionError(message: m, position: p, expression: text) }
        func nums(_ v: ExprValue, _ p: Int) throws(ExpressionError) -> [Double] {
            switch v {
            case .num(let d): return d
            case .scalar(let d): return Array(repeating: d, count: n)
            case .bool(let b): return b.map { $0 ? 1 : 0 }
            case .str(let s):
                // A text column used as a number: fine if every value is numeric, else name the first bad row.
                var out = [Double](repeating: .nan, count: s.count)
                for (r, v) in s.enumerated() {
                    guard let v else { continue }
                    guard let d = Double(v.trimmingCharacters(in: .whitespaces)) else {
                        throw fail("row \(r + 1) holds '\(v)', which is not a number", p)
                    }
                    out[r] = d
                }
                return out
            case .scalarStr: throw fail("text used where a number is needed", p)
            }
        }
        func bools(_ v: ExprValue, _ p: Int) throws(ExpressionError) -> [Bool] {
            switch v {
            case .bool(let b): return b
            case .num(let d): return d.map { !$0.isNaN && $0 != 0 }
            case .scalar(let d): return Array(repeating: !d.isNaN && d != 0, count: n)
            case .str, .scalarStr: throw fail("text used where a condition is needed", p)
            }
        }
        switch self {
        case .number(let d, _): return .scalar(d)
        case .string(let s, _): return .scalarStr(s)
        case .boolean(let b, _): return .bool(Array(repeating: b, count: n))
        case .column(let name, let p):
            guard let c = cat[name] else {
                let near = cat.columnNames.filter { $0.lowercased().contains(name.lowercased()) || name.lowercased().contains($0.lowercased()) }.prefix(5)
                throw fail("unknown column '\(name)'" + (near.isEmpty ? "" : " (did you mean \(near.joined(separator: ", "))?)"), p)
            }
            switch c.values {
            case .bool(let b):
                if let m = c.missing { return .bool(zip(b, stride(from: 0, to: b.count, by: c.width).map { m[$0] }).map { $0 && !$1 }) }
                return .bool(c.width == 1 ? b : stride(from: 0, to: b.count, by: c.width).map { b[$0] })
            case .string(let s):
                return .str((0..<c.rowCount).map { r in c.isMissing(r * c.width) ? nil : s[r * c.width] })
            default:
                return .num(c.doubles())
            }
        case .unary(let op, let a, let p):
            let v = try a.eval(cat, text)
            if op == "!" { return .bool(try bools(v, a.position).map { !$0 }) }
            if case .scalar(let d) = v { return .scalar(-d) }
            _ = p
            return .num(try nums(v, a.position).map { -$0 })
        case .binary(let op, let a, let b, let p):
            let va = try a.eval(cat, text), vb = try b.eval(cat, text)
            switch op {
            case "&&", "||":
                let x = try bools(va, a.position), y = try bools(vb, b.position)
                return .bool(op == "&&" ? zip(x, y).map { $0 && $1 } : zip(x, y).map { $0 || $1 })
            case "<", "<=", ">", ">=", "==", "!=":
                if let r = try compareStrings(op, va, vb, p, fail) { return r }
                if case .str = va, !vb.isText { let x = try nums(va, a.position), y = try nums(vb, b.position); return .bool(zip(x, y).map { cmp(op, $0, $1) }) }
                if case .str = vb, !va.isText { let x = try nums(va, a.position), y = try nums(vb, b.position); return .bool(zip(x, y).map { cmp(op, $0, $1) }) }
                if case .scalar(let x) = va, case .scalar(let y) = vb { return .bool(Array(repeating: cmp(op, x, y), count: n)) }
                if case .scalar(let y) = vb { let x = try nums(va, a.position); return .bool(x.map { cmp(op, $0, y) }) }
                if case .scalar(let x) = va { let y = try nums(vb, b.position); return .bool(y.map { cmp(op, x, $0) }) }
                let x = try nums(va, a.position), y = try nums(vb, b.position)
                return .bool(zip(x, y).map { cmp(op, $0, $1) })
            default:
                if case .scalar(let x) = va, case .scalar(let y) = vb { return .scalar(arith(op, x, y)) }
                if case .scalar(let y) = vb { let x = try nums(va, a.position); return .num(x.map { arith(op, $0, y) }) }
                if case .scalar(let x) = va { let y = try nums(vb, b.position); return .num(y.map { arith(op, x, $0) }) }
                let x = try nums(va, a.position), y = try nums(vb, b.position)
                return .num(zip(x, y).map { arith(op, $0, $1) })
            }
        case .call(let fname, let args, let p):
            let f = fname.lowercased()
            let aggregates: Set<String> = ["max", "min", "mean", "median", "sum", "std", "count"]
            if args.count == 1 && aggregates.contains(f) {
                let v = try nums(try args[0].eval(cat, text), args[0].position).filter { !$0.isNaN }
                return .scalar(aggregate(f, v))
            }
            if args.count == 2 && (f == "max" || f == "min") {
                let x = try nums(try args[0].eval(cat, text), args[0].position)
                let y = try nums(try args[1].eval(cat, text), args[1].position)
                return .num(zip(x, y).map { a, b in a.isNaN || b.isNaN ? .nan : (f == "max" ? Swift.max(a, b) : Swift.min(a, b)) })
            }
            let unaryFns: [String: @Sendable (Double) -> Double] = [
                "abs": { Swift.abs($0) }, "sqrt": { $0.squareRoot() }, "log10": { log10($0) }, "ln": { log($0) },
                "exp": { exp($0) }, "sin": { sin($0) }, "cos": { cos($0) }, "tan": { tan($0) },
            ]
            if f == "isnull" && args.count == 1 {
                switch try args[0].eval(cat, text) {
                case .num(let d): return .bool(d.map(\.isNaN))
                case .str(let s): return .bool(s.map { $0 == nil })
                case .scalar(let d): return .bool(Array(repeating: d.isNaN, count: n))
                case .bool(let b): return .bool(Array(repeating: false, count: b.count))
                case .scalarStr: return .bool(Array(repeating: false, count: n))
                }
            }
            if let fn = unaryFns[f] {
                guard args.count == 1 else { throw fail("\(fname)() takes one argument, got \(args.count)", p) }
                let v = try args[0].eval(cat, text)
                if case .scalar(let d) = v { return .scalar(fn(d)) }
                return .num(try nums(v, args[0].position).map(fn))
            }
            if aggregates.contains(f) { throw fail("\(fname)() takes one column (aggregate) or, for min/max, two values", p) }
            throw fail("unknown function '\(fname)' (known: abs, sqrt, log10, ln, exp, sin, cos, tan, min, max, mean, median, sum, std, count, isnull)", p)
        }
    }

    private func compareStrings(_ op: String, _ a: ExprValue, _ b: ExprValue, _ p: Int, _ fail: (String, Int) -> ExpressionError) throws(ExpressionError) -> ExprValue? {
        func strs(_ v: ExprValue) -> ([String?]?, String?) {
            switch v { case .str(let s): return (s, nil); case .scalarStr(let s): return (nil, s); default: return (nil, nil) }
        }
        let (sa, ca) = strs(a), (sb, cb) = strs(b)
        let aIsText = sa != nil || ca != nil, bIsText = sb != nil || cb != nil
        if !aIsText && !bIsText { return nil }
        // A text column against a number is compared numerically by the caller.
        if (sa != nil && !bIsText) || (sb != nil && !aIsText) { return nil }
        guard aIsText && bIsText else { throw fail("cannot compare text with a number", p) }
        func c(_ x: String?, _ y: String?) -> Bool {
            guard let x, let y else { return false }
            switch op { case "==": return x == y; case "!=": return x != y; case "<": return x < y
            case "<=": return x <= y; case ">": return x > y; default: return x >= y }
        }
        if let sa, let sb { return .bool(zip(sa, sb).map { c($0, $1) }) }
        if let sa { return .bool(sa.map { c($0, cb) }) }
        if let sb { return .bool(sb.map { c(ca, $0) }) }
        return .bool([c(ca, cb)])
    }
}

@inline(__always) private func cmp(_ op: String, _ x: Double, _ y: Double) -> Bool {
    if x.isNaN || y.isNaN { return false }
    switch op {
    case "<": return x < y
    case "<=": return x <= y
    case ">": return x > y
    case ">=": return x >= y
    case "==": return x == y
    default: return x != y
    }
}

@inline(__always) private func arith(_ op: String, _ x: Double, _ y: Double) -> Double {
    switch op {
    case "+": return x + y
    case "-": return x - y
    case "*": return x * y
    case "/": return x / y
    case "%": return x.truncatingRemainder(dividingBy: y)
    default: return pow(x, y)
    }
}

private func aggregate(_ f: String, _ v: [Double]) -> Double {
    if f == "count" { return Double(v.count) }
    guard !v.isEmpty else { return f == "sum" ? 0 : .nan }
    switch f {
    case "max": return v.max() ?? .nan
    case "min": return v.min() ?? .nan
    case "sum": return v.reduce(0, +)
    case "mean": return v.reduce(0, +) / Double(v.count)
    case "std":
        guard v.count > 1 else { return .nan }
        let m = v.reduce(0, +) / Double(v.count)
        return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
    default: // median
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}

// MARK: - Parser

struct ExprParser {
    let chars: [Character]
    let text: String
    var i = 0

    init(text: String) { self.text = text; self.chars = Array(text) }

    func fail(_ m: String, _ p: Int? = nil) -> ExpressionError { ExpressionError(message: m, position: p ?? i, expression: text) }

    mutating func skip() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

    mutating func peek(_ s: String) -> Bool {
        skip()
        let cs = Array(s)
        guard i + cs.count <= chars.count else { return false }
        return Array(chars[i..<(i + cs.count)]) == cs
    }
    /// A word operator (and, or, not) followed by a non-identifier character.
    mutating func peekWord(_ w: String) -> Bool {
        guard peek(w) else { return false }
        let j = i + w.count
        return j >= chars.count || !(chars[j].isLetter || chars[j].isNumber || chars[j] == "_")
    }

    mutating func parseAll() throws(ExpressionError) -> Node {
        skip()
        guard i < chars.count else { throw fail("empty expression") }
        let n = try parseOr()
        skip()
        if i < chars.count {
            if chars[i] == "=" { throw fail("'=' is not an operator; use '==' to compare") }
            throw fail("unexpected '\(chars[i])'")
        }
        return n
    }

    mutating func parseOr() throws(ExpressionError) -> Node {
        var a = try parseAnd()
        while true {
            let p = i
            if peek("||") { i += 2 } else if peekWord("or") { i += 2 } else { return a }
            a = .binary("||", a, try parseAnd(), p)
        }
    }
    mutating func parseAnd() throws(ExpressionError) -> Node {
        var a = try parseNot()
        while true {
            let p = i
            if peek("&&") { i += 2 } else if peekWord("and") { i += 3 } else { return a }
            a = .binary("&&", a, try parseNot(), p)
        }
    }
    mutating func parseNot() throws(ExpressionError) -> Node {
        let p = i
        if peek("!") && !peek("!=") { i += 1; return .unary("!", try parseNot(), p) }
        if peekWord("not") { i += 3; return .unary("!", try parseNot(), p) }
        return try parseCmp()
    }
    mutating func parseCmp() throws(ExpressionError) -> Node {
        let a = try parseAdd()
        for op in ["<=", ">=", "==", "!=", "<", ">"] {
            let p = i
            if peek(op) {
                i += op.count
                if op.count == 1 && i < chars.count && chars[i] == "=" { throw fail("unexpected '='") }
                return .binary(op, a, try parseAdd(), p)
            }
        }
        if peek("=") && !peek("==") { throw fail("'=' is not an operator; use '==' to compare") }
        return a
    }
    mutating func parseAdd() throws(ExpressionError) -> Node {
        var a = try parseMul()
        while true {
            let p = i
            if peek("+") { i += 1; a = .binary("+", a, try parseMul(), p) }
            else if peek("-") { i += 1; a = .binary("-", a, try parseMul(), p) }
            else { return a }
        }
    }
    mutating func parseMul() throws(ExpressionError) -> Node {
        var a = try parseUnary()
        while true {
            let p = i
            if peek("**") { return a }
            if peek("*") { i += 1; a = .binary("*", a, try parseUnary(), p) }
            else if peek("/") { i += 1; a = .binary("/", a, try parseUnary(), p) }
            else if peek("%") { i += 1; a = .binary("%", a, try parseUnary(), p) }
            else { return a }
        }
    }
    mutating func parseUnary() throws(ExpressionError) -> Node {
        let p = i
        if peek("-") { i += 1; return .unary("-", try parseUnary(), p) }
        if peek("+") { i += 1; return try parseUnary() }
        return try parsePow()
    }
    mutating func parsePow() throws(ExpressionError) -> Node {
        let a = try parsePrimary()
        let p = i
        if peek("**") { i += 2; return .binary("^", a, try parseUnary(), p) }
        if peek("^") { i += 1; return .binary("^", a, try parseUnary(), p) }
        return a
    }
    mutating func parsePrimary() throws(ExpressionError) -> Node {
        skip()
        guard i < chars.count else { throw fail("the expression ends too early") }
        let p = i
        let c = chars[i]
        if c == "(" {
            i += 1
            let n = try parseOr()
            skip()
            guard i < chars.count, chars[i] == ")" else { throw fail("expected ')'") }
            i += 1
            return n
        }
        if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
            var s = ""
            while i < chars.count && (chars[i].isNumber || chars[i] == ".") { s.append(chars[i]); i += 1 }
            if i < chars.count && (chars[i] == "e" || chars[i] == "E") {
                var t = String(chars[i]); var j = i + 1
                if j < chars.count && (chars[j] == "+" || chars[j] == "-") { t.append(chars[j]); j += 1 }
                if j < chars.count && chars[j].isNumber {
                    while j < chars.count && chars[j].isNumber { t.append(chars[j]); j += 1 }
                    s += t; i = j
                }
            }
            guard let d = Double(s) else { throw fail("bad number '\(s)'", p) }
            return .number(d, p)
        }
        if c == "\"" || c == "'" {
            i += 1
            var s = ""
            while i < chars.count && chars[i] != c { s.append(chars[i]); i += 1 }
            guard i < chars.count else { throw fail("unterminated string", p) }
            i += 1
            return .string(s, p)
        }
        if c == "`" {
            i += 1
            var s = ""
            while i < chars.count && chars[i] != "`" { s.append(chars[i]); i += 1 }
            guard i < chars.count else { throw fail("unterminated `column name`", p) }
            i += 1
            return .column(s, p)
        }
        if c.isLetter || c == "_" {
            var s = ""
            while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == ".") { s.append(chars[i]); i += 1 }
            if s == "true" || s == "false" { return .boolean(s == "true", p) }
            if peek("(") {
                i += 1
                var args: [Node] = []
                skip()
                if i < chars.count && chars[i] == ")" { i += 1; return .call(s, args, p) }
                while true {
                    args.append(try parseOr())
                    skip()
                    if i < chars.count && chars[i] == "," { i += 1; continue }
                    if i < chars.count && chars[i] == ")" { i += 1; break }
                    throw fail("expected ',' or ')' in the arguments of \(s)()")
                }
                return .call(s, args, p)
            }
            return .column(s, p)
        }
        throw fail("unexpected '\(c)'")
    }
}
