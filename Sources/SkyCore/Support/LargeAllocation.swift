// Large freshly allocated arrays: asking Linux for transparent huge pages before the first touch.
//
// A 10⁷-element Int64 column is 80 MB: 20 000 page faults of 4 KiB, each zeroing its page, cost as much as the
// work done on the column. With MADV_HUGEPAGE the same range faults in 2 MiB pages (about 40 faults);
// Docs/performance.md has the figures. Systems whose transparent-huge-page setting is "never" (or other
// platforms) ignore the advice; results never depend on it.
#if canImport(Glibc)
import Glibc
#endif

package enum LargeAllocation {
    /// Below this many bytes the advice is not worth a system call.
    package static let threshold = 8 << 20

    /// Advises the kernel to back the whole 2 MiB-aligned pages inside `count` elements at `base` with
    /// huge pages. Call it before the memory is first written.
    package static func adviseHugePages<T>(_ base: UnsafeMutablePointer<T>, count: Int) {
        #if os(Linux)
        let bytes = count * MemoryLayout<T>.stride
        guard bytes >= threshold else { return }
        let huge = 2 << 20
        let lo = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
        let hi = (Int(bitPattern: base) + bytes) & ~(huge - 1)
        if hi > lo, let p = UnsafeMutableRawPointer(bitPattern: lo) {
            _ = madvise(p, hi - lo, MADV_HUGEPAGE) // failure only costs speed
        }
        #endif
    }

    /// A large array whose elements the caller writes before reading them (no zero fill; huge pages
    /// advised). For plain values only (integers, floating point, structs of them).
    package static func uninitialisedArray<T>(_ type: T.Type, count n: Int) -> [T] {
        [T](unsafeUninitializedCapacity: n) { b, count in
            if let base = b.baseAddress { adviseHugePages(base, count: n) }
            count = n
        }
    }
}
