import Foundation
import Fitting
import JouleTestSupport
import Network
import Registry
import Testing
@testable import Search

/// The benchmark's rows are the front scores of the runs it made, one per seed.
@Suite struct SearchBenchmarkTests {
    @Test func rowsScoreEachSeedsRunWithTheMeasuredCosts() throws {
        let data = PackageLayout.sharedData.appendingPathComponent("nb201")
        let evaluator = try TableEvaluator(file: data.appendingPathComponent("nb201_cifar10.csv").path)
        let accuracy = try NB201Space.values(file: evaluator.file, column: evaluator.accuracyColumn)
        let measured = try NB201Space.values(file: data.appendingPathComponent("latency_dev.csv").path, column: "1080ti_32")
        let quality = try FrontQuality(accuracy: accuracy, cost: measured)
        let registry = loadTestRegistry(bundled: true)
        let model = try registry.costModel(named: "paleo").bind(to: try registry.profile(named: "GTX_1080_TI"))
        let labeler = CostLabeler(model: model, isTraining: false, batch: 32)
        let benchmark = SearchBenchmark(quality: quality) { budget, history in
            SearchDriver(space: NB201SearchSpace(), labeler: labeler, objective: .latency, budget: budget,
                         evaluator: evaluator, costSource: "paleo", history: history)
        }
        let rows = try benchmark.run(algorithms: [("random", { try RandomSearch.run($0, seed: $1) })], budgets: [15, 30], seeds: 3)
        #expect(rows.map(\.budget) == [15, 30])
        #expect(rows.allSatisfy { $0.scores.count == 3 })
        // Seed 2 at budget 30, rerun by hand, scores the same.
        let directory = try TemporaryDirectory()
        let driver = SearchDriver(space: NB201SearchSpace(), labeler: labeler, objective: .latency, budget: 30, evaluator: evaluator,
                                  costSource: "paleo", history: try HistoryLog(path: directory.file("h.csv").path, resume: false))
        try RandomSearch.run(driver, seed: 2)
        let score = try quality.score(driver.results.map { try NB201Cell(parsing: $0.architecture) })
        #expect(rows[1].scores[1] == score)
        #expect(rows[1].scores.allSatisfy { $0.evaluated == 30 && $0.gap > 0 && $0.gap < 1 })
        let gaps = rows[1].scores.map(\.gap)
        #expect(abs(rows[1].meanGap - gaps.reduce(0, +) / 3) < 1e-12)
    }
}
