import PluginAPI

/// The numbers an FFI manifest can bind a C function's arguments to.
///
/// Layer features come from the `LayerDescriptor` (NHWC shapes: for a 2-D `[N, D]` shape
/// the height and width are 1 and the channels are D); `gpu_*` features come from the
/// hardware profile the model is bound to. Names are stable: manifests depend on them.
public enum LayerFeature: String, CaseIterable, Sendable {
    case batch
    case inputHeight = "input_height"
    case inputWidth = "input_width"
    case inputChannels = "input_channels"
    case outputHeight = "output_height"
    case outputWidth = "output_width"
    case outputChannels = "output_channels"
    case inputElements = "input_elements"
    case outputElements = "output_elements"
    case kernelHeight = "kernel_height"
    case kernelWidth = "kernel_width"
    case strideHeight = "stride_height"
    case strideWidth = "stride_width"
    case paddingTop = "padding_top"
    case paddingBottom = "padding_bottom"
    case paddingLeft = "padding_left"
    case paddingRight = "padding_right"
    case groups
    case params
    case flops
    case inputBytes = "input_bytes"
    case outputBytes = "output_bytes"
    case weightBytes = "weight_bytes"
    case gpuPeakFlopsFP32 = "gpu_peak_flops_fp32"
    case gpuPeakFlopsFP16 = "gpu_peak_flops_fp16"
    case gpuPeakFlopsTensor = "gpu_peak_flops_tensor"
    case gpuMemoryBandwidth = "gpu_memory_bandwidth_bytes_per_second"
    case gpuTDPWatts = "gpu_tdp_watts"
    case gpuIdleWatts = "gpu_idle_watts"
    case gpuClockHz = "gpu_clock_hz"

    /// The feature's value for `layer` on `profile`.
    public func value(for layer: LayerDescriptor, on profile: HardwareProfile) -> Double {
        let input = layer.inputShapes.first ?? []
        let output = layer.outputShape
        switch self {
        case .batch: return Double(layer.batch)
        case .inputHeight: return Double(Self.spatial(input).height)
        case .inputWidth: return Double(Self.spatial(input).width)
        case .inputChannels: return Double(input.last ?? 0)
        case .outputHeight: return Double(Self.spatial(output).height)
        case .outputWidth: return Double(Self.spatial(output).width)
        case .outputChannels: return Double(output.last ?? 0)
        case .inputElements: return layer.inputShapes.reduce(0) { $0 + $1.reduce(1) { $0 * Double($1) } }
        case .outputElements: return output.reduce(1) { $0 * Double($1) }
        case .kernelHeight: return Double(layer.kernel.height)
        case .kernelWidth: return Double(layer.kernel.width)
        case .strideHeight: return Double(layer.stride.height)
        case .strideWidth: return Double(layer.stride.width)
        case .paddingTop: return Double(layer.padding.top)
        case .paddingBottom: return Double(layer.padding.bottom)
        case .paddingLeft: return Double(layer.padding.left)
        case .paddingRight: return Double(layer.padding.right)
        case .groups: return Double(layer.groups)
        case .params: return Double(layer.params)
        case .flops: return layer.flops
        case .inputBytes: return layer.inputBytes
        case .outputBytes: return layer.outputBytes
        case .weightBytes: return layer.weightBytes
        case .gpuPeakFlopsFP32: return profile.peakFlops.fp32
        case .gpuPeakFlopsFP16: return profile.peakFlops.fp16
        case .gpuPeakFlopsTensor: return profile.peakFlops.tensor
        case .gpuMemoryBandwidth: return profile.memoryBandwidthBytesPerSecond
        case .gpuTDPWatts: return profile.tdpWatts
        case .gpuIdleWatts: return profile.idleWatts
        case .gpuClockHz: return profile.clockHz
        }
    }

    /// Height and width of an NHWC shape; 1 × 1 for `[N, D]`.
    private static func spatial(_ shape: [Int64]) -> (height: Int64, width: Int64) {
        shape.count == 4 ? (shape[1], shape[2]) : (1, 1)
    }
}
