import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule models` with the global --gpu, --cost-model and --cost-option flags.
@Suite struct ModelsEndToEndTests {
    @Test func withNoCostModelInstalledItSaysSo() throws {
        let result = try runJoule(["models"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("No cost models are installed."))
    }

    @Test func aCPluginModelIsListedAndCheckedAgainstAGPU() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.sharedLibrary(
            sources: [PackageLayout.root.appendingPathComponent("Examples/c-plugin/roofline.c")],
            output: directory.file("libroofline.so"))
        let ok = try runJoule(["models", "--plugin-path", library.path, "--gpu", "t4", "--format", "json"])
        #expect(ok.status == 0, "\(ok.standardError)")
        let root = try JSONParser.parse(ok.standardOutput)
        #expect(root["gpu"]?.plain == .string("T4"))
        guard case .array(let models)? = root["cost_models"]?.value, let model = models.first else {
            Issue.record("no cost model listed")
            return
        }
        #expect(model["qualified_id"]?.plain == .string("example.roofline/roofline"))
        #expect(model["estimates"]?.plain == .array([.string("time"), .string("breakdown")]))
        #expect(model["usable"]?.plain == .bool(true))

        let bad = try runJoule(["models", "--plugin-path", library.path, "--gpu", "t4", "--cost-model", "roofline",
                                "--cost-option", "efficiency=1.5"])
        #expect(bad.status == 0)
        #expect(bad.standardOutput.contains("option 'efficiency' must be a number in (0, 1], got '1.5'"))

        let unknown = try runJoule(["models", "--plugin-path", library.path, "--cost-model", "rofline"])
        #expect(unknown.status == 65)
        #expect(unknown.standardError == "joule: error: unknown cost model 'rofline'; available: example.roofline/roofline\n")

        let malformed = try runJoule(["models", "--cost-option", "efficiency"])
        #expect(malformed.status == 64)
        #expect(malformed.standardError.contains("--cost-option expects key=value, got 'efficiency'"))
    }
}
