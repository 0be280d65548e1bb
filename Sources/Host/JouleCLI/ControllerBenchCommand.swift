import ArgumentParser
import Dispatch
import Fitting
import Foundation
import JouleJSON
import Search
import SeededRandom

/// `joule controller-bench`: how fast the NAO controller trains, measured in this process,
/// and the same training data written out for another implementation to train on.
///
/// Speed targets are checked here, never in tests (tests do not assert wall-clock times).
/// `benchmarks/controller-throughput.sh` runs this against the PyTorch controller in
/// `benchmarks/nao_controller_torch.py` on the file `--export` writes.
struct ControllerBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller-bench",
        abstract: "Measure how fast the NAO controller trains (build with -c release first).",
        discussion: """
            Draws the given number of distinct NAS-Bench-201 cells (no chance-level ones) \
            with synthetic labels (accuracy uniform in [80, 90) percent, cost uniform in \
            [1, 2)), all from --seed; trains a fresh full-size controller (embedding 32, \
            LSTMs of 96, predictor 200 → 200, batch 100, symmetric augmentation) for one \
            warm-up epoch, then times --epochs more. Throughput is samples × epochs / seconds. \
            Then times one generation: 100 new cells from the first 100 samples, β = 0.5.

            --export writes the samples as JSON before training: each one's tokens, every \
            equivalent sequence augmentation draws from, and its labels normalised as the \
            controller normalises them, with the controller's sizes and settings.

            Example:
              swift build -c release
              .build/release/joule controller-bench --epochs 100 --export /tmp/nao-samples.json
            """)

    @Option(help: "Distinct NB201 cells to train on (1…5000).")
    var architectures: Int = 500

    @Option(help: "Timed training epochs, after one warm-up epoch.")
    var epochs: Int = 1000

    @Option(help: "Seeds the cells, their labels and the controller.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Write the training samples as JSON to this file.", valueName: "file"))
    var export: String?

    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table
    @Flag(help: "Print no progress on standard error.")
    var quiet = false

    func validate() throws {
        guard (1...5000).contains(architectures) else { throw ValidationError("--architectures must be in 1…5000") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        try reportingFailures {
            let space = NB201Space()
            let (samples, keys) = try Self.samples(architectures, seed: seed, space: space)
            let configuration = NAOConfiguration()
            if let export {
                let json = Self.exported(samples, space: space, configuration: configuration, seed: seed)
                try writeFileAtomically(JSONWriter.render(json, pretty: false) + "\n", to: export)
            }
            let controller = NAOController(space: space, configuration: configuration, seed: seed)
            controller.train(samples, epochs: 1)  // Warm-up: class tables, allocations, caches.
            // One cheap call per epoch (tens of milliseconds each): no measurable cost.
            let progress = Progress("training", quiet: quiet)
            let training = Self.seconds {
                controller.train(samples, epochs: epochs) { progress.update($0, of: epochs) }
            }
            progress.finish()
            let rate = Double(samples.count * epochs) / training.seconds
            let report = training.result

            let seeds = samples.prefix(100).map { NAOSeed(tokens: $0.tokens, beta: 0.5) }
            let generation = Self.seconds {
                controller.generate(from: seeds, count: 100, maxStepSize: 100, excluding: keys) { tokens in
                    let cell = space.decode(tokens)
                    return space.isChanceLevel(cell) ? nil : space.canonical(cell)
                }
            }
            let cores = ProcessInfo.processInfo.activeProcessorCount
            switch format {
            case .json:
                print(JSONWriter.render(.object([
                    ("schema_version", .integer(1)),
                    ("architectures", .integer(samples.count)), ("epochs", .integer(epochs)), ("seed", .integer(Int64(seed))),
                    ("cores", .integer(cores)), ("build", .string(Timing.buildConfiguration)),
                    ("training_seconds", .number(training.seconds)), ("samples_per_second", .number(rate)),
                    ("adam_steps", .integer(report.steps)),
                    ("prediction_loss", .number(report.predictionLoss)), ("reconstruction_loss", .number(report.reconstructionLoss)),
                    ("generation_seconds", .number(generation.seconds)),
                    ("generated", .integer(generation.result.sequences.count)), ("generation_step_size", .integer(generation.result.stepSize)),
                ])), terminator: "")
            case .table:
                print("NAO controller, \(samples.count) NB201 cells × \(epochs) epochs (seed \(seed)), "
                      + "\(cores) cores, \(Timing.buildConfiguration) build")
                print(String(format: "training:   %.0f samples/s (%.2f s, %d Adam steps; last epoch: prediction loss %.4f, reconstruction loss %.4f)",
                             rate, training.seconds, report.steps, report.predictionLoss, report.reconstructionLoss))
                print(String(format: "generation: %.3f s (%d new from %d seeds, η up to %d)",
                             generation.seconds, generation.result.sequences.count, seeds.count, generation.result.stepSize))
            }
        }
    }

    /// `count` distinct (by canonical key), non-chance cells with labels, drawn in order from
    /// one generator seeded with `seed`: the same draws as `NAOBenchmarkTests`.
    /// - Throws: `JouleFailure.badInput` when a million draws find fewer distinct cells.
    static func samples(_ count: Int, seed: UInt64, space: NB201Space) throws -> (samples: [NAOSample], keys: Set<String>) {
        var generator = SplitMix64(seed: seed)
        var samples: [NAOSample] = []
        var keys = Set<String>()
        var draws = 0
        while samples.count < count {
            draws += 1
            guard draws <= 1_000_000 else {
                throw JouleFailure.badInput("--architectures \(count): only \(samples.count) distinct connected NB201 cells found")
            }
            let cell = space.randomCell(using: &generator)
            guard !space.isChanceLevel(cell), keys.insert(space.canonical(cell)).inserted else { continue }
            samples.append(NAOSample(tokens: space.encode(cell), accuracy: 80 + 10 * Double(generator.nextFloat()),
                                     cost: 1 + Double(generator.nextFloat())))
        }
        return (samples, keys)
    }

    /// The samples as the controller trains on them (schema 1): the space's shape, the
    /// configuration, and per sample its tokens, its equivalent sequences and its labels
    /// normalised by ``NAOLabelScale``.
    static func exported(_ samples: [NAOSample], space: NB201Space, configuration: NAOConfiguration, seed: UInt64) -> JSON {
        let scale = NAOLabelScale(samples)
        func tokens(_ sequence: [Int]) -> JSON { .array(sequence.map { .integer($0) }) }
        return .object([
            ("schema_version", .integer(1)),
            ("space", .string("nb201")), ("seed", .integer(Int64(seed))),
            ("length", .integer(space.length)), ("vocabulary_size", .integer(space.vocabularySize)),
            ("start_token", .integer(space.startToken)),
            ("mask", .array((0..<space.length).map { position in .array(space.mask(at: position).map { .bool($0) }) })),
            ("configuration", .object([
                ("embedding_size", .integer(configuration.embeddingSize)), ("hidden_size", .integer(configuration.hiddenSize)),
                ("predictor_hidden_sizes", .array(configuration.predictorHiddenSizes.map { .integer($0) })),
                ("prediction_weight", .number(Double(configuration.predictionWeight))),
                ("learning_rate", .number(Double(configuration.learningRate))),
                ("weight_decay", .number(Double(configuration.weightDecay))),
                ("gradient_clip", .number(Double(configuration.gradientClip))),
                ("batch_size", .integer(configuration.batchSize)), ("augmentation", .bool(configuration.augmentation)),
            ])),
            ("samples", .array(samples.map { sample in
                .object([
                    ("tokens", tokens(sample.tokens)),
                    ("equivalents", .array(space.equivalentSequences(of: sample.tokens).map(tokens))),
                    ("accuracy", sample.accuracy.map { .number(scale.normalisedAccuracy($0)) } ?? .null),
                    ("cost", sample.cost.map { .number(scale.normalisedCost($0)) } ?? .null),
                ])
            })),
        ])
    }

    /// Runs `body` once and returns its result with its wall-clock time in seconds.
    static func seconds<R>(_ body: () -> R) -> (result: R, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
