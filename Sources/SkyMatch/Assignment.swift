// One-to-one assignment of candidate pairs: STILTS's greedy rule and the optimal assignment per group.

enum Assignment {
    /// Union-find over the rows of both tables: connected groups of pairs. Returns each pair's group
    /// (1-based, numbered in order of first appearance) and the number of pairs in that group.
    static func groups(_ r1: [Int], _ r2: [Int]) -> (ids: [Int], sizes: [Int]) {
        var parent: [Int: Int] = [:]
        func find(_ x: Int) -> Int {
            var r = x
            while let p = parent[r], p != r { r = p }
            var c = x
            while let p = parent[c], p != r { parent[c] = r; c = p }
            return r
        }
        // Nodes: row1 → 2·row1, row2 → 2·row2 + 1.
        for t in 0..<r1.count {
            let a = 2 * r1[t], b = 2 * r2[t] + 1
            if parent[a] == nil { parent[a] = a }
            if parent[b] == nil { parent[b] = b }
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var label: [Int: Int] = [:]
        var ids = [Int](repeating: 0, count: r1.count)
        for t in 0..<r1.count {
            let root = find(2 * r1[t])
            if let l = label[root] { ids[t] = l } else { label[root] = label.count + 1; ids[t] = label.count }
        }
        var counts = [Int](repeating: 0, count: label.count + 1)
        for i in ids { counts[i] += 1 }
        return (ids, ids.map { counts[$0] })
    }

    /// STILTS's `best` rule (STIL's RowMatcher: `findAllPairs(bestOnly)` then
    /// `eliminateMultipleRowEntries`). First, each row of the *scanned* table keeps only its best partner
    /// (ties: the lower partner row); the scanned table is table 1 unless table 1 has fewer rows, as STIL
    /// bins the table with fewer rows. Then all remaining pairs in ascending score (ties: lower row1, then
    /// lower row2) are kept when neither row occurred in an earlier pair — kept or not.
    /// Returns chosen pair indices ordered by row1.
    static func greedy(_ r1: [Int32], _ r2: [Int32], _ score: [Double], scanTable1: Bool = true) -> [Int] {
        let pre = scanTable1 ? Crossmatch.bestPerRow(r1, r2, score) : Crossmatch.bestPerRow(r2, r1, score)
        let order = pre.sorted { (score[$0], r1[$0], r2[$0]) < (score[$1], r1[$1], r2[$1]) }
        var seen1 = Set<Int32>(), seen2 = Set<Int32>()
        var chosen: [Int] = []
        for t in order {
            let new1 = seen1.insert(r1[t]).inserted, new2 = seen2.insert(r2[t]).inserted
            if new1 && new2 { chosen.append(t) }
        }
        return chosen.sorted { (r1[$0], r2[$0]) < (r1[$1], r2[$1]) }
    }

    /// Within each connected group of candidate pairs, the assignment with the most pairs and the lowest total
    /// score among those (Hungarian algorithm on the group's cost matrix, a missing pair costing more than
    /// all real pairs together). Groups larger than `maxGroup` rows on a side fall back to the greedy rule.
    static func optimal(_ r1: [Int32], _ r2: [Int32], _ score: [Double], maxGroup: Int = 400) -> [Int] {
        let (ids, _) = groups(r1.map { Int($0) }, r2.map { Int($0) })
        var byGroup: [Int: [Int]] = [:]
        for (t, g) in ids.enumerated() { byGroup[g, default: []].append(t) }
        var chosen: [Int] = []
        for (_, members) in byGroup {
            if members.count == 1 { chosen.append(members[0]); continue }
            let rows1 = Array(Set(members.map { r1[$0] })).sorted(), rows2 = Array(Set(members.map { r2[$0] })).sorted()
            if rows1.count > maxGroup || rows2.count > maxGroup {
                chosen += greedy(members.map { r1[$0] }, members.map { r2[$0] }, members.map { score[$0] }).map { members[$0] }
                continue
            }
            let i1 = Dictionary(uniqueKeysWithValues: rows1.enumerated().map { ($1, $0) })
            let i2 = Dictionary(uniqueKeysWithValues: rows2.enumerated().map { ($1, $0) })
            let transpose = rows1.count > rows2.count
            let n = transpose ? rows2.count : rows1.count, m = transpose ? rows1.count : rows2.count
            let total = members.reduce(0.0) { $0 + score[$1] }
            let big = 2 * total + 1
            var cost = [[Double]](repeating: [Double](repeating: big, count: m), count: n)
            var pairIndex = [[Int]](repeating: [Int](repeating: -1, count: m), count: n)
            for t in members {
                let a = i1[r1[t]] ?? 0, b = i2[r2[t]] ?? 0
                let (r, c) = transpose ? (b, a) : (a, b)
                if score[t] < cost[r][c] { cost[r][c] = score[t]; pairIndex[r][c] = t }
            }
            let assign = hungarian(cost)
            for (r, c) in assign.enumerated() where c >= 0 && pairIndex[r][c] >= 0 { chosen.append(pairIndex[r][c]) }
        }
        return chosen.sorted { (r1[$0], r2[$0]) < (r1[$1], r2[$1]) }
    }

    /// Minimum-cost assignment of the n rows of `cost` (n ≤ m columns) to distinct columns.
    /// Returns the column of each row. O(n² m) (Jonker–Volgenant style potentials with Dijkstra).
    static func hungarian(_ cost: [[Double]]) -> [Int] {
        let n = cost.count
        guard n > 0 else { return [] }
        let m = cost[0].count
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: m + 1)
        var p = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: m + 1)
            var used = [Bool](repeating: false, count: m + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...m where !used[j] {
                    let cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...m {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var result = [Int](repeating: -1, count: n)
        for j in 1...m where p[j] > 0 { result[p[j] - 1] = j - 1 }
        return result
    }
}
