// Fast, correctly rounded parsing of decimal numbers from bytes (used by the CSV reader).
import Foundation

/// Exact powers of ten representable in a Double (10^0 ... 10^22).
private let exactPowersOfTen: [Double] = (0...22).map { e in var x = 1.0; for _ in 0..<e { x *= 10 }; return x }

@inline(__always) private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

/// Parses a whole field as an Int64 (optional sign, digits, surrounding blanks). Nil if it is not one.
@inline(__always)
func parseInt64(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    var i = start, e = end
    while i < e && isSpace(p[i]) { i += 1 }
    while e > i && isSpace(p[e - 1]) { e -= 1 }
    guard i < e else { return nil }
    var neg = false
    if p[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
    guard i < e else { return nil }
    var v: UInt64 = 0
    var digits = 0
    while i < e {
        let d = p[i] &- 48
        guard d < 10 else { return nil }
        v = v &* 10 &+ UInt64(d)
        digits += 1
        if digits > 18 { return parseInt64Slow(p, start, end) }
        i += 1
    }
    return neg ? -Int64(v) : Int64(v)
}

private func parseInt64Slow(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    let s = String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
    return Int64(s.trimmingCharacters(in: .whitespaces))
}

/// Parses a whole field as a Double, correctly rounded (Clinger's fast path for up to 19 significant
/// digits and |exponent| <= 22, `strtod` otherwise). Accepts blanks around, a sign, `inf`/`nan`,
/// and Fortran `D` exponents. Nil if the field is not a number.
@inline(__always)
func parseDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    var i = start, e = end
    while i < e && isSpace(p[i]) { i += 1 }
    while e > i && isSpace(p[e - 1]) { e -= 1 }
    guard i < e else { return nil }
    let s0 = i
    var neg = false
    if p[i] == UInt8(ascii: "-") { neg = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
    var mant: UInt64 = 0
    var nd = 0          // significant digits accumulated
    var dropped = 0     // integer digits beyond 19 (scale up)
    var fracDigits = 0
    var any = false
    while i < e, p[i] &- 48 < 10 {
        any = true
        if nd < 19 { mant = mant * 10 + UInt64(p[i] - 48); if mant > 0 { nd += 1 } } else { dropped += 1 }
        i += 1
    }
    if i < e && p[i] == UInt8(ascii: ".") {
        i += 1
        while i < e, p[i] &- 48 < 10 {
            any = true
            if nd < 19 { mant = mant * 10 + UInt64(p[i] - 48); if mant > 0 { nd += 1 }; fracDigits += 1 } else { dropped += 0 }
            i += 1
        }
    }
    guard any else { return slowDouble(p, s0, e) }
    var exp = 0
    if i < e && (p[i] | 0x20 == UInt8(ascii: "e") || p[i] | 0x20 == UInt8(ascii: "d")) {
        i += 1
        var eneg = false
        if i < e && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { eneg = p[i] == UInt8(ascii: "-"); i += 1 }
        var ev = 0, ed = 0
        while i < e, p[i] &- 48 < 10 { if ev < 100000 { ev = ev * 10 + Int(p[i] - 48) }; ed += 1; i += 1 }
        guard ed > 0 else { return nil }
        exp = eneg ? -ev : ev
    }
    guard i == e else { return nil }
    // Digits past the 19th were not accumulated: fall back to strtod for exactness.
    if nd >= 19 { return slowDouble(p, s0, e) }
    let e10 = exp - fracDigits + dropped
    if mant <= (1 << 53) && e10 >= -22 && e10 <= 22 {
        var v = Double(mant)
        if e10 >= 0 { v *= exactPowersOfTen[e10] } else { v /= exactPowersOfTen[-e10] }
        return neg ? -v : v
    }
    if mant == 0 { return neg ? -0.0 : 0.0 }
    return slowDouble(p, s0, e)
}

private func slowDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    let n = end - start
    guard n > 0 && n < 400 else { return nil }
    // A NUL-terminated copy on the stack (no heap allocation), Fortran 'D' exponents as 'e'.
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
        guard let base = buf.baseAddress else { return nil }
        for k in 0..<n {
            let c = p[start + k]
            // strtod accepts hex floats; keep the grammar decimal.
            if c == UInt8(ascii: "x") || c == UInt8(ascii: "X") { return nil }
            base[k] = CChar(bitPattern: (c | 0x20) == UInt8(ascii: "d") ? UInt8(ascii: "e") : c)
        }
        base[n] = 0
        var endp: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(base, &endp)
        guard let endp, endp - base == n else { return nil }
        return v
    }
}
