import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule estimate`, run as a user runs it, checked against the original Paleo's numbers.
@Suite struct EstimateEndToEndTests {
    static let nets = PackageLayout.root.appendingPathComponent("Examples/nets")

    func json(_ arguments: [String]) throws -> JSONNode {
        let result = try runJoule(["estimate"] + arguments + ["--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        return try JSONParser.parse(result.standardOutput)
    }

    func number(_ node: JSONNode?) -> Double {
        if case .number(let n)? = node?.value { return n.double }
        return .nan
    }

    /// A figure of ../shared/data/paleo/reference/summary.csv for one of the original's nets.
    static func summary(_ net: String, _ column: String) throws -> Int {
        let row = try #require(try ReferenceCSV.load("summary.csv").first { $0["net"] == net })
        return Int(try row.number(column))
    }

    /// scaling.csv, alex_v2 on TITAN_X, batch 128, PPP 1, 1 worker: 33.16174974156705 ms
    /// forward, 89.08432779397351 ms backward, 1.6870734142808996 ms update.
    @Test func theBundledAlexNetMatchesTheOriginalPaleo() throws {
        let root = try json([Self.nets.appendingPathComponent("alex_v2.json").path, "--gpu", "TITAN_X", "--batch", "128"])
        #expect(root["schema_version"]?.plain == .integer(1))
        #expect(root["gpu"]?.plain == .string("TITAN_X"))
        #expect(root["cost_model"]?.plain == .string("joule.paleo/paleo"))
        #expect(root["batch"]?.plain == .integer(128))
        #expect(root["params"]?.plain == .integer(50_303_912))
        let training = try #require(root["training"])
        #expect(close(number(training["forward_seconds"]), 33.16174974156705e-3))
        #expect(close(number(training["backward_seconds"]), 89.08432779397351e-3))
        #expect(close(number(training["update_seconds"]), 1.6870734142808996e-3))
        #expect(close(number(training["step_seconds"]), 123.93315094982147e-3))
        for key in ["forward_flops", "backward_flops", "energy_joules", "average_power_watts"] {
            #expect(number(training[key]) > 0, "\(key)")
        }
        #expect(root["energy_provenance"]?["kind"]?.plain == .string("derived"))
        #expect(root["warnings"] != nil)
        #expect(root["layers"] == nil, "layers only with --per-layer")
    }

    @Test func perLayerJSONHasTheDocumentedFields() throws {
        let root = try json([Self.nets.appendingPathComponent("nin.json").path, "--gpu", "K80", "--per-layer"])
        guard case .array(let layers)? = root["layers"]?.value else { Issue.record("no layers"); return }
        #expect(try layers.count == Self.summary("nin", "num_ops"))
        for key in ["name", "type", "output_shape", "forward_seconds", "backward_data_seconds", "backward_filter_seconds",
                    "forward_flops", "params"] {
            #expect(layers[1][key] != nil, "\(key)")
        }
        let sum = layers.reduce(0.0) { $0 + number($1["forward_seconds"]) }
        #expect(close(sum, number(root["training"]?["forward_seconds"]), relative: 1e-12))
    }

    /// scaling.csv, vgg16 on K80, infiniband, strong scaling, PPP 0.62/0.72, 8 workers.
    @Test func dataParallelTermsMatchTheOriginal() throws {
        let rows = try ReferenceCSV.load("scaling.csv").filter {
            $0["net"] == "vgg16" && $0["device"] == "K80" && $0["network"] == "infiniband" && $0["scaling"] == "strong"
                && $0["ppp_comp"] == "0.62" && $0["workers"] == "8"
        }
        let row = try #require(rows.first)
        let root = try json([Self.nets.appendingPathComponent("vgg16.json").path, "--gpu", "K80", "--batch", "128",
                             "--workers", "8", "--network", "infiniband", "--scaling", "strong",
                             "--ppp-comp", "0.62", "--ppp-comm", "0.72"])
        #expect(root["data_parallel"]?["per_worker_batch"]?.plain == .integer(16))
        #expect(root["data_parallel"]?["effective_batch"]?.plain == .integer(128))
        #expect(try close(number(root["training"]?["forward_seconds"]), row.number("time_fwd") * 1e-3))
        let comm = try #require(root["communication_seconds"])
        #expect(try close(number(comm["one_to_all"]), row.number("OneToAll") * 1e-3))
        #expect(try close(number(comm["tree"]), row.number("TreeAllReduce") * 1e-3))
        #expect(try close(number(comm["butterfly"]), row.number("ButterflyAllReduce") * 1e-3))
        #expect(try close(number(comm["butterfly_mixing"]), row.number("ButterflyMixing") * 1e-3))
    }

    @Test func hybridAndModelParallelReportTheirTables() throws {
        let spec = Self.nets.appendingPathComponent("alex_v2_2gpu.json").path
        let hybrid = try json([spec, "--gpu", "TITAN_X", "--batch", "128", "--parallel", "hybrid", "--hybrid-workers", "2"])
        #expect(try close(number(hybrid["reports"]?["hybrid_model_parallel_forward"]),
                          ReferenceCSV.originalPaleoSeconds("alex_v2_2gpu_hybrid_2", "hybrid_model_parallel_forward")))
        let model = try json([spec, "--gpu", "TITAN_X", "--batch", "128", "--parallel", "model"])
        #expect(try close(number(model["reports"]?["model_parallel_forward_lower_bound"]),
                          ReferenceCSV.originalPaleoSeconds("alex_v2_2gpu_model_parallel", "model_parallel_forward_lower_bound")))
    }

    @Test func inferenceGivesLatencyAndEnergyPerSample() throws {
        let root = try json([Self.nets.appendingPathComponent("vgg16.json").path, "--gpu", "H100", "--mode", "inference"])
        let inference = try #require(root["inference"])
        #expect(number(inference["latency_seconds"]) > 0)
        // vgg16.json's Input batch is 64 (summary.csv's spec_input_tensor).
        #expect(close(number(inference["energy_per_sample_joules"]) * 64, number(inference["energy_joules"]), relative: 1e-12))
        #expect(root["batch"]?.plain == .integer(64))
        #expect(root["training"] == nil)
    }

    @Test func tableAndCSVOutputs() throws {
        let spec = Self.nets.appendingPathComponent("alex_v2.json").path
        let table = try runJoule(["estimate", spec, "--gpu", "TITAN_X", "--batch", "128"])
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("training step"))
        #expect(table.standardOutput.contains("123.9 ms"), "scaling.csv: 123.93315094982147 ms at batch 128")
        let csv = try runJoule(["estimate", spec, "--gpu", "TITAN_X", "--format", "csv"])
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines.first == "layer,type,output_shape,forward_seconds,backward_data_seconds,backward_filter_seconds,forward_flops,params,energy_joules")
        #expect(try lines.count == 1 + Self.summary("alex_v2", "num_ops") + 1)
        #expect(lines.last?.hasPrefix("TOTAL,") == true)
    }

    @Test func badInputsAreNamedWithExitCode65() throws {
        let directory = try TemporaryDirectory()
        let broken = try directory.write("broken.json", "{\n  \"layers\": {\n    \"data\": {\"parents\": [], \"type\": \"Input\", \"tensor\": [1, 8, 8, 3]},\n  }\n}\n")
        let spec = try runJoule(["estimate", broken.path, "--gpu", "TITAN_X"])
        #expect(spec.status == 65)
        #expect(spec.standardError == "joule: error: \(broken.path): line 4: not valid JSON: column 3: trailing comma before '}'\n")

        let missing = try runJoule(["estimate", directory.path + "/nope.json", "--gpu", "TITAN_X"])
        #expect(missing.status == 65)
        #expect(missing.standardError.hasPrefix("joule: error: \(directory.path)/nope.json: cannot read the file"))

        let alex = Self.nets.appendingPathComponent("alex_v2.json").path
        let noGPU = try runJoule(["estimate", alex])
        #expect(noGPU.status == 65)
        #expect(noGPU.standardError == "joule: error: choose a GPU with --gpu ID (`joule gpus` lists them)\n")

        let library = try CCompiler.sharedLibrary(
            sources: [PackageLayout.root.appendingPathComponent("Examples/c-plugin/roofline.c")], output: directory.file("libroofline.so"))
        let wrongFlag = try runJoule(["estimate", alex, "--gpu", "TITAN_X", "--plugin-path", library.path,
                                      "--cost-model", "roofline", "--ppp-comp", "0.5"])
        #expect(wrongFlag.status == 65)
        #expect(wrongFlag.standardError == "joule: error: --ppp-comp needs a cost model with a 'ppp_comp' option; example.roofline/roofline has efficiency\n")

        let usage = try runJoule(["estimate", alex, "--gpu", "TITAN_X", "--batch", "0"])
        #expect(usage.status == 64)
    }

    @Test func otherModelsEstimateTooAndDeadBranchesArePruned() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.sharedLibrary(
            sources: [PackageLayout.root.appendingPathComponent("Examples/c-plugin/roofline.c")], output: directory.file("libroofline.so"))
        let spec = try directory.write("dead.json", """
            {"layers": {
              "data": {"parents": [], "type": "Input", "tensor": [2, 8, 8, 3]},
              "a": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 3, 4], "strides": [1, 1, 1, 1], "padding": "SAME"},
              "side": {"parents": ["data"], "type": "Convolution", "filter": [1, 1, 3, 4], "strides": [1, 1, 1, 1], "padding": "SAME"},
              "out": {"parents": ["a"], "type": "Softmax"}
            }}
            """)
        let kept = try json([spec.path, "--gpu", "T4", "--plugin-path", library.path, "--cost-model", "roofline", "--per-layer"])
        guard case .array(let warnings)? = kept["warnings"]?.value else { Issue.record("no warnings"); return }
        #expect(warnings.contains { if case .string(let w) = $0.value { w.hasPrefix("1 layer feed no output (dead branches: side)") } else { false } })
        guard case .array(let keptLayers)? = kept["layers"]?.value else { Issue.record("no layers"); return }
        #expect(keptLayers.count == 4)
        // The roofline model has no network terms: its weight updates are per layer, so the
        // layers' energies add up to the step's.
        let layerJoules = keptLayers.reduce(0.0) { $0 + number($1["energy_joules"]) }
        #expect(close(layerJoules, number(kept["training"]?["energy_joules"]), relative: 1e-12))
        let pruned = try json([spec.path, "--gpu", "T4", "--plugin-path", library.path, "--cost-model", "roofline", "--per-layer",
                               "--prune-dead"])
        guard case .array(let prunedLayers)? = pruned["layers"]?.value else { Issue.record("no layers"); return }
        #expect(prunedLayers.count == 3)
        #expect(number(pruned["training"]?["forward_seconds"]) < number(kept["training"]?["forward_seconds"]))
    }

    @Test func benchRunsAndReportsItsPhases() throws {
        let result = try runJoule(["bench", Self.nets.appendingPathComponent("nin.json").path, "--seconds", "0.2", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try JSONParser.parse(result.standardOutput)
        guard case .array(let phases)? = root["phases"]?.value else { Issue.record("no phases"); return }
        #expect(phases.count == 3)
        #expect(number(phases[2]["median_seconds"]) > 0)
    }
}
