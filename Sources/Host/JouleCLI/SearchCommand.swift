import ArgumentParser
import Fitting
import Foundation
import JouleJSON
import Network
import PluginAPI
import Registry
import Search

/// `joule search`: networks that need less energy (or time) for about the same accuracy.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search for architectures on the accuracy/energy front, starting from a network.",
        discussion: """
            SPEC is the starting network (nb201:CELL for --space nb201); it is evaluated first \
            and marked in every output. Accuracy comes from --accuracy (what --budget counts); \
            energy and latency come from the cost model, labelled as predicted or derived.

            Algorithms: nao (an LSTM encoder, a predictor with accuracy and cost heads and an \
            attention decoder; new cells come from gradient steps in the encoder's space, with \
            cost labels from the cost model for thousands of cells), random (uniform, \
            de-duplicated) and evolution (regularised evolution with a two-objective tournament).

            DIR gets history.csv (every evaluated architecture in order, written as it goes), \
            front.csv (the non-dominated set), best/ (the front as Paleo JSON) and search.json \
            (settings and provenance). A killed search continues with --resume: the same seed \
            replays the same proposals, answered from the history, and nothing is evaluated twice.

            Example:
              joule search 'nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' \\
                --space nb201 --gpu GTX_1080_TI --cost-model neuralpower --batch 32 --objective latency \\
                --accuracy table:../shared/data/nb201/nb201_cifar10.csv --budget 100 --algorithm evolution --out runs/evo
            """)

    enum Space: String, ExpressibleByArgument, CaseIterable { case nb201 }
    enum Algorithm: String, ExpressibleByArgument, CaseIterable { case nao, random, evolution }
    enum Mode: String, ExpressibleByArgument, CaseIterable { case inference, training }

    @Argument(help: ArgumentHelp("The starting network (nb201:CELL for --space nb201).", valueName: "spec"))
    var spec: String
    @OptionGroup var plugins: PluginOptions
    @OptionGroup var costing: CostingOptions
    @Option(help: "The search space: nb201 (the layer-wise space is being built).")
    var space: Space
    @Option(help: "What to minimise beside maximising accuracy: energy or latency.")
    var objective: SearchObjective = .energy
    @Option(help: "inference (forward pass) or training (a whole step).")
    var mode: Mode = .inference
    @Option(help: "Samples per step (default: the network's own; NAS-Bench-201 cells: 1).")
    var batch: Int64?
    @Option(help: ArgumentHelp("Where accuracy comes from: table:FILE[:ARCH_COLUMN:ACCURACY_COLUMN], proxy:params|flops, or command:\"CMD {spec}\" (your training script on the candidate's Paleo JSON; the last number it prints is the accuracy).", valueName: "source"))
    var accuracy: String
    @Option(name: .customLong("trial-timeout"), help: "Seconds a command: trial may run before it is killed and recorded as failed.")
    var trialTimeout: Double?
    @Option(help: "command: trials run at once.")
    var jobs: Int = 1
    @Option(help: "Accuracy evaluations to spend (the start network's included).")
    var budget: Int
    @Option(help: "nao (Neural Architecture Optimization with an energy head), random or evolution.")
    var algorithm: Algorithm
    @Option(help: "nao: train-and-generate rounds after the initial random sample.")
    var rounds: Int = 3
    @Option(help: "nao: controller training epochs per round.")
    var epochs: Int = 300
    @Option(help: "nao: the largest weight of the cost term in the generation objective (accuracy − β · normalised log cost); seeds sweep 0…β.")
    var beta: Double = 1
    @Option(help: "Seed of every random choice: the same seed gives the same search.")
    var seed: UInt64 = 1
    @Option(help: ArgumentHelp("The output folder.", valueName: "dir"))
    var out: String
    @Flag(help: "Continue the search in DIR after an interruption.")
    var resume = false
    @OptionGroup var specOptions: SpecOptions
    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard budget >= 2 else { throw ValidationError("--budget must be at least 2 (the start network and one more), got \(budget)") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if space == .nb201 && !SpecSource.isNB201(spec) {
            throw ValidationError("--space nb201 starts from a NAS-Bench-201 cell: write SPEC as nb201:CELL")
        }
        try specOptions.validate(spec: spec)
    }

    func run() throws {
        try reportingFailures {
            let registry = try plugins.loadCheckedRegistry()
            let gpu = try costing.selectedProfile(registry)
            let (model, preset) = try costing.selectedModel(registry) {
                guard let paleo = registry.costModels.first(where: { $0.id == "paleo" }) else {
                    throw JouleFailure.badInput("choose a cost model with --cost-model (`joule models` lists them)")
                }
                return paleo.qualifiedID
            }
            var options = try costing.parsedCostOptions()
            for (key, value) in preset { options[key] = value }
            let bound = try model.bind(to: gpu, options: options)
            let evaluator: any AccuracyEvaluator
            do {
                evaluator = try AccuracySpec(parsing: accuracy).makeEvaluator(trialFolder: out + "/trials", trialTimeout: trialTimeout, jobs: jobs)
            } catch {
                throw JouleFailure.badInput("--accuracy \(accuracy): \(error)")
            }

            let nb201 = specOptions.nb201Options
            let start = try NB201Cell(parsing: String(spec.dropFirst(SpecSource.nb201Prefix.count)))
            let searchSpace = NB201SearchSpace(options: nb201)
            let labeler = CostLabeler(model: bound, isTraining: mode == .training, batch: batch)
            let costSource = "\(model.qualifiedID) \(model.provider.version) on \(gpu.profile.id)"

            try prepare(settings: settings(model: model, gpu: gpu, evaluator: evaluator))
            let history = try HistoryLog(path: out + "/history.csv", resume: resume)
            let driver = SearchDriver(space: searchSpace, labeler: labeler, objective: objective, budget: budget,
                                      evaluator: evaluator, costSource: costSource, history: history)
            let progress = Progress("searching", quiet: quiet)
            driver.onRecord = { _ in progress.update(driver.results.count, of: driver.budget) }
            let startRecord = try driver.evaluate(start, origin: "start")
            switch algorithm {
            case .nao:
                let reports = try NAOSearch.run(driver: driver, seed: seed, rounds: rounds, epochs: epochs, beta: beta)
                for report in reports where !quiet {
                    FileHandle.standardError.write(Data("joule: nao round \(report.round): predictor Kendall τ on held-out cells: accuracy \(String(format: "%.3f", report.quality.accuracyTau)), cost \(String(format: "%.3f", report.quality.costTau)); \(report.generated) generated\n".utf8))
                }
            case .random: try RandomSearch.run(driver, seed: seed)
            case .evolution: try RegularisedEvolution.run(driver, seed: seed)
            }
            progress.finish()

            let front = SearchOutput.front(driver.results, objective: objective) { record in
                (try? NB201Cell(parsing: record.architecture))?.isDisconnected ?? false
            }
            try writeFileAtomically(SearchOutput.frontCSV(front), to: out + "/front.csv")
            try SearchOutput.writeBest(front, architectures: driver.architectures, space: searchSpace, folder: out + "/best")
            report(start: startRecord, front: front, evaluated: driver.results.count, evaluator: evaluator)
        }
    }

    /// The settings that define the search, as search.json records them.
    private func settings(model: CostModelEntry, gpu: ProfileEntry, evaluator: any AccuracyEvaluator) -> [(String, JSON)] {
        [
            ("space", .string(space.rawValue)), ("start", .string(spec)), ("algorithm", .string(algorithm.rawValue)),
            ("seed", .integer(Int64(truncatingIfNeeded: seed))), ("budget", .integer(budget)),
            ("nao", algorithm == .nao ? .object([("rounds", .integer(rounds)), ("epochs", .integer(epochs)), ("beta", .number(beta))]) : .null), ("objective", .string(objective.rawValue)),
            ("mode", .string(mode.rawValue)), ("batch", batch.map { .integer($0) } ?? .null),
            ("classes", .integer(specOptions.nb201Options.classes)), ("input_size", .integer(specOptions.nb201Options.inputSize)),
            ("accuracy", .string(evaluator.label)), ("accuracy_is_proxy", .bool(evaluator.isProxy)),
            ("cost_model", .object([("id", .string(model.qualifiedID)), ("version", .string(model.provider.version)),
                                    ("options", .object(((try? costing.parsedCostOptions()) ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])),
            ("gpu_profile", .object([("id", .string(gpu.profile.id)), ("name", .string(gpu.profile.name)), ("defined", .string(gpu.origin.description))])),
        ]
    }

    /// Creates DIR and search.json, or (resuming) checks that DIR holds this search.
    private func prepare(settings: [(String, JSON)]) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: out, withIntermediateDirectories: true)
        let settingsPath = out + "/search.json"
        if resume {
            guard let data = manager.contents(atPath: settingsPath), let node = try? JSONParser.parse(Array(data)) else {
                throw JouleFailure.badInput("--resume: \(settingsPath) is missing or unreadable; there is no search to continue in \(out)")
            }
            // Everything but the budget must match: a resumed random or evolutionary search may
            // be given more (NAO divides its budget into rounds, so its budget must match too).
            for (key, value) in settings where (key != "budget" || algorithm == .nao) && node["settings"]?[key]?.plain != value {
                throw JouleFailure.badInput("--resume: \(out) holds a search with another \(key) (\((node["settings"]?[key]?.plain).map { JSONWriter.render($0, pretty: false) } ?? "none")); "
                                            + "continue it with the same settings, or choose another --out")
            }
            return
        }
        if let existing = try? HistoryLog(path: out + "/history.csv", resume: true), !existing.records.isEmpty {
            throw JouleFailure.badInput("\(out) already holds a search (\(existing.records.count) evaluations in history.csv): pass --resume to continue it, or choose another --out")
        }
        let document: JSON = .object([
            ("settings", .object(settings)),
            ("provenance", .object([
                ("joule_version", .string(JouleVersion.string)),
                ("plugin_abi", .string(describeABIVersion(jouleABIVersion))),
            ])),
        ])
        try writeFileAtomically(JSONWriter.render(document), to: settingsPath)
    }

    private func report(start: EvaluationRecord, front: [EvaluationRecord], evaluated: Int, evaluator: any AccuracyEvaluator) {
        let unit = objective == .energy ? "J" : "ms"
        func cost(_ r: EvaluationRecord) -> String {
            objective == .energy ? String(format: "%.4g J", r.energyJoules) : String(format: "%.4g ms", r.latencySeconds * 1000)
        }
        let what = evaluator.isProxy ? "proxy" : "accuracy"
        print("\(evaluated) architectures evaluated (\(algorithm.rawValue), seed \(seed)); \(what) from \(evaluator.label)")
        print("start: \(start.architecture)")
        print("  \(what) \(start.accuracy.map { String(format: "%.2f", $0) } ?? "failed"), \(cost(start))")
        print("front (\(front.count) architectures, by \(objective.rawValue) in \(unit)):")
        for record in front {
            let accuracy = record.accuracy.map { String(format: "%.2f", $0) } ?? "-"
            let ratio = (objective == .energy ? record.energyJoules / start.energyJoules : record.latencySeconds / start.latencySeconds)
            print("  \(what) \(accuracy)  \(cost(record))  (\(String(format: "%.2f", ratio))× the start)  \(record.architecture)")
        }
        print("wrote \(out)/history.csv, front.csv, best/, search.json")
    }
}

extension SearchObjective: ExpressibleByArgument {}
