import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule convert`, and NAS-Bench-201 networks (`nb201:CELL`) in `joule estimate`, run as a
/// user runs them.
@Suite struct ConvertEndToEndTests {
    /// NB201 arch 9930, the best CIFAR-10 cell.
    static let best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    /// Node 3 reads node 0 and zeros made from nodes 1 and 2 (`none~1`, `none~2`): eager mode
    /// builds 12 layers a cell (0→1 and 0→2 relu, conv, bn; the 1→2 pool; the zeros of 1→3
    /// and 2→3; the Adds of nodes 1, 2, 3: 3 + 3 + 1 + 2 + 3), `--prune-dead` none (only the
    /// skip 0→3 is live, and node 3 is then the cell's input).
    static let deadOps = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|none~2|"

    func number(_ node: JSONNode?) -> Double {
        if case .number(let n)? = node?.value { return n.double }
        return .nan
    }

    func layerCount(_ spec: JSONNode) -> Int {
        if case .object(let members)? = spec["layers"]?.value { return members.count }
        return -1
    }

    @Test func convertWritesAnNB201NetworkThatReadsBack() throws {
        let directory = try TemporaryDirectory()
        let result = try runJoule(["convert", "nb201:\(Self.best)", "--to", "paleo-json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        let spec = try JSONParser.parse(result.standardOutput)
        #expect(spec["name"]?.plain == .string("nb201 \(Self.best)"))
        #expect(spec["layers"]?["data"]?["tensor"]?.plain == .array([.integer(1), .integer(32), .integer(32), .integer(3)]))
        #expect(spec["layers"]?["cell0/1<-0/conv"]?["bias"]?.plain == .bool(false))
        #expect(spec["layers"]?["classifier"]?["num_outputs"]?.plain == .integer(10))
        // 1 input, stem 2, 15 cells of 5 convolution edges (3 layers each) and the 3 Adds of
        // nodes 1, 2 and 3 (the skip connection adds none), 2 reductions of 9 layers, head 4.
        #expect(layerCount(spec) == 1 + 2 + 15 * (5 * 3 + 3) + 2 * 9 + 4)
        #expect(spec["layers"]?["cell0/node1"]?["parents"]?.plain == .array([.string("cell0/1<-0/bn")]))

        // Written to a file, it converts again to the same text, and estimates as the cell does.
        let file = directory.file("best.json")
        let written = try runJoule(["convert", "nb201:\(Self.best)", "--to", "paleo-json", "--out", file.path])
        #expect(written.status == 0, "\(written.standardError)")
        #expect(written.standardOutput.isEmpty)
        #expect(try String(contentsOf: file, encoding: .utf8) == result.standardOutput)
        let again = try runJoule(["convert", file.path, "--to", "paleo-json"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput == result.standardOutput)

        let fromCell = try runJoule(["estimate", "nb201:\(Self.best)", "--gpu", "TITAN_X", "--mode", "inference", "--format", "json"])
        let fromFile = try runJoule(["estimate", file.path, "--gpu", "TITAN_X", "--mode", "inference", "--format", "json"])
        #expect(fromCell.status == 0, "\(fromCell.standardError)")
        let cellRoot = try JSONParser.parse(fromCell.standardOutput)
        let fileRoot = try JSONParser.parse(fromFile.standardOutput)
        #expect(cellRoot["inference"]?.plain == fileRoot["inference"]?.plain)
    }

    @Test func optionsShapeTheConvertedNetwork() throws {
        let result = try runJoule(["convert", "nb201:\(Self.best)", "--to", "paleo-json", "--classes", "120", "--input-size", "16",
                                   "--batch", "64"])
        #expect(result.status == 0, "\(result.standardError)")
        let spec = try JSONParser.parse(result.standardOutput)
        #expect(spec["layers"]?["data"]?["tensor"]?.plain == .array([.integer(64), .integer(16), .integer(16), .integer(3)]))
        #expect(spec["layers"]?["head/pool"]?["ksize"]?.plain == .array([.integer(1), .integer(4), .integer(4), .integer(1)]))
        #expect(spec["layers"]?["classifier"]?["num_outputs"]?.plain == .integer(120))

        let full = try JSONParser.parse(try runJoule(["convert", "nb201:\(Self.deadOps)", "--to", "paleo-json"]).standardOutput)
        // Eagerly the none edges are zero layers that feed node 3, so no layer is a sink but
        // the classifier and no output is named.
        #expect(full["outputs"] == nil)
        #expect(full["layers"]?["cell0/3<-1/zero"]?["function"]?.plain == .string("zero"))
        #expect(full["layers"]?["cell0/3<-1/zero"]?["type"]?.plain == .string("Activation"))
        let pruned = try JSONParser.parse(try runJoule(["convert", "nb201:\(Self.deadOps)", "--to", "paleo-json", "--prune-dead"])
            .standardOutput)
        // 12 layers a cell eagerly, none pruned: 15 · 12 fewer.
        #expect(layerCount(full) - layerCount(pruned) == 15 * 12)
        #expect(layerCount(pruned) == 1 + 2 + 2 * 9 + 4)
        #expect(pruned["outputs"] == nil)
    }

    @Test func convertWritesFileSpecsToo() throws {
        let nin = PackageLayout.root.appendingPathComponent("Examples/nets/nin.json").path
        let result = try runJoule(["convert", nin, "--to", "paleo-json", "--batch", "2"])
        #expect(result.status == 0, "\(result.standardError)")
        let spec = try JSONParser.parse(result.standardOutput)
        guard case .array(let tensor)? = spec["layers"]?["data"]?["tensor"]?.value else { Issue.record("no data tensor"); return }
        #expect(tensor.first?.plain == .integer(2))

        let flags = try runJoule(["convert", nin, "--to", "paleo-json", "--classes", "100"])
        #expect(flags.status == 64)
        #expect(flags.standardError.contains("--classes and --input-size apply to nb201: networks"))
    }

    @Test func estimateCostsAnNB201Cell() throws {
        let result = try runJoule(["estimate", "nb201:\(Self.best)", "--gpu", "TITAN_X", "--mode", "inference", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try JSONParser.parse(result.standardOutput)
        #expect(root["network"]?.plain == .string("nb201 \(Self.best)"))
        #expect(root["batch"]?.plain == .integer(1))
        // NAS-Bench-201 publishes 1.289 MB (millions) of parameters for this cell on CIFAR-10.
        #expect(root["params"]?.plain == .integer(1_288_506))
        #expect(number(root["inference"]?["latency_seconds"]) > 0)

        let hundred = try JSONParser.parse(try runJoule([
            "estimate", "nb201:\(Self.best)", "--gpu", "TITAN_X", "--mode", "inference", "--format", "json", "--classes", "100",
            "--batch", "32",
        ]).standardOutput)
        #expect(hundred["params"]?.plain == .integer(1_288_506 + 90 * 64 + 90))
        #expect(hundred["batch"]?.plain == .integer(32))

        let eager = try JSONParser.parse(try runJoule([
            "estimate", "nb201:\(Self.deadOps)", "--gpu", "TITAN_X", "--mode", "inference", "--format", "json",
        ]).standardOutput)
        let compiled = try JSONParser.parse(try runJoule([
            "estimate", "nb201:\(Self.deadOps)", "--gpu", "TITAN_X", "--mode", "inference", "--format", "json", "--prune-dead",
        ]).standardOutput)
        #expect(number(compiled["inference"]?["flops"]) < number(eager["inference"]?["flops"]))
        // 15 cells × 12 layers (see deadOps) are built eagerly and not with --prune-dead.
        guard case .array(let warnings)? = compiled["warnings"]?.value else { Issue.record("no warnings"); return }
        #expect(warnings.contains { $0.plain == .string("--prune-dead built only the cell's live edges, as a graph compiler runs it: 180 layers fewer than eager execution (no zero layers for none edges, no single-input sums)") })
    }

    @Test func aBadTokenIsOneLineWithExitCode65() throws {
        let cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_5x5~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
        for command in [["convert", "nb201:\(cell)", "--to", "paleo-json"], ["estimate", "nb201:\(cell)", "--gpu", "TITAN_X"]] {
            let result = try runJoule(command)
            #expect(result.status == 65)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError == "joule: error: nb201:\(cell): token 4 'nor_conv_5x5~1': unknown operation "
                    + "'nor_conv_5x5'; did you mean 'nor_conv_3x3'?\n")
        }
        let disconnected = "nb201:|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"
        let pruned = try runJoule(["convert", disconnected, "--to", "paleo-json", "--prune-dead"])
        #expect(pruned.status == 65)
        #expect(pruned.standardError.hasPrefix("joule: error: \(disconnected): the cell is disconnected"))
        #expect(try runJoule(["convert", disconnected, "--to", "paleo-json"]).status == 0)

        let classes = try runJoule(["convert", "nb201:\(Self.best)", "--to", "paleo-json", "--classes", "7"])
        #expect(classes.status == 64)
        #expect(classes.standardError.contains("--classes must be 10, 100 or 120"))
    }
}
