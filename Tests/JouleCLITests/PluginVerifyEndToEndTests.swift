import Foundation
import JouleTestSupport
import Testing

/// `joule plugins --verify PATH`: good and bad C plugins, each problem one line naming the
/// file, exit 65 on any.
@Suite struct PluginVerifyEndToEndTests {
    static func errorLines(_ result: ProcessResult) -> [String] {
        result.standardError.split(separator: "\n").map(String.init).filter { $0.hasPrefix("joule: error: ") }
    }

    @Test func aGoodPluginVerifies() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("probe", into: directory)
        let result = try runJoule(["plugins", "--verify", library.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        for expected in ["permissions: ", "format: an ELF file", "loads: ", "entry: exports joule_plugin_init",
                         "ABI: implements 1.1; this joule speaks 1.1", "not checked  components: ", "verified: no problem found"] {
            #expect(result.standardOutput.contains(expected), "\(expected) in \(result.standardOutput)")
        }
    }

    struct BadPlugin: Sendable, CustomTestStringConvertible {
        var flags: [String]
        var problem: String
        var testDescription: String { flags.joined(separator: "+") }
    }

    static let badPlugins: [BadPlugin] = [
        .init(flags: ["PROBE_ABI_MISMATCH"], problem: "ABI major version mismatch: plugin implements 2.0, host speaks 1.1; upgrade Joule"),
        .init(flags: ["PROBE_NO_ENTRY"], problem: "no entry symbol: the library does not export `joule_plugin_init`"),
        .init(flags: ["PROBE_SKIPS_NEGOTIATION"], problem: "ABI: joule_plugin_init accepted host ABI 0.0 and initialised itself"),
        .init(flags: ["PROBE_INIT_FAILS"], problem: "ABI: joule_plugin_init returned JOULE_FAILED to a negotiation without saying which ABI it implements: licence file /etc/probe.lic not found"),
    ]

    @Test(arguments: badPlugins)
    func aBadPluginIsOneProblemLine(_ bad: BadPlugin) throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("probe", into: directory, extraFlags: bad.flags.map { "-D\($0)" })
        let result = try runJoule(["plugins", "--verify", library.path])
        #expect(result.status == 65)
        let lines = Self.errorLines(result)
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.hasPrefix("joule: error: \(library.path): \(bad.problem)") == true, "\(lines)")
    }

    /// A world-writable library is refused before dlopen: nothing of it runs.
    @Test func aWorldWritablePluginIsRefusedUnloaded() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("probe", into: directory)
        chmod(library.path, 0o777)
        let result = try runJoule(["plugins", "--verify", library.path])
        #expect(result.status == 65)
        #expect(Self.errorLines(result) == ["joule: error: \(library.path): refused: file \(library.path) is writable by group or others (mode 777); run `chmod go-w \(library.path)`"])
        #expect(result.standardOutput.contains("not checked  the rest: it was not loaded"))
        #expect(!result.standardOutput.contains("loads:"))
    }

    @Test func aFileThatIsNoLibraryAndAMissingFileAreProblemsEach() throws {
        let directory = try TemporaryDirectory()
        let junk = try directory.write("libjunk.so", "not ELF")
        let good = try CCompiler.fixturePlugin("probe", into: directory)
        let missing = directory.file("libmissing.so").path
        let result = try runJoule(["plugins", "--verify", good.path, "--verify", junk.path, "--verify", missing])
        #expect(result.status == 65)
        let lines = Self.errorLines(result)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first == "joule: error: \(junk.path): not a shared library (no ELF header)")
        #expect(lines.last?.hasPrefix("joule: error: \(missing): refused: cannot inspect \(missing): No such file") == true, "\(lines)")
        #expect(result.standardOutput.contains("verified: no problem found"))
    }

    /// An FFI manifest runs no plugin code of its own, so it is loaded whole and what it
    /// declares is listed; a manifest naming a missing function is a problem.
    @Test func anFFIManifestIsValidatedAndListed() throws {
        let directory = try TemporaryDirectory()
        let example = PackageLayout.root.appendingPathComponent("Examples/ffi-plugin")
        try CCompiler.sharedLibrary(sources: [example.appendingPathComponent("roofline_time.c")],
                                    output: directory.file("libroofline_time.so"))
        let manifest = try String(contentsOf: example.appendingPathComponent("roofline.ffi.json"), encoding: .utf8)
        let good = try directory.write("roofline.ffi.json", manifest)
        let result = try runJoule(["plugins", "--verify", good.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("cost models: ffi-roofline"), "\(result.standardOutput)")

        let symbol = try #require(manifest.range(of: "\"symbol\": \"")).upperBound
        let broken = try directory.write("broken.ffi.json", manifest.replacingCharacters(in: symbol..<symbol, with: "missing_"))
        let bad = try runJoule(["plugins", "--verify", broken.path])
        #expect(bad.status == 65)
        #expect(Self.errorLines(bad).count == 1 && bad.standardError.contains("has no symbol \"missing_"), "\(bad.standardError)")
    }
}
