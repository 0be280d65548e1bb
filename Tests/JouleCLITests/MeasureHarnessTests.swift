import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `python3` from PATH, or nil when there is none. Outside the suite because the suite's
/// own `.enabled(if:)` trait reads it.
private let measureHarnessPython: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("python3")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
}()

/// The GPU measurement harness in `tools/measure`, checked without a GPU.
///
/// The harness is Python, so these tests run it as a user would: its own unit tests (the
/// sweep, the network list and, where PyTorch is installed, the spec-to-module builder),
/// and a round trip of its synthetic output through the built `joule fit --per-layer` and
/// `joule validate`. The round trip is the check that matters for the files a GPU run
/// writes: the synthetic layer runtimes and powers come from known formulas, so a correct
/// fit predicts the synthetic networks (the same formulas summed over their layers) within
/// a few per cent, and a fit of scrambled measurements does not.
@Suite(.enabled(if: measureHarnessPython != nil, "python3 is not on PATH; the harness tests need it"))
struct MeasureHarnessTests {
    static var python: URL? { measureHarnessPython }

    static let harness = PackageLayout.root.appendingPathComponent("tools/measure")

    /// Runs python3 with the built joule in `$JOULE`, where the harness looks for it first.
    func runPython(_ arguments: [String]) throws -> ProcessResult {
        let python = try #require(Self.python)
        return try runProcess(python, arguments, environment: ["JOULE": try PackageLayout.joule().path,
                                                               "PYTHONDONTWRITEBYTECODE": "1"])
    }

    func number(_ node: JSONNode?) -> Double {
        if case .number(let n)? = node?.value { return n.double }
        return .nan
    }

    /// `joule validate --format json` of one column against a model, as (MAPE, Kendall τ).
    func validate(_ networks: URL, model: URL, column: String, unit: String) throws -> (mape: Double, tau: Double) {
        let result = try runJoule(["validate", networks.path, "--cost-model", "poly:\(model.path)", "--gpu", "H100_SXM",
                                   "--target-column", column, "--target-unit", unit, "--on-unsupported", "zero",
                                   "--format", "json", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try JSONParser.parse(result.standardOutput)
        return (number(root["mape"]), number(root["kendall_tau"]))
    }

    /// The harness's own unit tests pass (PyTorch's are skipped by them where it is missing).
    @Test func pythonUnitTestsPass() throws {
        let tests = Self.harness.appendingPathComponent("tests").path
        let result = try runPython(["-m", "unittest", "discover", "-s", tests, "-t", tests])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("OK"), "\(result.standardError)")
    }

    /// --dry-run needs neither a GPU nor PyTorch, and its plan fits the budget it was given.
    @Test func dryRunPlanFitsTheBudget() throws {
        let result = try runPython([Self.harness.appendingPathComponent("measure.py").path, "--dry-run", "--budget-seconds", "540"])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        for type in ["convolution", "fully_connected", "pooling", "batch_norm", "activation", "elementwise", "concat"] {
            #expect(output.contains("  \(type) "), "\(output)")
        }
        let match = output.firstMatch(of: /estimated duration: (\d+) s/)
        let seconds = try #require(match.map { Int($0.1)! }, "\(output)")
        #expect(seconds <= 540 && seconds > 300, "\(output)")
        #expect(output.contains("56 (6 bundled"), "\(output)")
    }

    /// Synthetic measurements → `joule fit --per-layer` → `joule validate`: the fit finds the
    /// generating coefficients and predicts whole networks within 10 %; scrambled
    /// measurements give a fit that misses by far more.
    @Test func syntheticRoundTripThroughFitAndValidate() throws {
        let directory = try TemporaryDirectory()
        let out = directory.file("synthetic")
        let made = try runPython([Self.harness.appendingPathComponent("measure.py").path, "--synthetic", "--out", out.path,
                                  "--dtype", "fp32", "--nb201-count", "20", "--seed", "3"])
        #expect(made.status == 0, "\(made.standardError)")
        let layers = out.appendingPathComponent("layers_fp32.csv")
        let networks = out.appendingPathComponent("networks_fp32.csv")
        let layerText = try String(contentsOf: layers, encoding: .utf8)
        #expect(layerText.hasPrefix("# "), "the provenance block comes first")
        #expect(layerText.split(separator: "\n").count(where: { !$0.hasPrefix("#") }) == 301, "a header and 300 rows")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("specs/vgg16.json").path))

        // Degree 1 and 5 folds: the generating formulas are linear in Joule's features, and
        // the debug build's full cross-validation would take minutes.
        let model = directory.file("model.json")
        let fit = try runJoule(["fit", layers.path, "--per-layer", "--gpu", "H100_SXM", "--out", model.path,
                                "--degree", "1", "--folds", "5", "--quiet"])
        #expect(fit.status == 0, "\(fit.standardError)")
        let file = try JSONParser.parse(String(contentsOf: model, encoding: .utf8))
        #expect(file["provenance"]?["data_provenance"]?["synthetic"] != nil, "the CSV's comment block is kept")
        // Convolution: 4 µs + FLOPs / 40 TFLOP/s; fully connected: 3 µs + FLOPs / 30 TFLOP/s.
        let conv = file["runtime"]?["layers"]?["convolution"]?["terms"]
        #expect(abs(number(conv?["flops"]) / 2.5e-14 - 1) < 0.05, "\(String(describing: conv?.plain))")
        #expect(abs(number(conv?["1"]) / 4e-6 - 1) < 0.25, "\(String(describing: conv?.plain))")
        let dense = file["runtime"]?["layers"]?["fully_connected"]?["terms"]
        #expect(abs(number(dense?["flops"]) / (1 / 30e12) - 1) < 0.05, "\(String(describing: dense?.plain))")

        let time = try validate(networks, model: model, column: "inference_seconds", unit: "s")
        let energy = try validate(networks, model: model, column: "inference_energy_joules", unit: "J")
        #expect(time.mape < 0.10 && time.tau > 0.9, "inference time: \(time)")
        #expect(energy.mape < 0.10 && energy.tau > 0.9, "energy per batch: \(energy)")

        // The same rows with runtime and power rotated by one row: every value is a real
        // measurement of some layer, but not of this one.
        var lines = layerText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.firstIndex(where: { !$0.hasPrefix("#") }))
        let columns = lines[header].split(separator: ",").map(String.init)
        let runtime = try #require(columns.firstIndex(of: "runtime_seconds"))
        let power = try #require(columns.firstIndex(of: "power_watts"))
        let rows = (header + 1..<lines.count).filter { !lines[$0].isEmpty }
        let cells = rows.map { lines[$0].split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        for (position, row) in rows.enumerated() {
            var fields = cells[position]
            let donor = cells[(position + 1) % cells.count]
            fields[runtime] = donor[runtime]
            fields[power] = donor[power]
            lines[row] = fields.joined(separator: ",")
        }
        let scrambled = directory.file("scrambled.csv")
        try lines.joined(separator: "\n").write(to: scrambled, atomically: true, encoding: .utf8)
        let wrongModel = directory.file("wrong.json")
        let wrongFit = try runJoule(["fit", scrambled.path, "--per-layer", "--gpu", "H100_SXM", "--out", wrongModel.path,
                                     "--degree", "1", "--folds", "5", "--quiet"])
        #expect(wrongFit.status == 0, "\(wrongFit.standardError)")
        let wrongTime = try validate(networks, model: wrongModel, column: "inference_seconds", unit: "s")
        let wrongEnergy = try validate(networks, model: wrongModel, column: "inference_energy_joules", unit: "J")
        #expect(wrongTime.mape > 0.10, "a fit of scrambled rows should miss: \(wrongTime)")
        #expect(wrongEnergy.mape > 0.10, "a fit of scrambled rows should miss: \(wrongEnergy)")
    }
}
