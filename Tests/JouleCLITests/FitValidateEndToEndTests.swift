import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule fit`, `joule validate` and the NeuralPower cost model, run as a user runs them.
@Suite struct FitValidateEndToEndTests {
    static let latencyTable = PackageLayout.sharedData.appendingPathComponent("nb201/latency_dev.csv")
    static let bundledModels = PackageLayout.root.appendingPathComponent("Plugins/NeuralPowerModel/Models")

    func number(_ node: JSONNode?) -> Double {
        if case .number(let n)? = node?.value { return n.double }
        return .nan
    }

    /// A deterministic stand-in for measurement noise: ±1 % from a linear congruential sequence.
    struct Noise {
        var state: UInt64 = 12345
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 1 + 0.02 * (Double(state >> 11) / Double(1 << 53) - 0.5)
        }
    }

    /// Per-layer measurements of convolutions and ReLUs from a known cost: 5 µs + 1e-12 s
    /// per FLOP for a convolution, 2 µs + 4e-12 s per element for a ReLU; and power: 100 W +
    /// 10 W per doubling of the batch for a convolution, 60 W for a ReLU.
    static func perLayerCSV() -> String {
        var noise = Noise()
        var lines = ["# gpu: synthetic", "layer_type,batch,in_channels,out_channels,input_size,kernel_size,stride,channels,size,runtime_seconds,power_watts"]
        for batch in [1, 4, 16] {
            for channels in [16, 32, 64] {
                for size in [8, 16, 32] {
                    for kernel in [1, 3] {
                        let flops = 2.0 * Double(kernel * kernel * channels * channels * size * size * batch)
                        lines.append("convolution,\(batch),\(channels),\(channels),\(size),\(kernel),1,,,\((5e-6 + 1e-12 * flops) * noise.next()),"
                                     + "\((100 + 10 * log2(Double(batch))) * noise.next())")
                    }
                    let elements = Double(batch * channels * size * size)
                    lines.append("activation,\(batch),,,,,,\(channels),\(size),\((2e-6 + 4e-12 * elements) * noise.next()),\(60 * noise.next())")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Evaluates a model file's polynomial for a layer by reading the terms as text: an
    /// independent reading of the documented format.
    func evaluate(_ terms: JSONNode?, _ variables: [String: Double]) throws -> Double {
        guard case .object(let members)? = terms?.value else { throw TestSupportError("no terms") }
        var sum = 0.0
        for member in members {
            var product = number(member.value)
            if member.key != "1" {
                for factor in member.key.split(separator: "*") {
                    let parts = factor.split(separator: "^")
                    var name = String(parts[0])
                    var isLog = false
                    if name.hasPrefix("log2("), name.hasSuffix(")") {
                        name = String(name.dropFirst(5).dropLast())
                        isLog = true
                    }
                    let raw = try #require(variables[name], "variable \(name)")
                    let value = isLog ? log2(raw) : raw
                    product *= pow(value, parts.count == 2 ? Double(parts[1])! : 1)
                }
            }
            sum += product
        }
        return sum
    }

    @Test func perLayerFitDrivesEstimatesThroughThePlugin() throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("layers.csv")
        try Self.perLayerCSV().write(to: data, atomically: true, encoding: .utf8)
        let model = directory.file("model.json")
        let fit = try runJoule(["fit", data.path, "--per-layer", "--gpu", "H100", "--out", model.path, "--folds", "5", "--quiet"])
        #expect(fit.status == 0, "\(fit.standardError)")
        #expect(fit.standardOutput.contains("held out (16 rows)"))
        let file = try JSONParser.parse(String(contentsOf: model, encoding: .utf8))
        #expect(file["gpu"]?.plain == .string("H100_SXM"))
        #expect(file["provenance"]?["data_provenance"]?["gpu"]?.plain == .string("synthetic"))
        let held = try #require(file["runtime"]?["fit"]?["held_out"])
        #expect(number(held["mape"]) < 0.02)
        // The generating terms are found, with their coefficients.
        let convTerms = file["runtime"]?["layers"]?["convolution"]?["terms"]
        #expect(close(number(convTerms?["flops"]), 1e-12, relative: 0.05), "\(String(describing: convTerms?.plain))")
        #expect(close(number(convTerms?["1"]), 5e-6, relative: 0.25), "\(String(describing: convTerms?.plain))")
        let reluTerms = file["runtime"]?["layers"]?["activation"]?["terms"]
        #expect(close(number(reluTerms?["flops"]), 4e-12, relative: 0.05), "\(String(describing: reluTerms?.plain))")

        // A network of one 3×3 convolution (32 → 32 channels, 16×16, batch 4) and its ReLU.
        let spec = directory.file("net.json")
        try """
            {"name": "tiny", "layers": {
              "data": {"parents": [], "type": "Input", "tensor": [4, 16, 16, 32]},
              "conv": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 32, 32], "strides": [1, 1, 1, 1], "padding": "SAME", "bias": false},
              "relu": {"parents": ["conv"], "type": "ReLU"}}}
            """.write(to: spec, atomically: true, encoding: .utf8)
        let result = try runJoule(["estimate", spec.path, "--gpu", "H100", "--cost-model", "poly:\(model.path)",
                                   "--mode", "inference", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try JSONParser.parse(result.standardOutput)
        // By hand: FLOPs 2·3·3·32·32·16·16·4 = 18,874,368; bytes (in + out) 4·2·32768 = 262,144
        // plus weights 4·9216 = 36,864.
        let conv = try evaluate(file["runtime"]?["layers"]?["convolution"]?["terms"], [
            "batch": 4, "in_channels": 32, "out_channels": 32, "input_size": 16, "output_size": 16, "kernel_size": 3,
            "stride": 1, "flops": 18_874_368, "memory_bytes": 262_144 + 36_864,
        ])
        let relu = try evaluate(file["runtime"]?["layers"]?["activation"]?["terms"], [
            "batch": 4, "channels": 32, "size": 16, "flops": 32768, "memory_bytes": 262_144,
        ])
        let latency = number(root["inference"]?["latency_seconds"])
        #expect(close(latency, conv + relu, relative: 1e-9), "\(latency) vs \(conv) + \(relu)")
        // And close to the cost the data was generated from (1 % noise).
        #expect(close(conv, 5e-6 + 1e-12 * 18_874_368, relative: 0.03))
        // Power was measured too: energy is Σ pᵢtᵢ, predicted rather than derived.
        let convVariables: [String: Double] = [
            "batch": 4, "in_channels": 32, "out_channels": 32, "input_size": 16, "output_size": 16, "kernel_size": 3, "stride": 1,
        ]
        let convWatts = try evaluate(file["power"]?["layers"]?["convolution"]?["terms"], convVariables)
        let reluWatts = try evaluate(file["power"]?["layers"]?["activation"]?["terms"], ["batch": 4, "channels": 32, "size": 16])
        #expect(close(convWatts, 120, relative: 0.03), "\(convWatts) W")
        #expect(close(reluWatts, 60, relative: 0.03), "\(reluWatts) W")
        #expect(root["energy_provenance"]?["kind"]?.plain == .string("predicted"))
        let energy = number(root["inference"]?["energy_joules"])
        #expect(close(energy, convWatts * conv + reluWatts * relu, relative: 1e-9), "\(energy) J")
        #expect(close(number(root["inference"]?["average_power_watts"]), energy / latency, relative: 1e-9))
    }

    @Test func badMeasurementFilesAreNamedWithLineAndColumn() throws {
        let directory = try TemporaryDirectory()
        func run(_ csv: String, _ extra: [String] = []) throws -> ProcessResult {
            let file = directory.file("bad.csv")
            try csv.write(to: file, atomically: true, encoding: .utf8)
            return try runJoule(["fit", file.path, "--per-layer", "--gpu", "H100", "--out", directory.file("m.json").path, "--quiet"] + extra)
        }
        let header = "layer_type,batch,channels,size,runtime_seconds\n"
        let rows = (1...30).map { "activation,\($0),16,8,\(Double($0) * 1e-5)" }.joined(separator: "\n") + "\n"

        var result = try run("batch,channels,size,runtime_seconds\n1,16,8,1e-5\n")
        #expect(result.status == 65)
        #expect(result.standardError.contains("layer_type"), "\(result.standardError)")

        result = try run(header + rows + "activation,2,16,8,fast\n")
        #expect(result.status == 65)
        #expect(result.standardError.contains("bad.csv:32"), "\(result.standardError)")
        #expect(result.standardError.contains("runtime_seconds"))

        result = try run(header + rows + "activation,2,16,8,-1e-5\n")
        #expect(result.status == 65)
        #expect(result.standardError.contains("bad.csv:32"), "\(result.standardError)")

        result = try run(header + rows + "activation,2,16,8,0\n")
        #expect(result.status == 65)
        #expect(result.standardError.contains("bad.csv:32"), "\(result.standardError)")

        result = try run(header + "activation,1,16,8,1e-5\nactivation,2,16,8,2e-5\n")
        #expect(result.status == 65)
        #expect(result.standardError.contains("too few for 10-fold"), "\(result.standardError)")

        result = try run(header + "convolutoin,1,16,8,1e-5\n")
        #expect(result.status == 65)
        #expect(result.standardError.contains("did you mean 'convolution'"), "\(result.standardError)")

        result = try run(header + rows, ["--folds", "1"])
        #expect(result.status == 64)

        // A whole-network file whose spec column names a bad cell.
        let networks = directory.file("nets.csv")
        try "spec,runtime_seconds\nnb201:|nor_conv_3x3~0|+|nor_conv_5x5~0|skip_connect~1|+|none~0|none~1|none~2|,0.01\n"
            .write(to: networks, atomically: true, encoding: .utf8)
        result = try runJoule(["validate", networks.path, "--cost-model", "paleo", "--gpu", "TITAN_X", "--target-column", "runtime_seconds", "--quiet"])
        #expect(result.status == 65)
        #expect(result.standardError.contains("nets.csv:2"), "\(result.standardError)")
        #expect(result.standardError.contains("nor_conv_5x5"), "\(result.standardError)")
    }

    /// validate's numbers against the same metrics computed here from `joule estimate`'s
    /// own predictions: n, an O(n²) Kendall τ-b, and MAPE.
    @Test func validateScoresPaleoOnNAS201Latencies() throws {
        let rows = try ReferenceCSV.load(url: Self.latencyTable).prefix(12)
        let directory = try TemporaryDirectory()
        let data = directory.file("subset.csv")
        try (["arch_str,1080ti_1"] + rows.map { "\($0["arch_str"]!),\($0["1080ti_1"]!)" }).joined(separator: "\n")
            .write(to: data, atomically: true, encoding: .utf8)
        let result = try runJoule(["validate", data.path, "--cost-model", "paleo", "--gpu", "GTX_1080_TI", "--spec-column", "arch_str",
                                   "--target-column", "1080ti_1", "--target-unit", "ms", "--format", "json", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try JSONParser.parse(result.standardOutput)
        guard case .object(let members) = root.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["n", "kendall_tau", "spearman", "mape", "rmspe", "provenance"])
        #expect(root["n"]?.plain == .integer(12))

        var predicted: [Double] = []
        let measured = try rows.map { try $0.number("1080ti_1") / 1000 }
        for row in rows {
            let estimate = try runJoule(["estimate", "nb201:\(row["arch_str"]!)", "--gpu", "GTX_1080_TI", "--mode", "inference", "--format", "json"])
            predicted.append(number(try JSONParser.parse(estimate.standardOutput)["inference"]?["latency_seconds"]))
        }
        var concordant = 0.0, discordant = 0.0, tiesX = 0.0, tiesY = 0.0
        for i in predicted.indices {
            for j in predicted.indices where j > i {
                let a = (predicted[i] - predicted[j]).sign, b = (measured[i] - measured[j]).sign
                if predicted[i] == predicted[j] && measured[i] == measured[j] { continue }
                if predicted[i] == predicted[j] { tiesX += 1 } else if measured[i] == measured[j] { tiesY += 1 } else if a == b { concordant += 1 } else { discordant += 1 }
            }
        }
        let tau = (concordant - discordant) / ((concordant + discordant + tiesX) * (concordant + discordant + tiesY)).squareRoot()
        let mape = zip(predicted, measured).map { abs($0 - $1) / $1 }.reduce(0, +) / Double(measured.count)
        #expect(close(number(root["kendall_tau"]), tau, relative: 1e-12))
        #expect(close(number(root["mape"]), mape, relative: 1e-12))
    }

    @Test func neuralPowerUsesTheBundledModelOfTheGPUAndBatch() throws {
        let cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
        func latency(_ model: String, gpu: String = "GTX_1080_TI", batch: String = "32") throws -> Double {
            let result = try runJoule(["estimate", "nb201:\(cell)", "--gpu", gpu, "--cost-model", model, "--mode", "inference",
                                       "--batch", batch, "--format", "json"])
            #expect(result.status == 0, "\(result.standardError)")
            return number(try JSONParser.parse(result.standardOutput)["inference"]?["latency_seconds"])
        }
        let file = Self.bundledModels.appendingPathComponent("GTX_1080_TI-batch32.json").path
        #expect(try latency("neuralpower") == latency("poly:\(file)"))
        // Arch 1 of latency_dev.csv measured 10.45418262 ms at batch 32 on the 1080 Ti.
        #expect(close(try latency("neuralpower"), 10.45418262e-3, relative: 0.10))
        // Batch 256 takes the batch-256 file.
        #expect(try latency("neuralpower", batch: "256")
                == latency("poly:\(Self.bundledModels.appendingPathComponent("GTX_1080_TI-batch256.json").path)", batch: "256"))

        // A GPU without a model: the error lists those that have one.
        let missing = try runJoule(["estimate", "nb201:\(cell)", "--gpu", "TITAN_X", "--cost-model", "neuralpower", "--mode", "inference"])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("GTX_1080_TI, TITAN_XP"), "\(missing.standardError)")
        // Training needs backward passes the model was not fitted on.
        let training = try runJoule(["estimate", "nb201:\(cell)", "--gpu", "TITAN_XP", "--cost-model", "neuralpower"])
        #expect(training.status != 0)
        #expect(training.standardError.contains("--mode inference"), "\(training.standardError)")
        // Outside the fitted ranges: a 224×224 network gets a warning naming the feature.
        let vgg = try runJoule(["estimate", PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path,
                                "--gpu", "TITAN_XP", "--cost-model", "neuralpower", "--mode", "inference", "--batch", "1",
                                "--on-unsupported", "zero"])
        #expect(vgg.standardError.contains("outside the fitted range") || vgg.standardOutput.contains("outside the fitted range"),
                "\(vgg.standardOutput)\n\(vgg.standardError)")
    }

    /// Whole-network rows naming NB201 cells by bare cell strings, as latency_dev.csv does.
    @Test func perNetworkFitOnNASBench201Rows() throws {
        let rows = try ReferenceCSV.load(url: Self.latencyTable).prefix(60)
        let directory = try TemporaryDirectory()
        let data = directory.file("nets.csv")
        try (["arch_str,1080ti_256"] + rows.map { "\($0["arch_str"]!),\($0["1080ti_256"]!)" }).joined(separator: "\n")
            .write(to: data, atomically: true, encoding: .utf8)
        let model = directory.file("m.json")
        let fit = try runJoule(["fit", data.path, "--per-network", "--spec-column", "arch_str", "--target-column", "1080ti_256",
                                "--target-unit", "ms", "--batch", "256", "--gpu", "GTX_1080_TI", "--train-fraction", "0.5",
                                "--folds", "5", "--out", model.path, "--quiet"])
        #expect(fit.status == 0, "\(fit.standardError)")
        let file = try JSONParser.parse(String(contentsOf: model, encoding: .utf8))
        #expect(file["runtime"]?["fit"]?["kind"]?.plain == .string("per-network"))
        #expect(file["runtime"]?["fit"]?["held_out"]?["n"]?.plain == .integer(30))
        // Even 30 networks rank the other 30 far better than chance.
        #expect(number(file["runtime"]?["fit"]?["held_out"]?["kendall_tau"]) > 0.6)
        // Every coefficient is non-negative, so no layer takes negative time.
        guard case .object(let layers)? = file["runtime"]?["layers"]?.value else { Issue.record("no layers"); return }
        for layer in layers {
            guard case .object(let terms)? = layer.value["terms"]?.value else { continue }
            for term in terms { #expect(number(term.value) >= 0, "\(layer.key) \(term.key)") }
        }
    }

    /// A drop-in profile names its own model file, relative to itself: --cost-model
    /// neuralpower then uses it for that GPU.
    @Test func aProfileNamesItsModelFiles() throws {
        let directory = try TemporaryDirectory()
        let shown = try runJoule(["gpus", "show", "GTX_1080_TI", "--format", "json"])
        var profile = shown.standardOutput
        profile = profile.replacingOccurrences(of: "\"id\": \"GTX_1080_TI\"", with: "\"id\": \"MY_1080\"")
            .replacingOccurrences(of: "\"aliases\": [\"1080_TI\", \"GEFORCE_GTX_1080_TI\"]", with: "\"aliases\": []")
        profile = profile.replacingOccurrences(of: "\"model_files\": []", with: "\"model_files\": [\"models/mine.json\"]")
        if !profile.contains("model_files") {
            profile = profile.replacingOccurrences(of: "\"kind\": \"gpu\",", with: "\"kind\": \"gpu\",\n  \"model_files\": [\"models/mine.json\"],")
        }
        try profile.write(to: directory.file("my-1080.json"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: directory.file("models"), withIntermediateDirectories: true)
        // The bundled batch-32 model, re-labelled for this GPU.
        let bundled = try String(contentsOf: Self.bundledModels.appendingPathComponent("GTX_1080_TI-batch32.json"), encoding: .utf8)
        try bundled.replacingOccurrences(of: "\"gpu\": \"GTX_1080_TI\"", with: "\"gpu\": \"MY_1080\"")
            .write(to: directory.file("models/mine.json"), atomically: true, encoding: .utf8)
        let cell = "nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
        func latency(_ arguments: [String]) throws -> Double {
            let result = try runJoule(["estimate", cell, "--mode", "inference", "--batch", "32", "--format", "json"] + arguments)
            #expect(result.status == 0, "\(result.standardError)")
            return number(try JSONParser.parse(result.standardOutput)["inference"]?["latency_seconds"])
        }
        let mine = try latency(["--gpu-file", directory.file("my-1080.json").path, "--gpu", "MY_1080", "--cost-model", "neuralpower"])
        #expect(mine == (try latency(["--gpu", "GTX_1080_TI", "--cost-model", "neuralpower"])))
        // A model file for another GPU is refused with advice.
        let other = try runJoule(["estimate", cell, "--mode", "inference", "--gpu", "TITAN_XP", "--cost-model",
                                  "poly:\(directory.file("models/mine.json").path)"])
        #expect(other.status != 0)
        #expect(other.standardError.contains("fitted on MY_1080, not TITAN_XP"), "\(other.standardError)")
    }

    /// Spec cells may be files relative to the CSV, nb201: names or bare cell strings; a
    /// missing file is named with its line.
    @Test func specColumnsReadFilesRelativeToTheCSV() throws {
        let directory = try TemporaryDirectory()
        for net in ["alex_v2.json", "nin.json"] {
            try FileManager.default.copyItem(at: PackageLayout.root.appendingPathComponent("Examples/nets/\(net)"), to: directory.file(net))
        }
        let cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
        try "spec,seconds\nalex_v2.json,0.05\nnin.json,0.02\nnb201:\(cell),0.01\n\(cell),0.01\n"
            .write(to: directory.file("m.csv"), atomically: true, encoding: .utf8)
        let result = try runJoule(["validate", directory.file("m.csv").path, "--cost-model", "paleo", "--gpu", "TITAN_X",
                                   "--target-column", "seconds", "--format", "json", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try JSONParser.parse(result.standardOutput)["n"]?.plain == .integer(4))

        try "spec,seconds\nalex_v2.json,0.05\nvgg.json,0.02\n".write(to: directory.file("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try runJoule(["validate", directory.file("bad.csv").path, "--cost-model", "paleo", "--gpu", "TITAN_X",
                                "--target-column", "seconds", "--quiet"])
        #expect(bad.status == 65)
        #expect(bad.standardError.contains("bad.csv:3"), "\(bad.standardError)")
        #expect(bad.standardError.contains("vgg.json"), "\(bad.standardError)")
    }
}
