import Foundation
import JouleTestSupport
import PluginAPI
import Registry
import Testing

/// The Paleo plugin on single layers described by hand (no spec reader), against numbers
/// worked out on paper from the Paleo paper's GEMM model.
@Suite struct PaleoHandComputationTests {
    static func bound(_ gpu: String = "TITAN_X", options: [String: String] = [:]) throws -> BoundCostModel {
        try PaleoHarness.bind(gpu, options: options)
    }

    /// alex_v2's conv2 at batch 128 on a TITAN_X (6144 GFLOP/s, 336.5 "GB/s" read as GiB/s).
    ///
    /// Input [128, 26, 26, 64], filter 5x5x64x192, SAME, stride 1 → output [128, 26, 26, 192],
    /// pad ((26 − 1)·1 + 5 − 26) // 2 = 2.
    /// FLOPs = 2·5·5·64 · 26·26·192 · 128 = 53,162,803,200.
    /// Compute = 53.1628032 GFLOP / 6144 GFLOP/s = 8.6528 ms.
    /// Memory: padded input 4·128·30·30·64 = 29,491,200 B; filter 4·5·5·64·192 = 1,228,800 B;
    /// output 4·128·26·26·192 = 66,453,504 B; 97,173,504 B / 2^30 / 336.5 · 1e3 = 0.2689446595 ms.
    /// Time = 8.9217446595 ms.
    @Test func oneConvolutionForward() throws {
        let layer = LayerDescriptor(
            name: "conv2", typeName: "Convolution", operation: .convolution, direction: .forward, flags: [.hasBias],
            batch: 128, inputShapes: [[128, 26, 26, 64]], outputShape: [128, 26, 26, 192], paddingMode: .same,
            kernel: .init(height: 5, width: 5), stride: .one, padding: .init(top: 2, bottom: 2, left: 2, right: 2),
            params: 5 * 5 * 64 * 192 + 192)
        let estimate = try Self.bound().estimate(layer)
        #expect(estimate.flops == 53_162_803_200)
        #expect(estimate.memoryBytes == 97_173_504)
        #expect(close(try #require(estimate.computeSeconds), 8.6528e-3, relative: 1e-12))
        #expect(close(try #require(estimate.memorySeconds), 0.2689446595e-3, relative: 1e-9))
        #expect(close(try #require(estimate.timeSeconds), 8.9217446595e-3, relative: 1e-10))
    }

    /// A layer so small that each of its four terms is floored at one clock cycle:
    /// 1/1000 MHz = 1e-6 ms each on TITAN_X, 4e-6 ms in all.
    @Test func tinyLayersAreFlooredAtOneCycleEachTerm() throws {
        let layer = LayerDescriptor(
            name: "tiny", typeName: "Convolution", operation: .convolution, batch: 1, inputShapes: [[1, 1, 1, 1]],
            outputShape: [1, 1, 1, 1], paddingMode: .valid, kernel: .init(height: 1, width: 1), params: 2)
        let estimate = try Self.bound().estimate(layer)
        #expect(close(estimate.computeSeconds!, 1e-9, relative: 1e-12))
        #expect(close(estimate.memorySeconds!, 3e-9, relative: 1e-12))
        // A free layer has no terms at all, hence no floor.
        let softmax = LayerDescriptor(name: "prob", typeName: "Softmax", operation: .softmax, batch: 1,
                                      inputShapes: [[1, 10]], outputShape: [1, 10])
        #expect(try Self.bound().estimate(softmax).timeSeconds == 0)
    }

    /// PPP divides compute and memory time.
    @Test func pppScalesComputeAndMemory() throws {
        let layer = LayerDescriptor(
            name: "conv", typeName: "Convolution", operation: .convolution, batch: 8, inputShapes: [[8, 16, 16, 16]],
            outputShape: [8, 16, 16, 16], paddingMode: .same, kernel: .init(height: 3, width: 3),
            padding: .init(top: 1, bottom: 1, left: 1, right: 1), params: 2320)
        let full = try Self.bound().estimate(layer)
        let slowed = try Self.bound(options: ["ppp_comp": "0.5"]).estimate(layer)
        #expect(close(slowed.computeSeconds!, 2 * full.computeSeconds!, relative: 1e-12))
        #expect(close(slowed.memorySeconds!, 2 * full.memorySeconds!, relative: 1e-12))
    }

    /// A convolution fed by the data layer has no data gradient (Paleo's backprop=False),
    /// but keeps its filter gradient.
    @Test func convolutionsFedByDataSkipTheirDataGradient() throws {
        var layer = LayerDescriptor(
            name: "conv1", typeName: "Convolution", operation: .convolution, direction: .backwardData, flags: [.fedByInput],
            batch: 8, inputShapes: [[8, 16, 16, 3]], outputShape: [8, 16, 16, 8], paddingMode: .same,
            kernel: .init(height: 3, width: 3), padding: .init(top: 1, bottom: 1, left: 1, right: 1), params: 224)
        #expect(try Self.bound().estimate(layer).timeSeconds == 0)
        layer.direction = .backwardFilter
        #expect(try Self.bound().estimate(layer).timeSeconds! > 0)
        layer.flags = []
        layer.direction = .backwardData
        #expect(try Self.bound().estimate(layer).timeSeconds! > 0)
    }

    /// Paleo's assertions: SAME with an even kernel breaks its filter-gradient model (the
    /// gradient convolution of a 2x2 SAME layer on 8x8 gives a 3x3 filter, not 2x2), so
    /// training fails while inference and the data gradient work.
    @Test func evenKernelSameBackwardFailsAsInTheOriginal() throws {
        var layer = LayerDescriptor(
            name: "even", typeName: "Convolution", operation: .convolution, batch: 2, inputShapes: [[2, 8, 8, 4]],
            outputShape: [2, 8, 8, 4], paddingMode: .same, kernel: .init(height: 2, width: 2), params: 68)
        #expect(try Self.bound().estimate(layer).timeSeconds! > 0)
        layer.direction = .backwardData
        #expect(try Self.bound().estimate(layer).timeSeconds! > 0)
        layer.direction = .backwardFilter
        #expect(throws: CostModelError.self) { try Self.bound().estimate(layer) }
    }

    /// The gradient exchange of n workers over Ethernet (10 Gbit/s = 1.25e9 B/s), for a
    /// payload of 4e8 bytes: one link takes 0.32 s; OneToAll 2·(n−1) links, tree 2·log2 n,
    /// butterfly log2 n, butterfly mixing 1.
    @Test func communicationSchemesByHand() throws {
        let bound = try Self.bound(options: ["workers": "8", "network": "ethernet"])
        let fc = LayerDescriptor(name: "fc", typeName: "InnerProduct", operation: .fullyConnected, flags: [.hasBias], batch: 1,
                                 inputShapes: [[1, 99_999]], outputShape: [1, 1000], params: 99_999 * 1000 + 1000)
        let data = LayerDescriptor(name: "data", typeName: "Input", operation: .input, batch: 1, inputShapes: [],
                                   outputShape: [1, 99_999])
        let network = NetworkDescriptor(name: "n", isTraining: true, batch: 1, layers: [data, fc], params: fc.params,
                                        weightBytes: 4e8, parents: [[], [0]])
        let terms = Dictionary(uniqueKeysWithValues: try bound.estimateNetwork(network).map { ($0.name, $0.timeSeconds!) })
        // Paleo's own weight count: (99,999·1000 + 1000)·4 = 400,000,000 bytes.
        let link = 4e8 / 1.25e9
        #expect(close(terms["one_to_all"]!, 2 * 7 * link, relative: 1e-12))
        #expect(close(terms["tree"]!, 2 * 3 * link, relative: 1e-12))
        #expect(close(terms["butterfly"]!, 3 * link, relative: 1e-12))
        #expect(close(terms["butterfly_mixing"]!, link, relative: 1e-12))

        // Paleo always counts a bias: a layer described without one gets its 1000 biases
        // added, so the payload (and every scheme's time) is the same.
        var unbiased = fc
        unbiased.flags = []
        unbiased.params = 99_999 * 1000
        let same = NetworkDescriptor(name: "n", isTraining: true, batch: 1, layers: [data, unbiased], params: unbiased.params,
                                     weightBytes: 0, parents: [[], [0]])
        let again = Dictionary(uniqueKeysWithValues: try bound.estimateNetwork(same).map { ($0.name, $0.timeSeconds!) })
        #expect(close(again["tree"]!, 2 * 3 * link, relative: 1e-12))
    }

    @Test func groupedConvolutionsAreDeclinedWithAReason() throws {
        let layer = LayerDescriptor(
            name: "depthwise", typeName: "Convolution", operation: .convolution, batch: 1, inputShapes: [[1, 8, 8, 8]],
            outputShape: [1, 8, 8, 8], paddingMode: .same, kernel: .init(height: 3, width: 3), groups: 8)
        #expect(try Self.bound().support(for: layer) == .declined(reason: "Paleo has no model of grouped convolutions"))
    }

    @Test func badOptionsAreNamed() throws {
        #expect(throws: CostModelError.self) { try Self.bound(options: ["ppp_comp": "1.5"]) }
        let error = #expect(throws: CostModelError.self) { try Self.bound(options: ["network": "token-ring"]) }
        #expect(error.map { String(describing: $0) } == "cost model joule.paleo/paleo: cannot be used on TITAN_X: option 'network' must be one of aws, ethernet, ethernet20, infiniband, pcie2, pcie3, got 'token-ring'")
    }
}
