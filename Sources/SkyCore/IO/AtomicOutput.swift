// Writes that leave either the complete new file or nothing.
import Foundation

/// Runs `body` with a temporary path in the same folder as `path` (same file-name suffix, so that
/// writers choosing a format by extension, or cfitsio compressing `.gz`, behave the same), then renames
/// the temporary file onto `path`. If `body` throws, the temporary file is removed and `path` is untouched.
public func writeAtomically<R>(to path: String, _ body: (String) throws -> R) throws -> R {
    let tmp = try temporarySibling(of: path)
    let writeback = ReplacementWriteback(temporary: tmp, replacing: path)
    do {
        let r: R
        do {
            defer { writeback?.finish() }   // the helper is done before the rename or the clean-up
            r = try body(tmp)
        }
        try moveIntoPlace(tmp, path)
        return r
    } catch {
        unlink(tmp)
        throw error
    }
}

/// A temporary file name in the folder of `path` (which must exist), keeping its file name as the suffix.
func temporarySibling(of path: String) throws -> String {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
        throw CatalogueError(.invalidArgument, "cannot write '\(path)': folder '\(dir)' does not exist")
    }
    return dir + "/.skytool-tmp-\(UInt32.random(in: 0...UInt32.max))-" + url.lastPathComponent
}

/// Renames the finished temporary file `tmp` onto `path`; on failure `tmp` is removed.
func moveIntoPlace(_ tmp: String, _ path: String) throws {
    if rename(tmp, path) != 0 {
        let err = String(cString: strerror(errno))
        unlink(tmp)
        throw CatalogueError(.invalidArgument, "cannot write '\(path)': \(err)")
    }
}
