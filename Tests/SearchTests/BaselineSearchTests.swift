import Foundation
import Fitting
import JouleTestSupport
import Network
import Registry
import Testing
@testable import Search

/// Random search and regularised evolution on NAS-Bench-201 with the CIFAR-10 table and
/// Paleo costs: budgets, de-duplication, determinism, and resuming after a kill.
@Suite(.serialized) struct BaselineSearchTests {
    static let accuracyTable = PackageLayout.sharedData.appendingPathComponent("nb201/nb201_cifar10.csv").path
    static let table: TableEvaluator = try! TableEvaluator(file: accuracyTable)

    static func driver(_ path: String, budget: Int, resume: Bool = false, evaluator: any AccuracyEvaluator = table) throws
        -> SearchDriver<NB201SearchSpace>
    {
        try makeTestDriver(path, budget: budget, resume: resume, evaluator: evaluator)
    }

    @Test func randomSearchSpendsItsBudgetOnDistinctConnectedCells() throws {
        let directory = try TemporaryDirectory()
        let driver = try Self.driver(directory.file("h.csv").path, budget: 40)
        try RandomSearch.run(driver, seed: 7)
        #expect(driver.results.count == 40)
        let cells = try driver.results.map { try NB201Cell(parsing: $0.architecture) }
        #expect(Set(cells.map { driver.space.canonicalKey($0) }).count == 40)
        #expect(!cells.contains { $0.isDisconnected })
        #expect(driver.results.allSatisfy { $0.accuracy != nil && $0.latencySeconds > 0 })
        // The same seed proposes the same cells; another seed other cells.
        let again = try Self.driver(directory.file("h2.csv").path, budget: 40)
        try RandomSearch.run(again, seed: 7)
        #expect(again.results == driver.results)
        let other = try Self.driver(directory.file("h3.csv").path, budget: 40)
        try RandomSearch.run(other, seed: 8)
        #expect(other.results.map(\.architecture) != driver.results.map(\.architecture))
    }

    @Test func evolutionMutatesOneEdgeOfAPopulationMember() throws {
        let directory = try TemporaryDirectory()
        let driver = try Self.driver(directory.file("h.csv").path, budget: 60)
        try RegularisedEvolution.run(driver, seed: 3, population: 12, sample: 4)
        #expect(driver.results.count == 60)
        #expect(Set(driver.results.map { $0.architecture }).count == 60)
        let cells = try driver.results.map { try NB201Cell(parsing: $0.architecture) }
        for (i, record) in driver.results.enumerated() where record.origin == "evolution" {
            // A child differs from some earlier architecture in exactly one edge.
            let distances = cells[..<i].map { zip($0.edges, cells[i].edges).filter { $0 != $1 }.count }
            #expect(distances.contains(1), "entry \(i) is no mutation of an earlier cell")
        }
        #expect(driver.results.prefix(12).allSatisfy { $0.origin == "evolution (initial)" })
    }

    /// A search killed after 13 evaluations, in the middle of writing the 14th line, resumes
    /// to the same history an uninterrupted run writes, evaluating only what was missing.
    @Test(arguments: ["random", "evolution"])
    func aKilledSearchResumesWithoutLosingOrRepeatingWork(algorithm: String) throws {
        let directory = try TemporaryDirectory()
        func run(_ driver: SearchDriver<NB201SearchSpace>) throws {
            if algorithm == "random" {
                try RandomSearch.run(driver, seed: 11)
            } else {
                try RegularisedEvolution.run(driver, seed: 11, population: 8, sample: 3)
            }
        }
        let whole = try Self.driver(directory.file("whole.csv").path, budget: 25)
        try run(whole)

        let path = directory.file("killed.csv").path
        try run(try Self.driver(path, budget: 13))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        try handle.write(contentsOf: Data("13,|nor_conv_3x3~0|+|nor_".utf8))
        try handle.close()

        let counting = CountingEvaluator(Self.table)
        let resumed = try Self.driver(path, budget: 25, resume: true, evaluator: counting)
        try run(resumed)
        #expect(resumed.results == whole.results)
        #expect(counting.calls == 12)
        #expect(try HistoryLog(path: path, resume: true).records == whole.results)
    }

    @Test func resumingAnotherSearchsHistoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("h.csv").path
        try RandomSearch.run(try Self.driver(path, budget: 5), seed: 1)
        let other = try Self.driver(path, budget: 10, resume: true)
        do {
            try RandomSearch.run(other, seed: 2)
            Issue.record("resumed another seed's history")
        } catch {
            #expect("\(error)".contains("the history belongs to a search with other settings"))
        }
    }
}
