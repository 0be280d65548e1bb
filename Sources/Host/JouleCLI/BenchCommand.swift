import ArgumentParser
import Dispatch
import Estimation
import Foundation
import JouleJSON
import Network
import Registry
import Reports

/// `joule bench`: how long Joule takes to estimate a network, measured in this process.
///
/// Speed targets are checked here, never in tests (tests do not assert wall-clock times).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure how fast Joule estimates a network (build with -c release first).",
        discussion: """
            Times three things separately, each as the median of many runs: reading the spec \
            (parse and shape inference), preparing it for a cost model (describing every layer \
            in every pass and binding the model), and estimating a full training step through \
            the plugin ABI (every layer forward, backward-data and backward-filter, plus the \
            network terms). The last is what search loops repeat.

            Example:
              swift build -c release
              .build/release/joule bench Examples/nets/inception_v3.json --gpu TITAN_X
            """)

    @Argument(help: ArgumentHelp("The network to estimate (a Paleo JSON spec).", valueName: "spec"))
    var spec: String

    @OptionGroup var plugins: PluginOptions
    @OptionGroup var isolation: PluginIsolationOptions
    @OptionGroup var costing: CostingOptions

    @Option(help: "Seconds to spend measuring the estimate (the other phases take a share of it).")
    var seconds: Double = 3

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table
    @Flag(help: "Print no progress on standard error.")
    var quiet = false

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
    }

    func run() throws {
        try reportingFailures {
            let registry = isolation.apply(to: plugins.loadRegistry(), plugins)
            let gpu = try registry.profile(named: costing.gpu ?? "TITAN_X")
            let model = try registry.costModel(named: costing.costModel ?? "paleo")
            let bound = try model.bind(to: gpu, options: try costing.parsedCostOptions())
            // Read once the usual way first, so that a missing or broken spec gets the usual error.
            let network = try SpecReader.read(file: spec)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: spec)))
            // Progress over the time budget: the three phases take 20, 20 and 60 % of it.
            let progress = Progress("benchmarking", quiet: quiet)
            let hundredths = Int((seconds * 100).rounded())
            func tick(from start: Double, share: Double) -> (Double) -> Void {
                { fraction in progress.update(Int((start + share * fraction) * Double(hundredths)), of: hundredths) }
            }
            let read = Timing.measure(budgetSeconds: seconds * 0.2, progress: tick(from: 0, share: 0.2)) {
                _ = try? SpecReader.parse(bytes, file: spec)
            }
            let prepare = Timing.measure(budgetSeconds: seconds * 0.2, progress: tick(from: 0.2, share: 0.2)) {
                _ = try? EstimationPlan(network: network, isTraining: true).bind(bound)
            }
            let plan = try EstimationPlan(network: network, isTraining: true).bind(bound)
            var sink = 0.0
            let estimate = Timing.measure(budgetSeconds: seconds * 0.6, progress: tick(from: 0.4, share: 0.6)) {
                sink += (try? plan.estimate().stepSeconds) ?? 0
            }
            progress.update(hundredths, of: hundredths)
            progress.finish()
            let layerPasses = plan.passCount
            let results: [(String, Timing)] = [
                ("read spec (parse + shapes)", read),
                ("prepare (describe layers, bind model)", prepare),
                ("estimate training step", estimate),
            ]
            switch format {
            case .json:
                print(JSONWriter.render(.object([
                    ("schema_version", .integer(1)),
                    ("network", .string(network.name)), ("layers", .integer(network.layers.count)),
                    ("layer_passes", .integer(layerPasses)),
                    ("gpu", .string(gpu.id)), ("cost_model", .string(model.qualifiedID)),
                    ("build", .string(Timing.buildConfiguration)),
                    ("phases", .array(results.map { name, timing in
                        .object([("phase", .string(name)), ("iterations", .integer(timing.iterations)),
                                 ("median_seconds", .number(timing.median)), ("p10_seconds", .number(timing.p10)),
                                 ("p90_seconds", .number(timing.p90))])
                    })),
                    ("provenance", RunProvenance(models: [bound], options: try costing.parsedCostOptions(), registry: registry).json),
                ])), terminator: "")
            case .table:
                print("\(network.name): \(network.layers.count) layers (\(layerPasses) layer-passes per training step), "
                      + "\(model.qualifiedID) on \(gpu.id), \(Timing.buildConfiguration) build")
                var table = TextTable([("PHASE", .left), ("MEDIAN", .right), ("P10", .right), ("P90", .right), ("RUNS", .right)])
                for (name, timing) in results {
                    table.append([name, Timing.format(timing.median), Timing.format(timing.p10), Timing.format(timing.p90),
                                  String(timing.iterations)])
                }
                print(table.render(), terminator: "")
                print("per layer-pass: \(Timing.format(estimate.median / Double(layerPasses)))")
            }
            if sink.isNaN { print("") }  // Keeps the measured work observable.
        }
    }
}

/// Repeated wall-clock measurements of one operation.
struct Timing {
    var samples: [Double]

    var iterations: Int { samples.count }
    var median: Double { percentile(0.5) }
    var p10: Double { percentile(0.1) }
    var p90: Double { percentile(0.9) }

    private func percentile(_ p: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    /// Runs `body` in batches until `budgetSeconds` is spent; each sample is one batch's
    /// time divided by its size, so that sub-microsecond operations are measurable.
    static func measure(budgetSeconds: Double, progress: (Double) -> Void = { _ in }, _ body: () -> Void) -> Timing {
        // Warm up and size a batch to about a millisecond.
        var batch = 1
        while true {
            let t = time(batch, body)
            if t >= 1e-3 || batch >= 1 << 20 { break }
            batch *= 2
        }
        var samples: [Double] = []
        let begin = DispatchTime.now().uptimeNanoseconds
        let deadline = begin + UInt64(budgetSeconds * 1e9)
        repeat {
            samples.append(time(batch, body) / Double(batch))
            progress(min(Double(DispatchTime.now().uptimeNanoseconds - begin) / (budgetSeconds * 1e9), 1))
        } while DispatchTime.now().uptimeNanoseconds < deadline && samples.count < 100_000
        return Timing(samples: samples)
    }

    private static func time(_ count: Int, _ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<count { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func format(_ seconds: Double) -> String {
        if seconds < 1e-6 { return "\(formatNumber(seconds * 1e9)) ns" }
        if seconds < 1e-3 { return "\(formatNumber(seconds * 1e6)) µs" }
        if seconds < 1 { return "\(formatNumber(seconds * 1e3)) ms" }
        return "\(formatNumber(seconds)) s"
    }

    static var buildConfiguration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }
}
