// LSD radix sort of 64-bit keys carrying a row permutation: O(N) passes of 11 bits over the bits in use.

enum RadixSort {
    /// Sorts `keys` ascending (stable) and returns the permutation: `perm[k]` is the original row of the
    /// k-th smallest key. Negative keys (invalid rows) are sorted first. `bits` is the number of
    /// significant bits of the (non-negative) keys.
    static func sortWithPermutation(_ keys: inout [Int64], bits: Int) -> [Int32] {
        let n = keys.count
        var perm = [Int32](repeating: 0, count: n)
        for i in 0..<n { perm[i] = Int32(i) }
        guard n > 1 else { return perm }
        // Shift by one so that -1 (invalid) sorts first as 0; valid keys become key + 1.
        var k = keys.map { UInt64(bitPattern: $0 &+ 1) }
        var k2 = [UInt64](repeating: 0, count: n)
        var p2 = [Int32](repeating: 0, count: n)
        let digit = 11, radix = 1 << digit, mask = UInt64(radix - 1)
        var passes = (bits + 1 + digit - 1) / digit
        if passes < 1 { passes = 1 }
        var counts = [Int](repeating: 0, count: radix)
        for pass in 0..<passes {
            let shift = UInt64(pass * digit)
            for i in 0..<radix { counts[i] = 0 }
            k.withUnsafeBufferPointer { kb in
                counts.withUnsafeMutableBufferPointer { cb in
                    for i in 0..<n { cb[Int((kb[i] >> shift) & mask)] += 1 }
                }
            }
            if counts.contains(n) { continue }   // every key has the same digit: nothing to move
            var sum = 0
            for i in 0..<radix { let c = counts[i]; counts[i] = sum; sum += c }
            k.withUnsafeBufferPointer { kb in
                perm.withUnsafeBufferPointer { pb in
                    k2.withUnsafeMutableBufferPointer { k2b in
                        p2.withUnsafeMutableBufferPointer { p2b in
                            counts.withUnsafeMutableBufferPointer { cb in
                                for i in 0..<n {
                                    let d = Int((kb[i] >> shift) & mask)
                                    let dst = cb[d]
                                    cb[d] = dst + 1
                                    k2b[dst] = kb[i]; p2b[dst] = pb[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&k, &k2); swap(&perm, &p2)
        }
        for i in 0..<n { keys[i] = Int64(bitPattern: k[i]) &- 1 }
        return perm
    }
}
