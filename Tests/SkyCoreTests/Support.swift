// Shared test helpers: fixture paths and temporary folders.
import Foundation

enum Fixtures {
    /// Tests/SkyCoreTests/Fixtures (located from this source file, so no bundle is needed).
    static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()
    static func path(_ rel: String) -> String { root + "/" + rel }
}

/// A fresh temporary folder, removed when the value is released.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "skytool-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
