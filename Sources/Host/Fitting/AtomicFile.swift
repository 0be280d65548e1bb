import Foundation

/// Writes `text` to `path` so that no reader ever sees half a file and a crash never loses
/// the old one: a temporary file beside it, flushed to disk, then renamed over `path`.
///
/// Model files (`joule fit`) and search outputs (front.csv, best/, search.json) are written
/// this way.
///
/// - Throws: `AtomicFileError` naming the path and the reason.
public func writeFileAtomically(_ text: String, to path: String) throws(AtomicFileError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    // A writer killed between creating its temporary file and the rename leaves it behind;
    // Joule never has two writers of one file, so any such file is stale.
    let stalePrefix = ".\(url.lastPathComponent)."
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    where name.hasPrefix(stalePrefix) && name.hasSuffix(".tmp") {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
          let handle = FileHandle(forWritingAtPath: temporary.path) else {
        throw AtomicFileError(path: path, reason: "cannot create \(temporary.path)")
    }
    do {
        try handle.write(contentsOf: Data(text.utf8))
        try handle.synchronize()
        try handle.close()
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw AtomicFileError(path: path, reason: error.localizedDescription)
    }
    guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: temporary)
        throw AtomicFileError(path: path, reason: reason)
    }
}

/// A file that could not be written.
public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
