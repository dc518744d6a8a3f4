// The TOML configuration of the mismatch workflow.
import Foundation
import Testing
import SkyConfig
@testable import SkyPlates

@Suite("Mismatch configuration (TOML)")
struct MismatchConfigTests {
    @Test("the printed defaults read back to the defaults")
    func roundTripDefaults() throws {
        let printed = MismatchConfig().toml
        let back = try MismatchConfig(ConfigTable(toml: printed))
        #expect(back == MismatchConfig())
    }

    @Test("a changed configuration reads back unchanged")
    func roundTripChanged() throws {
        var c = MismatchConfig()
        c.options.setCut("elongation", "elongation < 2")
        c.options.setCut("flux_max", "")
        c.options.setCut("bright", "natmag < 14")
        c.options.extraCuts = ["dist_edge_1 > 100", "name == \"x\\\\y\""]
        c.options.dedup = .always
        c.options.dedupRadius = 1.5
        c.options.matchRadius = 3.25
        c.options.coverageRadius = 120
        c.options.coverageOrder = 13
        c.options.wcs2 = "/data/p2.fits"
        c.plate1 = PlateFiles(source: "/d/s1.csv", calib: "/d/c1.csv")
        c.outDir = "/out"
        let back = try MismatchConfig(ConfigTable(toml: c.toml))
        #expect(back == c)
    }

    @Test("units, relative paths and auto")
    func unitsAndPaths() throws {
        let dir = PlateFixtures.scratch("cfg")
        let text = """
        [plate1]
        source = "a/s.csv"
        calib = "a/c.csv"
        [match]
        radius = "0.05'"
        [dedup]
        radius = 1500
        [coverage]
        radius = "auto"
        """
        try text.write(toFile: dir + "/plates.toml", atomically: true, encoding: .utf8)
        let c = try MismatchConfig(ConfigTable(contentsOf: dir + "/plates.toml"))
        #expect(c.plate1?.source == dir + "/a/s.csv")
        #expect(abs(c.options.matchRadius - 3) < 1e-12)          // 0.05 arcmin = 3 arcsec
        #expect(c.options.dedupRadius == 1500)
        #expect(c.options.coverageRadius == nil)
    }

    @Test("errors name the file and the key", arguments: [
        ("[match]\nraduis = 3\n", "match.raduis"),
        ("[match]\nradius = \"three\"\n", "match.radius"),
        ("[dedup]\nmin_fraction = \"a lot\"\n", "dedup.min_fraction"),
        ("[dedup]\nmode = \"sometimes\"\n", "dedup.mode"),
        ("[cuts]\nwhere = 3\n", "cuts.where"),
    ])
    func errors(text: String, key: String) throws {
        do {
            _ = try MismatchConfig(ConfigTable(toml: text, source: "plates.toml"))
            Issue.record("expected an error for \(key)")
        } catch let e as ConfigError {
            #expect(e.key == key && e.source == "plates.toml")
        }
    }

    @Test("a TOML syntax error gives its line")
    func syntax() {
        #expect(throws: ConfigError.self) { try ConfigTable(toml: "[match\nradius = 3", source: "bad.toml") }
        do { _ = try ConfigTable(toml: "a = 1\nb = = 2\n", source: "bad.toml") } catch {
            #expect(error.description.contains("line 2") && error.description.contains("bad.toml"))
        }
    }
}
