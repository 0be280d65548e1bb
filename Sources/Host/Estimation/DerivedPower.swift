import PluginAPI

/// Power from a GPU profile when a cost model gives time only.
///
/// A layer draws the board's idle power plus the dynamic range (TDP − idle) scaled by how
/// busy it keeps the device: its utilisation is the larger of its achieved FLOP rate over
/// the FP32 peak and its achieved memory traffic over the bandwidth, capped at 1. This is
/// the simplest model that separates a compute-bound convolution from a memory-bound
/// pooling layer; it is labelled "derived" wherever it is used, and is no substitute for a
/// fitted power model.
public enum DerivedPower {
    public static func watts(flops: Double, bytes: Double, seconds: Double, profile: HardwareProfile) -> Double {
        guard seconds > 0 else { return profile.idleWatts }
        let compute = flops / seconds / profile.peakFlops.fp32
        let memory = bytes / seconds / profile.memoryBandwidthBytesPerSecond
        let utilisation = min(1, max(compute, memory))
        return profile.idleWatts + (profile.tdpWatts - profile.idleWatts) * utilisation
    }

    /// One line saying how, for output.
    public static func method(_ profile: HardwareProfile) -> String {
        "idle \(format(profile.idleWatts)) W + (TDP \(format(profile.tdpWatts)) W − idle) × utilisation of peak FLOP/s or bandwidth, from the \(profile.id) profile"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
