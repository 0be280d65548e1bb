import Fitting
import Foundation
import JouleTestSupport
import Network
import Testing
@testable import Search

/// Table and proxy evaluators, and the --accuracy argument.
@Suite struct EvaluatorTests {
    static let accuracyFile = PackageLayout.sharedData.appendingPathComponent("nb201/nb201_cifar10.csv").path
    /// NB201 arch 1 (nb201_cifar10.csv line 3): cifar10_valid_acc 90.76933332, cifar10_test_acc 90.51333333.
    static let arch1 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    static let header = "arch_index,arch_str,cifar10_valid_acc,cifar10_test_acc"

    @Test func readsTheNB201TableWithDefaultColumns() throws {
        let table = try TableEvaluator(file: Self.accuracyFile)
        #expect(table.archColumn == "arch_str")
        #expect(table.accuracyColumn == "cifar10_valid_acc")
        #expect(table.label == "table:\(Self.accuracyFile):arch_str:cifar10_valid_acc")
        #expect(!table.isProxy)
        #expect(table.keysAreCells)
        #expect(table.rowCount == 15_625)
        let cell = try NB201Cell(parsing: Self.arch1)
        #expect(table.evaluate(Candidate(cell: cell)) == .value(90.76933332, source: table.label))
        // The test column only when asked for.
        let test = try TableEvaluator(file: Self.accuracyFile, archColumn: "arch_str", accuracyColumn: "cifar10_test_acc")
        #expect(test.evaluate(Candidate(cell: cell)).accuracy == 90.51333333)
        // Several at once, in order; disconnected cells are in the table at chance (line 1653).
        let disconnected = try NB201Cell(parsing: "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
        let both = table.evaluate([Candidate(cell: cell), Candidate(cell: disconnected)])
        #expect(both.map(\.accuracy) == [90.76933332, 9.712000001])
    }

    /// A table holding some real rows of a class but not the cell asked for answers with the
    /// class's rows; a class with no row at all is a recorded failure naming the cell.
    @Test func isomorphicCellsFindTheirClassAndMissingOnesFail() throws {
        let space = NB201Space()
        let values = try NB201Space.values(file: Self.accuracyFile, column: "cifar10_valid_acc")
        // A three-member class: ask for its first member, list the other two.
        let members = try #require(space.allCells.lazy.map { space.equivalents($0) }.first { $0.count == 3 })
        let asked = members[0], listed = Array(members[1...])
        let other = try NB201Cell(parsing: Self.arch1)
        #expect(space.equivalents(other).count == 1)
        let rows = (listed + [other]).map { "\($0.string),\(values[$0]!)" }
        let directory = try TemporaryDirectory()
        let file = try directory.write("part.csv", "arch_str,valid_acc\n" + rows.joined(separator: "\n") + "\n").path
        let table = try TableEvaluator(file: file)
        #expect(table.accuracyColumn == "valid_acc")

        let answer = table.evaluate(Candidate(cell: asked))
        let mean = (values[listed[0]]! + values[listed[1]]!) / 2
        #expect(close(try #require(answer.accuracy), mean, relative: 1e-12))
        #expect(answer.source.contains("mean of the 2 rows of cells isomorphic to \(asked)"))
        #expect(table.evaluate(Candidate(cell: listed[1])) == .value(values[listed[1]]!, source: table.label))

        // arch 0 is in a class of its own and not in the file.
        let missing = space.cell(at: 13_931)
        let failure = table.evaluate(Candidate(cell: missing))
        #expect(failure.accuracy == nil)
        #expect(failure.failure == "\(file) has no row for \(missing) nor for any of the \(space.equivalents(missing).count - 1) cells isomorphic to it")
        // A candidate that is no cell cannot be looked up in a table of cells.
        #expect(table.evaluate(Candidate(key: "resnet.json") { throw SearchError("unused") }).failure?.contains("not one") == true)
    }

    @Test func repeatedRowsAreAveragedAndTextKeysWork() throws {
        let directory = try TemporaryDirectory()
        // Spacing inside a cell string does not matter: rows are keyed by cell.
        let cells = try directory.write("runs.csv", """
            arch_str,acc
            \(Self.arch1),90
            " \(Self.arch1)",91
            """).path
        let table = try TableEvaluator(file: cells)
        let answer = table.evaluate(Candidate(cell: try NB201Cell(parsing: Self.arch1)))
        #expect(answer.accuracy == 90.5)
        #expect(answer.source == table.label + " (mean of 2 rows of the cell)")

        let named = try directory.write("named.csv", "architecture,top1_acc\nnet_a,71.5\nnet_b,70\n").path
        let byName = try TableEvaluator(file: named)
        #expect(!byName.keysAreCells)
        #expect(byName.evaluate(Candidate(key: "net_a") { throw SearchError("unused") }).accuracy == 71.5)
        #expect(byName.evaluate(Candidate(key: "net_c") { throw SearchError("unused") }).failure
                == "\(named) has no row for 'net_c' in column 'architecture'")
    }

    @Test func badTablesNameTheFileLineAndColumn() throws {
        let directory = try TemporaryDirectory()
        func message(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "no error"
            } catch let error as SearchError {
                return error.description
            } catch {
                return "not a SearchError: \(error)"
            }
        }
        #expect(message { _ = try TableEvaluator(file: Self.accuracyFile, archColumn: "arch_str", accuracyColumn: "valid") }
                == "\(Self.accuracyFile): column 'valid': no such column (the columns are 'arch_index', 'arch_str', 'cifar10_valid_acc', 'cifar10_test_acc')")
        let mixed = try directory.write("mixed.csv", "arch_str,acc\n\(Self.arch1),90\n|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|,80\n").path
        #expect(message { _ = try TableEvaluator(file: mixed) }.hasPrefix("\(mixed):3: column 'arch_str': '|nor_conv_5x5~0|"))
        let testOnly = try directory.write("test.csv", "arch_str,cifar10_test_acc\n\(Self.arch1),90\n").path
        #expect(message { _ = try TableEvaluator(file: testOnly) }.hasPrefix("\(testOnly): no accuracy column"))
        let noArch = try directory.write("noarch.csv", "name,acc\nx,1\n").path
        #expect(message { _ = try TableEvaluator(file: noArch) }.hasPrefix("\(noArch): no architecture column"))
        let badValue = try directory.write("bad.csv", "arch_str,acc\n\(Self.arch1),ninety\n").path
        #expect(message { _ = try TableEvaluator(file: badValue) } == "\(badValue):2: column 'acc': 'ninety' is not a number")
        let absent = directory.file("absent.csv").path
        #expect(message { _ = try TableEvaluator(file: absent) }.hasPrefix(absent + ": cannot read"))
        let repeated = try directory.write("repeat.csv", "arch_str,x\n\(Self.arch1),1\n\(Self.arch1),2\n").path
        #expect(message { _ = try NB201Space.values(file: repeated, column: "x") }
                == "\(repeated):3: column 'arch_str': \(Self.arch1) is already on line 2")
    }

    @Test func proxiesAreLabelledAndComputedFromTheNetwork() throws {
        // NB201Network's documented count for this cell (NB201 publishes 1.289 MB).
        let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
        let params = ProxyEvaluator(.params)
        #expect(params.isProxy)
        #expect(params.label == "proxy:params (parameter count; a proxy, not an accuracy)")
        #expect(params.evaluate(Candidate(cell: cell)) == .value(1_288_506, source: params.label))

        let flops = ProxyEvaluator(.flops)
        #expect(flops.label.contains("a proxy, not an accuracy"))
        let network = try NB201Network.build(cell)
        let perSample = network.layers.reduce(0.0) { $0 + $1.features(for: .forward).flops }
        #expect(flops.value(of: network) == perSample)
        // Per sample, whatever the batch the network was built at.
        #expect(flops.value(of: try NB201Network.build(cell, options: NB201Options(batch: 32))) == perSample)
        #expect(flops.evaluate(Candidate(cell: cell)).accuracy == perSample)
        // More convolutions, more FLOPs.
        let skips = try NB201Cell(parsing: "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|")
        #expect(try flops.value(of: NB201Network.build(skips)) < perSample)

        let broken = params.evaluate(Candidate(key: "broken.json") { throw SearchError("no such file") })
        #expect(broken.accuracy == nil)
        #expect(broken.failure == "cannot build the network of broken.json: no such file")
    }

    @Test func accuracyArguments() throws {
        #expect(try AccuracySpec(parsing: "table:acc.csv") == .table(file: "acc.csv", archColumn: nil, accuracyColumn: nil))
        #expect(try AccuracySpec(parsing: " table:acc.csv:arch_str:val_acc ") == .table(file: "acc.csv", archColumn: "arch_str", accuracyColumn: "val_acc"))
        #expect(try AccuracySpec(parsing: "table:c:/x.csv:a:b") == .table(file: "c:/x.csv", archColumn: "a", accuracyColumn: "b"))
        #expect(try AccuracySpec(parsing: "proxy:params") == .proxy(.params))
        #expect(try AccuracySpec(parsing: "proxy:flops").description == "proxy:flops")
        #expect(try AccuracySpec(parsing: "table:a.csv:x:y").description == "table:a.csv:x:y")
        for bad in ["table:", "table:a.csv:arch", "table:a.csv::acc", "proxy:latency", "oracle:x", "accuracy.csv", "command:train.sh"] {
            do {
                _ = try AccuracySpec(parsing: bad)
                Issue.record("accepted --accuracy \(bad)")
            } catch {
                #expect(error.description.hasPrefix("--accuracy '\(bad)': "))
            }
        }
        #expect(try AccuracySpec(parsing: "proxy:params").makeEvaluator().isProxy)
        let table = try AccuracySpec(parsing: "table:\(Self.accuracyFile)").makeEvaluator()
        #expect(table.label.hasSuffix(":arch_str:cifar10_valid_acc"))
        #expect(table.evaluate(Candidate(cell: try NB201Cell(parsing: Self.arch1))).accuracy == 90.76933332)
    }
}
