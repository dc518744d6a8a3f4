// The crossmatch engine against brute force (every pair's separation from SkyGeometry, itself checked against
// astropy), the de Ruiter value of shared/reference/variability.json, and real catalogues.
import Foundation
import Numerics
import Testing
@testable import SkyMatch
import SkyCore

/// The project's seeded generator (SkyCore.SeededGenerator), so that failures reproduce.
typealias RNG = SeededGenerator

/// Positions scattered in a box around a centre (wrapping in ra), plus near-duplicates of some of them.
func field(_ n: Int, centre: (Double, Double), size: Double, _ rng: inout RNG) -> (ra: [Double], dec: [Double]) {
    var ra: [Double] = [], dec: [Double] = []
    for _ in 0..<n {
        var r = centre.0 + (rng.uniform() - 0.5) * size
        r = r.truncatingRemainder(dividingBy: 360); if r < 0 { r += 360 }
        ra.append(r); dec.append(max(-90, min(90, centre.1 + (rng.uniform() - 0.5) * size)))
    }
    return (ra, dec)
}

func perturbed(_ p: (ra: [Double], dec: [Double]), by arcsec: Double, _ rng: inout RNG) -> (ra: [Double], dec: [Double]) {
    var ra = p.ra, dec = p.dec
    for i in 0..<ra.count {
        let d = arcsec / 3600
        dec[i] = max(-90, min(90, dec[i] + (rng.uniform() - 0.5) * 2 * d))
        ra[i] = (ra[i] + (rng.uniform() - 0.5) * 2 * d / max(1e-3, cos(dec[i] * .pi / 180)) + 360).truncatingRemainder(dividingBy: 360)
    }
    return (ra, dec)
}

struct BruteForce {
    var pairs: [(Int, Int, Double)] = []   // row1, row2, sep arcsec
    init(_ a: (ra: [Double], dec: [Double]), _ b: (ra: [Double], dec: [Double]), radius: Double) {
        for i in 0..<a.ra.count { for j in 0..<b.ra.count {
            let s = SkyGeometry.separation(a.ra[i], a.dec[i], b.ra[j], b.dec[j]) * 3600
            if s <= radius { pairs.append((i, j, s)) }
        } }
    }
    func best1() -> [Int: Int] {
        var best: [Int: (Int, Double)] = [:]
        for (i, j, s) in pairs { if let b = best[i], b.1 < s || (b.1 == s && b.0 < j) { continue }; best[i] = (j, s) }
        return best.mapValues { $0.0 }
    }
}

@Suite("Crossmatch engine")
struct CrossmatchTests {
    static let centres: [(Double, Double)] = [(0.0, 0.0), (359.99, 30.0), (120.0, 89.99), (45.0, -89.95), (200.0, 41.81), (10.0, -41.81)]

    @Test("all pairs and best1 equal brute force", arguments: centres)
    func equalsBruteForce(_ c: (Double, Double)) throws {
        var rng = RNG(seed: UInt64(abs(c.0 * 100 + c.1 * 7)))
        let a = field(600, centre: c, size: 0.2, &rng)
        var b = perturbed(a, by: 2, &rng)
        let extra = field(600, centre: c, size: 0.2, &rng)
        b.ra += extra.ra; b.dec += extra.dec
        for radius in [1.0, 5.0, 60.0] {
            let bf = BruteForce(a, b, radius: radius)
            let all = try Crossmatch.match(ra1: a.ra, dec1: a.dec, ra2: b.ra, dec2: b.dec, options: MatchOptions(.radius(arcsec: radius), find: .all))
            #expect(all.pairCount == bf.pairs.count, "radius \(radius) centre \(c)")
            #expect(Set(zip(all.rows1, all.rows2).map { "\($0)-\($1)" }) == Set(bf.pairs.map { "\($0.0)-\($0.1)" }))
            for t in 0..<min(all.pairCount, 200) {
                let s = SkyGeometry.separation(a.ra[all.rows1[t]], a.dec[all.rows1[t]], b.ra[all.rows2[t]], b.dec[all.rows2[t]]) * 3600
                #expect(abs(all.separations[t] - s) < 1e-6)   // 1e-6 arcsec, the tolerance
            }
            let b1 = try Crossmatch.match(ra1: a.ra, dec1: a.dec, ra2: b.ra, dec2: b.dec, options: MatchOptions(.radius(arcsec: radius), find: .best1))
            let expected = bf.best1()
            #expect(b1.pairCount == expected.count)
            for t in 0..<b1.pairCount { #expect(expected[b1.rows1[t]] == b1.rows2[t]) }
            #expect(Set(b1.unmatched1) == Set(0..<a.ra.count).subtracting(expected.keys))
        }
    }

    @Test func bestModesAreOneToOneAndOptimalIsNeverWorse() throws {
        var rng = RNG(seed: 99)
        let a = field(3000, centre: (150, 2), size: 0.05, &rng)
        let b = field(3000, centre: (150, 2), size: 0.05, &rng)
        let opts = { (g: Bool) in MatchOptions(.radius(arcsec: 4), find: .best, greedy: g) }
        let greedy = try Crossmatch.match(ra1: a.ra, dec1: a.dec, ra2: b.ra, dec2: b.dec, options: opts(true))
        let optimal = try Crossmatch.match(ra1: a.ra, dec1: a.dec, ra2: b.ra, dec2: b.dec, options: opts(false))
        for r in [greedy, optimal] {
            #expect(Set(r.rows1).count == r.pairCount && Set(r.rows2).count == r.pairCount)
        }
        #expect(optimal.pairCount >= greedy.pairCount)
        if optimal.pairCount == greedy.pairCount {
            #expect(optimal.separations.reduce(0, +) <= greedy.separations.reduce(0, +) + 1e-9)
        }
        // STILTS's rule by hand: best partner per table-1 row (equal table sizes: table 1 is scanned), then
        // ascending separation, ties by row1 then row2; a pair is kept when neither row appeared earlier.
        let best1 = BruteForce(a, b, radius: 4).best1()
        let bf = BruteForce(a, b, radius: 4).pairs.filter { best1[$0.0] == $0.1 }.sorted { ($0.2, $0.0, $0.1) < ($1.2, $1.0, $1.1) }
        var t1 = Set<Int>(), t2 = Set<Int>(), expected: [String] = []
        for (i, j, _) in bf {
            let n1 = t1.insert(i).inserted, n2 = t2.insert(j).inserted
            if n1 && n2 { expected.append("\(i)-\(j)") }
        }
        #expect(Set(zip(greedy.rows1, greedy.rows2).map { "\($0)-\($1)" }) == Set(expected))
    }

    @Test func theClassicGreedyTrap() throws {
        // A0–B0 closest; A0–B1 and A1–B0 a little farther. Greedy takes A0–B0 and leaves A1, B1 alone;
        // the optimal assignment pairs both.
        let ra1 = [10.0, 10.0 - 1.5 / 3600], dec1 = [0.0, 0.0]
        let ra2 = [10.0 + 0.5 / 3600, 10.0 + 2.4 / 3600], dec2 = [0.0, 0.0]
        let g = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.radius(arcsec: 2.5), find: .best, greedy: true))
        let o = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.radius(arcsec: 2.5), find: .best))
        #expect(g.rows1 == [0] && g.rows2 == [0])
        #expect(o.rows1 == [0, 1] && o.rows2 == [1, 0])
    }

    @Test func deRuiterMatchesTheReference() throws {
        // shared/reference/variability.json "de_ruiter": r = 1.26812111659 (given to 12 digits).
        let dec2 = -30.0 + 1.0 / 3600
        let ra2 = 150.0 + (2.0 / 3600) / cos(-30.0 * Double.pi / 180)
        let r = Crossmatch.deRuiterRadius(ra1: 150, dec1: -30, ra2: ra2, dec2: dec2, raErr1: 1.0, decErr1: 1.2, raErr2: 1.5, decErr2: 1.1)
        #expect(r.isApproximatelyEqual(to: 1.26812111659, relativeTolerance: 1e-10))
        let m = try Crossmatch.match(ra1: [150], dec1: [-30], ra2: [ra2], dec2: [dec2],
                                     options: MatchOptions(.deRuiter(raErr1: [1.0], decErr1: [1.2], raErr2: [1.5], decErr2: [1.1], limit: 1.3), find: .best1))
        #expect(m.pairCount == 1 && m.scores[0].isApproximatelyEqual(to: r, relativeTolerance: 1e-12))
        let none = try Crossmatch.match(ra1: [150], dec1: [-30], ra2: [ra2], dec2: [dec2],
                                        options: MatchOptions(.deRuiter(raErr1: [1.0], decErr1: [1.2], raErr2: [1.5], decErr2: [1.1], limit: 1.2), find: .best1))
        #expect(none.pairCount == 0)
    }

    @Test func errorBasedRadii() throws {
        let ra1 = [10.0, 20.0], dec1 = [0.0, 0.0], ra2 = [10.0 + 3.0 / 3600, 20.0 + 3.0 / 3600], dec2 = [0.0, 0.0]
        let sum = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.sumOfErrors(err1: [1, 2], err2: [1.5, 1.5], scale: 1), find: .best1))
        #expect(sum.rows1 == [1])        // 3 ≤ 2 + 1.5 but 3 > 1 + 1.5
        let ns = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.combinedErrors(err1: [1, 1], err2: [1, 1], nsigma: 2.2), find: .best1))
        #expect(ns.rows1 == [0, 1])      // 3 ≤ 2.2·√2 = 3.11
        let per = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.radiusPerRow1(arcsec: [2, 4]), find: .best1))
        #expect(per.rows1 == [1])
    }

    @Test func edgeCases() throws {
        // Empty inputs, NaN positions (reported, never matched), exact duplicates, a radius beyond a pixel.
        let e = try Crossmatch.match(ra1: [], dec1: [], ra2: [1], dec2: [1], options: MatchOptions(.radius(arcsec: 1)))
        #expect(e.pairCount == 0 && e.unmatched2 == [0])
        let nan = try Crossmatch.match(ra1: [.nan, 5, 5], dec1: [0, 5, 5], ra2: [5, .nan, 5], dec2: [5, 0, 5], options: MatchOptions(.radius(arcsec: 1), find: .all))
        #expect(nan.invalid1 == [0] && nan.invalid2 == [1])
        #expect(nan.pairCount == 4 && !nan.rows1.contains(0) && !nan.rows2.contains(1))
        #expect(nan.groupIDs == [1, 1, 1, 1] && nan.groupSizes == [4, 4, 4, 4])
        let big = try Crossmatch.match(ra1: [0, 100], dec1: [0, 60], ra2: [3, 100], dec2: [0, 64], options: MatchOptions(.radius(arcsec: 5 * 3600), find: .best1))
        #expect(big.rows1 == [0, 1] && big.separations[0].isApproximatelyEqual(to: 3 * 3600, relativeTolerance: 1e-12))
        #expect(throws: CatalogueError.self) { _ = try Crossmatch.match(ra1: [1], dec1: [1], ra2: [1], dec2: [1], options: MatchOptions(.radius(arcsec: -1))) }
    }
}

@Suite("Crossmatch internals")
struct CrossmatchInternalTests {
    @Test func fastSinCosAgreesWithLibm() {
        var rng = RNG(seed: 5)
        for _ in 0..<200_000 {
            let x = (rng.uniform() - 0.5) * 20
            let (s, c) = fastSinCos(x)
            // Within 2 ulp of libm (and so within ~4.5e-16 absolute for |values| ≤ 1).
            #expect(abs(s - sin(x)) <= 4.5e-16 && abs(c - cos(x)) <= 4.5e-16, "\(x)")
        }
    }

    /// The unmatched-row lists come from `unset`, which counts and fills chunks on all cores from 2^19 flags
    /// up. Reference: the plain filter over the flags (sizes below, at and above a chunk's length; runs of
    /// set and unset flags crossing chunk boundaries).
    @Test(arguments: [0, 1, 1000, 1 << 19, (1 << 20) + 12_345])
    func unsetFlagsEqualTheFilter(count: Int) {
        var rng = RNG(seed: UInt64(count))
        var flags = [Bool](repeating: false, count: count)
        var i = 0
        while i < count {
            let run = 1 + Int(rng.uniform() * 70_000), value = rng.uniform() < 0.5
            for j in i..<min(count, i + run) { flags[j] = value || rng.uniform() < 0.1 }
            i += run
        }
        #expect(Crossmatch.unset(flags) == flags.indices.filter { !flags[$0] })
    }

    /// The pixel table (distinct pixels and where their entries start) is built in chunks of entries on all
    /// cores from 2^19 valid entries up; a pixel may span chunks. Reference: each sorted entry's pixel
    /// computed on its own from its sorted position (`HEALPixLayer.nestedPixel`), run-length encoded.
    @Test(arguments: [2, 9])
    func pixelTableEqualsTheRunsOfEntryPixels(order: Int) {
        var rng = RNG(seed: UInt64(90 + order))
        var (ra, dec) = field(700_000, centre: (40, -20), size: 6, &rng)
        dec[3] = .nan; dec[500_000] = 95
        let ps = PixelSorted(ra: ra, dec: dec, order: order, radius: 1.0 / 3600, role: .searched)
        let layer = HEALPixLayer.layers[order]
        var tags: [UInt32] = [], starts: [Int] = []
        for k in ps.firstValid..<ra.count {
            let p = UInt32(layer.nestedPixel(ra: ps.ra[k], dec: ps.dec[k]) + 1)
            if tags.last != p { tags.append(p); starts.append(k) }
        }
        starts.append(ra.count)
        #expect(ps.firstValid == 2)
        #expect(ps.pixelTags == tags && ps.pixelStarts == starts)
    }
}

/// PixelSorted's bucket sort against the definition: every row's key computed on its own (scalar pixel and
/// the same z quantisation), then a sort by (key, row); a walked set's entries carry their rows' edge bits.
/// Inputs: the whole sky and a small field together (a sparse pixel range: buckets formed by occupancy,
/// several of them), exact duplicates (equal keys keep row order) and invalid positions (first, in row order).
@Suite("Pixel-sorted preparation")
struct PixelSortedTests {
    @Test(arguments: [3, 10, 13])
    func orderIsAStableSortByKey(order: Int) {
        var rng = RNG(seed: UInt64(40 + order))
        var (ra, dec) = field(60_000, centre: (180, 0), size: 360, &rng)
        let small = field(60_000, centre: (10, 89.5), size: 2, &rng)
        ra += small.ra; dec += small.dec
        for i in stride(from: 0, to: 3000, by: 3) { ra.append(ra[i]); dec.append(dec[i]) }
        for (i, bad) in [(5, Double.nan), (77, 91.0), (120_000, -95.0), (130, Double.infinity)] where i < ra.count { dec[i] = bad }
        ra[9] = .nan
        let radius = 2.0 / 3600
        let layer = HEALPixLayer.layers[order]
        let ps = PixelSorted(ra: ra, dec: dec, order: order, radius: radius, role: .walked)
        let searched = PixelSorted(ra: ra, dec: dec, order: order, radius: radius, role: .searched)
        var keys: [UInt64] = [], edgeBits: [UInt8] = []
        for i in 0..<ra.count {
            let p = layer.nestedPixel(ra: ra[i], dec: dec[i])
            if p < 0 { keys.append(0); edgeBits.append(0); continue }
            let sd = fastSinCos(dec[i] * degreesToRadians).0
            let q = UInt64(min(268435455.0, max(0, (sd + 1) * 134217728.0)))
            keys.append(UInt64(p + 1) << 32 | q)
            edgeBits.append(layer.edges(ra: ra[i], z: sd, radius: radius).rawValue)
        }
        let expected = (0..<ra.count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        // (Counts of mismatches, not the arrays: a failure prints a number, not 10^5 values.)
        #expect(ps.rows.count == expected.count && ps.edges.count == expected.count)
        #expect(zip(ps.rows, expected).filter { Int($0.0) != $0.1 }.count == 0)
        #expect(ps.firstValid == keys.filter { $0 == 0 }.count)
        #expect(ps.invalidRows == expected.prefix(ps.firstValid).sorted() && ps.invalidRows.count == 5)
        // The sorted positions and edge bits are the rows' own, bit for bit; the sorted entries' keys, rebuilt
        // from the pixel table and the sorted declinations, are the keys of their rows.
        #expect(zip(ps.edges, expected).filter { $0.0 != edgeBits[$0.1] }.count == 0)
        #expect(zip(ps.ra, expected).filter { $0.0.bitPattern != ra[$0.1].bitPattern }.count == 0)
        #expect(zip(ps.dec, expected).filter { $0.0.bitPattern != dec[$0.1].bitPattern }.count == 0)
        var rebuilt = [UInt64](repeating: 0, count: ra.count)
        for (g, tag) in ps.pixelTags.enumerated() {
            for k in ps.pixelStarts[g]..<ps.pixelStarts[g + 1] {
                let sd = fastSinCos(ps.dec[k] * degreesToRadians).0
                let q = UInt64(min(268435455.0, max(0, (sd + 1) * 134217728.0)))
                rebuilt[k] = UInt64(tag) << 32 | q
            }
        }
        #expect(ps.pixelStarts.first == ps.firstValid && ps.pixelStarts.last == ra.count)
        #expect(zip(rebuilt, expected).filter { $0.0 != keys[$0.1] }.count == 0)
        // The searched preparation: the same order and pixel table, no edge bits.
        #expect(zip(searched.rows, expected).filter { Int($0.0) != $0.1 }.count == 0)
        #expect(searched.edges.isEmpty && searched.firstValid == ps.firstValid)
        #expect(searched.pixelTags == ps.pixelTags && searched.pixelStarts == ps.pixelStarts)
        #expect(zip(searched.ra, expected).filter { $0.0.bitPattern != ra[$0.1].bitPattern }.count == 0)
        #expect(zip(searched.dec, expected).filter { $0.0.bitPattern != dec[$0.1].bitPattern }.count == 0)
        for k in stride(from: ps.firstValid, to: ra.count, by: 997) {
            #expect(searched.entries(ofPixel: ps.pixel(k)).contains(k))
            #expect(ps.pixel(k) == Int64(keys[expected[k]] >> 32) - 1)
        }
    }

    /// The sweep's pairs do not depend on how set 1's pixels are split into chunks: one chunk (every set-2
    /// pixel converted once, neighbours mostly from the cache), a chunk per pixel (every neighbour converted
    /// in its own chunk) and the default. Reference: the pairs by brute force over all rows, with
    /// separations from the same unit-vector formula (`PairSearch.angle`), bit for bit.
    @Test(arguments: [(0.0, 0.0), (0.3, 89.7), (359.9, -30.0)])
    func sweepIsIndependentOfChunksAndEqualsBruteForce(centre: (Double, Double)) {
        var rng = RNG(seed: 77)
        var p1 = field(3_000, centre: centre, size: 0.25, &rng)
        var p2 = perturbed(p1, by: 1.5, &rng)
        let extra = field(1_000, centre: centre, size: 0.25, &rng)
        p2.ra += extra.ra; p2.dec += extra.dec
        p1.dec[17] = .nan; p2.ra[5] = .nan
        let radius = 3.0 / 3600
        let order = PairSearch.order(maxRadius: radius, count: 3_000, areaDeg2: 0.0625)
        let a = PixelSorted(ra: p1.ra, dec: p1.dec, order: order, radius: radius, role: .walked)
        let b = PixelSorted(ra: p2.ra, dec: p2.dec, order: order, radius: radius, role: .searched)
        let accept: @Sendable (Int, Int, Double) -> Bool = { _, _, sep in sep <= radius }
        let one = PairSearch.pairs(a, b, order: order, maxRadius: radius, chunks: 1, accept: accept)
        let many = PairSearch.pairs(a, b, order: order, maxRadius: radius, chunks: 1_000, accept: accept)
        let usual = PairSearch.pairs(a, b, order: order, maxRadius: radius, accept: accept)
        func vector(_ ra: Double, _ dec: Double) -> (Double, Double, Double) {
            let (sd, cd) = fastSinCos(dec * degreesToRadians)
            return PixelSorted.unitVector(ra: ra, sinDec: sd, cosDec: cd)
        }
        var expected: [(Int32, Double, Int32)] = []
        for i in p1.ra.indices where p1.dec[i].isFinite {
            let u = vector(p1.ra[i], p1.dec[i])
            for j in p2.ra.indices where p2.ra[j].isFinite {
                let v = vector(p2.ra[j], p2.dec[j])
                let dx = v.0 - u.0, dy = v.1 - u.1, dz = v.2 - u.2
                let sep = PairSearch.angle(chord2: dx * dx + dy * dy + dz * dz, u, v) * radiansToDegrees
                if sep <= radius { expected.append((Int32(i), sep, Int32(j))) }
            }
        }
        expected.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        #expect(one.rows1.count > 2_900 && one.rows1.count == expected.count)
        #expect(one.rows1 == expected.map(\.0) && one.rows2 == expected.map(\.2))
        #expect(zip(one.sep, expected).filter { $0.0.bitPattern != $0.1.1.bitPattern }.count == 0)
        for other in [many, usual] {
            #expect(other.rows1 == one.rows1 && other.rows2 == one.rows2)
            #expect(zip(other.sep, one.sep).filter { $0.0.bitPattern != $0.1.bitPattern }.count == 0)
        }
    }
}

/// The sweep's separation formula against astropy 5.2.1 (`SkyCoord.separation`, Vincenty):
/// shared/reference/separation.json, 308 pairs from 3.6 mas to ~180° (poles, antipodes, the ra seam,
/// identical points), unit vectors as the sweep computes them. Tolerance 1e-9 arcsec absolute: the largest
/// difference seen is 4e-10″ (2·10^-15 rad), near 180°, where one ulp of the result in degrees is already
/// 1e-10″; the issue asks 1e-6″ against STILTS.
@Suite("Separations")
struct SeparationTests {
    @Test func chordAndAtan2AgreeWithAstropy() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../SkyCoreTests/Fixtures/reference/separation.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let ra1 = json?["ra1"] as? [Double] ?? [], dec1 = json?["dec1"] as? [Double] ?? []
        let ra2 = json?["ra2"] as? [Double] ?? [], dec2 = json?["dec2"] as? [Double] ?? []
        let sep = json?["sep_deg"] as? [Double] ?? []
        #expect(sep.count == 308 && ra1.count == 308)
        func vector(_ ra: Double, _ dec: Double) -> (Double, Double, Double) {
            let (sd, cd) = fastSinCos(dec * degreesToRadians)
            return PixelSorted.unitVector(ra: ra, sinDec: sd, cosDec: cd)
        }
        var small = 0, large = 0
        for i in sep.indices {
            let u = vector(ra1[i], dec1[i]), v = vector(ra2[i], dec2[i])
            let dx = v.0 - u.0, dy = v.1 - u.1, dz = v.2 - u.2
            let got = PairSearch.angle(chord2: dx * dx + dy * dy + dz * dz, u, v) * radiansToDegrees
            #expect(abs(got - sep[i]) * 3600 <= 1e-9, "pair \(i): \(got) vs astropy \(sep[i])")
            if sep[i] * 3600 < 1 { small += 1 }
            if sep[i] > 60 { large += 1 }
        }
        #expect(small > 5 && large > 5)     // both branches of the formula, and the series, are exercised
    }
}

@Suite("Elliptical errors")
struct EllipseTests {
    @Test func overlapIsDecidedByTheEllipsesNotTheirCentreLine() throws {
        let asec = 1.0 / 3600
        // Table 1: an east-west ellipse (a 3", b 0.3", PA 90) at (150, 0). Table 2: three north-south ellipses
        // (a 3", b 0.3", PA 0): 5" east (along that line the radii are 3" + 0.3" < 5": apart); 2" east and
        // 2" north (the ellipses cross at 2" east, 0" north: overlap, although their radii along the centre line
        // sum to only 0.85"); 3.5" east and 4" north (the second reaches down to 1" north, beyond the first's
        // 3" tip: apart).
        let ra1 = [150.0], dec1 = [0.0]
        let ra2 = [150 + 5 * asec, 150 + 2 * asec, 150 + 3.5 * asec], dec2 = [0.0, 2 * asec, 4 * asec]
        let crit = MatchCriterion.ellipses(a1: [3], b1: [0.3], pa1: [90], a2: [3, 3, 3], b2: [0.3, 0.3, 0.3], pa2: [0, 0, 0])
        let r = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(crit, find: .all))
        #expect(r.rows2 == [1])
        #expect(r.scores[0] > 1)      // centre-line score above 1 while the ellipses do overlap
        // Along the major axes: two east-west ellipses 5.9" apart overlap (3 + 3 > 5.9), 6.1" apart do not.
        let near = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: [150 + 5.9 * asec, 150 + 6.1 * asec], dec2: [0, 0],
                                        options: MatchOptions(.ellipses(a1: [3], b1: [0.3], pa1: [90], a2: [3, 3], b2: [0.3, 0.3], pa2: [90, 90]), find: .all))
        #expect(near.rows2 == [0])
        #expect(abs(near.scores[0] - 5.9 / 6) < 1e-6)
    }
}

@Suite("Radius zero")
struct RadiusZeroTests {
    /// A pair matches when its separation is ≤ the radius: radius 0 pairs identical positions (it used to
    /// find nothing), and nothing else.
    @Test(arguments: [FindMode.all, .best1, .best])
    func identicalPositionsMatchAtRadiusZero(_ find: FindMode) throws {
        let ra1 = [10.0, 200.0, 300.0], dec1 = [-20.0, 5.0, 89.9]
        let ra2 = [10.0, 200.0 + 1e-9, 300.0], dec2 = [-20.0, 5.0, 89.9]
        let m = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.radius(arcsec: 0), find: find))
        #expect(m.rows1 == [0, 2] && m.rows2 == [0, 2])
        #expect(m.separations.allSatisfy { $0 == 0 })
    }
}
