import Foundation
import JouleTestSupport
import Network
import Testing
@testable import Search

/// Trial commands: the last number printed is the accuracy; failures, silence and
/// time-outs are recorded failures; trials run in parallel and answer in order.
@Suite struct CommandEvaluatorTests {
    static let cell = try! NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")

    /// A trial script in `directory` (which the test keeps alive while trials run).
    func evaluator(_ script: String, in directory: TemporaryDirectory, timeout: Double? = nil, jobs: Int = 1) throws -> CommandEvaluator {
        let path = directory.file("train.sh").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let evaluator = try CommandEvaluator(template: "sh \(path) {spec}", timeoutSeconds: timeout, jobs: jobs,
                                             folder: directory.file("trials").path)
        return evaluator
    }

    @Test func theLastNumberPrintedIsTheAccuracy() throws {
        // The script checks that it was given a readable Paleo spec of the cell.
        let directory = try TemporaryDirectory()
        let evaluator = try evaluator("""
            grep -q '"classifier"' "$1" || exit 9
            echo "epoch 1: loss 2.3"
            echo "epoch 200: val_acc=91.25%"
            """, in: directory)
        let result = evaluator.evaluate(Candidate(cell: Self.cell))
        #expect(result.accuracy == 91.25, "\(result)")
        #expect(result.source == evaluator.label)
        withExtendedLifetime(directory) {}
    }

    @Test func failuresAreRecordedWithTheirReason() throws {
        let directory = try TemporaryDirectory()
        let crash = try evaluator("echo 'CUDA out of memory' >&2; exit 3", in: directory)
        let crashed = crash.evaluate(Candidate(cell: Self.cell))
        #expect(crashed.accuracy == nil)
        #expect(crashed.failure == "the command exited with status 3: CUDA out of memory")
        let silent = try evaluator("echo done", in: directory)
        #expect(silent.evaluate(Candidate(cell: Self.cell)).failure?.contains("printed no number") == true)
        // A time-out kills the script and what it started.
        let slow = try evaluator("(sleep 3; touch \"$(dirname $1)/survived\") & sleep 3; echo 90", in: directory, timeout: 0.3)
        let timedOut = slow.evaluate(Candidate(cell: Self.cell))
        #expect(timedOut.failure?.contains("longer than --trial-timeout") == true, "\(timedOut)")
        Thread.sleep(forTimeInterval: 3.5)
        #expect(!FileManager.default.fileExists(atPath: directory.file("trials/survived").path))
    }

    @Test func trialsRunInParallelAndAnswerInOrder() throws {
        // Each trial prints the size of its spec in bytes, which differs per candidate: the
        // answers must line up with the candidates.
        let directory = try TemporaryDirectory()
        let evaluator = try evaluator("sleep 0.2; wc -c < \"$1\"", in: directory, jobs: 2)
        let cells = try ["|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|",
                         "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
                         "|avg_pool_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|none~2|"].map { try NB201Cell(parsing: $0) }
        let candidates = cells.map { Candidate(cell: $0) }
        let parallel = evaluator.evaluate(candidates)
        let serial = candidates.map { evaluator.evaluate($0) }
        #expect(parallel == serial)
        #expect(Set(parallel.compactMap(\.accuracy)).count == 3)
        withExtendedLifetime(directory) {}
    }

    @Test func aCommandWithoutTheSpecIsRefused() throws {
        #expect(throws: SearchError.self) { try CommandEvaluator(template: "python train.py", folder: "/tmp") }
        #expect(throws: SearchError.self) { try AccuracySpec(parsing: "command:python train.py") }
        #expect(try AccuracySpec(parsing: "command:python train.py {spec}") == .command("python train.py {spec}"))
    }
}
