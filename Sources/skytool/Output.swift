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


/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private var last = -1
    private let lock = NSLock()

    init(_ label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && isatty(2) == 1
    }

    func update(_ fraction: Double) {
        guard enabled else { return }
        let pct = Int((min(1, max(0, fraction)) * 100).rounded(.down))
        lock.lock(); defer { lock.unlock() }
        guard pct != last else { return }
        last = pct
        let width = 30, filled = width * pct / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(pct)%".utf8))
    }

    func finish() {
        guard enabled, last >= 0 else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

extension Output {
    /// Refuses outputs that are one of the inputs (the same path after resolving links, or the same file by
    /// device and inode), before any work is done.
    static func refuseOverwriting(inputs: [String], outputs: [String?]) throws {
        func plain(_ p: String) -> String {
            if p.hasSuffix("]"), let i = p.firstIndex(of: "[") { return String(p[..<i]) }
            return p
        }
        func identity(_ p: String) -> (String, dev_t, ino_t)? {
            let resolved = URL(fileURLWithPath: p).resolvingSymlinksInPath().standardizedFileURL.path
            var st = stat()
            guard stat(resolved, &st) == 0 else { return (resolved, 0, 0) }
            return (resolved, st.st_dev, st.st_ino)
        }
        let ins = inputs.map(plain).compactMap(identity)
        for o in outputs.compactMap({ $0 }) {
            guard let out = identity(o) else { continue }
            for i in ins where i.0 == out.0 || (out.2 != 0 && i.1 == out.1 && i.2 == out.2) {
                throw DataError("the output \(o) is an input (\(i.0)): refusing to overwrite it")
            }
        }
    }
}
