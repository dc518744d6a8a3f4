// LSD radix sort of 64-bit keys carrying a row permutation: O(N) passes of 11 bits over the bits in use.

/// Stable radix sorting of unsigned 64-bit keys.
public enum RadixSort {
    /// Sorts `keys` ascending (stable: equal keys keep their order) and returns the permutation: `perm[k]` is
    /// the original position of the k-th smallest key. Only the lowest `bits` bits are examined.
    public static func sort(_ keys: inout [UInt64], bits: Int) -> [Int32] {
        let n = keys.count
        var perm = LargeAllocation.uninitialisedArray(Int32.self, count: n)
        for i in 0..<n { perm[i] = Int32(truncatingIfNeeded: i) }
        guard n > 1 else { return perm }
        // Scatter targets: every element is written by the first pass that moves anything.
        var k2 = LargeAllocation.uninitialisedArray(UInt64.self, count: n), p2 = LargeAllocation.uninitialisedArray(Int32.self, count: n)
        let digit = 11, radix = 1 << digit, mask = UInt64(radix - 1)
        let passes = max(1, (bits + digit - 1) / digit)
        var counts = [Int](repeating: 0, count: radix)
        for pass in 0..<passes {
            let shift = UInt64(pass * digit)
            for i in 0..<radix { counts[i] = 0 }
            keys.withUnsafeBufferPointer { kb in counts.withUnsafeMutableBufferPointer { cb in
                for i in 0..<n { cb[Int((kb[i] >> shift) & mask)] += 1 }
            } }
            if counts.contains(n) { continue }   // every key has the same digit: nothing to move
            var sum = 0
            for i in 0..<radix { let c = counts[i]; counts[i] = sum; sum += c }
            keys.withUnsafeBufferPointer { kb in perm.withUnsafeBufferPointer { pb in
                k2.withUnsafeMutableBufferPointer { k2b in p2.withUnsafeMutableBufferPointer { p2b in
                    counts.withUnsafeMutableBufferPointer { cb in
                        for i in 0..<n {
                            let d = Int((kb[i] >> shift) & mask)
                            let dst = cb[d]; cb[d] = dst + 1
                            k2b[dst] = kb[i]; p2b[dst] = pb[i]
                        }
                    }
                } }
            } }
            swap(&keys, &k2); swap(&perm, &p2)
        }
        return perm
    }

    /// Sorts signed keys ≥ −1 (−1 marks invalid rows, sorted first) with `bits` significant bits.
    static func sortWithPermutation(_ keys: inout [Int64], bits: Int) -> [Int32] {
        var k = keys.map { UInt64(bitPattern: $0 &+ 1) }
        let perm = sort(&k, bits: bits + 1)
        for i in 0..<keys.count { keys[i] = Int64(bitPattern: k[i]) &- 1 }
        return perm
    }
}
