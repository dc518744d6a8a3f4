// The spatial index (cone == brute force) and MOC coverage maps (round trips, set-algebra laws, areas).
// Expected values: brute-force separations (SkyGeometry, itself checked against astropy) and the analytic
// area of a spherical cap, 2π(1 − cos r).
import Foundation
import Numerics
import Testing
@testable import SkyCore

func randomSky(_ n: Int, _ rng: inout SeededRNG, centre: (Double, Double)? = nil, spread: Double = 180) -> (ra: [Double], dec: [Double]) {
    var ra: [Double] = [], dec: [Double] = []
    for _ in 0..<n {
        let u = Double(rng.next() >> 11) / Double(1 << 53), w = Double(rng.next() >> 11) / Double(1 << 53)
        if let c = centre {
            var r = c.0 + (u - 0.5) * 2 * spread
            r = r.truncatingRemainder(dividingBy: 360); if r < 0 { r += 360 }
            ra.append(r); dec.append(max(-90, min(90, c.1 + (w - 0.5) * 2 * spread)))
        } else {
            ra.append(360 * u); dec.append(asin(2 * w - 1) * radiansToDegrees)
        }
    }
    return (ra, dec)
}

@Suite("Spatial index")
struct SkyIndexTests {
    @Test func radixSortSortsWithPermutation() {
        var rng = SeededRNG(seed: 3)
        var keys = (0..<50_000).map { _ in Int64(rng.next() % 5000) - 1 }   // includes -1 (invalid)
        let orig = keys
        let perm = RadixSort.sortWithPermutation(&keys, bits: 13)
        #expect(keys == orig.sorted())
        #expect((0..<keys.count).allSatisfy { orig[Int(perm[$0])] == keys[$0] })
        // Stable: equal keys keep their original order.
        #expect((1..<keys.count).allSatisfy { keys[$0 - 1] != keys[$0] || perm[$0 - 1] < perm[$0] })
    }

    @Test("cone equals brute force", arguments: [(0.0, 90.0), (180.0, -90.0), (0.0, 0.0), (359.999, 10.0), (123.0, 45.0), (0.0005, -89.9)])
    func coneEqualsBruteForce(_ c: (Double, Double)) throws {
        var rng = SeededRNG(seed: UInt64(c.0 * 1000 + c.1 + 500))
        let (ra, dec) = randomSky(20_000, &rng, centre: c, spread: 2)
        for order in [4, 9, 13] {
            let idx = try SkyIndex(ra: ra, dec: dec, order: order)
            for radius in [0.001, 0.05, 0.7, 3.0] {
                let got = idx.cone(ra: c.0, dec: c.1, radius: radius)
                var expected: [IndexHit] = []
                for i in 0..<ra.count {
                    let s = SkyGeometry.separation(c.0, c.1, ra[i], dec[i])
                    if s <= radius { expected.append(IndexHit(row: i, separation: s)) }
                }
                #expect(Set(got.map(\.row)) == Set(expected.map(\.row)), "order \(order) radius \(radius) centre \(c)")
                for h in got {
                    let s = SkyGeometry.separation(c.0, c.1, ra[h.row], dec[h.row])
                    #expect(abs(h.separation - s) < 1e-12)
                }
                #expect(zip(got, got.dropFirst()).allSatisfy { $0.separation <= $1.separation })
            }
        }
    }

    @Test func nearestAndInvalidRows() throws {
        let ra = [10.0, 10.001, .nan, 10.002, 200]
        let dec = [20.0, 20.0, 20.0, 20.0, 95]      // row 4 has |dec| > 90: invalid
        let idx = try SkyIndex(ra: ra, dec: dec, order: 12)
        #expect(idx.invalidCount == 2)
        #expect(idx.nearest(ra: 10.0012, dec: 20, within: 1)?.row == 1)
        #expect(idx.nearest(ra: 10.0012, dec: 20, k: 2, within: 1).map(\.row) == [1, 3])
        #expect(idx.nearest(ra: 50, dec: 20, within: 0.1) == nil)
        #expect(idx.cone(ra: 10, dec: 20, radius: 180).count == 3)
    }

    @Test func catalogueIndex() throws {
        let cat = try Catalogue(columns: [.double("RAJ2000", [1, 2]), .double("DEJ2000", [3, 4])])
        let idx = try SkyIndex(cat, order: 8)
        #expect(idx.cone(ra: 2, dec: 4, radius: 1e-6).map(\.row) == [1])
        #expect(SkyIndex.order(forRadius: 1.0 / 3600) >= 10)
    }
}

@Suite("MOC")
struct MOCTests {
    func randomMOC(_ seed: UInt64) throws -> MOC {
        var rng = SeededRNG(seed: seed)
        let (ra, dec) = randomSky(30, &rng)
        return try MOC.positions(ra: ra, dec: dec, radius: 3, order: 7)
    }

    @Test func setAlgebraLaws() throws {
        let a = try randomMOC(1), b = try randomMOC(2), c = try randomMOC(3)
        let full = MOC(ranges: [0..<12], order: 0)
        #expect(a.union(b) == b.union(a))
        #expect(a.intersection(b) == b.intersection(a))
        #expect(a.union(b.union(c)) == a.union(b).union(c))
        #expect(a.intersection(b.union(c)) == a.intersection(b).union(a.intersection(c)))
        #expect(a.union(a.complement()).ranges == full.ranges)
        #expect(a.intersection(a.complement()).isEmpty)
        #expect(a.complement().complement() == a)
        #expect(a.union(b).complement() == a.complement().intersection(b.complement()))    // De Morgan
        #expect(a.subtracting(b).union(a.intersection(b)) == a)
        #expect((a.union(b).area).isApproximatelyEqual(to: a.area + b.area - a.intersection(b).area, relativeTolerance: 1e-12))
    }

    @Test("a cone's area is the cap's area within the pixel tolerance", arguments: [0.1, 1.0, 10.0, 60.0])
    func coneArea(radius: Double) throws {
        let order = 12
        let m = try MOC.cone(ra: 150, dec: -30, radius: radius, order: order)
        let cap = 2 * Double.pi * (1 - cos(radius * degreesToRadians))
        // The overlap map exceeds the cap by at most one ring of boundary cells: perimeter × 2 cell sizes.
        let cell = HEALPixLayer.layers[order].resolution * degreesToRadians
        let tolerance = 2 * Double.pi * sin(radius * degreesToRadians) * 2 * cell
        #expect(m.area >= cap)
        #expect(m.area - cap <= tolerance, "area \(m.area) cap \(cap) tol \(tolerance)")
    }

    @Test func asciiAndFITSRoundTrips() throws {
        let tmp = TempDir()
        let m = try randomMOC(9)
        #expect(try MOC(ascii: m.ascii) == m)
        let p = tmp.file("m.fits")
        try m.writeFITS(to: p)
        #expect(try MOC(fitsPath: p) == m)
        let h = try FITSFile(path: p).header(hdu: 1)
        #expect(h["ORDERING"] == .string("NUNIQ") && h["MOCORDER"] == .int(7) && h["MOCTOOL"] == .string("skytool"))
        // The IVOA example string.
        let e = try MOC(ascii: "3/1-3 4/20 5/")
        #expect(e.ascii == "3/1-3 4/20 5/" && e.maxOrder == 5)
        #expect(e.cells.map(\.order) == [3, 3, 3, 4])
        #expect(try MOC(ascii: "1/0,2-3 2/8") == MOC(ascii: "1/0 2-3 2/8"))
        #expect(throws: HEALPixError.self) { _ = try MOC(ascii: "1/48") }
        #expect(throws: HEALPixError.self) { _ = try MOC(ascii: "12") }
    }

    @Test func containsAndPolygons() throws {
        // A square about 2° on a side centred near (ra 10, dec 0) and a concave "L" shape.
        let square = [(9.0, -1.0), (11.0, -1.0), (11.0, 1.0), (9.0, 1.0)]
        let m = try MOC.polygon(square.map { (ra: $0.0, dec: $0.1) }, order: 10)
        #expect(m.contains(ra: 10, dec: 0) && !m.contains(ra: 12, dec: 0) && !m.contains(ra: 10, dec: 1.5))
        // Area: the polygon's (≈ 4 deg²) plus at most the cells along the edges: perimeter × one cell size.
        let cell = HEALPixLayer.layers[10].resolution
        #expect(m.areaDeg2 > 4.0 && m.areaDeg2 < 4.0 + 8 * cell, "\(m.areaDeg2)")
        let l = [(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0)]
        let lm = try MOC.polygon(l.map { (ra: $0.0, dec: $0.1) }, order: 10)
        #expect(lm.contains(ra: 0.5, dec: 1.5) && lm.contains(ra: 1.5, dec: 0.5) && !lm.contains(ra: 1.5, dec: 1.5))
        #expect(lm.areaDeg2 > 3.0 && lm.areaDeg2 < 3.0 + 8 * cell, "\(lm.areaDeg2)")
        #expect(m.contains(ra: [10, 50, .nan], dec: [0, 0, 0]) == [true, false, false])
        // Across the ra seam.
        let seam = try MOC.polygon([(359.0, -1.0), (1.0, -1.0), (1.0, 1.0), (359.0, 1.0)].map { (ra: $0.0, dec: $0.1) }, order: 9)
        #expect(seam.contains(ra: 0, dec: 0) && seam.contains(ra: 359.5, dec: 0.5) && !seam.contains(ra: 180, dec: 0))
    }

    @Test func footprintOfAnImage() throws {
        let h = try WCSReference.header("calabretta_1904-66_TAN")
        let w = try WCS(headerText: h)
        let m = try MOC.footprint(of: w, order: 10)
        let s = try w.pixelToWorld(x: [96.5, 10, 180], y: [96.5, 20, 150])
        #expect(m.contains(ra: s.lon, dec: s.lat) == [true, true, true])
        #expect(!m.contains(ra: 0, dec: 0))
    }

    /// `MOC.coverage(ofFile:footprintOrder:)`: a FITS image gives its WCS footprint (reference: `footprint(of:)` on
    /// the WCS read from the same file), a MOC file (FITS or ASCII) itself, anything else an error.
    @Test func coverageOfAFile() throws {
        let dir = NSTemporaryDirectory() + "skytool-cov-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cards: [FITSHeaderCard] = [
            FITSHeaderCard("CTYPE1", .string("RA---TAN")), FITSHeaderCard("CTYPE2", .string("DEC--TAN")),
            FITSHeaderCard("CRVAL1", .double(150)), FITSHeaderCard("CRVAL2", .double(2)),
            FITSHeaderCard("CRPIX1", .double(50.5)), FITSHeaderCard("CRPIX2", .double(40.5)),
            FITSHeaderCard("CDELT1", .double(-0.001)), FITSHeaderCard("CDELT2", .double(0.001)),
        ]
        try FITSWriter.write(FITSImage(shape: [100, 80], pixels: [Float](repeating: 0, count: 8000), header: FITSHeader(cards)), to: dir + "/img.fits")
        let fromImage = try MOC.coverage(ofFile: dir + "/img.fits", footprintOrder: 13)
        #expect(fromImage == (try MOC.footprint(of: WCS(file: FITSFile(path: dir + "/img.fits")), order: 13)))
        #expect(fromImage.contains(ra: 150, dec: 2) && !fromImage.contains(ra: 150, dec: 2.1) && fromImage.areaDeg2 > 0.008)
        try fromImage.writeFITS(to: dir + "/moc.fits")
        try fromImage.ascii.write(toFile: dir + "/moc.txt", atomically: true, encoding: .utf8)
        #expect(try MOC.coverage(ofFile: dir + "/moc.fits", footprintOrder: 5) == fromImage)
        #expect(try MOC.coverage(ofFile: dir + "/moc.txt", footprintOrder: 5) == fromImage)
        try "not a moc".write(toFile: dir + "/bad.txt", atomically: true, encoding: .utf8)
        #expect(throws: CatalogueError.self) { _ = try MOC.coverage(ofFile: dir + "/bad.txt", footprintOrder: 5) }
        try FITSWriter.write(FITSImage(shape: [5], pixels: [Float](repeating: 0, count: 5)), to: dir + "/line.fits")
        #expect(throws: CatalogueError.self) { _ = try MOC.coverage(ofFile: dir + "/line.fits", footprintOrder: 5) }
    }
}

@Suite("MOC morphology")
struct MOCMorphologyTests {
    @Test("a cell grown by one ring is the cell and its 8 neighbours; shrunk back it is the cell", arguments: [(6, Int64(1234)), (10, Int64(0)), (8, Int64(4 * 65536 + 77))])
    func oneCell(order: Int, pixel: Int64) throws {
        let layer = try HEALPixLayer(order: order)
        let one = MOC(pixels: [pixel], order: order)
        let grown = one.dilated(rings: 1)
        let expected = MOC(pixels: [pixel] + layer.neighbours(nested: pixel), order: order)
        #expect(grown == expected)
        #expect(grown.eroded(rings: 1) == one)
    }

    @Test("closing contains the original; erosion is inside it; both are idempotent on the full sky")
    func laws() throws {
        let cone = try MOC.cone(ra: 120, dec: -40, radius: 0.7, order: 11)
        for k in 1...3 {
            #expect(cone.subtracting(cone.dilated(rings: k).eroded(rings: k)).isEmpty)
            #expect(cone.eroded(rings: k).subtracting(cone).isEmpty)
            #expect(cone.eroded(rings: k).areaDeg2 < cone.areaDeg2)
        }
        let sky = MOC(ranges: [0..<(12 << 6)], order: 3)
        #expect(sky.dilated(rings: 2) == sky && sky.eroded(rings: 2) == sky)
    }

    @Test("MOC erosion: a cone of radius R eroded by r is the cone of radius R - r, to a cell")
    func erosion() throws {
        let order = 12
        let cone = try MOC.cone(ra: 45, dec: 30, radius: 0.5, order: order)
        let eroded = try cone.eroded(by: 0.2)
        let cell = try HEALPixLayer(order: order).resolution
        let expected = try MOC.cone(ra: 45, dec: 30, radius: 0.3, order: order)
        // Everything eroded lies in the original; the cone of radius 0.3 - 1.5 cells is inside the result.
        #expect(eroded.subtracting(cone).isEmpty)
        #expect(try MOC.cone(ra: 45, dec: 30, radius: 0.3 - 1.5 * cell, order: order).subtracting(eroded).isEmpty)
        #expect(eroded.subtracting(try MOC.cone(ra: 45, dec: 30, radius: 0.3 + 1.5 * cell, order: order)).isEmpty)
        let lo = try MOC.cone(ra: 45, dec: 30, radius: 0.3 - 1.5 * cell, order: order).areaDeg2
        let hi = try MOC.cone(ra: 45, dec: 30, radius: 0.3 + 1.5 * cell, order: order).areaDeg2
        #expect(eroded.areaDeg2 > lo && eroded.areaDeg2 < hi && abs(eroded.areaDeg2 - expected.areaDeg2) / expected.areaDeg2 < 0.1)
    }

    @Test("median nearest-neighbour distance equals a brute-force search over every pair")
    func medianNearestNeighbourAgainstBruteForce() throws {
        // Reference: every pair's SkyGeometry.separation (itself checked against astropy), the nearest per
        // source, their median (the lower middle of 801 values). Under 5 000 sources every one is sampled, so
        // the two agree to rounding (1e-9"). Seeded, clustered so that spacings vary over two decades.
        var rng = SeededGenerator(seed: 23)
        var ra: [Double] = [], dec: [Double] = []
        for k in 0..<801 {
            let spread = k % 3 == 0 ? 0.002 : 0.2
            ra.append(120 + Double.random(in: -spread...spread, using: &rng)); dec.append(-40 + Double.random(in: -spread...spread, using: &rng))
        }
        ra.append(.nan); dec.append(0)   // skipped
        var nearest: [Double] = []
        for i in 0..<801 {
            var best = Double.infinity
            for j in 0..<801 where j != i { best = min(best, SkyGeometry.separation(ra[i], dec[i], ra[j], dec[j])) }
            nearest.append(best * 3600)
        }
        nearest.sort()
        let m = try #require(try MOC.medianNearestNeighbour(ra: ra, dec: dec))
        #expect(abs(m - nearest[400]) < 1e-9)
        #expect(try MOC.medianNearestNeighbour(ra: [10], dec: [10]) == nil)
        // A coverage from these sources holds every one of them.
        let c = try MOC.sources(ra: ra, dec: dec, matchRadius: 1)
        #expect(c.moc.contains(ra: Array(ra[0..<801]), dec: Array(dec[0..<801])).allSatisfy { $0 })
        #expect(throws: CatalogueError.self) { _ = try MOC.sources(ra: ra, dec: dec, closingRadius: -1, matchRadius: 1) }
    }
}
