import Fitting
import Foundation
import JouleTestSupport
import Network
import SeededRandom
import Testing
@testable import Search

/// The NB201 space: tokens, index order, and the two equivalences.
@Suite struct NB201SpaceTests {
    let space = NB201Space()

    static func csvCells() throws -> [String] {
        let file = PackageLayout.sharedData.appendingPathComponent("nb201/nb201_cifar10.csv").path
        return try MeasurementTable.read(file: file).strings("arch_str")
    }

    @Test func tokensFollowNB201sOperationOrder() throws {
        #expect(NB201Space.length == 6)
        #expect(NB201Space.operationCount == 5)
        #expect(NB201Space.startToken == 5)
        #expect(NB201Space.vocabularySize == 6)
        #expect(NB201Operation.allCases.map(NB201Space.token) == [0, 1, 2, 3, 4])
        let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
        #expect(space.encode(cell) == [3, 3, 4, 1, 3, 1])
        #expect(space.decode([3, 3, 4, 1, 3, 1]) == cell)
        // 3·5⁵ + 3·5⁴ + 4·5³ + 1·5² + 3·5 + 1 = 9375 + 1875 + 500 + 25 + 15 + 1.
        #expect(space.index(of: cell) == 11_791)
        for position in 0..<6 {
            #expect(space.mask(at: position) == [true, true, true, true, true, false])
        }
    }

    @Test func indexOrderIsBaseFiveAndCoversTheSpace() {
        let cells = space.allCells
        #expect(cells.count == 15_625)
        #expect(cells.first == NB201Cell(edges: Array(repeating: .none, count: 6)))
        #expect(cells.last == NB201Cell(edges: Array(repeating: .averagePool3x3, count: 6)))
        #expect(cells[1].edges == [.none, .none, .none, .none, .none, .skipConnect])
        for (index, cell) in cells.enumerated() {
            #expect(space.index(of: cell) == index)
            #expect(space.decode(space.encode(cell)) == cell)
        }
        #expect(Set(cells).count == 15_625)
        #expect(cells.filter(space.isChanceLevel).count == 341)
    }

    /// The CSV lists every cell once, but in NB201's archive order, which is not ours: its
    /// arch 0 is `|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|…|` (tokens 4,2,1,2,1,1).
    @Test func theNB201TablesListEveryCellOnceInTheirOwnOrder() throws {
        let strings = try Self.csvCells()
        #expect(strings.count == 15_625)
        let indices = try strings.map { space.index(of: try NB201Cell(parsing: $0)) }
        #expect(Set(indices) == Set(0..<15_625))
        // Each string is the cell's own canonical text.
        for (string, index) in zip(strings, indices) where space.cell(at: index).string != string {
            Issue.record("\(string) reads back as \(space.cell(at: index).string)")
        }
        // 4·3125 + 2·625 + 1·125 + 2·25 + 1·5 + 1 = 12500 + 1250 + 125 + 50 + 5 + 1.
        #expect(indices[0] == 13_931)
        #expect(indices[1] == 11_791)
    }

    /// NB201's README: "5^6 = 15,625 cells (6,466 distinct up to isomorphism)".
    @Test func nb201EquivalenceHas6466Classes() throws {
        let keys = Set(space.allCells.map { space.canonical($0) })
        #expect(keys.count == 6_466)
        #expect(space.classCount(under: .nb201) == 6_466)
        // The exact functional semantics is coarser.
        #expect(Set(space.allCells.map { space.canonical($0, under: .function) }).count == 4_930)
        #expect(space.classCount(under: .function) == 4_930)
    }

    /// Every nb201 class lies inside one function class: the string rule never merges cells
    /// that compute different functions.
    @Test func nb201ClassesRefineFunctionClasses() {
        var functionOf: [String: String] = [:]
        for cell in space.allCells {
            let key = space.canonical(cell), function = space.canonical(cell, under: .function)
            if let known = functionOf[key], known != function {
                Issue.record("nb201 class \(key) holds functions \(known) and \(function)")
            }
            functionOf[key] = function
        }
    }

    @Test func keysOfKnownCells() throws {
        let a = try NB201Cell(parsing: "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|")
        #expect(space.canonical(a) == "#+#+#+(0)@nor_conv_3x3")
        #expect(space.canonical(a, under: .function) == "c3(x)")
        // The same function with no zero terms: one class under .function, two under .nb201.
        let b = try NB201Cell(parsing: "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|")
        #expect(space.canonical(b) == "#+#+(0)@nor_conv_3x3")
        #expect(space.canonical(b, under: .function) == "c3(x)")
        // Swapping two parallel branches into node 3 changes no key.
        let c = try NB201Cell(parsing: "|avg_pool_3x3~0|+|none~0|none~1|+|nor_conv_1x1~0|skip_connect~1|none~2|")
        let d = try NB201Cell(parsing: "|nor_conv_1x1~0|+|none~0|none~1|+|avg_pool_3x3~0|skip_connect~1|none~2|")
        #expect(space.canonical(c) == "#+(0)@avg_pool_3x3+(0)@nor_conv_1x1")
        #expect(space.canonical(d) == space.canonical(c))
        #expect(space.canonical(c, under: .function) == "c1(x)+p3(x)")
        #expect(space.equivalents(c).contains(d))
        // NB201's rule splices node 2's sum into node 3's as one block at the sort position
        // of its text, so the same sum built the other way round is another class.
        let f = try NB201Cell(parsing: "|nor_conv_1x1~0|+|avg_pool_3x3~0|none~1|+|none~0|skip_connect~1|skip_connect~2|")
        let g = try NB201Cell(parsing: "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|skip_connect~1|skip_connect~2|")
        #expect(space.canonical(f) == "#+#+(0)@avg_pool_3x3+(0)@nor_conv_1x1")
        #expect(space.canonical(g) == "#+#+(0)@nor_conv_1x1+(0)@avg_pool_3x3")
        #expect(space.canonical(f, under: .function) == space.canonical(g, under: .function))
        #expect(!space.equivalents(f).contains(g))
        #expect(space.equivalents(f, under: .function).contains(g))
        // A convolution of a zero node is zero.
        let e = try NB201Cell(parsing: "|none~0|+|skip_connect~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|")
        #expect(space.canonical(e, under: .function) == "x")
        #expect(space.canonical(e) == "#+#+#+0")
    }

    @Test func equivalentsPartitionTheSpace() {
        for equivalence in NB201Equivalence.allCases {
            var seen = [Int](repeating: 0, count: 15_625)
            var classes = 0
            for cell in space.allCells where space.representative(cell, under: equivalence) == cell {
                classes += 1
                let members = space.equivalents(cell, under: equivalence)
                #expect(members.first == cell)
                #expect(members.map(space.index) == members.map(space.index).sorted())
                let key = space.canonical(cell, under: equivalence)
                for member in members {
                    seen[space.index(of: member)] += 1
                    #expect(space.canonical(member, under: equivalence) == key)
                    #expect(space.classNumber(of: member, under: equivalence) == space.classNumber(of: cell, under: equivalence))
                }
            }
            #expect(classes == space.classCount(under: equivalence))
            #expect(seen.allSatisfy { $0 == 1 })
        }
        // All 341 disconnected cells compute zero.
        let disconnected = space.allCells.filter(\.isDisconnected)
        #expect(Set(disconnected.map { space.canonical($0, under: .function) }) == ["0"])
        #expect(space.equivalents(disconnected[0], under: .function).count == 341)
    }

    /// The class tables are built once, lazily, whichever thread asks first.
    @Test func classTablesAreSafeToBuildFromManyThreads() async {
        let counts = await withTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let space = NB201Space()
                    return space.equivalents(space.cell(at: i * 1_000), under: i.isMultiple(of: 2) ? .nb201 : .function).count
                        + space.classCount(under: .nb201)
                }
            }
            var all: [Int] = []
            for await count in group { all.append(count) }
            return all
        }
        #expect(counts.count == 8)
        #expect(counts.allSatisfy { $0 > 6_466 })
    }

    @Test func randomCellsAreSeeded() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        let first = (0..<20).map { _ in space.randomCell(using: &a) }
        let second = (0..<20).map { _ in space.randomCell(using: &b) }
        #expect(first == second)
        #expect(Set(first).count > 1)
    }
}
