import PluginAPI

/// The roofline bound (Williams, Waterman and Patterson, CACM 2009): a layer takes at
/// least its FLOPs over the device's peak and its bytes over the memory bandwidth.
struct Roofline: CostModel {
    let flopsPerSecond: Double
    let bytesPerSecond: Double

    init(profile: HardwareProfile, options: [String: String]) throws {
        let text = options["efficiency"] ?? "1.0"
        guard let efficiency = Double(text), efficiency > 0, efficiency <= 1 else {
            throw PluginError.invalidArgument("option 'efficiency' must be a number in (0, 1], got '\(text)'")
        }
        flopsPerSecond = profile.peakFlops.fp32 * efficiency
        bytesPerSecond = profile.memoryBandwidthBytesPerSecond * efficiency
    }

    func supports(_ layer: LayerView) -> LayerSupport {
        layer.operation == .input ? .declined(reason: "input layers do no work") : .supported(quality: 20)
    }

    func estimate(_ layer: LayerView) throws -> Estimate {
        let compute = layer.flops / flopsPerSecond
        let memory = (layer.inputBytes + layer.outputBytes + layer.weightBytes) / bytesPerSecond
        return Estimate(timeSeconds: max(compute, memory), computeSeconds: compute, memorySeconds: memory)
    }
}

let plugin = PluginDefinition(
    name: "example.swift-roofline",
    version: "1.0.0",
    description: "Roofline time model, written in Swift",
    costModels: [
        CostModelDefinition(
            Roofline.self, id: "swift-roofline", version: "1.0.0",
            description: "roofline bound: max(FLOPs / peak, bytes / bandwidth)",
            capabilities: [.time, .breakdown],
            options: [OptionInfo(key: "efficiency", description: "fraction of peak FLOP/s and bandwidth that kernels reach, in (0, 1]",
                                 defaultValue: "1.0")]),
    ])

@_cdecl("joule_plugin_init")
public func joulePluginInit(
    _ abi: UnsafeMutablePointer<UInt32>?, _ host: UnsafePointer<joule_host_api>?,
    _ out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?, _ error: UnsafeMutablePointer<joule_error>?
) -> joule_status {
    plugin.initialize(abi: abi, host: host, out: out, error: error)
}
