import Foundation

/// Where things are while tests run: the package checkout, and the build products
/// (`joule`, the plugin libraries, Swift modules) of the build that made this test binary.
public enum PackageLayout {
    /// The package root, found from this file's own path.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding joule_plugin.h.
    public static var pluginHeaderDirectory: URL { root.appendingPathComponent("Sources/PluginAPI/include") }

    /// The directory holding the test binary, which is also where SwiftPM put `joule` and
    /// the plugin libraries.
    public static let productsDirectory: URL = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // On Linux the test runner is `<products>/JoulePackageTests.xctest`, an executable.
        if url.pathExtension == "xctest" { url = url.deletingLastPathComponent() }
        return url
    }()

    /// A built product by file name; fails with advice when the build did not make it.
    public static func product(_ name: String) throws -> URL {
        let url = productsDirectory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TestSupportError("\(url.path) is missing: run `swift build` before `swift test` (the README's test command does)")
        }
        return url
    }

    /// The `joule` executable of this build.
    public static func joule() throws -> URL { try product("joule") }

    /// A file under `Tests/Fixtures`.
    public static func fixture(_ relativePath: String) -> URL {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relativePath)
    }

    /// The original Paleo's networks, from which the reference CSVs were made.
    public static var paleoReferenceNets: URL { sharedData.appendingPathComponent("paleo/nets") }

    /// `../shared/data`, beside the checkout (CI puts it there).
    public static var sharedData: URL {
        root.deletingLastPathComponent().appendingPathComponent("shared/data")
    }
}

/// A failure of the test scaffolding itself (a missing product, a compiler error).
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
