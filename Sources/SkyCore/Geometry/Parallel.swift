// Data-parallel loops over index ranges, for the few hot loops that run over whole columns.
import Dispatch
import Foundation

/// Pointers handed to parallel workers. Each worker touches a disjoint index range, so sharing is safe.
struct UnsafeMutableSendablePointer<T>: @unchecked Sendable { let p: UnsafeMutablePointer<T>; init(_ p: UnsafeMutablePointer<T>) { self.p = p } }
struct UnsafeSendablePointer<T>: @unchecked Sendable { let p: UnsafePointer<T>; init(_ p: UnsafePointer<T>) { self.p = p } }

/// Data-parallel loops over index ranges (the machine's cores, deterministic chunking).
public enum Parallel {
    /// Number of workers: the active processor count.
    public static var workers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(lo, hi)` over disjoint chunks covering 0..<count, on all cores when count ≥ 2·minChunk.
    public static func forEachChunk(count: Int, minChunk: Int, _ body: @Sendable (Int, Int) -> Void) {
        guard count > 0 else { return }
        let w = workers
        if w == 1 || count < 2 * minChunk { body(0, count); return }
        let chunks = min(w * 4, (count + minChunk - 1) / minChunk)
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size, hi = min(count, lo + size)
            if lo < hi { body(lo, hi) }
        }
    }
}
