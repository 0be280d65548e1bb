import Foundation
import JouleTestSupport
import Network
import Testing
@testable import Search

/// Records the sizes of the batches that reach the evaluator.
final class BatchRecordingEvaluator: AccuracyEvaluator, @unchecked Sendable {
    let inner: TableEvaluator
    var batches: [Int] = []
    init(_ inner: TableEvaluator) { self.inner = inner }
    var label: String { inner.label }
    var isProxy: Bool { inner.isProxy }
    func evaluate(_ candidate: Candidate) -> Evaluation { inner.evaluate(candidate) }
    func evaluate(_ candidates: [Candidate]) -> [Evaluation] {
        batches.append(candidates.count)
        return candidates.map(inner.evaluate)
    }
}

/// Batches (`--jobs`) hand the evaluator several candidates at once and change nothing
/// else: the same seed gives the same history with any batch size.
@Suite(.serialized) struct BatchEvaluationTests {
    static let table = NAOSearchTests.table

    @Test func randomSearchInBatchesMatchesOneByOne() throws {
        let directory = try TemporaryDirectory()
        let single = try makeTestDriver(directory.file("1.csv").path, budget: 23, resume: false, evaluator: Self.table)
        try RandomSearch.run(single, seed: 4)
        let recording = BatchRecordingEvaluator(Self.table)
        let batched = try makeTestDriver(directory.file("5.csv").path, budget: 23, resume: false, evaluator: recording)
        batched.batchSize = 5
        try RandomSearch.run(batched, seed: 4)
        #expect(batched.results == single.results)
        // 23 = 4 × 5 + 3: the last batch stops at the budget.
        #expect(recording.batches == [5, 5, 5, 5, 3])
        #expect(try String(contentsOfFile: directory.file("5.csv").path, encoding: .utf8)
                == String(contentsOfFile: directory.file("1.csv").path, encoding: .utf8))
    }

    @Test func naoInBatchesMatchesOneByOne() throws {
        let directory = try TemporaryDirectory()
        let single = try makeTestDriver(directory.file("1.csv").path, budget: 30, resume: false, evaluator: Self.table)
        let reports = try NAOSearchTests.search(single)
        let recording = BatchRecordingEvaluator(Self.table)
        let batched = try makeTestDriver(directory.file("4.csv").path, budget: 30, resume: false, evaluator: recording)
        batched.batchSize = 4
        #expect(try NAOSearchTests.search(batched) == reports)
        #expect(batched.results == single.results)
        #expect(recording.batches.max() == 4 && recording.batches.reduce(0, +) == 30)
    }

    /// A batch skips architectures seen before or repeated within it, and answers from the
    /// history when resuming.
    @Test func batchesSkipKnownArchitecturesAndReplay() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("h.csv").path
        let driver = try makeTestDriver(path, budget: 10, resume: false, evaluator: Self.table)
        let strings = ["|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|",
                         "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
                         "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"]
        let cells = try strings.map { try NB201Cell(parsing: $0) }
        #expect(try driver.evaluate([cells[0], cells[1], cells[0]], origin: "a").count == 2)
        #expect(try driver.evaluate([cells[1], cells[2]], origin: "b").map(\.architecture) == [cells[2].string])
        let counting = CountingEvaluator(Self.table)
        let resumed = try makeTestDriver(path, budget: 10, resume: true, evaluator: counting)
        #expect(try resumed.evaluate([cells[0], cells[1], cells[2]], origin: "a") == driver.results)
        #expect(counting.calls == 0)
    }
}
