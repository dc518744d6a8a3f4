// Small helpers shared by the subcommands: JSON printing and list parsing. No science here.
import ArgumentParser
import Foundation

enum Output {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    /// Splits "a,b,c" into trimmed, non-empty parts.
    static func list(_ s: String) -> [String] {
        s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Parses "x,y" into two numbers.
    static func pair(_ s: String, what: String) throws -> (Double, Double) {
        let parts = list(s)
        guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]) else {
            throw ValidationError("\(what) must be two numbers separated by a comma, got '\(s)'")
        }
        return (a, b)
    }
}

