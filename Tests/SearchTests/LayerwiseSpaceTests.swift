import Foundation
import JouleTestSupport
import Network
import SeededRandom
import Testing
@testable import Search

/// The layer-wise space: its decisions on hand-written specs and the bundled networks,
/// parameter and FLOP counts of decoded networks against hand computations, and validity
/// and Paleo JSON round trips of random architectures.
@Suite struct LayerwiseSpaceTests {
    /// conv → conv → pool → fc → fc → softmax at batch 1.
    ///
    /// Hand counts (params = weights + biases; forward FLOPs by `LayerFeatures`' rules):
    /// conv1 3·3·3·8+8 = 224 params, 2·9·3·(8·8·8) = 27,648 FLOPs; conv2 3·3·8·8+8 = 584,
    /// 2·9·8·512 = 73,728; pool 4·(4·4·8) = 512; fc1 128·16+16 = 2,064, 2·128·16 = 4,096;
    /// fc2 16·10+10 = 170, 2·16·10 = 320; softmax 3·10 = 30. Totals 3,042 params and
    /// 106,334 FLOPs.
    static let small = """
        {"name": "small", "layers": {
          "data": {"parents": [], "type": "Input", "tensor": [1, 8, 8, 3]},
          "conv1": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 3, 8], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "conv2": {"parents": ["conv1"], "type": "Convolution", "filter": [3, 3, 8, 8], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "pool": {"parents": ["conv2"], "type": "Pooling", "ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "VALID"},
          "fc1": {"parents": ["pool"], "type": "InnerProduct", "num_outputs": 16},
          "fc2": {"parents": ["fc1"], "type": "InnerProduct", "num_outputs": 10},
          "softmax": {"parents": ["fc2"], "type": "Softmax", "num_classes": 10}
        }}
        """

    /// A residual pair: `add` ties conv_a's and conv_b's channels.
    static let residual = """
        {"name": "residual", "layers": {
          "data": {"parents": [], "type": "Input", "tensor": [1, 8, 8, 8]},
          "conv_a": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 8, 16], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "conv_b": {"parents": ["conv_a"], "type": "Convolution", "filter": [3, 3, 16, 16], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "add": {"parents": ["conv_a", "conv_b"], "type": "Add"},
          "conv_c": {"parents": ["add"], "type": "Convolution", "filter": [3, 3, 16, 16], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "fc": {"parents": ["conv_c"], "type": "InnerProduct", "num_outputs": 10}
        }}
        """

    /// Two branches concatenated and added to the input: the sum must stay 8 channels.
    static let concatenatedResidual = """
        {"name": "concatenated residual", "layers": {
          "data": {"parents": [], "type": "Input", "tensor": [1, 4, 4, 8]},
          "b1": {"parents": ["data"], "type": "Convolution", "filter": [1, 1, 8, 4], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "b2": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 8, 4], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "cat": {"parents": ["b1", "b2"], "type": "Concatenate", "dim": 3},
          "add": {"parents": ["cat", "data"], "type": "Add"},
          "fc": {"parents": ["add"], "type": "InnerProduct", "num_outputs": 10}
        }}
        """

    /// A 2-channel convolution: multipliers 0.75 and 1 both give 2 channels, 0.25 and 0.5 both 1.
    static let narrow = """
        {"name": "narrow", "layers": {
          "data": {"parents": [], "type": "Input", "tensor": [1, 4, 4, 3]},
          "n": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 3, 2], "strides": [1, 2, 2, 1], "padding": "SAME"},
          "fc": {"parents": ["n"], "type": "InnerProduct", "num_outputs": 10}
        }}
        """

    static let bundled = ["alex_v2", "vgg16", "nin", "overfeat", "inception_v3", "alex_v2_2gpu"]

    static func parse(_ text: String) throws -> Network {
        try SpecReader.parse(Array(text.utf8), file: nil)
    }

    static func bundledNet(_ name: String) throws -> Network {
        try SpecReader.read(file: PackageLayout.root.appendingPathComponent("Examples/nets/\(name).json").path)
    }

    static func layer(_ network: Network, _ name: String) throws -> Layer {
        try #require(network.layers.first { $0.name == name }, "no layer \(name)")
    }

    static func flops(_ network: Network) -> Double { ProxyEvaluator(.flops).value(of: network) }

    static func forwardFlops(_ network: Network, _ name: String) throws -> Double {
        try layer(network, name).features(for: .forward).flops
    }

    static func filter(_ network: Network, _ name: String) throws -> [Int64] {
        guard case .convolution(let conv) = try layer(network, name).kind else { throw TestSupportError("\(name) is no convolution") }
        return conv.filter
    }

    // MARK: - Decisions

    @Test func theSmallNetworksDecisions() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.small))
        #expect(space.decisions.map { "\($0.name):\($0.kind.rawValue)" }
                == ["conv1:width", "conv1:kernel", "conv2:width", "conv2:kernel", "conv2:skip", "fc1:width"])
        #expect(space.decisions[0].counts == [2, 4, 6, 8, 10])
        #expect(space.decisions[1].options == [.kernel(1), .kernel(3), .kernel(5), .kernel(7)])
        #expect(space.decisions[5].counts == [4, 8, 12, 16, 20])
        // The classifier (fc2, whose 10 units reach the output through Softmax) has no decision.
        #expect(!space.decisions.contains { $0.name == "fc2" })
    }

    @Test func widthsRoundHalfUpToAtLeastOne() {
        #expect(LayerwiseSpace.widthCount(3, quarters: 2) == 2)      // 1.5 → 2
        #expect(LayerwiseSpace.widthCount(6, quarters: 1) == 2)      // 1.5 → 2
        #expect(LayerwiseSpace.widthCount(1, quarters: 1) == 1)      // 0.25 → at least 1
        #expect(LayerwiseSpace.widthCount(192, quarters: 3) == 144)
        #expect(LayerwiseSpace.widthCount(7, quarters: 5) == 9)      // 8.75 → 9
    }

    @Test func startArchitectureReproducesTheInput() throws {
        let network = try Self.parse(Self.small)
        let space = try LayerwiseSpace(network)
        let start = try space.network(space.start)
        #expect(start == network)
        #expect(start.params == 3_042)
        #expect(Self.flops(start) == 106_334)
        #expect(space.describe(space.start) == "start")
    }

    @Test(arguments: bundled)
    func startArchitectureReproducesEachBundledNet(net: String) throws {
        for network in [try Self.bundledNet(net), try Self.bundledNet(net).withBatch(32)] {
            let space = try LayerwiseSpace(network)
            let start = try space.network(space.start)
            #expect(start == network)
            #expect(start.params == network.params)
            #expect(Self.flops(start) == Self.flops(network))
            for (a, b) in zip(start.layers, network.layers) {
                #expect(a.features(for: .forward) == b.features(for: .forward), "\(a.name)")
            }
        }
    }

    // MARK: - Hand computations on the small network

    @Test func halvingConv1HalvesItsParamsAndShrinksConv2s() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.small))
        let network = try space.network(try space.architecture(parsing: "conv1:w0.5"))
        #expect(try Self.layer(network, "conv1").params == 112)            // 3·3·3·4 + 4 = 224 / 2
        #expect(try Self.layer(network, "conv2").params == 296)            // 3·3·4·8 + 8 = 584 − 3·3·4·8
        #expect(try Self.filter(network, "conv2") == [3, 3, 4, 8])
        #expect(try Self.forwardFlops(network, "conv2") == 36_864)         // 2·9·4·512
        #expect(network.params == 3_042 - 112 - 288)
        #expect(try Self.layer(network, "softmax").outputShape == [1, 10])
    }

    @Test func kernelFiveMultipliesConv2sFlopsByTwentyFiveNinths() throws {
        let base = try Self.parse(Self.small)
        let space = try LayerwiseSpace(base)
        let network = try space.network(try space.architecture(parsing: "conv2:k5"))
        let before = try Self.forwardFlops(base, "conv2"), after = try Self.forwardFlops(network, "conv2")
        #expect(before == 73_728)
        #expect(after == 204_800)                                          // 2·25·8·512
        #expect(after * 9 == before * 25)
        #expect(try Self.filter(network, "conv2") == [5, 5, 8, 8])
        #expect(try Self.layer(network, "conv2").params == 1_608)          // 5·5·8·8 + 8
        #expect(try Self.layer(network, "conv2").outputShape == [1, 8, 8, 8])
        #expect(Self.flops(network) == 106_334 - 73_728 + 204_800)
    }

    @Test func skippingConv2RemovesItAndKeepsTheOutputShape() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.small))
        let network = try space.network(try space.architecture(parsing: "conv2:skip"))
        #expect(network.layers.map(\.name) == ["data", "conv1", "pool", "fc1", "fc2", "softmax"])
        #expect(try Self.layer(network, "pool").parents == [1])
        #expect(try Self.layer(network, "softmax").outputShape == [1, 10])
        #expect(network.params == 224 + 2_064 + 170)
        // With conv1 halved, the pool carries 4 channels and fc1 reads 4·4·4 = 64 inputs.
        let both = try space.network(try space.architecture(parsing: "conv1:w0.5 conv2:skip"))
        #expect(try Self.layer(both, "fc1").params == 64 * 16 + 16)
    }

    @Test func fullyConnectedWidthsChangeTheNextLayersWeights() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.small))
        let narrower = try space.network(try space.architecture(parsing: "fc1:w0.75"))
        #expect(try Self.layer(narrower, "fc1").params == 128 * 12 + 12)
        #expect(try Self.layer(narrower, "fc2").params == 12 * 10 + 10)
        let wider = try space.network(try space.architecture(parsing: "fc1:w1.25"))
        #expect(try Self.layer(wider, "fc1").params == 128 * 20 + 20)
        #expect(try Self.layer(wider, "fc2").params == 20 * 10 + 10)
        #expect(try Self.forwardFlops(wider, "fc2") == 2 * 20 * 10)
    }

    @Test func theClassifierNeverChangesWidth() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.small))
        var generator = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let network = try space.network(space.randomArchitecture(using: &generator))
            #expect(try Self.layer(network, "fc2").kind == .innerProduct(outputs: 10))
            #expect(try Self.layer(network, "softmax").outputShape == [1, 10])
        }
    }

    @Test func aKernelChangeOnValidPaddingPadsToKeepTheShape() throws {
        // NIN's cccp1 is a 1×1 VALID convolution on 54×54×96 (conv1: ceil((224 − 11 + 1) / 4) = 54).
        let base = try Self.bundledNet("nin")
        let space = try LayerwiseSpace(base)
        let network = try space.network(try space.architecture(parsing: "cccp1:k3"))
        let layer = try Self.layer(network, "cccp1")
        guard case .convolution(let conv) = layer.kind else { throw TestSupportError("cccp1 is no convolution") }
        #expect(conv.padding == .explicit(height: 1, width: 1))
        #expect(conv.filter == [3, 3, 96, 96])
        #expect(layer.outputShape == [128, 54, 54, 96])
        #expect(try Self.forwardFlops(network, "cccp1") == 9 * Self.forwardFlops(base, "cccp1"))
        #expect(layer.params == 3 * 3 * 96 * 96 + 96)
    }

    // MARK: - Tied channels

    @Test func aResidualPairSharesOneWidthDecision() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.residual))
        #expect(space.decisions.map { "\($0.name):\($0.kind.rawValue)" }
                == ["conv_a:width", "conv_a:kernel", "conv_b:kernel", "conv_c:width", "conv_c:kernel", "conv_c:skip"])
        #expect(space.decisions[0].layers == [1, 2])
        let network = try space.network(try space.architecture(parsing: "conv_a:w0.5"))
        #expect(try Self.layer(network, "conv_a").params == 3 * 3 * 8 * 8 + 8)     // was 3·3·8·16 + 16 = 1,168
        #expect(try Self.layer(network, "conv_b").params == 3 * 3 * 8 * 8 + 8)     // was 2,320
        #expect(try Self.layer(network, "add").outputShape == [1, 8, 8, 8])
        #expect(try Self.layer(network, "conv_c").params == 3 * 3 * 8 * 16 + 16)   // was 2,320
        #expect(try Self.layer(network, "fc").outputShape == [1, 10])
    }

    @Test func aConcatenationAddedToTheInputPinsItsBranches() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.concatenatedResidual))
        // No widths (the branches' sum must stay 8); kernels only up to the 4×4 input.
        #expect(space.decisions.map { "\($0.name):\($0.kind.rawValue)" } == ["b1:kernel", "b2:kernel"])
        #expect(space.decisions.allSatisfy { $0.options == [.kernel(1), .kernel(3)] })
    }

    @Test func inceptionBranchesKeepTheirOwnWidthsAndTheConcatenationFollows() throws {
        let base = try Self.bundledNet("inception_v3")
        let space = try LayerwiseSpace(base)
        let names = Set(space.decisions.filter { $0.kind == .width }.map(\.name))
        for branch in ["Branch_0/Conv2d_0a_1x1", "Branch_1/Conv2d_0b_5x5", "Branch_2/Conv2d_0c_3x3", "Branch_3/Conv2d_0b_1x1"] {
            #expect(names.contains("Mixed_5b/" + branch))
        }
        #expect(!names.contains("Logits/Conv2d_1c_1x1"))
        #expect(space.decisions.contains { $0.name == "Mixed_5b/Branch_3/AvgPool_0a_3x3" && $0.kind == .skip })

        let network = try space.network(try space.architecture(parsing: "Mixed_5b/Branch_0/Conv2d_0a_1x1:w0.5 Mixed_6b/Branch_1/Conv2d_0b_1x7:k3"))
        #expect(try Self.layer(network, "Mixed_5b/concat").outputShape.last == 256 - 32)
        #expect(try Self.filter(network, "Mixed_5c/Branch_0/Conv2d_0a_1x1") == [1, 1, 224, 64])
        #expect(try Self.filter(network, "Mixed_6b/Branch_1/Conv2d_0b_1x7") == [1, 3, 128, 128])
        #expect(try Self.layer(network, "Mixed_6b/Branch_1/Conv2d_0b_1x7").outputShape
                == Self.layer(base, "Mixed_6b/Branch_1/Conv2d_0b_1x7").outputShape)
        #expect(network.layers.last!.outputShape == base.layers.last!.outputShape)
    }

    @Test func modelParallelCopiesShareTheirDecisions() throws {
        let base = try Self.bundledNet("alex_v2_2gpu")
        let space = try LayerwiseSpace(base)
        let fc6 = try #require(space.decisions.first { $0.name == "parallel_fc67/fc6@0" && $0.kind == .width })
        #expect(fc6.layers.map { base.layers[$0].name } == ["parallel_fc67/fc6@0", "parallel_fc67/fc6@1"])
        let network = try space.network(try space.architecture(parsing: "parallel_fc67/fc6@0:w0.5"))
        #expect(try Self.filter(network, "parallel_fc67/fc6@0")[3] == 1_024)
        #expect(try Self.filter(network, "parallel_fc67/fc6@1")[3] == 1_024)
        #expect(try Self.layer(network, "parallel_fc67/concat6@0").outputShape.last == 2_048)
        #expect(try Self.filter(network, "parallel_fc67/fc7@1")[2] == 2_048)
    }

    @Test func nb201sResidualStagesEachShareOneWidth() throws {
        let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
        let base = try NB201Network.build(cell)
        let space = try LayerwiseSpace(base)
        // The stem and stage 1's cells add into one 16-channel stream; each reduction block's
        // first convolution is free, its second is tied to the next stage's stream.
        let widths = space.decisions.filter { $0.kind == .width }
        #expect(widths.map(\.name) == ["stem/conv", "cell5/a/conv", "cell5/b/conv", "cell11/a/conv", "cell11/b/conv"])
        #expect(widths.map(\.layers.count) == [16, 1, 17, 1, 17])
        #expect(widths.map { $0.counts[3] } == [16, 32, 32, 64, 64])
        let network = try space.network(try space.architecture(parsing: "stem/conv:w0.5"))
        for index in widths[0].layers {
            guard case .convolution(let conv) = network.layers[index].kind else { throw TestSupportError("not a convolution") }
            #expect(conv.filter[3] == 8, "\(network.layers[index].name)")
        }
        var generator = SplitMix64(seed: 201)
        for _ in 0..<50 {
            let architecture = space.randomArchitecture(using: &generator)
            #expect(try space.network(architecture).layers.last!.outputShape == base.layers.last!.outputShape)
        }
    }

    // MARK: - Every architecture

    @Test(arguments: bundled)
    func everyRandomArchitectureIsValidAndRoundTrips(net: String) throws {
        let base = try Self.bundledNet(net)
        let space = try LayerwiseSpace(base)
        var generator = SplitMix64(seed: 20_240_5)
        var architectures = (0..<20).map { _ in space.randomArchitecture(using: &generator) }
        architectures += architectures.map { space.mutate($0, using: &generator) }
        for architecture in architectures {
            let network = try space.network(architecture)
            let name = space.describe(architecture)
            #expect(network.outputs.map { network.layers[$0].outputShape } == base.outputs.map { base.layers[$0].outputShape }, "\(name)")
            #expect(network.deadLayers.isEmpty == base.deadLayers.isEmpty, "\(name)")

            let again = try SpecReader.parse(Array(SpecWriter.write(network).utf8), file: "written")
            #expect(again.layers.map(\.name) == network.layers.map(\.name), "\(name)")
            for (a, b) in zip(again.layers, network.layers) {
                #expect(a.kind == b.kind && a.parents == b.parents && a.outputShape == b.outputShape, "\(name): \(a.name)")
            }
            #expect(again.outputs == network.outputs)
            #expect(again.params == network.params)
            #expect(Self.flops(again) == Self.flops(network))

            #expect(try space.architecture(parsing: name) == architecture)
            #expect(space.decode(space.encode(architecture)) == architecture)
            #expect(try space.network(space.canonical(architecture)).layers == network.layers, "\(name)")
        }
        for architecture in architectures.prefix(20) {
            #expect(space.canonicalKey(space.mutate(architecture, using: &generator)) != space.canonicalKey(architecture))
        }
    }

    /// The 67 generated specs of the original-Paleo fixtures: residual sums, inception-style
    /// blocks, explicit and even-sized padding, deconvolutions, up-sampling and Reshape.
    @Test func everyArchitectureOfTheGeneratedFixturesIsValid() throws {
        let folder = PackageLayout.fixture("paleo-original/specs")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        try #require(files.count == 67)
        var spaces = 0
        for file in files {
            guard let base = try? SpecReader.read(file: folder.appendingPathComponent(file).path) else { continue }
            let space: LayerwiseSpace
            do {
                space = try LayerwiseSpace(base, label: file)
            } catch {
                #expect(error.description.contains("'\(file)' has no searchable layer"))
                continue
            }
            spaces += 1
            #expect(try space.network(space.start) == base, "\(file)")
            var generator = SplitMix64(seed: UInt64(spaces))
            for _ in 0..<30 {
                let architecture = space.randomArchitecture(using: &generator)
                for candidate in [architecture, space.mutate(architecture, using: &generator)] {
                    let name = "\(file) \(space.describe(candidate))"
                    let network = try space.network(candidate)
                    #expect(network.outputs.map { network.layers[$0].outputShape } == base.outputs.map { base.layers[$0].outputShape }, "\(name)")
                    let again = try SpecReader.parse(Array(SpecWriter.write(network).utf8), file: name)
                    #expect(again.layers.map(\.kind) == network.layers.map(\.kind), "\(name)")
                    #expect(again.params == network.params, "\(name)")
                }
            }
        }
        #expect(spaces >= 40)
    }

    // MARK: - Keys, descriptions, tokens

    @Test func keysIgnoreWhatDoesNotChangeTheNetwork() throws {
        let small = try LayerwiseSpace(try Self.parse(Self.small))
        let skipped = try small.architecture(parsing: "conv2:w0.25,k7,skip")
        #expect(small.describe(skipped) == "conv2:w0.25,k7,skip")
        #expect(small.canonicalKey(skipped) == "conv2:skip")
        #expect(try small.network(skipped) == small.network(try small.architecture(parsing: "conv2:skip")))

        let narrow = try LayerwiseSpace(try Self.parse(Self.narrow))
        #expect(narrow.decisions.map { "\($0.name):\($0.kind.rawValue)" } == ["n:width"])
        #expect(narrow.decisions[0].counts == [1, 1, 2, 2, 3])
        #expect(narrow.canonicalKey(try narrow.architecture(parsing: "n:w0.75")) == "start")
        #expect(narrow.canonicalKey(try narrow.architecture(parsing: "n:w0.25")) == "n:w0.5")
        var generator = SplitMix64(seed: 3)
        for _ in 0..<50 {
            let architecture = narrow.randomArchitecture(using: &generator)
            let mutated = narrow.mutate(architecture, using: &generator)
            #expect(try narrow.network(mutated).params != narrow.network(architecture).params)
        }
    }

    @Test func parsingRejectsWhatTheSpaceDoesNotOffer() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.small))
        #expect(try space.architecture(parsing: "") == space.start)
        #expect(try space.architecture(parsing: " conv1:w0.5,k5  conv2:skip ") == space.architecture(parsing: "conv1:w0.5,k5 conv2:skip"))
        for text in ["conv9:w0.5", "fc2:w0.5", "conv1:k9", "conv1:w0.3", "conv1:w0.5,w0.75", "conv1:skip", "conv1", "conv1:"] {
            #expect(throws: SearchError.self, "\(text)") { try space.architecture(parsing: text) }
        }
        do {
            _ = try space.architecture(parsing: "fc2:w0.5")
        } catch {
            #expect(error.description.contains("'fc2:w0.5'") && error.description.contains("fc2"))
        }
    }

    @Test func tokensAreTheOptionsAndTheMaskAllowsExactlyEachDecisions() throws {
        let space = try LayerwiseSpace(try Self.parse(Self.small))
        #expect(space.vocabulary.map(\.description) == ["w0.25", "w0.5", "w0.75", "w1", "w1.25", "k1", "k3", "k5", "k7", "keep", "skip"])
        #expect(space.length == 6)
        #expect(space.vocabularySize == 12)
        #expect(space.startToken == 11)
        #expect(space.encode(space.start) == [3, 6, 3, 6, 9, 3])
        #expect(space.mask(at: 0) == (0..<12).map { $0 < 5 })
        #expect(space.mask(at: 1) == (0..<12).map { (5..<9).contains($0) })
        #expect(space.mask(at: 4) == (0..<12).map { $0 == 9 || $0 == 10 })
        let architecture = try space.architecture(parsing: "conv1:w0.25,k1 conv2:skip fc1:w1.25")
        #expect(space.encode(architecture) == [0, 5, 3, 6, 10, 4])
        #expect(space.decode([0, 5, 3, 6, 10, 4]) == architecture)
        for position in 0..<space.length { #expect(!space.mask(at: position)[space.startToken]) }
        #expect(space.equivalentSequences(of: space.encode(architecture)) == [space.encode(architecture)])
    }

    // MARK: - The search space

    @Test func aSpecWithoutSearchableLayersIsRefusedByName() throws {
        let network = try Self.parse("""
            {"name": "only a classifier", "layers": {
              "data": {"parents": [], "type": "Input", "tensor": [1, 4, 4, 3]},
              "fc": {"parents": ["data"], "type": "InnerProduct", "num_outputs": 10},
              "softmax": {"parents": ["fc"], "type": "Softmax"}
            }}
            """)
        #expect(throws: SearchError.self) { try LayerwiseSpace(network) }
        do {
            _ = try LayerwiseSearchSpace(network: network, label: "classifier.json")
            Issue.record("a space without decisions was made")
        } catch {
            #expect(error.description.hasPrefix("layerwise space: 'classifier.json' has no searchable layer"))
        }
    }

    @Test func theSearchSpaceKeysCandidatesCanonically() throws {
        let space = try LayerwiseSearchSpace(network: try Self.parse(Self.small))
        #expect(space.name == "layerwise")
        var a = SplitMix64(seed: 11), b = SplitMix64(seed: 11)
        for _ in 0..<10 {
            let architecture = space.randomArchitecture(using: &a)
            #expect(architecture == space.randomArchitecture(using: &b))
            let network = try space.network(architecture)
            let candidate = space.candidate(architecture, network: network)
            #expect(candidate.key == space.canonicalKey(architecture))
            #expect(candidate.cell == nil)
            #expect(ProxyEvaluator(.params).evaluate(candidate).accuracy == Double(network.params))
            // Outputs name the canonical architecture, which builds the same network.
            let described = try space.space.architecture(parsing: space.describe(architecture))
            #expect(space.space.canonical(described) == space.space.canonical(architecture))
            #expect(try space.network(described).params == network.params)
        }
    }
}
