// Self-matching one catalogue: pairs of rows within a radius and friends-of-friends groups.
import SkyCore

/// Groups of rows of one table that lie within a radius of each other.
public struct SelfMatch: Sendable {
    /// Pairs (i < j) within the radius, with separations in **arcseconds**, ordered by i then j.
    public var rows1: [Int]
    public var rows2: [Int]
    public var separations: [Double]
    /// Friends-of-friends group of each row (1-based, numbered by the group's first row), or 0 for a row
    /// with no neighbour.
    public var groupIDs: [Int]
    /// Number of rows in each row's group (1 for a row with no neighbour).
    public var groupSizes: [Int]

    /// Finds every pair of rows closer than `radius` **arcseconds** (positions in degrees) and links them
    /// into friends-of-friends groups: two rows share a group when a chain of pairs joins them.
    public init(ra: [Double], dec: [Double], radius: Double) throws {
        let n = min(ra.count, dec.count)
        try Crossmatch.validate(.radius(arcsec: radius), n1: n, n2: n)
        // The table (prepared once) searched against itself, keeping only pairs i < j as they are found (no
        // self pairs, no mirrored copies): they come ordered by i, then separation, then j; each i's run is
        // put in j order.
        var pairs = PairList()
        let maxR = radius / 3600
        if n > 1 && maxR > 0 {
            let p = PositionSource(ra: ra, dec: dec)
            let order = PairSearch.order(maxRadius: maxR, count: n, areaDeg2: Crossmatch.estimatedArea(p, p))
            let set = PixelSorted(p, order: order, radius: maxR, role: .walked)
            pairs = PairSearch.pairs(set, set.searched, order: order, maxRadius: maxR) { i, j, sep in i < j && sep * 3600 <= radius }
        }
        let count = pairs.rows1.count
        var i1 = [Int](repeating: 0, count: count), i2 = i1, s = [Double](repeating: 0, count: count)
        var t = 0
        while t < count {
            var u = t + 1
            while u < count && pairs.rows1[u] == pairs.rows1[t] { u += 1 }
            let run = (t..<u).sorted { pairs.rows2[$0] < pairs.rows2[$1] }
            for (k, q) in run.enumerated() {
                i1[t + k] = Int(pairs.rows1[q]); i2[t + k] = Int(pairs.rows2[q]); s[t + k] = pairs.sep[q] * 3600
            }
            t = u
        }
        rows1 = i1; rows2 = i2; separations = s
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int {
            var a = x
            while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }
            return a
        }
        for t in 0..<rows1.count {
            let a = find(rows1[t]), b = find(rows2[t])
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var size = [Int](repeating: 0, count: n)
        for i in 0..<n { size[find(i)] += 1 }
        var label = [Int](repeating: 0, count: n)
        var next = 0
        groupIDs = [Int](repeating: 0, count: n)
        groupSizes = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let root = find(i)
            guard size[root] > 1 else { continue }
            if label[root] == 0 { next += 1; label[root] = next }
            groupIDs[i] = label[root]; groupSizes[i] = size[root]
        }
    }

    /// Self-matches a catalogue by its position columns.
    public init(_ catalogue: Catalogue, radius: Double) throws {
        let (ra, dec) = try catalogue.positions()
        try self.init(ra: ra, dec: dec, radius: radius)
    }

    /// Which rows `rows(keeping:)` returns.
    public enum Keep: String, Sendable, CaseIterable {
        /// Every row.
        case all
        /// Rows that have at least one neighbour (group size > 1).
        case duplicated
        /// Rows with no neighbour.
        case singles
        /// One row per group (its first) and every single row.
        case first
    }

    /// Row numbers kept by `keep`, ascending.
    public func rows(keeping keep: Keep) -> [Int] {
        var firstSeen = Set<Int>()
        return (0..<groupIDs.count).filter { i in
            switch keep {
            case .all: return true
            case .duplicated: return groupSizes[i] > 1
            case .singles: return groupSizes[i] == 1
            case .first: return groupIDs[i] == 0 || firstSeen.insert(groupIDs[i]).inserted
            }
        }
    }

    /// Fraction of rows that have a neighbour.
    public var duplicatedFraction: Double {
        groupSizes.isEmpty ? 0 : Double(groupSizes.filter { $0 > 1 }.count) / Double(groupSizes.count)
    }

    /// The catalogue with `group_id` (missing for single rows) and `group_size` columns, keeping `keep` rows.
    public func annotate(_ catalogue: Catalogue, keep: Keep = .all) throws -> Catalogue {
        var out = catalogue
        try out.set(Column(name: "group_id", values: .int64(groupIDs.map(Int64.init)), missing: groupIDs.map { $0 == 0 }, description: "friends-of-friends group"))
        try out.set(Column(name: "group_size", values: .int64(groupSizes.map(Int64.init)), description: "rows in the group"))
        return out.rows(rows(keeping: keep))
    }

    /// The pairs as a wide table: the first row's columns suffixed `_1`, the second's `_2`, and `sep_arcsec`.
    public func pairTable(_ catalogue: Catalogue) throws -> Catalogue {
        var out = Catalogue(rowCount: rows1.count)
        for c in catalogue.columns { var a = c.rows(rows1); a.name += "_1"; try out.add(a) }
        for c in catalogue.columns { var b = c.rows(rows2); b.name += "_2"; try out.add(b) }
        try out.add(Column(name: "sep_arcsec", values: .double(separations), unit: "arcsec"))
        return out
    }
}
