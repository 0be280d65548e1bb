import ArgumentParser
import Fitting
import GPUProfileFormat
import Foundation
import JouleJSON
import Network
import PluginAPI
import Registry
import Reports
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

    enum Space: String, ExpressibleByArgument, CaseIterable { case nb201, layerwise }
    enum Algorithm: String, ExpressibleByArgument, CaseIterable { case nao, random, evolution }
    enum Mode: String, ExpressibleByArgument, CaseIterable { case inference, training }

    @Argument(help: ArgumentHelp("The starting network: nb201:CELL for --space nb201, a Paleo JSON spec for --space layerwise.", valueName: "spec"))
    var spec: String
    @OptionGroup var plugins: PluginOptions
    @OptionGroup var isolation: PluginIsolationOptions
    @OptionGroup var costing: CostingOptions
    @Option(help: "The search space: nb201 (NAS-Bench-201 cells) or layerwise (width, kernel and skip per layer of SPEC).")
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
    @Option(help: "command: trials run at once; random and nao evaluate their candidates in batches of this size (evolution one by one).")
    var jobs: Int = 1
    @Option(help: "Accuracy evaluations to spend (the start network's included).")
    var budget: Int
    @Option(help: "nao (Neural Architecture Optimization with an energy head), random or evolution.")
    var algorithm: Algorithm
    @OptionGroup var nao: NAOOptions
    @Option(name: .customLong("max-energy"), help: ArgumentHelp("Search for the most accurate network within this energy, with its unit: e.g. 0.2J, 150mJ.", valueName: "energy"))
    var maxEnergy: String?
    @Option(name: .customLong("max-latency"), help: ArgumentHelp("Search for the most accurate network within this latency (training: step time), with its unit: e.g. 5ms, 0.01s.", valueName: "time"))
    var maxLatency: String?
    @Option(name: .customLong("min-accuracy"), help: ArgumentHelp("Search for the cheapest network at least this accurate (the evaluator's units).", valueName: "accuracy"))
    var minAccuracy: Double?
    @Option(help: "Seed of every random choice: the same seed gives the same search.")
    var seed: UInt64 = 1
    @Option(help: ArgumentHelp("The output folder.", valueName: "dir"))
    var out: String
    @Flag(help: "Continue the search in DIR after an interruption.")
    var resume = false
    @Flag(help: "Start afresh in DIR, replacing the search it holds (its history is lost).")
    var force = false
    @OptionGroup var specOptions: SpecOptions
    @Flag(help: "No progress output.")
    var quiet = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML report (the accuracy/cost plane, the front, before and after) to this file.",
                               valueName: "file.html"))
    var report: String?

    func validate() throws {
        if resume && force { throw ValidationError("--resume continues the search in DIR and --force replaces it: choose one") }
        guard budget >= 2 else { throw ValidationError("--budget must be at least 2 (the start network and one more), got \(budget)") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if space == .nb201 && !SpecSource.isNB201(spec) {
            throw ValidationError("--space nb201 starts from a NAS-Bench-201 cell: write SPEC as nb201:CELL")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let trialTimeout, !(trialTimeout > 0) { throw ValidationError("--trial-timeout must be a positive number of seconds, got \(trialTimeout)") }
        if let minAccuracy, !minAccuracy.isFinite { throw ValidationError("--min-accuracy must be a number, got \(minAccuracy)") }
        _ = try constraint()
        try specOptions.validate(spec: spec)
    }

    func run() throws {
        try reportingFailures {
            let registry = isolation.apply(to: try plugins.loadCheckedRegistry(), plugins)
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

            let labeler = CostLabeler(model: bound, isTraining: mode == .training, batch: batch)
            let context = Context(model: model, gpu: gpu, evaluator: evaluator, labeler: labeler,
                                  costSource: "\(model.qualifiedID) \(model.provider.version) on \(gpu.profile.id)",
                                  constraint: try constraint(),
                                  provenance: RunProvenance(models: [bound], options: options, registry: registry))
            switch space {
            case .nb201:
                let start = try NB201Cell(parsing: String(spec.dropFirst(SpecSource.nb201Prefix.count)))
                try search(NB201SearchSpace(options: specOptions.nb201Options), start: start, context: context)
            case .layerwise:
                let network = try specOptions.read(spec)
                let searchSpace = try LayerwiseSearchSpace(network: network, label: spec)
                try search(searchSpace, start: searchSpace.space.start, context: context)
            }
        }
    }

    /// What every search needs besides its space.
    struct Context {
        var model: CostModelEntry
        var gpu: ProfileEntry
        var evaluator: any AccuracyEvaluator
        var labeler: CostLabeler
        var costSource: String
        var constraint: SearchConstraint
        var provenance: RunProvenance
    }

    /// Runs the chosen algorithm over `searchSpace` from `start`, then writes and prints the results.
    private func search<Space: NAOSearchSpace>(_ searchSpace: Space, start: Space.Architecture, context: Context) throws {
        try prepare(settings: settings(context, space: searchSpace), provenance: context.provenance)
        let history = try HistoryLog(path: out + "/history.csv", resume: resume)
        let driver = SearchDriver(space: searchSpace, labeler: context.labeler, objective: objective, budget: budget,
                                  evaluator: context.evaluator, costSource: context.costSource, history: history)
        driver.constraint = context.constraint
        driver.batchSize = jobs
        let progress = Progress("searching", quiet: quiet)
        let excluded: (EvaluationRecord) -> Bool = { record in
            driver.architectures[record.architecture].map { !searchSpace.isProposable($0) } ?? false
        }
        // The progress line carries the front so far: its size and its two ends.
        var front: [EvaluationRecord] = []
        driver.onRecord = { record in
            if context.constraint.isEmpty || context.constraint.admits(record) {
                front = SearchOutput.front(front + [record], objective: objective, excluding: excluded)
            }
            progress.update(driver.results.count, of: driver.budget, detail: frontSummary(front))
        }
        driver.onLabel = { done, total in
            progress.update(driver.results.count, of: driver.budget, detail: "labelling costs: \(done) of \(total)")
        }
        driver.onTraining = { done, total in
            progress.update(driver.results.count, of: driver.budget, detail: "training the controller: epoch \(done) of \(total)")
        }
        let startRecord = try driver.evaluate(start, origin: "start")
        switch algorithm {
        case .nao:
            let reports = try nao.run(driver, seed: seed)
            progress.finish()
            try writeFileAtomically(NAORoundReport.csv(reports), to: out + "/nao_rounds.csv")
            for report in reports where !quiet {
                let tau = { (value: Double) in value.isNaN ? "n/a" : String(format: "%.3f", value) }
                FileHandle.standardError.write(Data(("joule: nao round \(report.round): predictor Kendall τ on architectures it did not train on: "
                    + "accuracy \(tau(report.quality.accuracyTau)) (\(report.quality.accuracyCount)), cost \(tau(report.quality.costTau)) (\(report.quality.costCount)); "
                    + "\(report.generated) decoded, \(report.neighbours) neighbours, \(report.random) random\n").utf8))
            }
        case .random: try RandomSearch.run(driver, seed: seed)
        case .evolution: try RegularisedEvolution.run(driver, seed: seed)
        }
        progress.finish()

        let admitted = driver.results.filter { context.constraint.isEmpty || context.constraint.admits($0) }
        let finalFront = SearchOutput.front(admitted, objective: objective, excluding: excluded)
        try writeFileAtomically(SearchOutput.frontCSV(finalFront), to: out + "/front.csv")
        try SearchOutput.writeBest(finalFront, architectures: driver.architectures, space: searchSpace, folder: out + "/best")
        let energyIsPredicted = (try? context.labeler.cost(of: try searchSpace.network(start), key: searchSpace.describe(start)))?.energyIsPredicted ?? false
        if let path = self.report {
            let page = SearchReport(records: driver.results, front: finalFront, start: startRecord, objective: objective,
                                    accuracyLabel: context.evaluator.isProxy ? "proxy" : "accuracy", accuracySource: context.evaluator.label,
                                    costSource: context.costSource,
                                    energyProvenance: energyIsPredicted ? "predicted" : "derived: predicted time, power from the GPU profile",
                                    settings: "\(algorithm.rawValue) search, seed \(seed), budget \(budget)"
                                        + (context.constraint.isEmpty ? "" : ", \(context.constraint.description)"),
                                    provenance: context.provenance)
            try writeFileAtomically(page.html, to: path)
        }
        report(start: startRecord, front: finalFront, evaluated: driver.results.count, context: context, energyIsPredicted: energyIsPredicted)
    }

    /// "front 9: 91.55 % at 14.3 ms … 78.49 % at 4.75 ms", for the progress line.
    private func frontSummary(_ front: [EvaluationRecord]) -> String? {
        guard let cheapest = front.first, let best = front.last else { return nil }
        func point(_ r: EvaluationRecord) -> String {
            let cost = objective == .energy ? String(format: "%.3g J", r.energyJoules) : String(format: "%.3g ms", r.latencySeconds * 1000)
            return String(format: "%.2f", r.accuracy ?? .nan) + " at " + cost
        }
        return front.count == 1 ? "front: \(point(best))" : "front \(front.count): \(point(best)) … \(point(cheapest))"
    }

    /// The limits of --max-energy, --max-latency and --min-accuracy.
    func constraint() throws -> SearchConstraint {
        SearchConstraint(maxEnergyJoules: try maxEnergy.map { try Self.quantity($0, option: "--max-energy", units: ["J": 1, "mJ": 1e-3, "uJ": 1e-6, "µJ": 1e-6, "kJ": 1e3]) },
                         maxLatencySeconds: try maxLatency.map { try Self.quantity($0, option: "--max-latency", units: ["s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6]) },
                         minAccuracy: minAccuracy)
    }

    /// A positive number followed by one of `units` (its factor to the base unit).
    static func quantity(_ text: String, option: String, units: [String: Double]) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let split = trimmed.firstIndex { !"0123456789.eE+-".contains($0) } ?? trimmed.endIndex
        let unit = trimmed[split...].trimmingCharacters(in: .whitespaces)
        guard let factor = units[unit] else {
            throw ValidationError("\(option) '\(text)': give the value with its unit, one of \(units.keys.sorted().joined(separator: ", ")) (e.g. 5\(units.keys.sorted().first!))")
        }
        guard let value = Double(trimmed[..<split]), value > 0, value.isFinite else {
            throw ValidationError("\(option) '\(text)': the value must be a positive number")
        }
        return value * factor
    }

    /// The settings that define the search, as search.json records them.
    private func settings<Space: SearchSpace>(_ context: Context, space searchSpace: Space) -> [(String, JSON)] {
        var settings: [(String, JSON)] = [
            ("space", .string(space.rawValue)), ("start", .string(spec)), ("algorithm", .string(algorithm.rawValue)),
            ("seed", .integer(Int64(truncatingIfNeeded: seed))), ("budget", .integer(budget)),
            ("nao", algorithm == .nao ? nao.json : .null),
            ("objective", .string(objective.rawValue)),
            ("constraint", .object([("max_energy_joules", context.constraint.maxEnergyJoules.map { .number($0) } ?? .null),
                                    ("max_latency_seconds", context.constraint.maxLatencySeconds.map { .number($0) } ?? .null),
                                    ("min_accuracy", context.constraint.minAccuracy.map { .number($0) } ?? .null)])),
            ("mode", .string(mode.rawValue)), ("batch", batch.map { .integer($0) } ?? .null),
        ]
        if space == .nb201 {
            settings += [("classes", .integer(specOptions.nb201Options.classes)), ("input_size", .integer(specOptions.nb201Options.inputSize))]
        }
        if let layerwise = searchSpace as? LayerwiseSearchSpace {
            settings.append(("decisions", .integer(layerwise.space.decisions.count)))
        }
        settings += [
            ("accuracy", .string(context.evaluator.label)), ("accuracy_is_proxy", .bool(context.evaluator.isProxy)),
            ("cost_model", .object([("id", .string(context.model.qualifiedID)), ("version", .string(context.model.provider.version)),
                                    ("options", .object(((try? costing.parsedCostOptions()) ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])),
            ("gpu_profile", .object([("id", .string(context.gpu.profile.id)), ("name", .string(context.gpu.profile.name)), ("defined", .string(context.gpu.origin.description)),
                                     ("numbers_hash", .string(context.gpu.profile.numbersHash))])),
        ]
        return settings
    }

    /// Creates DIR and search.json, or (resuming) checks that DIR holds this search.
    private func prepare(settings: [(String, JSON)], provenance: RunProvenance) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: out, withIntermediateDirectories: true)
        let settingsPath = out + "/search.json"
        let historyRecords = (try? HistoryLog(path: out + "/history.csv", resume: true))?.records.count ?? 0
        // A search killed before it wrote search.json left nothing to lose: resuming it is
        // starting it (so a kill at any moment can be answered with --resume).
        let nothingToResume = !manager.fileExists(atPath: settingsPath) && historyRecords == 0
        if resume && nothingToResume && !quiet {
            FileHandle.standardError.write(Data("joule: \(out) holds no search yet; starting it\n".utf8))
        }
        if resume && !nothingToResume {
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
        if force {
            for name in ["history.csv", "front.csv", "nao_rounds.csv", "search.json", "best"] {
                try? manager.removeItem(atPath: out + "/" + name)
            }
        }
        if !force && historyRecords > 0 {
            throw JouleFailure.badInput("\(out) already holds a search (\(historyRecords) evaluations in history.csv): pass --resume to continue it, --force to replace it, or choose another --out")
        }
        let document: JSON = .object([
            ("settings", .object(settings)),
            ("provenance", provenance.json),
        ])
        try writeFileAtomically(JSONWriter.render(document), to: settingsPath)
    }

    private func report(start: EvaluationRecord, front: [EvaluationRecord], evaluated: Int, context: Context, energyIsPredicted: Bool) {
        let unit = objective == .energy ? "J" : "ms"
        func cost(_ r: EvaluationRecord) -> String {
            objective == .energy ? String(format: "%.4g J", r.energyJoules) : String(format: "%.4g ms", r.latencySeconds * 1000)
        }
        func value(_ r: EvaluationRecord) -> Double { objective == .energy ? r.energyJoules : r.latencySeconds }
        let what = context.evaluator.isProxy ? "proxy" : "accuracy"
        let accuracy = { (r: EvaluationRecord) in r.accuracy.map { String(format: "%.2f", $0) } ?? "failed" }
        print("\(evaluated) architectures evaluated (\(algorithm.rawValue), seed \(seed)); \(what) from \(context.evaluator.label); "
              + "\(objective.rawValue) from \(context.costSource)"
              + (objective == .energy && !energyIsPredicted ? " (derived: predicted time, power from the GPU profile)" : ""))
        print("start: \(start.architecture)")
        print("  \(what) \(accuracy(start)), \(cost(start))")
        let limits = context.constraint.isEmpty ? "" : " within \(context.constraint.description)"
        print("front\(limits) (\(front.count) architectures, by \(objective.rawValue) in \(unit)):")
        for record in front {
            print("  \(what) \(accuracy(record))  \(cost(record))  (\(String(format: "%.2f", value(record) / value(start)))× the start)  \(record.architecture)")
        }
        if !context.constraint.isEmpty {
            if let best = context.constraint.best(front, cost: value) {
                print("best\(limits): \(what) \(accuracy(best)), \(cost(best)) (\(String(format: "%.2f", value(best) / value(start)))× the start): \(best.architecture)")
            } else {
                print("no evaluated architecture meets \(context.constraint.description)")
            }
        } else if !context.evaluator.isProxy, let startAccuracy = start.accuracy,
                  let pick = front.filter({ $0.accuracy! >= startAccuracy - 1 }).min(by: { value($0) < value($1) }) {
            // The headline: the cheapest front network within one point of the start's accuracy.
            print(String(format: "within 1 point of the start's %@: %@ %@ for %@ (%.2f× the start's %@)", what, what, accuracy(pick), cost(pick),
                         value(pick) / value(start), objective.rawValue))
        }
        print("wrote \(out)/history.csv, front.csv, best/, search.json\(algorithm == .nao ? ", nao_rounds.csv" : "")")
    }
}

extension SearchObjective: ExpressibleByArgument {}
