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
