import ArgumentParser
import Estimation
import Fitting
import Foundation
import JouleJSON
import Network
import Registry
import Reports

/// `joule validate`: any cost model's predictions scored against measured networks.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Score a cost model's predictions against whole-network measurements.",
        discussion: """
            Each row names a network (a Paleo JSON path relative to the CSV, nb201:CELL or a bare \
            NAS-Bench-201 cell string) and a measured value. Joule predicts the same quantity with \
            the chosen model and reports n, Kendall's τ, Spearman's ρ, MAPE and RMSPE.

            The quantity follows --target-unit: s, ms, us for time (inference latency, or the \
            training step with --mode training), J, mJ for energy of one batch, W for average \
            power; --quantity chooses explicitly. Measured values are SI after the unit conversion.

            JSON output (--format json): {"n", "kendall_tau", "spearman", "mape", "rmspe", "provenance"}, errors \
            as fractions (0.03 = 3 %).

            Examples:
              joule validate ../shared/data/nb201/latency_dev.csv --spec-column arch_str \\
                --target-column 1080ti_32 --target-unit ms --batch 32 --gpu GTX_1080_TI --cost-model neuralpower
              joule validate measured.csv --cost-model poly:my-gpu.json --gpu MY_GPU --target-column energy_joules --target-unit J
            """)

    enum Unit: String, ExpressibleByArgument, CaseIterable {
        case s, ms, us, J, mJ, W
        var scale: Double {
            switch self {
            case .s, .J, .W: 1
            case .ms, .mJ: 1e-3
            case .us: 1e-6
            }
        }
        var quantity: Quantity {
            switch self {
            case .s, .ms, .us: .time
            case .J, .mJ: .energy
            case .W: .power
            }
        }
    }

    enum Quantity: String, ExpressibleByArgument, CaseIterable { case time, energy, power }
    enum Mode: String, ExpressibleByArgument, CaseIterable { case inference, training }

    @Argument(help: ArgumentHelp("The measurements, a CSV file.", valueName: "data.csv"))
    var data: String
    @OptionGroup var plugins: PluginOptions
    @OptionGroup var isolation: PluginIsolationOptions
    @OptionGroup var costing: CostingOptions
    @Option(name: .customLong("target-column"), help: "The measured column.")
    var targetColumn: String
    @Option(name: .customLong("spec-column"), help: "The column naming each network.")
    var specColumn = "spec"
    @Option(name: .customLong("target-unit"), help: "Unit of the measured column: s, ms, us, J, mJ or W.")
    var targetUnit: Unit = .s
    @Option(help: "What the column measures (default: from --target-unit).")
    var quantity: Quantity?
    @Option(help: "inference (forward pass) or training (a whole step).")
    var mode: Mode = .inference
    @Option(help: "The batch the networks were measured at (default: each spec's own; NAS-Bench-201 cells: 1).")
    var batch: Int64?
    @OptionGroup var specOptions: SpecOptions
    @Option(name: .customLong("on-unsupported"), help: "When the model declines a layer: fail or zero (count it as zero, with a warning).")
    var onUnsupported: EstimateCommand.OnUnsupported = .fail
    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table
    @Flag(help: "No progress output.")
    var quiet = false

    /// A correlation, or why there is none.
    private func correlation(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4f", value) : "n/a (needs two distinct predictions and measurements)"
    }

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if onUnsupported == .fallback { throw ValidationError("--on-unsupported fallback is not available here; use fail or zero") }
        if let quantity, quantity != targetUnit.quantity {
            throw ValidationError("--quantity \(quantity.rawValue) does not match --target-unit \(targetUnit.rawValue)")
        }
    }

    func run() throws {
        try reportingFailures {
            let registry = isolation.apply(to: try plugins.loadCheckedRegistry(), plugins)
            let gpu = try costing.selectedProfile(registry)
            let (model, preset) = try costing.selectedModel(registry) {
                throw ValidationError("choose a cost model with --cost-model ID or poly:FILE (`joule models` lists them)")
            }
            var options = try costing.parsedCostOptions()
            for (key, value) in preset { options[key] = value }
            let bound = try model.bind(to: gpu, options: options)

            let table = try MeasurementTable.read(file: data)
            let loading = Progress("reading networks", quiet: quiet)
            let rows = try NetworkMeasurements(
                table: table,
                settings: .init(specColumn: specColumn, targetColumn: targetColumn, scale: targetUnit.scale, batch: batch,
                                reader: specOptions.readerOptions, nb201: specOptions.nb201Options, pruneDead: specOptions.pruneDead)
            ) { loading.update($0, of: $1) }
            loading.finish()

            let what = quantity ?? targetUnit.quantity
            let progress = Progress("predicting", quiet: quiet)
            var predicted: [Double] = []
            var warnings: [String: Int] = [:]
            var cache: [String: Double] = [:]
            for (row, network) in rows.networks.enumerated() {
                progress.update(row, of: rows.networks.count)
                if let known = cache[rows.specs[row]] {
                    predicted.append(known)
                    continue
                }
                let estimate: NetworkEstimate
                do {
                    let plan = EstimationPlan(network: network, isTraining: mode == .training)
                    estimate = try plan.bind(bound, policy: onUnsupported == .zero ? .zero : .fail).estimate()
                } catch {
                    throw JouleFailure.badInput("\(data):\(rows.lines[row]): \(rows.specs[row]): \(JouleFailure(error).description)")
                }
                for warning in estimate.warnings { warnings[warning, default: 0] += 1 }
                let value: Double = switch what {
                case .time: estimate.stepSeconds
                case .energy: estimate.energy.joules
                case .power: estimate.energy.averageWatts
                }
                guard value.isFinite && value > 0 else {
                    throw JouleFailure.badInput("\(data):\(rows.lines[row]): \(model.qualifiedID) predicts \(value) for \(rows.specs[row]); only positive predictions can be scored")
                }
                cache[rows.specs[row]] = value
                predicted.append(value)
            }
            progress.update(rows.networks.count, of: rows.networks.count)
            progress.finish()
            for (warning, count) in warnings.sorted(by: { $0.value > $1.value }).prefix(5) {
                warn(count > 1 ? "\(warning) (in \(count) networks)" : warning)
            }
            if warnings.count > 5 { warn("\(warnings.count - 5) more distinct warnings") }

            let scores = ValidationScores(predicted: predicted, measured: rows.measured)
            switch format {
            case .json:
                print(JSONWriter.render(.object([
                    ("n", .integer(scores.n)), ("kendall_tau", .number(scores.kendallTau)),
                    ("spearman", .number(scores.spearman)), ("mape", .number(scores.mape)), ("rmspe", .number(scores.rmspe)),
                    ("provenance", RunProvenance(models: [bound], options: options, registry: registry).json),
                ])), terminator: "")
            case .table:
                let label = switch what {
                case .time: mode == .training ? "training-step time" : "inference latency"
                case .energy: "energy per batch"
                case .power: "average power"
                }
                print("\(model.qualifiedID) on \(gpu.profile.id): \(label) vs \(data) column \(targetColumn) (\(targetUnit.rawValue))")
                print("  n           \(scores.n)")
                print("  Kendall τ   \(correlation(scores.kendallTau))")
                print("  Spearman ρ  \(correlation(scores.spearman))")
                print("  MAPE        \(percent(scores.mape))")
                print("  RMSPE       \(percent(scores.rmspe))")
            }
        }
    }
}
