import Foundation
import PluginAPI
import Testing

/// A cost model written with the Swift conveniences: time is FLOPs over the profile's FP32
/// peak, power is the profile's TDP times an option, and layers named "broken" throw.
private struct PeakTime: CostModel {
    let peak: Double
    let tdp: Double
    let powerFraction: Double

    init(profile: HardwareProfile, options: [String: String]) throws {
        guard let fraction = Double(options["power_fraction"] ?? "1"), fraction > 0 else {
            throw PluginError.invalidArgument("power_fraction must be a positive number")
        }
        peak = profile.peakFlops.fp32
        tdp = profile.tdpWatts
        powerFraction = fraction
    }

    func supports(_ layer: LayerView) -> LayerSupport {
        layer.operation == .convolution ? .supported(quality: 300) : .declined(reason: "only convolutions")
    }

    func estimate(_ layer: LayerView) throws -> Estimate {
        if layer.name == "broken" { throw PluginError("cannot cost layer broken") }
        return Estimate(timeSeconds: layer.flops / peak, powerWatts: tdp * powerFraction, detail: "shape \(layer.outputShape)")
    }
}

private let definition = PluginDefinition(
    name: "test.swift", version: "2.0.0", description: "Swift conveniences under test",
    costModels: [CostModelDefinition(PeakTime.self, id: "peak-time", version: "2.0.0", description: "flops / peak",
                                     capabilities: [.time, .power],
                                     options: [OptionInfo(key: "power_fraction", description: "share of TDP", defaultValue: "1")])],
    profiles: [HardwareProfile(id: "TEST_GPU", name: "Test GPU", vendor: "Tests", architecture: "none",
                               peakFlops: .init(fp32: 2e12), memoryBandwidthBytesPerSecond: 5e11, memoryBytes: 8e9,
                               tdpWatts: 200, idleWatts: 20, clockHz: 1e9, source: ["summary": "test"])])

/// Calls `body` with a `joule_error` over a fresh C buffer of `capacity` bytes, each set to
/// `fill`, and returns what `body` returned with the buffer's contents afterwards.
private func withErrorBuffer<Result>(capacity: Int = 256, filledWith fill: CChar = 0,
                                     _ body: (inout joule_error) -> Result) -> (result: Result, buffer: [CChar]) {
    var buffer = [CChar](repeating: fill, count: capacity)
    let result = buffer.withUnsafeMutableBufferPointer { storage in
        var error = joule_error(message: storage.baseAddress, capacity: storage.count)
        return body(&error)
    }
    return (result, buffer)
}

@Suite struct SwiftConveniencesTests {
    @Test func negotiationAcceptsTheSameMajorAndWritesTheVersion() throws {
        var abi = packABIVersion(major: 1, minor: 9)
        var out: UnsafePointer<joule_plugin>?
        let status = definition.initialize(abi: &abi, host: nil, out: &out, error: nil)
        #expect(status == JOULE_OK)
        #expect(abi == jouleABIVersion)
        let plugin = try #require(out).pointee
        #expect(String(cString: plugin.name) == "test.swift")
        #expect(String(cString: plugin.swift_toolchain) == SwiftToolchain.current)
        #expect(plugin.cost_model_count == 1)
        #expect(plugin.profile_count == 1)
        #expect(Int(plugin.struct_size) == MemoryLayout<joule_plugin>.size)
    }

    @Test func negotiationRefusesAnotherMajorWithAMessage() {
        var abi = packABIVersion(major: 2, minor: 0)
        var out: UnsafePointer<joule_plugin>?
        let (status, buffer) = withErrorBuffer { error in
            definition.initialize(abi: &abi, host: nil, out: &out, error: &error)
        }
        #expect(status == JOULE_ABI_MISMATCH)
        #expect(abi == jouleABIVersion, "the plugin reports its own version")
        #expect(out == nil)
        #expect(buffer.cStringValue == "plugin implements ABI 1.1, host speaks 2.0")
    }

    /// Drives the published vtable the way the host does, with C structs.
    @Test func theVtableComputesAndReportsErrorsWithoutThrowingAcrossC() throws {
        let plugin = definition.makeDescriptor().pointee
        let model = try #require(plugin.cost_models?[0])
        let profile = try #require(plugin.profiles?[0])
        #expect(String(cString: model.pointee.id) == "peak-time")
        #expect(model.pointee.estimate_network == nil, "no network terms declared, so the slot is NULL")
        #expect(model.pointee.capabilities == EstimateFlags([.time, .power]).rawValue)

        var instance: OpaquePointer?
        let option = "power_fraction", value = "0.25"
        let (created, _) = option.withCString { key in
            value.withCString { val in
                var pair = joule_option(key: key, value: val)
                return withErrorBuffer { error in model.pointee.create(model, profile, &pair, 1, &instance, &error) }
            }
        }
        #expect(created == JOULE_OK)
        let handle = try #require(instance)
        defer { model.pointee.destroy(handle) }

        func layer(_ name: String, op: Int32, flops: Double, _ body: (UnsafePointer<joule_layer>) -> Void) {
            name.withCString { cName in
                "Convolution".withCString { cType in
                    var d = joule_layer()
                    d.struct_size = UInt32(MemoryLayout<joule_layer>.size)
                    d.op = UInt32(op)
                    d.name = cName
                    d.type_name = cType
                    d.flops = flops
                    d.output = joule_shape(dimensions: [8, 4, 4, 16])!
                    withUnsafePointer(to: d, body)
                }
            }
        }

        layer("conv1", op: JOULE_OP_CONVOLUTION, flops: 4e9) { pointer in
            #expect(model.pointee.supports(handle, pointer, nil) == 100, "quality 300 is clamped to 100")
            var detail = [CChar](repeating: 0, count: 64)
            detail.withUnsafeMutableBufferPointer { storage in
                var out = joule_estimate()
                out.struct_size = UInt32(MemoryLayout<joule_estimate>.size)
                out.detail = storage.baseAddress
                out.detail_capacity = storage.count
                #expect(model.pointee.estimate_layer(handle, pointer, &out, nil) == JOULE_OK)
                // 4e9 FLOPs / 2e12 FLOP/s = 2 ms; 200 W × 0.25 = 50 W.
                #expect(out.time_seconds == 2e-3)
                #expect(out.power_watts == 50)
                #expect(out.flags == EstimateFlags([.time, .power, .detail]).rawValue, "detail was written, so flagged")
            }
            #expect(detail.cStringValue == "shape [8, 4, 4, 16]")
        }
        layer("pool", op: JOULE_OP_POOLING, flops: 1) { pointer in
            let (score, reason) = withErrorBuffer(capacity: 64) { error in
                model.pointee.supports(handle, pointer, &error)
            }
            #expect(score == 0)
            #expect(reason.cStringValue == "only convolutions")
        }
        layer("broken", op: JOULE_OP_CONVOLUTION, flops: 1) { pointer in
            var out = joule_estimate()
            out.struct_size = UInt32(MemoryLayout<joule_estimate>.size)
            let (status, text) = withErrorBuffer(capacity: 64) { error in
                model.pointee.estimate_layer(handle, pointer, &out, &error)
            }
            #expect(status == JOULE_FAILED)
            #expect(text.cStringValue == "cannot cost layer broken")
        }
    }

    @Test func aBadOptionValueFailsCreateWithInvalidArgument() throws {
        let plugin = definition.makeDescriptor().pointee
        let model = try #require(plugin.cost_models?[0])
        let profile = try #require(plugin.profiles?[0])
        var instance: OpaquePointer?
        let (status, message) = "power_fraction".withCString { key in
            "-3".withCString { value in
                var pair = joule_option(key: key, value: value)
                return withErrorBuffer(capacity: 128) { error in
                    model.pointee.create(model, profile, &pair, 1, &instance, &error)
                }
            }
        }
        #expect(status == JOULE_INVALID_ARGUMENT)
        #expect(instance == nil)
        #expect(message.cStringValue == "power_fraction must be a positive number")
    }

    @Test func estimateWritesNothingPastAnOlderHostsStructSize() {
        // A host built for a struct that ended before `energy_joules` (as a future minor
        // version's host would see our newer fields): energy must stay untouched.
        var out = joule_estimate()
        out.energy_joules = 42
        out.struct_size = UInt32(MemoryLayout<joule_estimate>.offset(of: \joule_estimate.energy_joules)!)
        Estimate(timeSeconds: 1, powerWatts: 2, energyJoules: 3).write(into: &out)
        #expect(out.time_seconds == 1)
        #expect(out.power_watts == 2)
        #expect(out.energy_joules == 42)
    }

    @Test func errorMessagesAreTruncatedOnACharacterBoundary() {
        // Filled with 0x7F, so the terminating NUL must come from `set`.
        let (_, storage) = withErrorBuffer(capacity: 5, filledWith: 0x7F) { error in
            // "héllo" is h(1) é(2) l l o: 4 bytes of room leave "hél".
            error.set("héllo")
        }
        #expect(storage.cStringValue == "hél")
    }

    @Test func profilesSurviveTheTripThroughTheirDescriptor() throws {
        let original = definition.profiles[0]
        let read = try HardwareProfile(descriptor: original.makeDescriptor())
        #expect(read == original)
    }

    @Test func aDescriptorWithANullNameIsRejectedNamingTheField() throws {
        var d = definition.profiles[0].makeDescriptor().pointee
        d.name = nil
        #expect(throws: DescriptorError(field: "profiles[0].name", problem: "is NULL")) {
            try withUnsafePointer(to: d) { try HardwareProfile(descriptor: $0, field: "profiles[0]") }
        }
        d = definition.profiles[0].makeDescriptor().pointee
        d.tdp_watts = .nan
        let error = try #require(throws: DescriptorError.self) {
            try withUnsafePointer(to: d) { try HardwareProfile(descriptor: $0) }
        }
        #expect(error.field == "profile.tdp_watts")
        #expect(error.problem.hasPrefix("must be a positive finite number"), "\(error.problem)")
    }
}
