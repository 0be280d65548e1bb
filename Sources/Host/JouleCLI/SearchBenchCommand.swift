import ArgumentParser
import Fitting
import Foundation
import Network
import Registry
import Search

/// `joule search-bench`: how good each search algorithm's fronts are, scored with
/// measurements nobody here made.
struct SearchBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search-bench",
        abstract: "Compare search algorithms on NAS-Bench-201: front hypervolume gap, true-front hits and IGD.",
        discussion: """
            Each algorithm searches with the chosen cost model (e.g. a model fitted on the \
            device's measurements) at each budget for seeds 1…N; everything a run evaluated is \
            then scored with the measured cost table (--measured FILE:COLUMN) and the accuracy \
            table: the hypervolume of its front as a fraction of the true front's (reference: \
            chance accuracy, 1.1 × the highest cost; cells above chance), the gap 1 − fraction, \
            true-front cells found and IGD, as mean ± standard deviation over seeds.

            Example (the README's table; build with -c release first):
              joule search-bench --accuracy table:../shared/data/nb201/nb201_cifar10.csv \\
                --measured ../shared/data/nb201/latency_dev.csv:1080ti_32 --gpu GTX_1080_TI \\
                --cost-model neuralpower --batch 32 --budgets 50,100,200,500 --seeds 10
            """)

    enum Algorithm: String, ExpressibleByArgument, CaseIterable { case nao, random, evolution }

    @OptionGroup var plugins: PluginOptions
    @OptionGroup var isolation: PluginIsolationOptions
    @OptionGroup var costing: CostingOptions
    @Option(help: ArgumentHelp("The accuracy table, table:FILE[:ARCH_COLUMN:ACCURACY_COLUMN].", valueName: "source"))
    var accuracy: String
    @Option(help: ArgumentHelp("The measured cost of every cell, FILE:COLUMN (milliseconds or any unit).", valueName: "file:column"))
    var measured: String
    @Option(help: "Samples per step the cost model is asked at.")
    var batch: Int64?
    @Option(help: "What the searches minimise: energy or latency (the measured column should match).")
    var objective: SearchObjective = .latency
    @Option(help: "Comma-separated budgets.")
    var budgets: String = "50,100,200,500"
    @Option(help: "Seeds per algorithm and budget (1…N).")
    var seeds: Int = 10
    @Option(help: "Comma-separated algorithms: nao, random, evolution.")
    var algorithms: String = "nao,random,evolution"
    @OptionGroup var nao: NAOOptions
    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        try reportingFailures {
            let budgetList = try budgets.split(separator: ",").map { text -> Int in
                guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 2 else {
                    throw ValidationError("--budgets: '\(text)' is not a budget of at least 2")
                }
                return value
            }
            let algorithmList = try algorithms.split(separator: ",").map { text -> Algorithm in
                guard let value = Algorithm(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--algorithms: unknown '\(text)' (nao, random, evolution)")
                }
                return value
            }
            guard let colon = measured.lastIndex(of: ":") else {
                throw ValidationError("--measured expects FILE:COLUMN, got '\(measured)'")
            }
            guard let evaluator = try AccuracySpec(parsing: accuracy).makeEvaluator() as? TableEvaluator else {
                throw ValidationError("--accuracy must be a table: the benchmark scores fronts with true accuracies")
            }
            let accuracyValues = try NB201Space.values(file: evaluator.file, column: evaluator.accuracyColumn, archColumn: evaluator.archColumn)
            let costValues = try NB201Space.values(file: String(measured[..<colon]), column: String(measured[measured.index(after: colon)...]))
            let quality = try FrontQuality(accuracy: accuracyValues, cost: costValues)

            let registry = isolation.apply(to: try plugins.loadCheckedRegistry(), plugins)
            let gpu = try costing.selectedProfile(registry)
            let (model, preset) = try costing.selectedModel(registry) { "paleo" }
            var options = try costing.parsedCostOptions()
            for (key, value) in preset { options[key] = value }
            let bound = try model.bind(to: gpu, options: options)
            // One labeler for every run: cost labels do not depend on the search.
            let labeler = CostLabeler(model: bound, isTraining: false, batch: batch)
            let benchmark = SearchBenchmark(quality: quality) { budget, history in
                SearchDriver(space: NB201SearchSpace(), labeler: labeler, objective: objective, budget: budget,
                             evaluator: evaluator, costSource: model.qualifiedID, history: history)
            }
            let runners: [SearchBenchmark.Algorithm] = algorithmList.map { algorithm in
                switch algorithm {
                case .nao: ("nao", { [nao] in try nao.run($0, seed: $1) })
                case .random: ("random", { try RandomSearch.run($0, seed: $1) })
                case .evolution: ("evolution", { try RegularisedEvolution.run($0, seed: $1) })
                }
            }
            let progress = Progress("searching", quiet: quiet)
            let rows = try benchmark.run(algorithms: runners, budgets: budgetList, seeds: seeds) { progress.update($0, of: $1) }
            progress.finish()
            print("true front: \(quality.trueFront.count) cells, hypervolume \(String(format: "%.2f", quality.trueHypervolume)); "
                  + "searches with \(model.qualifiedID) on \(gpu.profile.id), scored with \(measured); \(seeds) seeds")
            print("| algorithm | budget | gap (1 − HV fraction) | true-front cells found | IGD | seconds per run |")
            print("|---|---|---|---|---|---|")
            for row in rows {
                print("| \(row.algorithm) | \(row.budget) | \(String(format: "%.4f ± %.4f", row.meanGap, row.gapStandardDeviation)) | "
                      + "\(String(format: "%.1f", row.meanTrueFrontFound)) of \(quality.trueFront.count) | "
                      + "\(String(format: "%.4f ± %.4f", row.meanIGD, row.igdStandardDeviation)) | \(String(format: "%.1f", row.meanSeconds)) |")
            }
        }
    }
}
