import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule search` with NAO, the layer-wise space and constraints: outputs, limits, kills.
/// Few epochs and cost labels keep the debug build quick; the search logic is the real one.
@Suite struct SearchNAOEndToEndTests {
    static let start = SearchEndToEndTests.start
    static let table = SearchEndToEndTests.table
    static let alexNet = PackageLayout.root.appendingPathComponent("Examples/nets/alex_v2.json").path

    func nao(_ out: String, budget: Int = 16, extra: [String] = []) throws -> ProcessResult {
        try runJoule(["search", Self.start, "--space", "nb201", "--gpu", "GTX_1080_TI", "--cost-model", "neuralpower", "--batch", "32",
                      "--objective", "latency", "--accuracy", Self.table, "--budget", "\(budget)", "--algorithm", "nao",
                      "--epochs", "2", "--rounds", "2", "--cost-labels", "40", "--out", out, "--quiet"] + extra)
    }

    func rows(_ path: String) throws -> [[String: String]] {
        try ReferenceCSV.load(url: URL(fileURLWithPath: path))
    }

    /// NAO spends the budget as initial sample and rounds, and reports per round the
    /// held-out Kendall τ of both heads (nao_rounds.csv), computed over the round's own
    /// evaluations, which the history lists.
    @Test func naoSearchReportsItsRounds() throws {
        let directory = try TemporaryDirectory()
        let out = directory.file("nao").path
        let result = try nao(out)
        #expect(result.status == 0, "\(result.standardError)")
        let history = try rows(out + "/history.csv")
        #expect(history.count == 16)
        #expect(history[0]["origin"] == "start")
        // Budget 16: the start, 4 more random (a third), then two rounds of 6.
        #expect(history.filter { $0["origin"] == "nao initial" }.count == 4)
        let rounds = try rows(out + "/nao_rounds.csv")
        #expect(rounds.map { $0["round"] } == ["1", "2"])
        for (r, round) in rounds.enumerated() {
            let fromRound = history.filter { $0["origin"]!.hasPrefix("nao round \(r + 1)") }
            #expect(try round.number("generated") + round.number("neighbours") + round.number("random") == Double(fromRound.count))
            let neighbours = fromRound.filter { $0["origin"]!.hasSuffix("(neighbour)") }.count
            #expect(try round.number("neighbours") == Double(neighbours))
            #expect(try round.number("accuracy_tau_n") == Double(fromRound.count))
            #expect(try (-1...1).contains(round.number("cost_tau")))
            #expect(try round.number("accuracy_labels") == Double(5 + 6 * r))
        }
        #expect(result.standardOutput.contains("within 1 point of the start's accuracy"), "\(result.standardOutput)")
        let settings = try JSONParser.parse(String(contentsOfFile: out + "/search.json", encoding: .utf8))
        #expect(settings["settings"]?["nao"]?["epochs"]?.plain == .integer(2))
    }

    /// A search killed with SIGKILL while it works resumes to the history an uninterrupted
    /// search writes, without losing or repeating an evaluation.
    @Test func killedSearchResumesToTheSameHistory() throws {
        let directory = try TemporaryDirectory()
        let whole = directory.file("whole").path
        #expect(try nao(whole, budget: 20).status == 0)
        let expected = try String(contentsOfFile: whole + "/history.csv", encoding: .utf8)

        for (attempt, killAfter) in [3, 9, 15].enumerated() {
            let out = directory.file("killed-\(attempt)").path
            let process = Process()
            process.executableURL = try PackageLayout.joule()
            process.arguments = ["search", Self.start, "--space", "nb201", "--gpu", "GTX_1080_TI", "--cost-model", "neuralpower", "--batch", "32",
                                 "--objective", "latency", "--accuracy", Self.table, "--budget", "20", "--algorithm", "nao",
                                 "--epochs", "2", "--rounds", "2", "--cost-labels", "40", "--out", out, "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && Date() < deadline {
                let lines = (try? String(contentsOfFile: out + "/history.csv", encoding: .utf8))?.split(separator: "\n").count ?? 0
                if lines > killAfter { break }
                usleep(2_000)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let resumed = try nao(out, budget: 20, extra: ["--resume"])
            #expect(resumed.status == 0, "\(resumed.standardError)")
            #expect(try String(contentsOfFile: out + "/history.csv", encoding: .utf8) == expected, "killed after \(killAfter) lines")
        }
    }

    /// The layer-wise space from a Paleo network with a proxy: every front network is a
    /// spec that `joule estimate` reads and whose energy is the front's figure.
    @Test func layerwiseSearchWritesRunnableNetworks() throws {
        let directory = try TemporaryDirectory()
        let out = directory.file("layerwise").path
        let result = try runJoule(["search", Self.alexNet, "--space", "layerwise", "--gpu", "TITAN_X", "--cost-model", "paleo",
                                   "--accuracy", "proxy:params", "--budget", "12", "--algorithm", "nao", "--epochs", "2", "--rounds", "2",
                                   "--cost-labels", "30", "--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let history = try rows(out + "/history.csv")
        #expect(history.count == 12 && history[0]["architecture"] == "start")
        #expect(Set(history.map { $0["architecture"]! }).count == 12)
        let front = try rows(out + "/front.csv")
        #expect(!front.isEmpty)
        for (rank, row) in front.enumerated() {
            let estimate = try runJoule(["estimate", out + "/best/front-\(rank).json", "--gpu", "TITAN_X", "--cost-model", "paleo",
                                         "--mode", "inference", "--format", "json"])
            #expect(estimate.status == 0, "\(estimate.standardError)")
            let json = try JSONParser.parse(estimate.standardOutput)
            guard case .number(let number)? = json["inference"]?["energy_joules"]?.value else {
                Issue.record("front-\(rank): no inference.energy_joules in \(estimate.standardOutput)")
                continue
            }
            let joules = number.double, frontJoules = try row.number("energy_joules")
            #expect(abs(joules / frontJoules - 1) < 1e-9, "front-\(rank): \(joules) J vs \(frontJoules)")
        }
        let settings = try JSONParser.parse(String(contentsOfFile: out + "/search.json", encoding: .utf8))
        #expect(settings["settings"]?["accuracy_is_proxy"]?.plain == .bool(true))
    }

    /// --max-latency and --min-accuracy: the front holds only admitted networks and the best
    /// one is named; a limit without its unit is refused.
    @Test func constraintsLimitTheFront() throws {
        let directory = try TemporaryDirectory()
        let fast = directory.file("fast").path
        let limited = try SearchEndToEndTests().search(fast, budget: 30, extra: ["--max-latency", "8ms"])
        #expect(limited.status == 0, "\(limited.standardError)")
        let front = try rows(fast + "/front.csv")
        #expect(!front.isEmpty)
        #expect(try front.allSatisfy { try $0.number("latency_seconds") <= 0.008 })
        let history = try rows(fast + "/history.csv")
        let admitted = try history.filter { try $0["accuracy"] != "" && $0.number("latency_seconds") <= 0.008 }
        let best = try admitted.map { try $0.number("accuracy") }.max()
        let expectedLine = String(format: "best within latency ≤ 8.0 ms: accuracy %.2f", try #require(best))
        #expect(limited.standardOutput.contains(expectedLine), "\(limited.standardOutput)")

        let accurate = directory.file("accurate").path
        let floor = try SearchEndToEndTests().search(accurate, budget: 30, extra: ["--min-accuracy", "90"])
        #expect(floor.status == 0, "\(floor.standardError)")
        #expect(try rows(accurate + "/front.csv").allSatisfy { try $0.number("accuracy") >= 90 })

        let unitless = try SearchEndToEndTests().search(directory.file("x").path, extra: ["--max-energy", "0.2"])
        #expect(unitless.status == 64)
        #expect(unitless.standardError.contains("--max-energy '0.2': give the value with its unit"), "\(unitless.standardError)")
    }

    /// A network with nothing to search is refused with its name.
    @Test func layerwiseRefusesANetworkWithNothingToChange() throws {
        let directory = try TemporaryDirectory()
        let spec = try directory.write("tiny.json", """
            {"name": "tiny", "layers": {"data": {"parents": [], "type": "Input", "tensor": [1, 8, 8, 3]},
             "fc": {"parents": ["data"], "type": "InnerProduct", "num_outputs": 10},
             "prob": {"parents": ["fc"], "type": "Softmax"}}}
            """)
        let result = try runJoule(["search", spec.path, "--space", "layerwise", "--gpu", "TITAN_X", "--accuracy", "proxy:params",
                                   "--budget", "5", "--algorithm", "random", "--out", directory.file("o").path])
        #expect(result.status == 65)
        #expect(result.standardError.contains("has no searchable layer"), "\(result.standardError)")
        #expect(!result.standardError.contains("Backtrace"))
    }
}
