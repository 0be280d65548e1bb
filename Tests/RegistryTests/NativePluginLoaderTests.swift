import Foundation
import JouleTestSupport
import PluginAPI
import Registry
import Testing

/// C plugins compiled by the test with the system compiler, loaded through dlopen, and
/// called through the vtable; every number is checked against a hand computation.
@Suite struct NativePluginLoaderTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    /// Compiles probe.c with `extraFlags`, loads it (beside the bundled plugins if asked),
    /// and binds its `probe` model to `profile`.
    private func boundProbe(extraFlags: [String] = [], bundled: Bool = false,
                            profile: String = "PROBE_GPU") throws -> BoundCostModel {
        let library = try CCompiler.fixturePlugin("probe", into: directory, extraFlags: extraFlags)
        let registry = loadTestRegistry(bundled: bundled, pluginPaths: [library.path])
        return try registry.costModel(named: "probe").bind(to: try registry.profile(named: profile))
    }

    @Test func theCExamplePluginLoadsAndItsRooflineNumbersAreRight() throws {
        let library = try CCompiler.sharedLibrary(
            sources: [PackageLayout.root.appendingPathComponent("Examples/c-plugin/roofline.c")],
            output: directory.file("libroofline.so"))
        let registry = loadTestRegistry(bundled: true, pluginPaths: [library.path])
        #expect(registry.rejected.isEmpty, "\(registry.rejected)")
        let plugin = try #require(registry.plugins.first { $0.name == "example.roofline" })
        #expect(plugin.costModelIDs == ["roofline"])
        #expect(plugin.swiftToolchain == nil)

        let model = try registry.costModel(named: "roofline")
        let titanX = try registry.profile(named: "titan_x")
        let bound = try model.bind(to: titanX)
        let layer = LayerDescriptor.sampleConvolution(batch: 8)
        let estimate = try bound.estimate(layer)
        // FLOPs = 2·27·(8·16·16·64) = 7,077,888; compute = 7,077,888 / 6.144e12 s.
        // Bytes = 4·8·32·32·3 + 4·8·16·16·64 + 4·1792 = 98,304 + 524,288 + 7,168 = 629,760;
        // memory = 629,760 / 336.5e9 s, which is the larger term.
        let compute = 7_077_888.0 / 6.144e12
        let memory = 629_760.0 / 336.5e9
        #expect(estimate.computeSeconds == compute)
        #expect(estimate.memorySeconds == memory)
        #expect(estimate.timeSeconds == memory)
        #expect(estimate.powerWatts == nil)

        let halfSpeed = try model.bind(to: titanX, options: ["efficiency": "0.5"])
        #expect(try halfSpeed.estimate(layer).timeSeconds == memory * 2)
        #expect(try bound.support(for: LayerDescriptor(name: "data", typeName: "Input", operation: .input, batch: 8,
                                                   inputShapes: [], outputShape: [8, 32, 32, 3]))
                == .declined(reason: "input layers do no work"))
    }

    @Test func everyLayerFieldReachesCIntact() throws {
        let bound = try boundProbe()
        let layer = LayerDescriptor.sampleConvolution(batch: 8, direction: .backwardFilter)
        let estimate = try bound.estimate(layer)
        // Written by probe.c's snprintf from the C struct it received.
        #expect(estimate.detail == "name=conv1 type=Convolution op=2 variant=0 dir=2 flags=3 precision=0 batch=8 inputs=1 "
                    + "in=8x32x32x3 out=8x16x16x64 pad_mode=1 k=3x3 s=2x2 pad=0,1,0,1 dil=1x1 groups=1 params=1792 "
                    + "flops=7.07789e+06 in_bytes=98304 out_bytes=524288 w_bytes=7168")
        // time = flops / 1e12 (probe profile), power = its 100 W TDP.
        #expect(estimate.timeSeconds == 7_077_888.0 / 1e12)
        #expect(estimate.powerWatts == 100)
    }

    @Test func supportScoresAreClampedAndDeclinesCarryTheReason() throws {
        let bound = try boundProbe(profile: "probe-gpu-alias")
        #expect(try bound.support(for: .sampleConvolution()) == .supported(quality: 100))
        let pool = LayerDescriptor(name: "pool1", typeName: "Pooling", operation: .pooling, batch: 1,
                                   inputShapes: [[1, 4, 4, 1]], outputShape: [1, 2, 2, 1])
        #expect(try bound.support(for: pool) == .declined(reason: "probe does not model pooling layers"))
    }

    @Test func optionsArePassedThroughAndCheckedByKey() throws {
        let library = try CCompiler.fixturePlugin("probe", into: directory)
        let registry = loadTestRegistry(pluginPaths: [library.path])
        let model = try registry.costModel(named: "test.probe/probe")
        let gpu = try registry.profile(named: "PROBE_GPU")
        let scaled = try model.bind(to: gpu, options: ["scale": "3"])
        #expect(try scaled.estimate(.sampleConvolution()).timeSeconds == 3 * 7_077_888.0 / 1e12)
        #expect(throws: CostModelError.unknownOption(model: "test.probe/probe", key: "sclae", known: ["scale"])) {
            try model.bind(to: gpu, options: ["sclae": "3"])
        }
        #expect(throws: CostModelError.createFailed(model: "test.probe/probe", profile: "PROBE_GPU",
                                                    status: JOULE_INVALID_ARGUMENT,
                                                    message: "option 'scale' must be positive, got '-1'")) {
            try model.bind(to: gpu, options: ["scale": "-1"])
        }
    }

    @Test func networkTermsSeeTheWholeNetworkAndItsGraph() throws {
        let bound = try boundProbe()
        var second = LayerDescriptor.sampleConvolution()
        second.name = "conv2"
        let network = NetworkDescriptor(name: "tiny", isTraining: true, batch: 8,
                                        layers: [.sampleConvolution(), second, .sampleConvolution()],
                                        params: 3584, weightBytes: 14_336, parents: [[], [0], [0, 1]])
        let terms = try bound.estimateNetwork(network)
        #expect(terms.count == 2)
        #expect(terms[0] == NetworkTerm(name: "network=tiny mode=1 layers=3 first=conv1 batch=8 params=3584 parents=[|0|01]",
                                        kind: .report, phase: .other, timeSeconds: 0))
        // 14,336 bytes over the probe GPU's 1e11 B/s.
        #expect(terms[1] == NetworkTerm(name: "weight_update", kind: .additive, phase: .update, timeSeconds: 14_336 / 1e11))
    }

    /// probe.c writes the summary into a 256-byte buffer; a graph too large for it is cut at
    /// the buffer's last byte, not written past it.
    @Test func aGraphTooLargeForTheSummaryIsCutAtTheBuffersEnd() throws {
        let bound = try boundProbe()
        // Each layer is fed by every layer before it, so one layer's parents alone pass the end.
        let parents = (0..<30).map { Array(0..<$0) }
        let network = NetworkDescriptor(name: "big", isTraining: false, batch: 8,
                                        layers: Array(repeating: .sampleConvolution(), count: parents.count),
                                        params: 1, weightBytes: 4, parents: parents)
        let full = "network=big mode=0 layers=30 first=conv1 batch=8 params=1 parents=["
            + parents.map { $0.map(String.init).joined() }.joined(separator: "|") + "]"
        try #require(full.utf8.count > 255)
        let terms = try bound.estimateNetwork(network)
        #expect(terms.first?.name == String(full.prefix(255)))
    }

    @Test func aModelWithMoreTermsThanSlotsIsAskedAgain() throws {
        let bound = try boundProbe(extraFlags: ["-DPROBE_MANY_TERMS"])
        let network = NetworkDescriptor(name: "n", isTraining: false, batch: 1, layers: [.sampleConvolution()],
                                        params: 1, weightBytes: 4)
        #expect(try bound.estimateNetwork(network).count == 40)
    }

    @Test func batchesGiveTheSameNumbersAsSingleCalls() throws {
        let bound = try boundProbe(bundled: true)
        let layers = PassDirection.allCases.map { LayerDescriptor.sampleConvolution(batch: 4, direction: $0) }
        let batch = LayerBatch(layers)
        try bound.estimate(batch)
        for (i, layer) in layers.enumerated() {
            let single = try bound.estimate(layer)
            #expect(batch.result(i).timeSeconds == single.timeSeconds)
            #expect(batch.result(i).powerWatts == single.powerWatts)
        }
    }

    @Test(arguments: [
        ("PROBE_NAN", Double.nan),
        ("PROBE_NEGATIVE", -1.0),
        ("PROBE_INFINITE", Double.infinity),
    ])
    func invalidNumbersAreCaughtAndNamed(flag: String, value: Double) throws {
        let bound = try boundProbe(extraFlags: ["-D\(flag)"])
        do {
            _ = try bound.estimate(.sampleConvolution())
            Issue.record("a \(flag) estimate was accepted")
        } catch {
            guard case .invalidNumber(let model, let layer, let badField, let badValue) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(model == "test.probe/probe")
            #expect(layer == "conv1 (forward)")
            #expect(badField == "time_seconds")
            if value.isNaN {
                #expect(badValue.isNaN)
            } else {
                #expect(badValue == value)
            }
            #expect(error.description.contains("cost model test.probe/probe, layer conv1 (forward): returned time_seconds"))
        }
    }

    @Test func aFailingEstimateNamesThePluginModelAndLayer() throws {
        let bound = try boundProbe(extraFlags: ["-DPROBE_ESTIMATE_ERROR"])
        #expect(throws: CostModelError.estimateFailed(model: "test.probe/probe", layer: "conv1", direction: .forward,
                                                      status: JOULE_FAILED, message: "deliberate failure for layer conv1")) {
            try bound.estimate(.sampleConvolution())
        }
    }

    @Test func pluginLogMessagesAreAttributedToTheirLibrary() throws {
        let library = try CCompiler.fixturePlugin("probe", into: directory, extraFlags: ["-DPROBE_LOGS"])
        let log = PluginLog(echo: false)
        _ = loadTestRegistry(pluginPaths: [library.path], log: log)
        #expect(log.all == [PluginLog.Message(source: "libprobe.so", level: .warning, text: "probe says hello")])
    }

    @Test func aSwiftPluginBuiltByThisToolchainLoads() throws {
        let library = try SwiftPluginCompiler.sharedLibrary(
            source: PackageLayout.root.appendingPathComponent("Examples/swift-plugin/Sources/SwiftRoofline/SwiftRoofline.swift"),
            moduleName: "SwiftRoofline", output: directory.file("libSwiftRoofline.so"))
        let registry = loadTestRegistry(bundled: true, pluginPaths: [library.path])
        #expect(registry.rejected.isEmpty, "\(registry.rejected)")
        let plugin = try #require(registry.plugins.first { $0.name == "example.swift-roofline" })
        #expect(plugin.swiftToolchain == SwiftToolchain.current)
        // Same hand computation as the C roofline: the memory term wins on TITAN_X.
        let bound = try registry.costModel(named: "swift-roofline").bind(to: try registry.profile(named: "TITAN_X"))
        let estimate = try bound.estimate(.sampleConvolution(batch: 8))
        #expect(estimate.timeSeconds == 629_760.0 / 336.5e9)
        #expect(estimate.computeSeconds == 7_077_888.0 / 6.144e12)
    }
}
