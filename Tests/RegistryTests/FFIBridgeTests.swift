import Foundation
import JouleTestSupport
import PluginAPI
import Registry
import Testing

/// A plain C library (no Joule header) described by a manifest and called through libffi.
@Suite struct FFIBridgeTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try CCompiler.fixturePlugin("ffi_functions", into: directory, as: "libffitest.so")
    }

    static let goodManifest = """
        {
          "joule_ffi_manifest": 1,
          "name": "test.ffi",
          "version": "0.3.0",
          "description": "functions from ffi_functions.c",
          "library": "libffitest.so",
          "cost_models": [{
            "id": "ffi-model",
            "description": "positional encodings",
            "quality": 70,
            "functions": [
              {"symbol": "conv_time_ms", "op": "convolution",
               "returns": {"quantity": "time", "unit": "ms", "type": "f64"},
               "arguments": [{"feature": "batch", "type": "i32"},
                             {"feature": "output_channels", "type": "i64"},
                             {"feature": "kernel_height", "type": "f32"},
                             {"feature": "flops", "type": "f64"}]},
              {"symbol": "conv_power_w", "op": "convolution", "direction": "any",
               "returns": {"quantity": "power", "unit": "W", "type": "f32"},
               "arguments": [{"feature": "batch", "type": "i32"}]},
              {"symbol": "fc_energy_mj", "op": "fully_connected",
               "returns": {"quantity": "energy", "unit": "mJ", "type": "i64"},
               "arguments": [{"feature": "params", "type": "i64"}]},
              {"symbol": "pool_time_us", "op": "pooling",
               "returns": {"quantity": "time", "unit": "us", "type": "i32"},
               "arguments": []}
            ]
          }]
        }
        """

    func load(_ manifest: String) throws -> PluginRegistry {
        let path = try directory.write("test.ffi.json", manifest)
        return loadTestRegistry(bundled: true, pluginPaths: [path.path])
    }

    @Test func functionsAreCalledWithTheRightValuesInTheRightOrder() throws {
        let registry = try load(Self.goodManifest)
        #expect(registry.rejected.isEmpty, "\(registry.rejected)")
        let plugin = try #require(registry.plugins.first { $0.name == "test.ffi" })
        #expect(plugin.kind == .ffiManifest)
        let entry = try registry.costModel(named: "ffi-model")
        #expect(entry.provider.capabilities == [.time, .power, .energy])
        let bound = try entry.bind(to: try registry.profile(named: "K40"))

        // conv_time_ms(batch 8, out_channels 64, kernel 3, flops 7,077,888)
        //   = 8e6 + 64e3 + 3 + 0.007077888 ms = 8,064,003.007077888 ms.
        let conv = try bound.estimate(.sampleConvolution(batch: 8))
        let expectedMilliseconds = 8e6 + 64e3 + Double(Float(3)) + 7_077_888 * 1e-9
        #expect(conv.timeSeconds == expectedMilliseconds * 1e-3)
        // conv_power_w(8) = 108 W, as float.
        #expect(conv.powerWatts == 108)

        // Power applies in every direction ("any"); time only forward.
        let backward = try bound.estimate(.sampleConvolution(batch: 4, direction: .backwardData))
        #expect(backward.powerWatts == 104)
        #expect(backward.timeSeconds == nil)

        // fc_energy_mj(123456) = 123 mJ (integer division), returned as int64.
        let fc = LayerDescriptor(name: "fc", typeName: "InnerProduct", operation: .fullyConnected, batch: 1,
                                 inputShapes: [[1, 100]], outputShape: [1, 10], params: 123_456)
        #expect(try bound.estimate(fc).energyJoules == 0.123)

        // pool_time_us() = 2 µs from a function with no arguments.
        let pool = LayerDescriptor(name: "pool", typeName: "Pooling", operation: .pooling, batch: 1,
                                   inputShapes: [[1, 4, 4, 1]], outputShape: [1, 2, 2, 1])
        #expect(try bound.estimate(pool).timeSeconds == 2e-6)
        #expect(try bound.support(for: pool) == .supported(quality: 70))

        let softmax = LayerDescriptor(name: "prob", typeName: "Softmax", operation: .softmax, batch: 1,
                                      inputShapes: [[1, 10]], outputShape: [1, 10])
        #expect(try bound.support(for: softmax) == .declined(reason: "the manifest has no function for softmax layers (forward)"))
    }

    @Test func aFeatureTooLargeForItsDeclaredTypeIsAnErrorNotAWrapAround() throws {
        let registry = try load(Self.goodManifest)
        let bound = try registry.costModel(named: "ffi-model").bind(to: try registry.profile(named: "K40"))
        let huge = LayerDescriptor.sampleConvolution(batch: 3_000_000_000)
        #expect(throws: CostModelError.estimateFailed(
            model: "test.ffi/ffi-model", layer: "conv1", direction: .forward, status: JOULE_INVALID_ARGUMENT,
            message: "conv_time_ms: feature batch = 3000000000.0 does not fit an i32 argument")) {
            try bound.estimate(huge)
        }
    }

    func rejection(_ manifest: String) throws -> String {
        let registry = try load(manifest)
        let rejected = try #require(registry.rejected.first { $0.path.hasSuffix("test.ffi.json") })
        #expect(!registry.plugins.contains { $0.name == "test.ffi" })
        #expect(registry.plugins.contains { $0.name == "joule.gpu-profiles" }, "the others still load")
        return rejected.reason.description
    }

    @Test func aWrongArgumentTypeIsRejectedNamingTheField() throws {
        let manifest = Self.goodManifest.replacingOccurrences(of: #""feature": "output_channels", "type": "i64""#,
                                                              with: #""feature": "output_channels", "type": "int""#)
        let reason = try rejection(manifest)
        #expect(reason == "invalid FFI manifest: line 15: field 'cost_models[0].functions[0].arguments[1].type': "
                    + "unknown type 'int'; expected one of i32, i64, f32, f64")
    }

    @Test func anUnknownFeatureIsRejectedWithASuggestion() throws {
        let manifest = Self.goodManifest.replacingOccurrences(of: #""feature": "batch", "type": "i32"}]"#,
                                                              with: #""feature": "batch_size", "type": "i32"}]"#)
        let reason = try rejection(manifest)
        #expect(reason.hasPrefix("invalid FFI manifest: line 20: field 'cost_models[0].functions[1].arguments[0].feature': "
                                 + "unknown feature \"batch_size\"; did you mean \"batch\"?; known features: batch, input_height"))
    }

    @Test func otherManifestMistakesAreAllNamed() throws {
        #expect(try rejection(Self.goodManifest.replacingOccurrences(of: "\"unit\": \"ms\"", with: "\"unit\": \"hours\""))
                == "invalid FFI manifest: line 13: field 'cost_models[0].functions[0].returns.unit': unknown unit 'hours' for time; expected one of s, ms, us, ns")
        #expect(try rejection(Self.goodManifest.replacingOccurrences(of: "\"conv_power_w\"", with: "\"conv_power_watts\""))
                == "invalid FFI manifest: cost_models[0].functions[1].symbol: libffitest.so has no symbol \"conv_power_watts\"")
        #expect(try rejection(Self.goodManifest.replacingOccurrences(of: "\"op\": \"pooling\"", with: "\"op\": \"pool\""))
                .contains("field 'cost_models[0].functions[3].op': unknown value \"pool\"; expected one of input, convolution"))
        #expect(try rejection(Self.goodManifest.replacingOccurrences(of: "libffitest.so", with: "libmissing.so"))
                .hasSuffix("libmissing.so does not exist"))
        #expect(try rejection(Self.goodManifest.replacingOccurrences(of: "\"joule_ffi_manifest\": 1", with: "\"joule_ffi_manifest\": 2"))
                == "invalid FFI manifest: line 2: field 'joule_ffi_manifest': version 2 is not supported; this Joule reads version 1")
        #expect(try rejection("{\"name\": \"x\",}") == "invalid FFI manifest: not valid JSON: line 1, column 14: trailing comma before '}'")
    }
}

/// The FFI example in Examples/ffi-plugin, built and loaded as its README section says.
@Suite struct FFIExampleTests {
    @Test func theExampleManifestGivesTheSameRooflineAsTheCPlugin() throws {
        let directory = try TemporaryDirectory()
        let example = PackageLayout.root.appendingPathComponent("Examples/ffi-plugin")
        try CCompiler.sharedLibrary(sources: [example.appendingPathComponent("roofline_time.c")],
                                    output: directory.file("libroofline_time.so"))
        let manifest = try String(contentsOf: example.appendingPathComponent("roofline.ffi.json"), encoding: .utf8)
        let path = try directory.write("roofline.ffi.json", manifest)
        let registry = loadTestRegistry(bundled: true, pluginPaths: [path.path])
        #expect(registry.rejected.isEmpty, "\(registry.rejected)")
        let bound = try registry.costModel(named: "ffi-roofline").bind(to: try registry.profile(named: "TITAN_X"))
        // As in NativePluginLoaderTests: 629,760 bytes at 336.5 GB/s beats 7,077,888 FLOPs at 6.144 TFLOP/s.
        #expect(try bound.estimate(.sampleConvolution(batch: 8)).timeSeconds == 629_760.0 / 336.5e9)
    }
}
