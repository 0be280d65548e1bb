import Foundation

/// Where the host looks for plugins, in order.
///
/// 1. The directory of the `joule` executable (the bundled plugins live there).
/// 2. Each entry of `$JOULE_PLUGIN_PATH` (colon-separated).
/// 3. Each `--plugin-path` given on the command line.
///
/// Entries may be directories (every `*.so` and `*.ffi.json` in them is a candidate) or
/// single files. The current directory is never searched implicitly: a plugin runs code
/// in the host, and dropping a file in a working directory must not be enough to run it.
public struct PluginSearchPath: Sendable, Equatable {
    /// Why a place is searched.
    public enum Origin: String, Sendable, Equatable {
        case executableDirectory = "executable directory"
        case environment = "$JOULE_PLUGIN_PATH"
        case commandLine = "--plugin-path"
    }

    /// One place to search.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var origin: Origin

        public init(path: String, origin: Origin) {
            self.path = path
            self.origin = origin
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The standard order.
    ///
    /// - Parameters:
    ///   - executableDirectory: the directory holding `joule`; `nil` to skip it (tests).
    ///   - environment: the process environment; `JOULE_PLUGIN_PATH` is read from it unless
    ///     the process runs set-uid or set-gid, where the environment is not trusted.
    ///   - commandLine: the `--plugin-path` values, in order.
    public static func standard(
        executableDirectory: String?, environment: [String: String], commandLine: [String]
    ) -> PluginSearchPath {
        var entries: [Entry] = []
        if let executableDirectory { entries.append(Entry(path: executableDirectory, origin: .executableDirectory)) }
        if !ProcessSecurity.isPrivilegeElevated, let value = environment["JOULE_PLUGIN_PATH"] {
            for part in value.split(separator: ":", omittingEmptySubsequences: true) {
                entries.append(Entry(path: String(part), origin: .environment))
            }
        }
        for path in commandLine { entries.append(Entry(path: path, origin: .commandLine)) }
        return PluginSearchPath(entries: entries)
    }

    /// The directory of the running executable, from /proc/self/exe.
    public static var executableDirectory: String? {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first
        guard let path else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}

/// Facts about the running process that decide how far the environment is trusted.
public enum ProcessSecurity {
    /// True when the process runs with set-uid or set-gid privileges.
    public static var isPrivilegeElevated: Bool {
        getuid() != geteuid() || getgid() != getegid()
    }
}
