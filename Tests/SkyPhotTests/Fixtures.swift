// Fixture loading shared by the SkyPhot tests.
import Foundation

enum PhotFixtures {
    /// Tests/SkyPhotTests/Fixtures/<name>.
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + name).path
    }
    /// A JSON fixture decoded as T, or nil when missing or malformed (the tests then fail on `#require`).
    static func decode<T: Decodable>(_ name: String, as: T.Type) -> T? {
        guard let d = FileManager.default.contents(atPath: path(name)) else { return nil }
        return try? JSONDecoder().decode(T.self, from: d)
    }
}
