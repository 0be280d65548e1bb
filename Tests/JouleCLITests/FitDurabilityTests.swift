import Foundation
import JouleJSON
import JouleTestSupport
import SeededRandom
import Testing

/// `joule fit` killed with SIGKILL twenty times at seeded random moments: its one output,
/// the model file, is after each kill either absent or whole and the same as an
/// uninterrupted fit's (never torn), and a final run writes that same file and leaves no
/// temporary file behind.
///
/// The input is the first 120 networks of NAS-Bench-201's latency table, fitted per
/// network: about 1.5 s in a debug build (reading the networks, then the fit), so
/// kills land in start-up, in reading, in fitting and, past the end, after the write.
@Suite struct FitDurabilityTests {
    static let rows = 120

    /// The same arguments for every run, with relative output paths, so that the model's
    /// provenance (which records the command line) is the same whichever directory a run
    /// writes into.
    static func arguments(data: String) -> [String] {
        ["fit", data, "--per-network", "--spec-column", "arch_str", "--target-column", "1080ti_32", "--target-unit", "ms",
         "--batch", "32", "--gpu", "GTX_1080_TI", "--train-fraction", "0.5", "--folds", "5", "--seed", "1",
         "--out", "model.json", "--quiet"]
    }

    /// Starts `joule` in `directory` with no plugin or profile paths from the environment.
    static func start(_ arguments: [String], in directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = try PackageLayout.joule()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["JOULE_PLUGIN_PATH"] = nil
        environment["JOULE_GPU_PATH"] = nil
        environment["XDG_CONFIG_HOME"] = "/nonexistent-joule-test-config"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The model file's text without its fit date (a run that straddles midnight differs
    /// there and only there).
    static func comparable(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"fit_date\"") }.joined(separator: "\n")
    }

    static func temporaryFiles(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
    }

    @Test func twentyKillsNeverLeaveATornModel() throws {
        let source = PackageLayout.sharedData.appendingPathComponent("nb201/latency_dev.csv")
        let table = try String(contentsOf: source, encoding: .utf8)
        let directory = try TemporaryDirectory()
        let data = try directory.write("latency.csv", table.split(separator: "\n").prefix(Self.rows + 1).joined(separator: "\n") + "\n")
        let arguments = Self.arguments(data: data.path)

        let whole = try directory.directory("whole")
        let started = Date()
        let uninterrupted = try Self.start(arguments, in: whole)
        uninterrupted.waitUntilExit()
        let duration = Date().timeIntervalSince(started)
        #expect(uninterrupted.terminationStatus == 0)
        let expectedText = try String(contentsOf: whole.appendingPathComponent("model.json"), encoding: .utf8)
        let expected = Self.comparable(expectedText)
        let model = try JSONParser.parse(expectedText)
        #expect(model["format"]?.plain == .string("joule-polynomial-model"))
        #expect(duration >= 0.5, "the fit took \(duration) s: too fast for kills to land at different moments; use more rows")

        let killed = try directory.directory("killed")
        let output = killed.appendingPathComponent("model.json")
        var generator = SplitMix64(seed: 6)
        var absent = 0, written = 0
        for attempt in 0..<20 {
            // Every other attempt starts without a model, so that each kill can show whether
            // the write had happened; the others start with the last one's, which a kill must
            // never destroy.
            if attempt % 2 == 0 { try? FileManager.default.removeItem(at: output) }
            let hadModel = FileManager.default.fileExists(atPath: output.path)
            let process = try Self.start(arguments, in: killed)
            // From just after the start to half again the uninterrupted run's time.
            let delay = 0.02 + Double(generator.uniform(below: 1_000_000)) / 1e6 * duration * 1.5
            usleep(useconds_t(delay * 1e6))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            guard let text = try? String(contentsOf: output, encoding: .utf8) else {
                #expect(!hadModel, "attempt \(attempt), killed after \(delay) s: the model written before was lost")
                absent += 1
                continue
            }
            if !hadModel { written += 1 }
            #expect(Self.comparable(text) == expected, "attempt \(attempt), killed after \(delay) s: the model differs or is torn")
        }
        // The seed spreads the kills over both outcomes: before the model's rename, and after.
        #expect(absent > 0, "no kill landed before the model was written")
        #expect(written > 0, "no attempt got as far as writing the model")

        let rerun = try Self.start(arguments, in: killed)
        rerun.waitUntilExit()
        #expect(rerun.terminationStatus == 0)
        #expect(Self.comparable(try String(contentsOf: output, encoding: .utf8)) == expected)
        let leftovers = try Self.temporaryFiles(in: killed)
        #expect(leftovers.isEmpty, "\(leftovers)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: killed.path).sorted() == ["model.json"])
    }
}
