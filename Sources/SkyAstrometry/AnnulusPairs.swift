// Every pair of objects whose mean positions lie in an annulus of separations: r_in ≤ D′ < r_out.
import Foundation
import SkyCore

/// Pairs of objects (indices into a `VisitSet`, first < second) and their mean-position separations.
public struct AnnulusPairs: Sendable {
    public var first: [Int32] = [], second: [Int32] = []
    /// Separation of the mean positions, arcminutes.
    public var separation: [Double] = []
    public var count: Int { first.count }
}

/// The objects' mean positions in declination strips, each strip sorted by right ascension, for annulus
/// searches. A search from one object visits the strips within r_out in declination and, in each, the RA
/// intervals where the annulus can meet the strip (the outer circle's widest RA extent over the strip, less
/// the inner circle's narrowest); every candidate is then tested exactly on the unit vectors.
struct StripIndex: Sendable {
    let ra: [Double], dec: [Double]
    let ux: [Double], uy: [Double], uz: [Double]
    let decMin: Double, height: Double
    /// Strip s holds members[start[s]..<start[s+1]] (object indices), sorted by RA; `stripRA` their RAs.
    let start: [Int], members: [Int32], stripRA: [Double]

    init(ra: [Double], dec: [Double], height: Double) {
        self.ra = ra; self.dec = dec
        let n = ra.count
        var x = [Double](repeating: 0, count: n), y = x, z = x
        for i in 0..<n { let u = UnitVector(ra: ra[i], dec: dec[i]); x[i] = u.x; y[i] = u.y; z[i] = u.z }
        ux = x; uy = y; uz = z
        let lo = dec.min() ?? 0, hi = dec.max() ?? 0
        decMin = lo; self.height = height
        let strips = max(1, Int(((hi - lo) / height).rounded(.down)) + 1)
        var counts = [Int](repeating: 0, count: strips + 1)
        func strip(_ d: Double) -> Int { min(strips - 1, max(0, Int((d - lo) / height))) }
        for i in 0..<n { counts[strip(dec[i]) + 1] += 1 }
        for s in 0..<strips { counts[s + 1] += counts[s] }
        var fill = counts, mem = [Int32](repeating: 0, count: n)
        for i in 0..<n { let s = strip(dec[i]); mem[fill[s]] = Int32(i); fill[s] += 1 }
        for s in 0..<strips {
            mem[counts[s]..<counts[s + 1]].sort { ra[Int($0)] != ra[Int($1)] ? ra[Int($0)] < ra[Int($1)] : $0 < $1 }
        }
        start = counts; members = mem; stripRA = mem.map { ra[Int($0)] }
    }

    var stripCount: Int { start.count - 1 }

    /// The RA half-width (degrees) of the circle of radius r around declination δc at declination δ, from
    /// cos r, sin δc, cos δc and δ (radians): nil where the circle does not reach δ; 180 where it wraps all
    /// the way round. cos Δα = (cos r − sin δc sin δ) / (cos δc cos δ).
    static func halfWidth(cosR: Double, sinDC: Double, cosDC: Double, dec d: Double) -> Double? {
        let x = (cosR - sinDC * sin(d)) / (cosDC * cos(d))
        if !x.isFinite || x <= -1 { return 180 }
        if x > 1 { return nil }
        return acos(x) * 180 / .pi
    }

    /// Calls `body(j, separation in radians)` for every object j > i with r_in ≤ sep(i, j) < r_out
    /// (radians), in strip and RA order.
    func forEachPartner(of i: Int, rIn: Double, rOut: Double, _ body: (Int, Double) -> Void) {
        let deg = 180 / Double.pi
        let dcDeg = dec[i], dc = dcDeg / deg
        let reachDeg = rOut * deg
        let s0 = max(0, Int(((dcDeg - reachDeg) - decMin) / height) - 1)
        let s1 = min(stripCount - 1, Int(((dcDeg + reachDeg) - decMin) / height) + 1)
        guard s0 <= s1 else { return }
        let polar = abs(dcDeg) + reachDeg >= 90
        let sinDC = sin(dc), cosDC = cos(dc), cosOut = cos(rOut), cosIn = cos(rIn)
        for s in s0...s1 {
            let lo = start[s], hi = start[s + 1]
            guard lo < hi else { continue }
            let d0 = max(-90, decMin + Double(s) * height), d1 = min(90, decMin + Double(s + 1) * height)
            var outer: Double
            var inner = 0.0
            if polar || abs(cosDC) < 1e-12 {
                outer = 180
            } else {
                // Widest RA extent of the outer circle over the strip: at the ends of the strip (clamped to
                // the circle's declination range) and where the circle is widest, sin δ* = sin δc / cos r.
                var cands = [max(d0, dcDeg - reachDeg), min(d1, dcDeg + reachDeg)]
                let sw = sinDC / cosOut
                if abs(sw) <= 1 { let ds = asin(sw) * deg; if ds >= d0 && ds <= d1 { cands.append(ds) } }
                outer = 0
                for c in cands { if let w = StripIndex.halfWidth(cosR: cosOut, sinDC: sinDC, cosDC: cosDC, dec: c / deg) { outer = max(outer, w) } }
                outer = min(180, outer * (1 + 1e-9) + 1e-9)
                // Narrowest RA extent of the inner circle over the strip (at an end), if the whole strip is
                // inside the inner circle's declination range: closer objects cannot be partners.
                let innerReach = rIn * deg
                if rIn > 0, d0 > dcDeg - innerReach, d1 < dcDeg + innerReach,
                   let w0 = StripIndex.halfWidth(cosR: cosIn, sinDC: sinDC, cosDC: cosDC, dec: d0 / deg),
                   let w1 = StripIndex.halfWidth(cosR: cosIn, sinDC: sinDC, cosDC: cosDC, dec: d1 / deg) {
                    inner = max(0, min(w0, w1) * (1 - 1e-9) - 1e-9)
                }
            }
            let a = ra[i]
            let intervals: [(Double, Double)] = outer >= 180 ? [(0, 360)] : (inner > 0 ? [(a - outer, a - inner), (a + inner, a + outer)] : [(a - outer, a + outer)])
            for (p, q) in intervals {
                // Split an interval that crosses 0/360 into its two pieces.
                var pieces: [(Double, Double)] = []
                if p < 0 { pieces.append((p + 360, 360)); pieces.append((0, q)) }
                else if q > 360 { pieces.append((p, 360)); pieces.append((0, q - 360)) }
                else { pieces.append((p, q)) }
                for (u, v) in pieces where u <= v {
                    var k = lowerBound(u, lo, hi)
                    while k < hi && stripRA[k] <= v {
                        let j = Int(members[k])
                        k += 1
                        guard j > i else { continue }
                        let dx = ux[i] - ux[j], dy = uy[i] - uy[j], dz = uz[i] - uz[j]
                        let sep = 2 * asin(min(1, (dx * dx + dy * dy + dz * dz).squareRoot() / 2))
                        if sep >= rIn && sep < rOut { body(j, sep) }
                    }
                }
            }
        }
    }

    /// First position in lo..<hi whose RA is ≥ value.
    func lowerBound(_ value: Double, _ lo: Int, _ hi: Int) -> Int {
        var l = lo, h = hi
        while l < h { let m = (l + h) / 2; if stripRA[m] < value { l = m + 1 } else { h = m } }
        return l
    }
}

extension VisitSet {
    /// Every pair of objects with r_in ≤ D′ < r_out between their mean positions (arcminutes), each pair
    /// once (first < second), ordered by first object then strip and RA.
    public func pairs(innerArcmin: Double, outerArcmin: Double) -> AnnulusPairs {
        let n = count
        guard n >= 2 else { return AnnulusPairs() }
        let rIn = innerArcmin / 60 * .pi / 180, rOut = outerArcmin / 60 * .pi / 180
        let height = max((outerArcmin - innerArcmin) / 60, outerArcmin / 60 / 100)
        let index = StripIndex(ra: ra, dec: dec, height: height)
        let chunk = 256
        let parts = Parallel.map((n + chunk - 1) / chunk) { (c: Int) -> AnnulusPairs in
            var out = AnnulusPairs()
            var found: [(Int, Double)] = []
            for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                found.removeAll(keepingCapacity: true)
                index.forEachPartner(of: i, rIn: rIn, rOut: rOut) { j, sep in found.append((j, sep)) }
                found.sort { $0.0 < $1.0 }
                for (j, sep) in found { out.first.append(Int32(i)); out.second.append(Int32(j)); out.separation.append(sep * 180 / .pi * 60) }
            }
            return out
        }
        var all = AnnulusPairs()
        all.first.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { all.first += p.first; all.second += p.second; all.separation += p.separation }
        return all
    }
}
