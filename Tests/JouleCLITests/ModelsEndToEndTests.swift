import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule models` with the global --gpu, --cost-model and --cost-option flags.
@Suite struct ModelsEndToEndTests {
    @Test func theBundledPaleoModelIsListedWithItsOptions() throws {
        let result = try runJoule(["models", "--gpu", "k80", "--format", "json"])
        #expect(result.status == 0)
        let root = try JSONParser.parse(result.standardOutput)
        guard case .array(let models)? = root["cost_models"]?.value else { Issue.record("no models"); return }
        #expect(models.count == 2)
        let paleo = try #require(models.first { $0["qualified_id"]?.plain == .string("joule.paleo/paleo") })
        #expect(paleo["estimates"]?.plain == .array([.string("time"), .string("breakdown"), .string("counts")]))
        #expect(paleo["usable"]?.plain == .bool(true))
        guard case .array(let options)? = paleo["options"]?.value else { Issue.record("no options"); return }
        #expect(options.compactMap { if case .string(let key)? = $0["key"]?.value { key } else { nil } }
                == ["ppp_comp", "ppp_comm", "workers", "network", "parallel", "hybrid_workers", "pipeline"])
        // NeuralPower has no bundled model for the K80, and says which GPUs have one.
        let neuralPower = try #require(models.first { $0["qualified_id"]?.plain == .string("joule.neuralpower/neuralpower") })
        #expect(neuralPower["usable"]?.plain == .bool(false))
        #expect(neuralPower["estimates"]?.plain == .array([.string("time"), .string("power"), .string("extrapolated"), .string("counts")]))
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
        guard case .array(let models)? = root["cost_models"]?.value,
              let model = models.first(where: { $0["qualified_id"]?.plain == .string("example.roofline/roofline") })
        else {
            Issue.record("no cost model listed")
            return
        }
        #expect(model["estimates"]?.plain == .array([.string("time"), .string("breakdown")]))
        #expect(model["usable"]?.plain == .bool(true))

        let bad = try runJoule(["models", "--plugin-path", library.path, "--gpu", "t4", "--cost-model", "roofline",
                                "--cost-option", "efficiency=1.5"])
        #expect(bad.status == 0)
        #expect(bad.standardOutput.contains("option 'efficiency' must be a number in (0, 1], got '1.5'"))

        let unknown = try runJoule(["models", "--plugin-path", library.path, "--cost-model", "rofline"])
        #expect(unknown.status == 65)
        #expect(unknown.standardError == "joule: error: unknown cost model 'rofline'; available: joule.neuralpower/neuralpower, joule.paleo/paleo, example.roofline/roofline\n")

        let malformed = try runJoule(["models", "--cost-option", "efficiency"])
        #expect(malformed.status == 64)
        #expect(malformed.standardError.contains("--cost-option expects key=value, got 'efficiency'"))
    }
}
