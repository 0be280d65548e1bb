import PluginAPI

/// Power from a GPU profile when a cost model gives time only.
///
/// A layer draws the board's idle power plus the dynamic range (TDP − idle) scaled by how
/// busy it keeps the device: its utilisation is the larger of its achieved FLOP rate over
/// the FP32 peak and its achieved memory traffic over the bandwidth, capped at 1. This is
/// the simplest model that separates a compute-bound convolution from a memory-bound
/// pooling layer; it is labelled "derived" wherever it is used, and is no substitute for a
/// fitted power model.
public struct DerivedPower: Sendable {
    private let idleWatts: Double
    private let dynamicWatts: Double
    private let secondsPerFlop: Double
    private let secondsPerByte: Double

    /// The model for one device, with its divisions done once.
    public init(_ profile: HardwareProfile) {
        idleWatts = profile.idleWatts
        dynamicWatts = profile.tdpWatts - profile.idleWatts
        secondsPerFlop = 1 / profile.peakFlops.fp32
        secondsPerByte = 1 / profile.memoryBandwidthBytesPerSecond
    }

    /// Energy of work taking `seconds`: idle power for the whole time plus the dynamic range
    /// for as long as the work would keep the device's busier side (compute or memory) at
    /// its peak, which is watts × seconds with utilisation capped at 1, written without a
    /// division because this runs per layer-pass.
    @inline(__always)
    public func joules(flops: Double, bytes: Double, seconds: Double) -> Double {
        guard seconds > 0 else { return 0 }
        let busySeconds = max(flops * secondsPerFlop, bytes * secondsPerByte)
        return idleWatts * seconds + dynamicWatts * min(seconds, busySeconds)
    }

    /// One line saying how, for output.
    public static func method(_ profile: HardwareProfile) -> String {
        "idle \(format(profile.idleWatts)) W + (TDP \(format(profile.tdpWatts)) W − idle) × utilisation of peak FLOP/s or bandwidth, from the \(profile.id) profile"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
