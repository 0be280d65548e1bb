import Foundation

/// Builds the C fixtures of the tests with the system C compiler, against joule_plugin.h.
public enum CCompiler {
    /// The compiler: `$CC` or `cc`.
    static var compiler: URL {
        let name = ProcessInfo.processInfo.environment["CC"] ?? "cc"
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let candidate = URL(fileURLWithPath: "\(directory)/\(name)")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: name)
    }

    /// Compiles C `source` files into a shared library at `output` (strict C99, warnings
    /// are errors, so the header stays clean for plugin authors).
    @discardableResult
    public static func sharedLibrary(sources: [URL], output: URL, extraFlags: [String] = []) throws -> URL {
        let arguments = ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-shared", "-fPIC",
                         "-I", PackageLayout.pluginHeaderDirectory.path] + extraFlags
            + sources.map(\.path) + ["-o", output.path]
        let result = try runProcess(compiler, arguments)
        guard result.status == 0 else {
            throw TestSupportError("cc failed for \(sources.map(\.lastPathComponent)):\n\(result.standardError)")
        }
        chmod(output.path, 0o755)
        return output
    }

    /// Compiles one fixture from `Tests/Fixtures/plugins` into `directory`.
    @discardableResult
    public static func fixturePlugin(_ name: String, into directory: TemporaryDirectory, as fileName: String? = nil,
                                     extraFlags: [String] = []) throws -> URL {
        try sharedLibrary(sources: [PackageLayout.fixture("plugins/\(name).c")],
                          output: directory.file(fileName ?? "lib\(name).so"), extraFlags: extraFlags)
    }

    /// Compiles and runs a C program, returning what it printed.
    public static func run(source: URL, in directory: TemporaryDirectory) throws -> String {
        let binary = directory.file(source.deletingPathExtension().lastPathComponent)
        let compile = try runProcess(compiler, ["-std=c99", "-Wall", "-Werror", "-I", PackageLayout.pluginHeaderDirectory.path,
                                                source.path, "-o", binary.path])
        guard compile.status == 0 else { throw TestSupportError("cc failed:\n\(compile.standardError)") }
        let result = try runProcess(binary, [])
        guard result.status == 0 else { throw TestSupportError("\(binary.lastPathComponent) exited \(result.status)") }
        return result.standardOutput
    }
}

/// Builds Swift plugin sources against this build's PluginAPI module with the same
/// toolchain, as a plugin author's own package would.
public enum SwiftPluginCompiler {
    public static func sharedLibrary(source: URL, moduleName: String, output: URL) throws -> URL {
        let products = PackageLayout.productsDirectory
        let modules = products.appendingPathComponent("Modules")
        let moduleMap = products.appendingPathComponent("JoulePluginABI.build/module.modulemap")
        let objectsDirectory = products.appendingPathComponent("PluginAPI.build")
        let objects = ((try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".swift.o") }.sorted().map { objectsDirectory.appendingPathComponent($0).path }
        guard FileManager.default.fileExists(atPath: moduleMap.path), !objects.isEmpty else {
            throw TestSupportError("the PluginAPI build products are not in \(products.path); run `swift build` first")
        }
        let swiftc = try findSwiftc()
        let result = try runProcess(swiftc, [
            "-emit-library", "-parse-as-library", "-swift-version", "6", "-module-name", moduleName,
            "-I", modules.path, "-Xcc", "-fmodule-map-file=\(moduleMap.path)", source.path,
        ] + objects + ["-o", output.path])
        guard result.status == 0 else { throw TestSupportError("swiftc failed:\n\(result.standardError)") }
        return output
    }

    /// The `swiftc` next to the toolchain on PATH.
    static func findSwiftc() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: "\(directory)/swiftc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw TestSupportError("swiftc is not on PATH")
    }
}

extension Array where Element == CChar {
    /// The NUL-terminated string at the start of a C buffer.
    public var cStringValue: String {
        let bytes = prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
