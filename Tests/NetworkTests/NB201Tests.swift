import Foundation
import JouleJSON
import JouleTestSupport
import Network
import Testing

/// NAS-Bench-201 cells and networks: the cell grammar, the skeleton's counts against hand
/// counts and NB201's published figures, dead branches, options and the spec round trip.
@Suite struct NB201Tests {
    static let all3x3 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    /// NB201 arch 9930, the best CIFAR-10 cell.
    static let best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    /// Arch 0 of ../shared/data/nb201/latency_dev.csv.
    static let arch0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
    /// No parameters in the cell: the network is the bare skeleton.
    static let allSkip = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"
    /// Node 3 reads node 0 and, through `none` edges, zeros made from nodes 1 and 2: a graph
    /// compiler drops the edges into nodes 1 and 2, eager PyTorch runs them.
    static let deadOps = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|none~2|"
    /// Node 1's only input is `none`: in eager mode it is a sum of zeros that 1→2 and 1→3 read.
    static let zeroInput = "|none~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|nor_conv_3x3~0|skip_connect~1|nor_conv_3x3~2|"
    /// Node 3 has no input but `none` edges: eager mode passes zeros on.
    static let disconnected = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"

    static func network(_ cell: String, _ options: NB201Options = NB201Options()) throws -> Network {
        try NB201Network.build(try NB201Cell(parsing: cell), options: options)
    }

    static func forwardFlops(_ network: Network) -> Double {
        network.layers.reduce(0) { $0 + $1.features(for: .forward).flops }
    }

    /// Multiply-adds of the convolutions and the classifier, counting the classifier's bias
    /// as one each: what NAS-Bench-201 calls FLOPs.
    static func nb201Flops(_ network: Network, classes: Int) -> Double {
        let multiplyAdds = network.layers.reduce(0.0) { sum, layer in
            switch layer.kind {
            case .convolution, .innerProduct: sum + layer.features(for: .forward).flops / 2
            default: sum
            }
        }
        return multiplyAdds + Double(classes)
    }

    // MARK: - Counts

    /// The skeleton's FLOPs at batch 1, 32×32 input, 10 classes, outside the 15 cells
    /// (Joule counts a multiply-add as 2 FLOPs, BatchNorm 4 and ReLU 1 per element, pooling
    /// one per window element, an Add one per element per extra input).
    static let skeletonFlops: Double = {
        var flops = 0.0
        // Stem: conv 3x3, 3→16, on 32x32x16 outputs; BatchNorm.
        flops += 2 * 9 * 3 * (32 * 32 * 16) + 4 * (32 * 32 * 16)
        // Reduction 16→32 (outputs 16x16x32 = 8192 elements; its input 32x32x16 = 16384).
        flops += 16384 + 2 * 9 * 16 * 8192 + 4 * 8192          // a: ReLU on the input, conv stride 2, BN
        flops += 8192 + 2 * 9 * 32 * 8192 + 4 * 8192           // b: ReLU, conv 3x3, BN
        flops += 4 * (16 * 16 * 16) + 2 * 16 * 8192 + 8192     // shortcut 2x2 pool, 1x1 conv; the Add
        // Reduction 32→64 (outputs 8x8x64 = 4096; its input 16x16x32 = 8192).
        flops += 8192 + 2 * 9 * 32 * 4096 + 4 * 4096
        flops += 4096 + 2 * 9 * 64 * 4096 + 4 * 4096
        flops += 4 * (8 * 8 * 32) + 2 * 32 * 4096 + 4096
        // Head: BN, ReLU, 8x8 global average pool to 64 outputs, InnerProduct 64→10.
        flops += 4 * 4096 + 4096 + 64 * 64 + 2 * 64 * 10
        return flops
    }()

    /// The skeleton's parameters (10 classes): stem 3·3·3·16 + BN 2·16; reduction 16→32:
    /// 9·16·32 + 2·32 + 9·32·32 + 2·32 + 16·32; reduction 32→64: 9·32·64 + 2·64 + 9·64·64 +
    /// 2·64 + 32·64; head BN 2·64; classifier 64·10 + 10.
    static let skeletonParams: Int64 = (432 + 32) + (4608 + 64 + 9216 + 64 + 512) + (18432 + 128 + 36864 + 128 + 2048) + 128 + 650

    /// The skeleton's layers: `data`; stem conv, BN; two reductions of 9 (a: relu, conv, bn;
    /// b: relu, conv, bn; shortcut pool, conv; add); head BN, ReLU, pool, classifier.
    static let skeletonLayers = 1 + 2 + 2 * 9 + 4

    /// The cells' names, `cell0` … `cell16` without the reductions `cell5` and `cell11`.
    static let cellNames = (0...16).filter { $0 != 5 && $0 != 11 }.map { "cell\($0)" }

    static func parentNames(_ network: Network, _ name: String) throws -> [String] {
        let index = try #require(network.index(of: name), "\(name)")
        return network.layers[index].parents.map { network.layers[$0].name }
    }

    @Test func theAll3x3CellMatchesAHandCount() throws {
        let network = try Self.network(Self.all3x3)
        // A cell at C channels and H×H: six ReLU (H²C) → conv 3x3 (2·9·C·H²C) → BN (4·H²C);
        // node 1 is an Add of 1 tensor (0 extra inputs: 0 FLOPs), node 2 adds 2 tensors
        // (1·H²C), node 3 adds 3 (2·H²C).
        func cell(_ h: Double, _ c: Double) -> Double { 6 * (h * h * c) * (1 + 18 * c + 4) + (0 + 1 + 2) * (h * h * c) }
        let cells = 5 * cell(32, 16) + 5 * cell(16, 32) + 5 * cell(8, 64)
        #expect(Self.forwardFlops(network) == Self.skeletonFlops + cells)
        // Each 3x3 edge: 9·C² weights + 2·C BatchNorm; 6 edges, 5 cells per stage.
        let cellParams: Int64 = 5 * 6 * (9 * 16 * 16 + 32) + 5 * 6 * (9 * 32 * 32 + 64) + 5 * 6 * (9 * 64 * 64 + 128)
        #expect(network.params == Self.skeletonParams + cellParams)
        #expect(network.params == 1_531_546)
        // Per cell: 6 edges × (relu, conv, bn) + the Adds of nodes 1, 2, 3 = 18 + 3 = 21.
        #expect(network.layers.count == 1 + 2 + 15 * (6 * 3 + 3) + 2 * 9 + 4)
        #expect(network.layers.count == 340)
        #expect(network.deadLayers.isEmpty)
    }

    @Test func arch0OfTheLatencyTableMatchesAHandCount() throws {
        let row = try #require(try ReferenceCSV.load(url: PackageLayout.sharedData.appendingPathComponent("nb201/latency_dev.csv"))
            .first { $0["arch_index"] == "0" })
        #expect(row["arch_str"] == Self.arch0)
        let network = try Self.network(Self.arch0)
        // A cell: 3x3 average pool 0→1 (9·H²C); two 1x1 convolutions (ReLU H²C, conv 2·C·H²C,
        // BN 4·H²C); node 1 = Add of the pool alone (no extra input: 0), node 2 = conv +
        // node 1 (one Add input extra), node 3 = conv + node 1 + node 2 (two extra); the skip
        // connections add no layer.
        func cell(_ h: Double, _ c: Double) -> Double { (h * h * c) * (9 + 2 * (1 + 2 * c + 4) + 0 + 1 + 2) }
        let cells = 5 * cell(32, 16) + 5 * cell(16, 32) + 5 * cell(8, 64)
        #expect(Self.forwardFlops(network) == Self.skeletonFlops + cells)
        // Two 1x1 convolutions per cell: C² + 2·C each.
        let cellParams: Int64 = 5 * 2 * (16 * 16 + 32) + 5 * 2 * (32 * 32 + 64) + 5 * 2 * (64 * 64 + 128)
        #expect(network.params == Self.skeletonParams + cellParams)
        #expect(network.params == 129_306)
        // Per cell: the pool (1) + two 1x1 edges × (relu, conv, bn) (6) + Adds of nodes 1–3 (3).
        #expect(network.layers.count == 1 + 2 + 15 * (1 + 2 * 3 + 3) + 2 * 9 + 4)
        #expect(network.layers.count == 175)
    }

    /// NAS-Bench-201 publishes each architecture's parameters (in MB, meaning millions) and
    /// FLOPs (millions of multiply-adds of the convolutions and the classifier, its bias
    /// included). Sources, found with a code search of public repositories:
    /// - the NB201 API's printout for arch 9930 (`api.show`), kept in a comment of a copy of
    ///   NB201's `genotypes.py`: cifar10 FLOP=184.73 M, Params=1.289 MB; cifar100 184.74 M,
    ///   1.294 MB; ImageNet16-120 46.19 M, 1.296 MB;
    /// - minimum and maximum over the space, read from NAS-Bench-201-v1_1-096897 by
    ///   EvoXBench-based and HPOBench-based scripts: cifar10-valid params 0.073306–1.531546,
    ///   FLOPs 7.78305–220.11969; cifar100 params 0.079156–1.537396, FLOPs 7.7889–220.12554;
    ///   ImageNet16-120 params 0.080456–1.538696, FLOPs 1.9534–55.03756.
    /// The minimum is a cell without parameters (the bare skeleton), the maximum all-3x3.
    @Test(arguments: [
        Published(Self.best, 10, 32, params: "1.289", flops: "184.73"),
        Published(Self.best, 100, 32, params: "1.294", flops: "184.74"),
        Published(Self.best, 120, 16, params: "1.296", flops: "46.19"),
        Published(Self.allSkip, 10, 32, params: "0.073306", flops: "7.78305"),
        Published(Self.allSkip, 100, 32, params: "0.079156", flops: "7.7889"),
        Published(Self.allSkip, 120, 16, params: "0.080456", flops: "1.9534"),
        Published(Self.all3x3, 10, 32, params: "1.531546", flops: "220.11969"),
        Published(Self.all3x3, 100, 32, params: "1.537396", flops: "220.12554"),
        Published(Self.all3x3, 120, 16, params: "1.538696", flops: "55.03756"),
    ])
    func countsMatchNB201sPublishedFigures(_ published: Published) throws {
        let network = try Self.network(published.cell, NB201Options(classes: published.classes, inputSize: published.inputSize))
        #expect(Published.matches(Double(network.params) / 1e6, published.params), "\(network.params)")
        #expect(Published.matches(Self.nb201Flops(network, classes: published.classes) / 1e6, published.flops))
    }

    /// A published figure: a cell, the data set's classes and input size, and the rounded
    /// millions of parameters and of FLOPs as printed.
    struct Published: Sendable, CustomTestStringConvertible {
        var cell: String, classes: Int, inputSize: Int, params: String, flops: String
        init(_ cell: String, _ classes: Int, _ inputSize: Int, params: String, flops: String) {
            (self.cell, self.classes, self.inputSize, self.params, self.flops) = (cell, classes, inputSize, params, flops)
        }
        var testDescription: String { "\(classes) classes, \(inputSize) px: \(params) M params, \(flops) M FLOPs" }

        /// Whether `value` rounds to `printed` at the printed number of decimals.
        static func matches(_ value: Double, _ printed: String) -> Bool {
            let decimals = printed.split(separator: ".").last.map(\.count) ?? 0
            return String(format: "%.\(decimals)f", value) == printed
        }
    }

    @Test func theBestCellHasTheParametersOfAHandCount() throws {
        // Five 3x3 edges and one skip connection per cell.
        let cellParams: Int64 = 5 * 5 * (9 * 16 * 16 + 32) + 5 * 5 * (9 * 32 * 32 + 64) + 5 * 5 * (9 * 64 * 64 + 128)
        #expect(try Self.network(Self.best).params == Self.skeletonParams + cellParams)
        #expect(Self.skeletonParams + cellParams == 1_288_506)
    }

    // MARK: - The cell string

    @Test func everyCellOfTheSpaceParsesToItsOwnString() throws {
        let rows = try ReferenceCSV.load(url: PackageLayout.sharedData.appendingPathComponent("nb201/nb201_cifar10.csv"))
        #expect(rows.count == 15_625)
        var disconnected = 0
        var cells = Set<NB201Cell>()
        for row in rows {
            let text = try #require(row["arch_str"])
            let cell = try NB201Cell(parsing: text)
            #expect(cell.string == text)
            if cell.isDisconnected {
                disconnected += 1
                // The README: every disconnected cell sits at chance.
                #expect(row["cifar10_test_acc"] == "10")
            }
            cells.insert(cell)
        }
        #expect(cells.count == 15_625)
        #expect(disconnected == 341, "the README counts 341 disconnected cells")
    }

    @Test func edgesAreInStringOrder() throws {
        let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
        #expect(cell.edges == [.conv3x3, .conv1x1, .averagePool3x3, .skipConnect, .none, .conv3x3])
        #expect(NB201Cell.endpoints.map { "\($0.from)→\($0.to)" } == ["0→1", "0→2", "1→2", "0→3", "1→3", "2→3"])
        #expect(cell.operation(from: 1, to: 2) == .averagePool3x3)
        #expect(NB201Cell(edges: cell.edges) == cell)
        #expect(try NB201Cell(parsing: "  \(cell.string)\n") == cell)
    }

    @Test(arguments: [
        ("", "the NB201 cell string is empty; expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"),
        ("   ", "the NB201 cell string is empty; expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"),
        ("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_5x5~1|+|none~0|none~1|none~2|",
         "token 4 'nor_conv_5x5~1': unknown operation 'nor_conv_5x5'; did you mean 'nor_conv_3x3'?"),
        ("|skip~0|+|none~0|none~1|+|none~0|none~1|none~2|", "token 1 'skip~0': unknown operation 'skip'; did you mean 'skip_connect'?"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|maxpool~2|",
         "token 8 'maxpool~2': unknown operation 'maxpool'; the operations are none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3"),
        ("|none~0|+|none~0|nor_conv_3x3~2|+|none~0|none~1|none~2|",
         "token 4 'nor_conv_3x3~2' in group 2: node 2 can only read nodes 0..1"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "token 1 'none~1' in group 1: node 1 can only read node 0"),
        ("|none~0|+|none~1|none~0|+|none~0|none~1|none~2|",
         "token 3 'none~1' in group 2: expected input 0 here (each group lists its inputs in order, ~0 first)"),
        ("|none~0|+|none~0|none~x|+|none~0|none~1|none~2|", "token 4 'none~x': input 'x' is not a node number"),
        ("|none~0|+|none~0|none|+|none~0|none~1|none~2|", "token 4 'none': expected operation~input, such as 'nor_conv_3x3~1'"),
        ("|none~0|+|none~0|none~1|none~2|+|none~0|none~1|none~2|", "group 2 must have 2 edges, got 3"),
        ("|none~0|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "group 1 must have 1 edge, got 2"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|", "group 3 must have 3 edges, got 2"),
        ("|none~0|+|none~0|none~1|", "expected 3 groups separated by '+' (the inputs of nodes 1, 2 and 3), got 2"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|",
         "expected 3 groups separated by '+' (the inputs of nodes 1, 2 and 3), got 4"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
         "token 1 'none~0': missing '|' before it; expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~2",
         "token 8 'none~2': missing '|' after it; expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"),
        ("|none~0+|none~0|none~1|+|none~0|none~1|none~2|", "token 1 'none~0+': '+' must stand alone between bars, as in |…|+|…|"),
        ("|none~0||+|none~0|none~1|+|none~0|none~1|none~2|",
         "token 2 is empty ('||'); expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"),
        ("nor_conv_3x3~0", "token 1 'nor_conv_3x3~0': missing '|' before it; expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2|"),
    ])
    func badCellStringsNameTheToken(text: String, message: String) {
        #expect(throws: SpecError(file: nil, message)) { try NB201Cell(parsing: text) }
    }

    @Test func specSourceLabelsCellErrorsWithTheArgument() {
        let argument = "nb201:|none~0|+|none~0|nor_conv_5x5~1|+|none~0|none~1|none~2|"
        #expect(throws: SpecError(file: argument, "token 4 'nor_conv_5x5~1': unknown operation 'nor_conv_5x5'; did you mean 'nor_conv_3x3'?")) {
            try SpecSource.read(argument)
        }
        #expect(throws: SpecError(file: "|none~0|", "expected 3 groups separated by '+' (the inputs of nodes 1, 2 and 3), got 1")) {
            try SpecSource.read(csvValue: " |none~0|")
        }
    }

    // MARK: - Dead branches

    @Test func liveEdgesAndDisconnection() throws {
        #expect(try NB201Cell(parsing: Self.deadOps).liveEdges == [false, false, false, true, false, false])
        #expect(try NB201Cell(parsing: Self.zeroInput).liveEdges == [false, true, false, true, false, true])
        #expect(try NB201Cell(parsing: Self.best).liveEdges == Array(repeating: true, count: 6))
        #expect(try NB201Cell(parsing: Self.disconnected).isDisconnected)
        #expect(try NB201Cell(parsing: "|none~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|").isDisconnected)
        #expect(try !NB201Cell(parsing: Self.deadOps).isDisconnected)
    }

    @Test func eagerNoneEdgesFeedNodeThreeSoNoLayerIsDead() throws {
        let network = try Self.network(Self.deadOps)
        let classifier = try #require(network.index(of: "classifier"))
        #expect(network.outputs == [classifier])
        // Eager mode builds every edge: node 1 feeds 1→2 (the pool) and 1→3 (a zero), node 2
        // feeds 2→3 (a zero), so every node reaches node 3 and nothing is dead.
        #expect(network.deadLayers.isEmpty)
        // Per cell: 0→1 relu, conv, bn (3); 0→2 relu, conv, bn (3); 1→2 pool (1); 0→3 skip (0);
        // 1→3 zero (1); 2→3 zero (1); Adds of nodes 1, 2, 3 (3): 3 + 3 + 1 + 0 + 1 + 1 + 3 = 12.
        #expect(network.layers.count == Self.skeletonLayers + 15 * 12)
        #expect(network.layers.count == 205)
        // Node 3 sums the cell's input (skip 0→3) and the zeros made from nodes 1 and 2.
        #expect(try Self.parentNames(network, "cell0/node3") == ["stem/bn", "cell0/3<-1/zero", "cell0/3<-2/zero"])
        #expect(try Self.parentNames(network, "cell0/3<-1/zero") == ["cell0/node1"])
        #expect(try Self.parentNames(network, "cell0/3<-2/zero") == ["cell0/node2"])
        #expect(try Self.parentNames(network, "cell0/node1") == ["cell0/1<-0/bn"])
        #expect(try Self.parentNames(network, "cell0/node2") == ["cell0/2<-0/bn", "cell0/2<-1/pool"])
        #expect(try Self.parentNames(network, "head/bn") == ["cell16/node3"])
        // FLOPs of a cell at C channels, H×H (E = H²C elements): 0→1 ReLU E + conv 3x3 18C·E +
        // BN 4E; 0→2 ReLU E + conv 1x1 2C·E + BN 4E; pool 3x3 9E; two zeros 1·E each; Adds of
        // 1, 2 and 3 tensors: 0, 1·E and 2·E. (5 + 18C) + (5 + 2C) + 9 + 2 + 3 = 24 + 20C.
        func cell(_ h: Double, _ c: Double) -> Double { (h * h * c) * (24 + 20 * c) }
        #expect(Self.forwardFlops(network) == Self.skeletonFlops + 5 * cell(32, 16) + 5 * cell(16, 32) + 5 * cell(8, 64))
        // Parameters: the 3x3 edge 9C² + 2C, the 1x1 edge C² + 2C; zeros and Adds have none.
        let cellParams: Int64 = 5 * (10 * 16 * 16 + 4 * 16) + 5 * (10 * 32 * 32 + 4 * 32) + 5 * (10 * 64 * 64 + 4 * 64)
        #expect(network.params == Self.skeletonParams + cellParams)

        // A graph compiler keeps only the live skip 0→3: node 3 is the cell's input, so every
        // cell is empty and the network is the bare skeleton; the head reads the last reduction.
        let pruned = try Self.network(Self.deadOps, NB201Options(pruneDead: true))
        #expect(pruned.layers.count == Self.skeletonLayers)
        #expect(try Self.parentNames(pruned, "head/bn") == ["cell11/add"])
        #expect(Self.forwardFlops(pruned) == Self.skeletonFlops)
        #expect(pruned.params == Self.skeletonParams)
    }

    /// The layers `pruneDead` builds in each cell, from the live edges: a convolution edge's
    /// relu, conv and bn, a pool edge's pool, nothing for a skip connection, and node J's
    /// Add only where two or more live edges reach node J.
    static func prunedCellLayers(_ cell: NB201Cell) -> Set<String> {
        var names: Set<String> = []
        var incoming = [0, 0, 0, 0]
        for (e, (from, to)) in NB201Cell.endpoints.enumerated() where cell.liveEdges[e] {
            incoming[to] += 1
            switch cell.edges[e] {
            case .conv1x1, .conv3x3: names.formUnion(["relu", "conv", "bn"].map { "\(to)<-\(from)/\($0)" })
            case .averagePool3x3: names.insert("\(to)<-\(from)/pool")
            case .skipConnect, .none: break
            }
        }
        for node in 1...3 where incoming[node] >= 2 { names.insert("node\(node)") }
        return names
    }

    @Test(arguments: [Self.deadOps, Self.best, Self.arch0, Self.zeroInput, Self.all3x3, Self.allSkip])
    func pruneDeadBuildsTheLiveEdgesAndOnlyMultiInputAdds(cell text: String) throws {
        let cell = try NB201Cell(parsing: text)
        let full = try Self.network(text)
        let pruned = try Self.network(text, NB201Options(pruneDead: true))
        #expect(pruned.deadLayers.isEmpty)
        #expect(!pruned.layers.contains { $0.name.hasSuffix("/zero") })
        let skeleton = Set(full.layers.map(\.name).filter { name in !Self.cellNames.contains { name.hasPrefix("\($0)/") } })
        #expect(skeleton.count == Self.skeletonLayers)
        let expected = skeleton.union(Self.cellNames.flatMap { n in Self.prunedCellLayers(cell).map { "\(n)/\($0)" } })
        #expect(Set(pruned.layers.map(\.name)) == expected)
        #expect(pruned.layers.count == expected.count)
        // Every pruned layer is a layer of the eager build, of the same kind and parameters.
        for layer in pruned.layers {
            let index = try #require(full.index(of: layer.name), "\(layer.name)")
            #expect(full.layers[index].kind == layer.kind, "\(layer.name)")
            #expect(full.layers[index].params == layer.params, "\(layer.name)")
            if case .elementwise = layer.kind, layer.name.contains("/node") {
                #expect(layer.parents.count >= 2, "\(layer.name)")
            }
        }
        // Nothing in the eager build is dead, so pruning dead branches leaves it as it is.
        #expect(full.deadLayers.isEmpty)
        #expect(full.prunedOfDeadBranches() == full)
    }

    @Test func pruneDeadHandCounts() throws {
        /// The layer counts of the eager and the pruned build.
        func counts(_ text: String) throws -> [Int] {
            [try Self.network(text).layers.count, try Self.network(text, NB201Options(pruneDead: true)).layers.count]
        }
        // best: five convolution edges and a skip, all live. Eager 5·3 + 3 Adds = 18 a cell;
        // pruned drops node 1's Add of one tensor: 17.
        #expect(try counts(Self.best) == [Self.skeletonLayers + 15 * 18, Self.skeletonLayers + 15 * 17])
        // arch0: pool, two 1x1 edges, three skips, all live. Eager 1 + 2·3 + 3 = 10; pruned
        // drops node 1's Add (the pool alone): 9.
        #expect(try counts(Self.arch0) == [Self.skeletonLayers + 15 * 10, Self.skeletonLayers + 15 * 9])
        // allSkip: eager has only the 3 Adds; pruned keeps node 2 (0→2 and 1→2) and node 3
        // (three skips), drops node 1 (one skip): 2.
        #expect(try counts(Self.allSkip) == [Self.skeletonLayers + 15 * 3, Self.skeletonLayers + 15 * 2])
        // zeroInput: eager 0→1 zero (1) + four 3x3/1x1 edges (12) + skip (0) + 3 Adds = 16;
        // pruned: live 0→2, 0→3, 2→3 (9) and node 3's Add of two (1) = 10.
        #expect(try counts(Self.zeroInput) == [Self.skeletonLayers + 15 * 16, Self.skeletonLayers + 15 * 10])
        // deadOps: eager 12 (see above); pruned 0.
        #expect(try counts(Self.deadOps) == [Self.skeletonLayers + 15 * 12, Self.skeletonLayers])

        // Where every edge is live and none is `none`, pruning drops only Adds of one tensor,
        // which cost 0 FLOPs: the FLOPs and parameters are the same.
        for text in [Self.best, Self.arch0, Self.all3x3, Self.allSkip] {
            let full = try Self.network(text)
            let pruned = try Self.network(text, NB201Options(pruneDead: true))
            #expect(Self.forwardFlops(pruned) == Self.forwardFlops(full), "\(text)")
            #expect(pruned.params == full.params, "\(text)")
        }
    }

    @Test func operationsFedByZerosAreLiveInTheEagerBuildAndPrunedByACompiler() throws {
        let full = try Self.network(Self.zeroInput)
        let pruned = try Self.network(Self.zeroInput, NB201Options(pruneDead: true))
        #expect(full.deadLayers.isEmpty)
        let removed = Set(full.layers.map(\.name)).subtracting(pruned.layers.map(\.name))
        // Edge 0→1 (a zero) and node 1's Add of it; edge 1→2; node 2's Add, which is left
        // with one input (0→2). 16 − 6 = 10 layers a cell remain.
        let perCell = ["1<-0/zero", "node1", "2<-1/relu", "2<-1/conv", "2<-1/bn", "node2"]
        #expect(removed == Set(Self.cellNames.flatMap { n in perCell.map { "\(n)/\($0)" } }))
        #expect(Set(pruned.layers.map(\.name)).isSubset(of: full.layers.map(\.name)))
        // In the eager build node 1 sums the zero made from the cell's input, and 1→2 and node
        // 3 (the skip connection 1→3) read it.
        #expect(try Self.parentNames(full, "cell0/1<-0/zero") == ["stem/bn"])
        #expect(try Self.parentNames(full, "cell0/node1") == ["cell0/1<-0/zero"])
        #expect(try Self.parentNames(full, "cell0/2<-1/relu") == ["cell0/node1"])
        #expect(try Self.parentNames(full, "cell0/node2") == ["cell0/2<-0/bn", "cell0/2<-1/bn"])
        #expect(try Self.parentNames(full, "cell0/3<-2/relu") == ["cell0/node2"])
        #expect(try Self.parentNames(full, "cell0/node3") == ["cell0/3<-0/bn", "cell0/node1", "cell0/3<-2/bn"])
        // Pruned, node 2 is 0→2's output and node 3 adds two tensors.
        #expect(try Self.parentNames(pruned, "cell0/3<-2/relu") == ["cell0/2<-0/bn"])
        #expect(try Self.parentNames(pruned, "cell0/node3") == ["cell0/3<-0/bn", "cell0/3<-2/bn"])
        // FLOPs, E = H²C: eager adds the zero (E), node 1's Add of one (0), 1→2's ReLU, 1x1 conv,
        // BN ((5 + 2C)·E) and node 2's Add of two (E) to the pruned cell, and its node 3 adds
        // three tensors (2E) where the pruned one adds two (E): 1 + 0 + 5 + 2C + 1 + 1 = (8 + 2C)·E.
        func extra(_ h: Double, _ c: Double) -> Double { (h * h * c) * (8 + 2 * c) }
        #expect(Self.forwardFlops(full) - Self.forwardFlops(pruned) == 5 * extra(32, 16) + 5 * extra(16, 32) + 5 * extra(8, 64))
        // 1→2's 1x1 convolution, C² + 2C, is the only parameterised layer pruning removes.
        #expect(full.params - pruned.params == 5 * (16 * 16 + 32) + 5 * (32 * 32 + 64) + 5 * (64 * 64 + 128))
    }

    @Test func eagerNetworksHaveOneZeroLayerPerNoneEdgePerCell() throws {
        let cells = [Self.deadOps, Self.zeroInput, Self.disconnected, Self.best,
                     "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|"]
        for text in cells {
            let cell = try NB201Cell(parsing: text)
            let network = try NB201Network.build(cell)
            let zeros = network.layers.filter { $0.name.hasSuffix("/zero") }
            let expected = Self.cellNames.flatMap { n in
                NB201Cell.endpoints.indices.filter { cell.edges[$0] == NB201Operation.none }.map { e in
                    "\(n)/\(NB201Cell.endpoints[e].to)<-\(NB201Cell.endpoints[e].from)/zero"
                }
            }
            #expect(zeros.count == 15 * cell.edges.filter { $0 == NB201Operation.none }.count, "\(text)")
            #expect(Set(zeros.map(\.name)) == Set(expected), "\(text)")
            #expect(network.layers.filter { $0.kind == .activation(.zero) }.map(\.name) == zeros.map(\.name), "\(text)")
            for zero in zeros {
                #expect(zero.params == 0)
                #expect(zero.features(for: .forward).flops == Double(zero.outputShape.reduce(1, *)), "\(zero.name)")
            }
            if !cell.isDisconnected {
                let pruned = try NB201Network.build(cell, options: NB201Options(pruneDead: true))
                #expect(!pruned.layers.contains { $0.name.hasSuffix("/zero") || $0.kind == .activation(.zero) }, "\(text)")
            }
        }
        // deadOps: 1→3 and 2→3 are none: 2 a cell, 30 in all; the disconnected cell 5 a cell.
        #expect(try Self.network(Self.deadOps).layers.filter { $0.name.hasSuffix("/zero") }.count == 30)
        #expect(try Self.network(Self.disconnected).layers.filter { $0.name.hasSuffix("/zero") }.count == 75)
    }

    @Test func aDisconnectedCellPassesZerosOnOrIsRefusedWhenPruning() throws {
        let network = try Self.network(Self.disconnected)
        // Node 1's convolution feeds 1→2 and 1→3 (zeros); node 3 is a sum of three zeros, and
        // the next stage reads it. Nothing is dead.
        #expect(network.deadLayers.isEmpty)
        // Per cell: 0→1 relu, conv, bn (3), five zeros (5), Adds of nodes 1–3 (3): 11.
        #expect(network.layers.count == Self.skeletonLayers + 15 * 11)
        #expect(try Self.parentNames(network, "cell5/a/relu") == ["cell4/node3"])
        #expect(try Self.parentNames(network, "cell4/node3") == ["cell4/3<-0/zero", "cell4/3<-1/zero", "cell4/3<-2/zero"])
        #expect(try Self.parentNames(network, "cell4/3<-0/zero") == ["cell3/node3"])
        #expect(network.outputs == [try #require(network.index(of: "classifier"))])
        // FLOPs, E = H²C: ReLU E + conv 3x3 18C·E + BN 4E, five zeros 5E, Adds of 1, 2, 3
        // tensors 0 + E + 2E: (13 + 18C)·E a cell.
        func cell(_ h: Double, _ c: Double) -> Double { (h * h * c) * (13 + 18 * c) }
        #expect(Self.forwardFlops(network) == Self.skeletonFlops + 5 * cell(32, 16) + 5 * cell(16, 32) + 5 * cell(8, 64))
        let label = "nb201:\(Self.disconnected)"
        #expect(throws: SpecError(file: label, "the cell is disconnected (every path from node 0 to node 3 passes a none edge): "
                                  + "its output does not depend on the image, so a compiler folds the network away and "
                                  + "pruning dead branches leaves nothing to cost")) {
            try Self.network(Self.disconnected, NB201Options(pruneDead: true))
        }
    }

    // MARK: - Options

    @Test func smallerInputsAndMoreClassesChangeOnlyTheirShapes() throws {
        let base = try Self.network(Self.best)
        for (classes, size) in [(100, 32), (120, 16), (10, 16)] {
            let other = try Self.network(Self.best, NB201Options(classes: classes, inputSize: size))
            #expect(other.layers.map(\.name) == base.layers.map(\.name))
            let scale = Int64(32 / size)
            for (a, b) in zip(base.layers, other.layers) {
                if a.name == "classifier" {
                    #expect(b.outputShape == [1, Int64(classes)])
                    #expect(b.params == 64 * Int64(classes) + Int64(classes))
                    continue
                }
                if a.name == "head/pool" {
                    #expect(b.outputShape == [1, 1, 1, 64])
                    continue
                }
                #expect(b.outputShape == [a.outputShape[0], a.outputShape[1] / scale, a.outputShape[2] / scale, a.outputShape[3]], "\(a.name)")
                #expect(b.params == a.params, "\(a.name)")
                if a.name != "data" { #expect(b.kind == a.kind, "\(a.name)") }
            }
            let pool = try #require(other.index(of: "head/pool"))
            guard case .pooling(let window) = other.layers[pool].kind else { Issue.record("head/pool is not a pooling"); continue }
            #expect(window.window == [1, 8 / scale, 8 / scale, 1])
            #expect(window.function == .average)
        }
    }

    @Test func invalidOptionsAreRefused() throws {
        let cell = try NB201Cell(parsing: Self.best)
        #expect(throws: SpecError(file: "nb201:\(Self.best)", problems: [
            .init("NB201 networks have 10 (CIFAR-10), 100 (CIFAR-100) or 120 (ImageNet16-120) classes, got 7"),
            .init("NB201 inputs are 32 (CIFAR) or 16 (ImageNet16-120) pixels square, got 64"),
            .init("the batch must be at least 1, got 0"),
        ])) {
            try NB201Network.build(cell, options: NB201Options(classes: 7, inputSize: 64, batch: 0))
        }
    }

    @Test func theBatchIsTheInputsFirstDimension() throws {
        let network = try Self.network(Self.arch0, NB201Options(batch: 32))
        #expect(network.specBatch == 32)
        #expect(network.layers[0].outputShape == [32, 32, 32, 3])
        #expect(network == (try Self.network(Self.arch0)).withBatch(32).withSpecBatch(32))
    }

    // MARK: - Specs

    @Test(arguments: [Self.best, Self.deadOps, Self.zeroInput, Self.disconnected, Self.arch0])
    func theSpecRoundTripsThroughTheWriterAndTheReader(cell text: String) throws {
        let cell = try NB201Cell(parsing: text)
        let network = try NB201Network.build(cell)
        #expect(network.name == "nb201 \(text)")
        #expect(SpecWriter.json(network) == NB201Network.spec(cell))
        let written = SpecWriter.write(network)
        var again = try SpecReader.parse(Array(written.utf8), file: "converted.json")
        #expect(again.layers.allSatisfy { $0.line != nil })
        for i in again.layers.indices { again.layers[i].line = nil }
        #expect(again == network)
        #expect(try SpecSource.read("nb201:\(text)") == network)
        #expect(try SpecSource.read(csvValue: " \(text) ") == network)
    }

    @Test func cellConvolutionsHaveNoBiasAndTheClassifierHasOne() throws {
        let network = try Self.network(Self.best)
        let conv = try #require(network.layers.first { $0.name == "cell0/1<-0/conv" })
        guard case .convolution(let c) = conv.kind else { Issue.record("not a convolution"); return }
        #expect(!c.hasBias)
        #expect(conv.params == 9 * 16 * 16)
        let text = SpecWriter.write(network)
        #expect(text.contains("\"bias\": false"))
        #expect(try #require(network.layers.last).params == 64 * 10 + 10)
    }

    @Test func biasFalseIsReadOnlyAsABoolean() throws {
        func conv(_ bias: String) throws -> Layer {
            let text = """
                {"layers": {"data": {"parents": [], "type": "Input", "tensor": [1, 8, 8, 3]},
                 "conv": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 3, 4], "strides": [1, 1, 1, 1],
                          "padding": "SAME"\(bias)}}}
                """
            return try #require(try SpecReader.parse(Array(text.utf8), file: nil).layers.last)
        }
        #expect(try conv("").params == 3 * 3 * 3 * 4 + 4)
        #expect(try conv(#", "bias": true"#).params == 3 * 3 * 3 * 4 + 4)
        #expect(try conv(#", "bias": false"#).params == 3 * 3 * 3 * 4)
        // Paleo's own specs (overfeat.json) write "bias": [channels]; Paleo ignores it.
        let paleo = try conv(#", "bias": [4]"#)
        #expect(paleo.params == 3 * 3 * 3 * 4 + 4)
        #expect(paleo.extraFields["bias"] == .array([.integer(4)]))
        #expect(try conv(#", "bias": false"#).extraFields.isEmpty)
    }
}

private extension Network {
    /// The same network as if its spec had been written at `batch`.
    func withSpecBatch(_ batch: Int64) -> Network {
        var copy = self
        copy.specBatch = batch
        if case .input(var tensor) = copy.layers[0].kind {
            tensor[0] = batch
            copy.layers[0].kind = .input(tensor: tensor)
        }
        return copy
    }
}
