import Foundation
import JouleTestSupport
import SeededRandom
import Testing

/// `joule search` killed with SIGKILL twenty times at random moments, resumed after each:
/// the history never loses a completed evaluation, never holds a torn line, and ends as
/// an uninterrupted search's does.
///
/// The evaluator is a real command (a shell that sleeps 40 ms and prints the candidate
/// spec's size as its "accuracy"), so kills land before, during and after trials and
/// history writes, not only in start-up.
@Suite struct SearchDurabilityTests {
    static let budget = 40

    func arguments(_ out: String, resume: Bool) -> [String] {
        ["search", SearchEndToEndTests.start, "--space", "nb201", "--gpu", "GTX_1080_TI", "--cost-model", "neuralpower",
         "--batch", "32", "--accuracy", "command:sleep 0.04; wc -c < {spec}", "--budget", "\(Self.budget)",
         "--algorithm", "evolution", "--seed", "3", "--out", out, "--quiet"] + (resume ? ["--resume"] : [])
    }

    /// The history's lines, after checking that the file ends with a newline and that
    /// every line has the header's number of fields (no field holds a comma here).
    func completeLines(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        #expect(text.isEmpty || text.hasSuffix("\n"), "a torn last line: \(text.suffix(80))")
        let lines = text.split(separator: "\n").map(String.init)
        let fields = lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).count } ?? 0
        for line in lines {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == fields, "a torn line: \(line)")
        }
        return lines
    }

    @Test func twentyKillsLoseNothingAndResumeToTheSameHistory() throws {
        let directory = try TemporaryDirectory()
        let whole = directory.file("whole").path
        let uninterrupted = try runJoule(arguments(whole, resume: false))
        #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")
        let expected = try completeLines(whole + "/history.csv")
        #expect(expected.count == Self.budget + 1)

        let out = directory.file("killed").path
        var generator = SplitMix64(seed: 20)
        var seen: [String] = []
        for attempt in 0..<20 {
            let process = Process()
            process.executableURL = try PackageLayout.joule()
            process.arguments = arguments(out, resume: attempt > 0)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // 50–400 ms: start-up, trials and appends all get hit.
            usleep(useconds_t(50_000 + generator.uniform(below: 350_000)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let lines = try completeLines(out + "/history.csv")
            // Nothing completed is lost, and what is there is what an uninterrupted run has.
            #expect(lines.count >= seen.count, "attempt \(attempt): \(seen.count) lines before, \(lines.count) after")
            #expect(Array(lines.prefix(seen.count)) == seen)
            #expect(Array(expected.prefix(lines.count)) == lines, "attempt \(attempt)")
            seen = lines
        }
        let resumed = try runJoule(arguments(out, resume: true))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try completeLines(out + "/history.csv") == expected)
        // The front is a whole file (written beside and renamed over), the same as the
        // uninterrupted run's; no temporary file is left behind.
        #expect(try String(contentsOfFile: out + "/front.csv", encoding: .utf8) == String(contentsOfFile: whole + "/front.csv", encoding: .utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
