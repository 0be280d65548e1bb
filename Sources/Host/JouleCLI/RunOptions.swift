import ArgumentParser
import Estimation

/// Whole-run options shared by `joule estimate` and `joule compare`: a training run
/// (--epochs over --dataset-size) or a serving lifetime (--requests), and the grid's
/// carbon intensity.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Training epochs: with --dataset-size, the whole training run's steps, hours, kWh and emissions.", valueName: "n"))
    var epochs: Int64?
    @Option(name: .customLong("dataset-size"), help: ArgumentHelp("Samples per epoch (with --epochs).", valueName: "n"))
    var datasetSize: Int64?
    @Option(help: ArgumentHelp("Inference requests (one sample each) over the model's lifetime: batches, hours, kWh and emissions.", valueName: "n"))
    var requests: Int64?
    @Option(name: .customLong("grid-intensity"),
            help: ArgumentHelp("gCO2e per kWh, or a region: \(GridIntensity.regions.keys.sorted().joined(separator: ", ")) (default world, 480).",
                               valueName: "g|region"))
    var gridIntensity: String?

    var asksForRun: Bool { epochs != nil || requests != nil }

    /// The checks that need the mode as well as these options.
    func validate(isTraining: Bool) throws {
        if (epochs == nil) != (datasetSize == nil) { throw ValidationError("--epochs and --dataset-size go together: a training run is epochs over a dataset") }
        if let epochs, !(1...1_000_000).contains(epochs) { throw ValidationError("--epochs must be from 1 to 1,000,000, got \(epochs)") }
        if let datasetSize, !(1...1_000_000_000_000).contains(datasetSize) { throw ValidationError("--dataset-size must be from 1 to 10^12 samples, got \(datasetSize)") }
        if let requests, !(1...1_000_000_000_000_000).contains(requests) { throw ValidationError("--requests must be from 1 to 10^15, got \(requests)") }
        if epochs != nil && !isTraining { throw ValidationError("--epochs describes a training run; use --requests with --mode inference") }
        if requests != nil && isTraining { throw ValidationError("--requests describes serving; add --mode inference") }
        if let gridIntensity {
            guard asksForRun else { throw ValidationError("--grid-intensity applies to a whole run: add --epochs and --dataset-size, or --requests") }
            guard GridIntensity(parsing: gridIntensity) != nil else {
                throw ValidationError("--grid-intensity: '\(gridIntensity)' is neither a number of gCO2e/kWh (≥ 0) nor a region ("
                                      + GridIntensity.regions.keys.sorted().joined(separator: ", ") + ")")
            }
        }
    }

    /// The whole run for one step's estimate, or nil when none was asked for.
    func run(for estimate: NetworkEstimate) -> RunEnergy? {
        let kind: RunEnergy.Kind
        if let epochs, let datasetSize {
            kind = .training(epochs: epochs, datasetSize: datasetSize)
        } else if let requests {
            kind = .serving(requests: requests)
        } else {
            return nil
        }
        return RunEnergy(kind, batch: estimate.batch, stepSeconds: estimate.stepSeconds, stepJoules: estimate.energy.joules,
                         grid: gridIntensity.flatMap(GridIntensity.init(parsing:)) ?? .world)
    }
}
