// Outputs that replace existing files: the replaced file's cached pages released when a run starts, and the
// new file's writeback started while it is being written.
internal import CSkySystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A helper thread that starts the kernel's writeback of a temporary file as it grows, for a file that will
/// be renamed over an existing one on ext2/3/4.
///
/// ext4 (with its default `auto_da_alloc`) allocates the blocks of a file renamed over an existing one and
/// starts its writeback inside the rename, so that a crash leaves the old or the new contents: 0.13–0.15 s
/// for a 227 MB output on the development machine, on one core while the other idles. Starting that
/// writeback while the file is written (`sync_file_range`, which does not wait for the disk) does the same
/// kernel work on this thread, beside the encoding, and leaves the rename little to do. Nothing written
/// changes, nor the crash guarantee: the rename still follows the complete file, and ext4 still orders it
/// after the data. Elsewhere (a new output, other file systems, where a rename does not flush) nothing is
/// started: the writeback would then be work the run need not do.
final class ReplacementWriteback: @unchecked Sendable {
    /// Writeback is started for whole steps of this many bytes (the last partial step is left to the rename).
    static let step: Int64 = 8 << 20
    private let temporary: String
    private let condition = NSCondition()
    private var stopping = false
    /// Bytes from the start of the temporary file whose writeback was started; read it after `finish`.
    private(set) var startedBytes: Int64 = 0
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the helper when `target` is an existing regular file on ext2/3/4; nil otherwise.
    init?(temporary: String, replacing target: String) {
        #if os(Linux)
        let fd = open(target, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        let regular = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        let ext4 = skysys_is_ext4(fd) == 1
        close(fd)
        guard regular, ext4 else { return nil }
        self.temporary = temporary
        let thread = Thread { [self] in run(); finished.signal() }
        thread.start()
        #else
        return nil
        #endif
    }

    /// Stops the helper and waits for it (call before the rename). The helper's last pass covers the whole
    /// steps written by then.
    func finish() {
        condition.lock(); stopping = true; condition.signal(); condition.unlock()
        finished.wait()
    }

    /// Every 2 ms (and once more when stopped): writeback of the whole steps written since the last pass.
    private func run() {
        var fd: Int32 = -1
        defer { if fd >= 0 { close(fd) } }
        var stop = false
        while !stop {
            condition.lock()
            if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.002)) }
            stop = stopping
            condition.unlock()
            if fd < 0 { fd = open(temporary, O_RDONLY | O_CLOEXEC) }
            var st = stat()
            guard fd >= 0, fstat(fd, &st) == 0 else { continue }
            let end = Int64(st.st_size) / Self.step * Self.step
            if end > startedBytes {
                // Failure only leaves the work to the rename, as without this helper.
                _ = skysys_start_writeback(fd, startedBytes, end - startedBytes)
                startedBytes = end
            }
        }
    }
}

/// Releases the operating system's cached pages of an existing file that output `path` will replace (a run's
/// output written again, say), so that the memory they hold serves the run.
///
/// Call it when a run starts. The pages would be dropped anyway when the new file is renamed over the old
/// one, at the end of the run; released now, their memory is what the run's first allocations reuse. That
/// matters where fresh memory is slow: on a virtual machine whose freed memory is handed back to the host
/// (free page reporting), memory freed a moment ago is faulted in an order of magnitude faster than memory
/// idle for seconds (figures for a 10^7-row match in Docs/performance.md).
///
/// Only clean cached pages are dropped; the file's contents and the output's crash guarantee are untouched
/// (a failed run leaves the old file whole). Nothing is done when there is no such regular file, or when it
/// is one of `inputs` (the files the run reads keep their pages). Returns whether pages were released.
@discardableResult
public func releaseCachedPages(ofReplacedOutput path: String, inputs: [String] = []) -> Bool {
    #if os(Linux)
    func identity(_ p: String) -> (UInt, UInt)? {
        var st = stat()
        guard stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (UInt(st.st_dev), UInt(st.st_ino))
    }
    guard let target = identity(path), !inputs.contains(where: { identity($0).map { $0 == target } ?? false }) else { return false }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return skysys_drop_cached_pages(fd) == 0
    #else
    return false
    #endif
}
