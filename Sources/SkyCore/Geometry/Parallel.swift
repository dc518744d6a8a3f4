// Data-parallel loops over index ranges, for the few hot loops that run over whole columns.
import Dispatch
import Foundation

/// Pointers handed to parallel workers. Each worker touches a disjoint index range, so sharing is safe.
/// Visible to the package's other modules (SkyMatch, SkyPhot), not to users.
package struct UnsafeMutableSendablePointer<T>: @unchecked Sendable { package let p: UnsafeMutablePointer<T>; package init(_ p: UnsafeMutablePointer<T>) { self.p = p } }
package struct UnsafeSendablePointer<T>: @unchecked Sendable { package let p: UnsafePointer<T>; package init(_ p: UnsafePointer<T>) { self.p = p } }

/// One result slot per worker index, filled under a lock.
final class ParallelSlots<T, E: Error>: @unchecked Sendable {
    var results: [Result<T, E>?]
    let lock = NSLock()
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}

/// Data-parallel loops over index ranges (the machine's cores, deterministic chunking).
public enum Parallel {
    /// Number of workers: `SKYTOOL_THREADS` from the environment when it is a positive integer, else the
    /// active processor count. Results never depend on it (work is split into fixed chunks and merged in
    /// order); only the speed does.
    public static var workers: Int {
        if let v = getenv("SKYTOOL_THREADS"), let n = Int(String(cString: v)), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// `body(i)` for i in 0..<count, computed concurrently (or in order when `workers` is 1), in index order.
    /// The first error in index order is thrown.
    public static func map<T: Sendable, E: Error>(_ count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        let slots = ParallelSlots<T, E>(count)
        perform(iterations: count) { i in
            let r: Result<T, E>
            do throws(E) { r = .success(try body(i)) } catch { r = .failure(error) }
            slots.lock.lock(); slots.results[i] = r; slots.lock.unlock()
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for r in slots.results { if let r { out.append(try r.get()) } }
        return out
    }

    /// Runs `body(i)` for i in 0..<iterations: concurrently, or in order on this thread when `workers` is 1.
    public static func perform(iterations: Int, _ body: @Sendable (Int) -> Void) {
        if workers == 1 { for i in 0..<iterations { body(i) } }
        else { DispatchQueue.concurrentPerform(iterations: iterations, execute: body) }
    }

    /// Calls `body(lo, hi)` over disjoint chunks covering 0..<count, on all cores when count ≥ 2·minChunk.
    public static func forEachChunk(count: Int, minChunk: Int, _ body: @Sendable (Int, Int) -> Void) {
        guard count > 0 else { return }
        let w = workers
        if w == 1 || count < 2 * minChunk { body(0, count); return }
        let chunks = min(w * 4, (count + minChunk - 1) / minChunk)
        let size = (count + chunks - 1) / chunks
        perform(iterations: chunks) { c in
            let lo = c * size, hi = min(count, lo + size)
            if lo < hi { body(lo, hi) }
        }
    }
}

/// The first pass of a stream compaction on all cores: items 0..<count cut into `chunks` equal chunks, the
/// kept items of each chunk counted concurrently, and each chunk's first output slot (the prefix sums of the
/// counts). A second pass (`Parallel.perform(iterations: chunks)`) then writes chunk c's kept items from
/// `offsets[c]` on, in item order, so the output is the same as a serial filter's for any number of chunks.
package struct CompactionPlan: Sendable {
    package let count: Int, chunks: Int, size: Int
    /// Output slot of each chunk's first kept item; `offsets[chunks]` is the number kept.
    package let offsets: [Int]
    /// Kept items of each chunk.
    package let counts: [Int]

    /// Counts the items for which `keep(i)` is true, in `chunks` chunks (at least 1).
    @inlinable package init(count: Int, chunks: Int, keep: @Sendable (Int) -> Bool) {
        let chunks = max(1, chunks)
        let size = (count + chunks - 1) / chunks
        let counts = Parallel.map(chunks) { (c: Int) -> Int in
            var m = 0
            for i in (c * size)..<min(count, (c + 1) * size) where keep(i) { m &+= 1 }
            return m
        }
        var offsets = [0]
        offsets.reserveCapacity(chunks + 1)
        for m in counts { offsets.append(offsets[offsets.count - 1] + m) }
        self.count = count; self.chunks = chunks; self.size = size; self.offsets = offsets; self.counts = counts
    }

    /// The items of chunk `c`.
    @inlinable package func items(of c: Int) -> Range<Int> { min(count, c * size)..<min(count, (c + 1) * size) }
    /// The number of items kept.
    @inlinable package var kept: Int { offsets[chunks] }
}
