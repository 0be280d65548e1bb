import Foundation
import JouleTestSupport
import PluginAPI
import Registry
import Testing

/// Cost models served by `joule plugin-host` helpers (`PluginRegistry.isolatingCostModels`),
/// driven from this process so that it is the helpers' parent and can see whether they
/// were reaped.
@Suite struct IsolatedCostModelTests {
    /// The registry loaded twice over the same plugin: once in process, once isolated.
    static func registries(_ library: URL, timeout: Double = 10) throws -> (PluginRegistry, PluginRegistry) {
        let registry = loadTestRegistry(bundled: true, pluginPaths: [library.path])
        #expect(registry.rejected.isEmpty, "\(registry.rejected)")
        let isolation = PluginIsolation(executable: try PackageLayout.joule().path, arguments: ["plugin-host"],
                                        timeoutSeconds: timeout, pluginPaths: [library.path])
        return (registry, registry.isolatingCostModels(isolation))
    }

    /// Every call the ABI has (supports, estimate_layer, a batch, estimate_network) gives
    /// the same answer both ways. The probe echoes every layer field it was sent into its
    /// detail line and the graph into a term's name, so this also checks that descriptors
    /// cross the socket whole.
    @Test func everyCallAnswersAsInProcess() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("probe", into: directory)
        let (plain, isolated) = try Self.registries(library)
        let gpu = try plain.profile(named: "PROBE_GPU")
        let direct = try plain.costModel(named: "probe").bind(to: gpu, options: ["scale": "3"])
        let helper = try isolated.costModel(named: "probe").bind(to: gpu, options: ["scale": "3"])

        var layers = [LayerDescriptor.sampleConvolution(), .sampleConvolution(batch: 3, direction: .backwardData)]
        layers[1].name = "conv/ü"
        layers[1].device = "1"
        layers[1].inputDevices = ["0"]
        var pool = LayerDescriptor.sampleConvolution()
        pool.operation = .pooling
        for layer in layers + [pool] { #expect(try helper.support(for: layer) == direct.support(for: layer)) }
        for layer in layers { #expect(try helper.estimate(layer) == direct.estimate(layer)) }

        let batch = LayerBatch(layers), batchHere = LayerBatch(layers)
        for _ in 0..<2 {  // the second call reuses the batch the helper holds
            try helper.estimate(batch)
            try direct.estimate(batchHere)
            for i in layers.indices { #expect(batch.result(i) == batchHere.result(i)) }
        }
        let network = NetworkDescriptor(name: "net", isTraining: true, batch: 8, layers: layers, params: 1792,
                                        weightBytes: 7168, parents: [[], [0]])
        #expect(try helper.estimateNetwork(network) == direct.estimateNetwork(network))
    }

    /// A refusal by the plugin's `create` reads as it does in process.
    @Test func aRefusedCreateIsRelayed() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("probe", into: directory)
        let (plain, isolated) = try Self.registries(library)
        let gpu = try plain.profile(named: "PROBE_GPU")
        #expect(throws: CostModelError.createFailed(model: "test.probe/probe", profile: "PROBE_GPU", status: JOULE_INVALID_ARGUMENT,
                                                    message: "option 'scale' must be positive, got '-1'")) {
            _ = try isolated.costModel(named: "probe").bind(to: gpu, options: ["scale": "-1"])
        }
        _ = plain
    }

    /// A helper stuck in a plugin is killed at the time-out and reaped by this process, its
    /// parent: no zombie is left (a zombie still has a /proc entry), and later calls on the
    /// same instance fail at once with the same reason rather than waiting again.
    @Test func aHungHelperIsKilledAndReaped() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("faulty", into: directory, extraFlags: ["-DFAULTY_HANG"])
        let pidFile = directory.file("helper.pid").path
        setenv("FAULTY_PID_FILE", pidFile, 1)
        defer { unsetenv("FAULTY_PID_FILE") }
        let (plain, isolated) = try Self.registries(library, timeout: 0.5)
        let bound = try isolated.costModel(named: "faulty").bind(to: try plain.profile(named: "TITAN_X"))
        var layer = LayerDescriptor.sampleConvolution()
        layer.name = "conv2"
        let start = Date()
        #expect {
            _ = try bound.estimate(layer)
        } throws: { error in
            "\(error)".contains("layer conv2 (forward): timed out after 0.5 s")
        }
        #expect(Date().timeIntervalSince(start) < 10)
        let pid = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "helper \(pid) was not reaped")
        let again = Date()
        #expect(throws: CostModelError.self) { _ = try bound.estimate(layer) }
        #expect(Date().timeIntervalSince(again) < 0.5)
    }
}
