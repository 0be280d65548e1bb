import Foundation
import Fitting
import JouleTestSupport
import Network
import Registry
import Testing
@testable import Search

/// NAO over NAS-Bench-201 with the CIFAR-10 table and Paleo latencies: the budget, the
/// rounds, de-duplication, determinism and resuming. A small controller and few epochs keep
/// the debug build quick; the search's logic is the real one.
@Suite(.serialized) struct NAOSearchTests {
    static let table: TableEvaluator = try! TableEvaluator(
        file: PackageLayout.sharedData.appendingPathComponent("nb201/nb201_cifar10.csv").path)
    static let small = NAOConfiguration(embeddingSize: 8, hiddenSize: 16, predictorHiddenSizes: [16, 16],
                                        learningRate: 0.02, batchSize: 25)

    static func driver(_ path: String, budget: Int, resume: Bool = false, evaluator: any AccuracyEvaluator = table) throws
        -> SearchDriver<NB201SearchSpace>
    {
        try makeTestDriver(path, budget: budget, resume: resume, evaluator: evaluator)
    }

    static func search(_ driver: SearchDriver<NB201SearchSpace>) throws -> [NAORoundReport] {
        try NAOSearch.run(driver: driver, seed: 5, rounds: 3, epochs: 4, seedArchitectures: 16, beta: 1,
                          costLabelCount: 60, maxStepSize: 30, configuration: small)
    }

    /// Budget 40: 13 random, then three rounds of 9 each, all distinct connected cells; the
    /// same seed gives the same search, and a search killed after 17 evaluations (mid-line)
    /// resumes to the same history and reports, paying only for the 23 it had not done.
    @Test func spendsTheBudgetInRoundsAndReplaysExactly() throws {
        let directory = try TemporaryDirectory()
        let whole = try Self.driver(directory.file("whole.csv").path, budget: 40)
        let reports = try Self.search(whole)

        #expect(whole.results.count == 40)
        let cells = try whole.results.map { try NB201Cell(parsing: $0.architecture) }
        #expect(Set(cells.map { whole.space.canonicalKey($0) }).count == 40)
        #expect(!cells.contains { $0.isDisconnected })
        #expect(whole.results.allSatisfy { $0.accuracy != nil && $0.latencySeconds > 0 })
        #expect(whole.results.prefix(13).allSatisfy { $0.origin == "nao initial" })
        #expect(reports.map(\.round) == [1, 2, 3])
        for (r, report) in reports.enumerated() {
            let origins = whole.results.filter { $0.origin.hasPrefix("nao round \(r + 1)") }
            #expect(origins.count == 9 && report.generated + report.neighbours + report.random == 9)
            #expect(report.accuracyLabels == 13 + 9 * r)
            // One seed per evaluated architecture at least (the front's one-point layers seed
            // twice), at most K.
            #expect((min(16, report.accuracyLabels)...16).contains(report.seeds))
            #expect(report.training.epochs == 4)
            #expect(report.quality.accuracyCount == 9 && report.quality.costCount > 0)
            #expect(report.quality.accuracyTau.isFinite && report.quality.costTau.isFinite)
        }
        // The generator, not the random fallback, proposes most of them.
        #expect(reports.map(\.generated).reduce(0, +) >= 20, "\(reports.map(\.generated))")
        // Paleo's latency is easy to rank from the cell: the cost head learns it.
        #expect(reports.last!.quality.costTau > 0.3, "cost τ \(reports.map(\.quality.costTau))")

        let again = try Self.driver(directory.file("again.csv").path, budget: 40)
        #expect(try Self.search(again) == reports)
        #expect(again.results == whole.results)

        let path = directory.file("killed.csv").path
        let killed = try Self.driver(path, budget: 40)
        for record in whole.results.prefix(17) {
            try killed.evaluate(whole.architectures[record.architecture]!, origin: record.origin)
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        try handle.write(contentsOf: Data("17,|nor_conv_3x3~0|+|nor_".utf8))
        try handle.close()
        let counting = CountingEvaluator(Self.table)
        let resumed = try Self.driver(path, budget: 40, resume: true, evaluator: counting)
        #expect(try Self.search(resumed) == reports)
        #expect(resumed.results == whole.results)
        #expect(counting.calls == 23)
    }

    /// With a `perRound` too small for the budget, a final round spends the rest; a budget
    /// smaller than the initial sample is spent on it alone.
    @Test func leftoverBudgetGoesToAFinalRound() throws {
        let directory = try TemporaryDirectory()
        let driver = try Self.driver(directory.file("h.csv").path, budget: 20)
        let reports = try NAOSearch.run(driver: driver, seed: 2, rounds: 1, epochs: 2, seedArchitectures: 8, perRound: 4,
                                        beta: 0.5, costLabelCount: 20, initialSample: 10, maxStepSize: 20, configuration: Self.small)
        #expect(driver.results.count == 20)
        #expect(reports.map(\.round) == [1, 2])
        #expect(driver.results.filter { $0.origin.hasPrefix("nao round 1") }.count == 4)
        #expect(driver.results.filter { $0.origin.hasPrefix("nao final") }.count == 6)

        let tiny = try Self.driver(directory.file("t.csv").path, budget: 3)
        #expect(try NAOSearch.run(driver: tiny, seed: 2, epochs: 1, costLabelCount: 5, initialSample: 5, configuration: Self.small).isEmpty)
        #expect(tiny.results.count == 3 && tiny.results.allSatisfy { $0.origin == "nao initial" })
    }
}

/// The round's candidate pool with single-change neighbours of the evaluated front.
@Suite(.serialized) struct NAONeighbourTests {
    /// Every architecture evaluated as a neighbour differs in exactly one edge from an
    /// architecture evaluated before it that was on the evaluated front when its round began
    /// (checked here against all earlier ones: the front's members are among them), and the
    /// search still spends its budget on distinct cells, the same for the same seed.
    @Test func neighboursAreSingleChangesOfEarlierArchitectures() throws {
        func run(_ path: String) throws -> (SearchDriver<NB201SearchSpace>, [NAORoundReport]) {
            let driver = try NAOSearchTests.driver(path, budget: 40)
            let reports = try NAOSearch.run(driver: driver, seed: 5, rounds: 3, epochs: 4, seedArchitectures: 16, beta: 1,
                              costLabelCount: 60, maxStepSize: 30, poolFactor: 2, neighbours: 6,
                              configuration: NAOSearchTests.small)
            return (driver, reports)
        }
        let directory = try TemporaryDirectory()
        let (driver, reports) = try run(directory.file("a.csv").path)
        #expect(driver.results.count == 40)
        let cells = try driver.results.map { try NB201Cell(parsing: $0.architecture) }
        #expect(Set(cells.map { driver.space.canonicalKey($0) }).count == 40)
        let neighbourIndices = driver.results.indices.filter { driver.results[$0].origin.hasSuffix("(neighbour)") }
        #expect(!neighbourIndices.isEmpty, "no neighbour was evaluated")
        #expect(reports.map(\.neighbours).reduce(0, +) == neighbourIndices.count)
        for index in neighbourIndices {
            let parents = cells[..<index].filter { earlier in zip(earlier.edges, cells[index].edges).filter { $0 != $1 }.count == 1 }
            #expect(!parents.isEmpty, "\(driver.results[index].architecture) is one change from no earlier architecture")
        }
        let (again, _) = try run(directory.file("b.csv").path)
        #expect(again.results.map(\.architecture) == driver.results.map(\.architecture))
    }
}
