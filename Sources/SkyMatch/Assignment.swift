// One-to-one assignment of candidate pairs: STILTS's greedy rule and the optimal assignment per group.

enum Assignment {
    /// Union-find over the rows of both tables: connected groups of pairs. Returns each pair's group
    /// (1-based, numbered in order of first appearance) and the number of pairs in that group.
    static func groups(_ r1: [Int], _ r2: [Int]) -> (ids: [Int], sizes: [Int]) {
        let n1 = (r1.max() ?? -1) + 1, n2 = (r2.max() ?? -1) + 1
        // Nodes: table-1 row i → i, table-2 row j → n1 + j.
        var parent = [Int32](repeating: -1, count: n1 + n2)
        func find(_ x: Int) -> Int {
            var r = x
            while parent[r] >= 0 && Int(parent[r]) != r { r = Int(parent[r]) }
            var c = x
            while parent[c] >= 0 && Int(parent[c]) != r { let next = Int(parent[c]); parent[c] = Int32(r); c = next }
            return r
        }
        for t in 0..<r1.count {
            let a = r1[t], b = n1 + r2[t]
            if parent[a] < 0 { parent[a] = Int32(a) }
            if parent[b] < 0 { parent[b] = Int32(b) }
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = Int32(min(ra, rb)) }
        }
        var label = [Int](repeating: 0, count: n1 + n2)
        var next = 0
        var ids = [Int](repeating: 0, count: r1.count)
        for t in 0..<r1.count {
            let root = find(r1[t])
            if label[root] == 0 { next += 1; label[root] = next }
            ids[t] = label[root]
        }
        var counts = [Int](repeating: 0, count: next + 1)
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
        let pre = (scanTable1 ? Crossmatch.bestPerRow(r1, r2, score) : Crossmatch.bestPerRow(r2, r1, score)).sorted()
        let order = pre.sorted { a, b in
            if score[a] != score[b] { return score[a] < score[b] }
            if r1[a] != r1[b] { return r1[a] < r1[b] }
            return r2[a] < r2[b]
        }
        var seen1 = [Bool](repeating: false, count: Int(r1.max() ?? -1) + 1)
        var seen2 = [Bool](repeating: false, count: Int(r2.max() ?? -1) + 1)
        var chosen: [Int] = []
        chosen.reserveCapacity(order.count)
        for t in order {
            let i = Int(r1[t]), j = Int(r2[t])
            let new1 = !seen1[i], new2 = !seen2[j]
            seen1[i] = true; seen2[j] = true
            if new1 && new2 { chosen.append(t) }
        }
        return chosen.sorted { r1[$0] != r1[$1] ? r1[$0] < r1[$1] : r2[$0] < r2[$1] }
    }

    /// Within each connected group of candidate pairs, the assignment with the most pairs and the lowest total
    /// score among those (Hungarian algorithm on the group's cost matrix, a missing pair costing more than
    /// all real pairs together). Groups larger than `maxGroup` rows on a side fall back to the greedy rule.
    static func optimal(_ r1: [Int32], _ r2: [Int32], _ score: [Double], maxGroup: Int = 400) -> [Int] {
        let (ids, _) = groups(r1.map { Int($0) }, r2.map { Int($0) })
        // Pairs grouped by group id (counting sort), singletons taken directly.
        let ng = ids.max() ?? 0
        var start = [Int](repeating: 0, count: ng + 2)
        for g in ids { start[g + 1] += 1 }
        for g in 0...ng { start[g + 1] += start[g] }
        var members = [Int](repeating: 0, count: ids.count)
        var fill = start
        for (t, g) in ids.enumerated() { members[fill[g]] = t; fill[g] += 1 }
        var chosen: [Int] = []
        chosen.reserveCapacity(ids.count)
        var byGroup: [[Int]] = []
        for g in 1...max(1, ng) where g <= ng {
            let m = Array(members[start[g]..<start[g + 1]])
            if m.count == 1 { chosen.append(m[0]) } else { byGroup.append(m) }
        }
        for members in byGroup {
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
