/// The Swift toolchain this code was compiled with, as a string such as "Swift 6.3.1".
///
/// Swift has no stable ABI on Linux: a Swift plugin built by another toolchain than the
/// host's may crash the host in ways no check can contain. Every Swift plugin records this
/// string in `joule_plugin.swift_toolchain` and the host refuses one that differs from its
/// own. The value comes from compile-time `#if compiler` checks, so the host and each plugin
/// evaluate it with their own compilers; its granularity is the patch release.
public enum SwiftToolchain {
    public static let current: String = {
        #if compiler(>=7.0)
        return "Swift 7.0 or later"
        #elseif compiler(>=6.5)
        return "Swift 6.5"
        #elseif compiler(>=6.4)
        return "Swift 6.4"
        #elseif compiler(>=6.3.3)
        return "Swift 6.3.3 or a later 6.3"
        #elseif compiler(>=6.3.2)
        return "Swift 6.3.2"
        #elseif compiler(>=6.3.1)
        return "Swift 6.3.1"
        #elseif compiler(>=6.3)
        return "Swift 6.3.0"
        #elseif compiler(>=6.2)
        return "Swift 6.2"
        #elseif compiler(>=6.1)
        return "Swift 6.1"
        #else
        return "Swift 6.0 or earlier"
        #endif
    }()
}
