import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule search` with the baselines: outputs, refusals, and resuming.
@Suite struct SearchEndToEndTests {
    static let start = "nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    static let table = "table:" + PackageLayout.sharedData.appendingPathComponent("nb201/nb201_cifar10.csv").path

    func search(_ out: String, budget: Int = 20, seed: Int = 1, extra: [String] = []) throws -> ProcessResult {
        try runJoule(["search", Self.start, "--space", "nb201", "--gpu", "GTX_1080_TI", "--cost-model", "neuralpower", "--batch", "32",
                      "--objective", "latency", "--accuracy", Self.table, "--budget", "\(budget)", "--algorithm", "evolution",
                      "--seed", "\(seed)", "--out", out, "--quiet"] + extra)
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func outputsAgreeWithEachOther() throws {
        let directory = try TemporaryDirectory()
        let out = directory.file("run").path
        let result = try search(out)
        #expect(result.status == 0, "\(result.standardError)")
        let history = try lines(out + "/history.csv")
        #expect(history.count == 21)
        #expect(history[1].hasPrefix("0,|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|"))
        #expect(history[1].hasSuffix(",start"))
        // Every front row is a history row with the same numbers, and no front row is
        // dominated by any evaluated architecture.
        let front = try ReferenceCSV.load(url: URL(fileURLWithPath: out + "/front.csv"))
        let all = try ReferenceCSV.load(url: URL(fileURLWithPath: out + "/history.csv"))
        #expect(!front.isEmpty)
        for row in front {
            let match = try #require(all.first { $0["architecture"] == row["architecture"] })
            #expect(try match.number("accuracy") == row.number("accuracy"))
            #expect(try match.number("latency_seconds") == row.number("latency_seconds"))
            for other in all where other["accuracy"] != "" {
                let better = try other.number("accuracy") >= row.number("accuracy") && other.number("latency_seconds") <= row.number("latency_seconds")
                let strictly = try other.number("accuracy") > row.number("accuracy") || other.number("latency_seconds") < row.number("latency_seconds")
                #expect(!(better && strictly), "\(row["architecture"]!) is dominated by \(other["architecture"]!)")
            }
        }
        // best/ holds the front as specs that joule reads back.
        let best = try FileManager.default.contentsOfDirectory(atPath: out + "/best").sorted()
        #expect(best.count == front.count)
        let estimate = try runJoule(["estimate", out + "/best/front-0.json", "--gpu", "GTX_1080_TI", "--mode", "inference"])
        #expect(estimate.status == 0, "\(estimate.standardError)")
        let settings = try JSONParser.parse(String(contentsOfFile: out + "/search.json", encoding: .utf8))
        #expect(settings["settings"]?["algorithm"]?.plain == .string("evolution"))
        #expect(settings["settings"]?["cost_model"]?["id"]?.plain == .string("joule.neuralpower/neuralpower"))
        #expect(result.standardOutput.contains("front ("))
    }

    @Test func resumingContinuesAndRefusesOtherSettings() throws {
        let directory = try TemporaryDirectory()
        let out = directory.file("run").path
        #expect(try search(out, budget: 12).status == 0)
        let first = try lines(out + "/history.csv")

        let again = try search(out, budget: 12)
        #expect(again.status == 65)
        #expect(again.standardError.contains("already holds a search"), "\(again.standardError)")

        let other = try search(out, budget: 20, seed: 2, extra: ["--resume"])
        #expect(other.status == 65)
        #expect(other.standardError.contains("another seed"), "\(other.standardError)")

        let more = try search(out, budget: 20, extra: ["--resume"])
        #expect(more.status == 0, "\(more.standardError)")
        let extended = try lines(out + "/history.csv")
        #expect(extended.count == 21)
        #expect(Array(extended.prefix(first.count)) == first)
        // The same as a search run to 20 in one go.
        let whole = directory.file("whole").path
        #expect(try search(whole, budget: 20).status == 0)
        #expect(try lines(whole + "/history.csv") == extended)

        // A search killed before it wrote anything is resumed by starting it: the same
        // history as a plain run, and a note saying so.
        let empty = directory.file("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let started = try runJoule(["search", Self.start, "--space", "nb201", "--gpu", "GTX_1080_TI", "--cost-model", "neuralpower",
                                    "--batch", "32", "--objective", "latency", "--accuracy", Self.table, "--budget", "20",
                                    "--algorithm", "evolution", "--seed", "1", "--out", empty, "--resume"])
        #expect(started.status == 0, "\(started.standardError)")
        #expect(started.standardError.contains("holds no search yet; starting it"), "\(started.standardError)")
        #expect(try lines(empty + "/history.csv") == extended)
    }

    @Test func badSearchesAreRefusedClearly() throws {
        let directory = try TemporaryDirectory()
        let space = try runJoule(["search", Self.start, "--space", "darts", "--gpu", "H100", "--accuracy", "proxy:params",
                                  "--budget", "5", "--algorithm", "random", "--out", directory.file("a").path])
        #expect(space.status == 64)
        #expect(space.standardError.contains("nb201"), "\(space.standardError)")
        let file = try runJoule(["search", PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path, "--space", "nb201",
                                 "--gpu", "H100", "--accuracy", "proxy:params", "--budget", "5", "--algorithm", "random",
                                 "--out", directory.file("b").path])
        #expect(file.status == 64)
        #expect(file.standardError.contains("nb201:CELL"), "\(file.standardError)")
        let accuracy = try runJoule(["search", Self.start, "--space", "nb201", "--gpu", "H100", "--accuracy", "oracle:x",
                                     "--budget", "5", "--algorithm", "random", "--out", directory.file("c").path])
        #expect(accuracy.status == 65)
        #expect(accuracy.standardError.contains("--accuracy oracle:x"), "\(accuracy.standardError)")
    }
}
