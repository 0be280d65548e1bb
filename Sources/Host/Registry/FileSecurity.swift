import Foundation

/// Checks that a file the host will run code from is safe to load.
///
/// A plugin file, or a directory holding it, that users other than its owner can write is
/// a way for them to run code as whoever runs `joule`; so is a file owned by someone other
/// than the user or root. The host refuses such files and says how to fix them.
public enum FileSecurity {
    /// What is wrong with a file's ownership or permissions.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case writableByOthers(path: String, isDirectory: Bool, mode: UInt32)
        case foreignOwner(path: String, owner: UInt32)
        case notRegularFile(path: String)
        case unreadable(path: String, reason: String)
        /// A file found in a plugin directory that is a symbolic link to a file outside it.
        case linksOutOfDirectory(path: String, target: String, directory: String)

        public var description: String {
            switch self {
            case .writableByOthers(let path, let isDirectory, let mode):
                let what = isDirectory ? "directory" : "file"
                return "\(what) \(path) is writable by group or others (mode \(String(mode & 0o7777, radix: 8))); "
                    + "run `chmod go-w \(path)`"
            case .foreignOwner(let path, let owner):
                return "\(path) is owned by uid \(owner), neither you (uid \(geteuid())) nor root"
            case .notRegularFile(let path):
                return "\(path) is not a regular file"
            case .unreadable(let path, let reason):
                return "cannot inspect \(path): \(reason)"
            case .linksOutOfDirectory(let path, let target, let directory):
                return "\(path) is a link to \(target), outside the plugin directory \(directory); "
                    + "name the target with --plugin-path if you mean to load it"
            }
        }
    }

    /// Checks `path` (following a symbolic link to its target) and every directory above the
    /// target, up to the root: any of them that others can write lets them swap the file.
    ///
    /// - Returns: the first problem found, or `nil` when the file may be loaded.
    public static func check(_ path: String) -> Problem? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var info = stat()
        guard stat(resolved, &info) == 0 else {
            return .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notRegularFile(path: path) }
        if let problem = ownershipProblem(resolved, info, isDirectory: false) { return problem }
        var directory = URL(fileURLWithPath: resolved).deletingLastPathComponent()
        while true {
            var dirInfo = stat()
            guard stat(directory.path, &dirInfo) == 0 else {
                return .unreadable(path: directory.path, reason: String(cString: strerror(errno)))
            }
            if let problem = ownershipProblem(directory.path, dirInfo, isDirectory: true) { return problem }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path || directory.path == "/" { return nil }
            directory = parent
        }
    }

    /// Whether `path`, found by listing `directory`, resolves to a file inside that
    /// directory (links within it are fine; a link out is how a shared plugin directory
    /// would smuggle in a file nobody put there).
    public static func checkContained(_ path: String, in directory: String) -> Problem? {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return target.hasPrefix(prefix) ? nil : .linksOutOfDirectory(path: path, target: target, directory: directory)
    }

    private static func ownershipProblem(_ path: String, _ info: stat, isDirectory: Bool) -> Problem? {
        let mode = UInt32(info.st_mode)
        // A sticky, root-owned directory such as /tmp is writable by all but safe for files
        // that others cannot replace; plugins still should not live there, but only the file
        // checks matter then.
        let sticky = isDirectory && (mode & UInt32(S_ISVTX)) != 0
        if mode & 0o022 != 0 && !sticky {
            return .writableByOthers(path: path, isDirectory: isDirectory, mode: mode)
        }
        let owner = UInt32(info.st_uid)
        if owner != 0 && owner != UInt32(geteuid()) {
            return .foreignOwner(path: path, owner: owner)
        }
        return nil
    }
}
