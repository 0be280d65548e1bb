import Foundation

/// Where the host looks for drop-in hardware-profile files, in order of precedence.
///
/// 1. `--gpu-file` values (files or directories): the user named them for this run.
/// 2. `$JOULE_GPU_PATH` (colon-separated files or directories).
/// 3. `$XDG_CONFIG_HOME/joule/gpus`, or `~/.config/joule/gpus`.
///
/// A profile id defined earlier wins over one defined later; any drop-in file wins over a
/// built-in profile of the same id (that is how a user corrects a built-in number).
public struct ProfileFileSearch: Sendable, Equatable {
    public enum Origin: String, Sendable, Equatable {
        case commandLine = "--gpu-file"
        case environment = "$JOULE_GPU_PATH"
        case userConfiguration = "user configuration"
    }

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

    /// The standard order; the environment is ignored when running set-uid or set-gid.
    public static func standard(environment: [String: String], commandLine: [String]) -> ProfileFileSearch {
        var entries = commandLine.map { Entry(path: $0, origin: .commandLine) }
        guard !ProcessSecurity.isPrivilegeElevated else { return ProfileFileSearch(entries: entries) }
        if let value = environment["JOULE_GPU_PATH"] {
            for part in value.split(separator: ":", omittingEmptySubsequences: true) {
                entries.append(Entry(path: String(part), origin: .environment))
            }
        }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { "\($0)/.config" }
        if let configHome {
            entries.append(Entry(path: "\(configHome)/joule/gpus", origin: .userConfiguration))
        }
        return ProfileFileSearch(entries: entries)
    }
}

/// A drop-in profile file that could not be used.
public struct ProfileFileProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var origin: ProfileFileSearch.Origin
    public var message: String

    /// "gpus/my.json: line 7: field 'tdp_watts': must be positive, got -300".
    public var description: String { "\(path): \(message)" }
}
