// Shared helpers for the plate workflow tests.
import Foundation
import SkyCore

enum PlateFixtures {
    /// The bundled demo plate pair (Demo/data/plates, made by Scripts/make_demo_plates.py; see SOURCE.md there).
    static let demo: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Demo/data/plates").path
    }()
    static func path(_ name: String) -> String { demo + "/" + name }

    /// A fresh scratch folder.
    static func scratch(_ tag: String) -> String {
        let dir = NSTemporaryDirectory() + "skyplates-\(tag)-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// expected.json's steps (astropy/numpy counts for the default workflow).
    static func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("expected.json")))
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return obj?["steps"] as? [String: Any] ?? [:]
    }

    /// truth.csv: source_id -> kind (star, transient, transient_outside, defect, artifact).
    static func truth() throws -> [Int64: String] {
        let t = try Catalogue.read(path("truth.csv"))
        let ids = try t.column("source_id"), kinds = try t.column("kind")
        var out: [Int64: String] = [:]
        for r in 0..<t.rowCount { out[Int64(ids.text(at: r)) ?? -1] = kinds.text(at: r) }
        return out
    }

    /// Same columns and the same text in every cell (NaN equals NaN here, unlike `==` on Doubles).
    static func sameText(_ a: Catalogue, _ b: Catalogue) -> Bool {
        guard a.columnNames == b.columnNames, a.rowCount == b.rowCount else { return false }
        for c in a.columns {
            guard let d = b[c.name] else { return false }
            for r in 0..<a.rowCount where c.text(at: r) != d.text(at: r) || c.isMissing(r) != d.isMissing(r) { return false }
        }
        return true
    }
}
