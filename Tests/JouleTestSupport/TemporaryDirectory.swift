import Foundation

/// A fresh directory that is removed when the value is deinitialised.
///
/// Created with mode 0755: the plugin loader refuses directories others can write to, and
/// tests that want such a directory change its mode themselves.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ label: String = "joule-test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).standardized.path
        var template = Array("\(base)/\(label).XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw TestSupportError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        url = URL(fileURLWithPath: String(cString: created))
        chmod(url.path, 0o755)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `contents` to a file inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String, mode: mode_t = 0o644) throws -> URL {
        let target = file(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: target)
        chmod(target.path, mode)
        return target
    }

    /// Makes a subdirectory with mode 0755.
    public func directory(_ name: String) throws -> URL {
        let target = file(name)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        chmod(target.path, 0o755)
        return target
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
