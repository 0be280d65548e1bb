import PluginAPI

/// A device as Paleo sees it: clock in MHz, peak in GFLOP/s, memory bandwidth in "GB/s"
/// (which Paleo divides into bytes / 2^30, so it acts as GiB/s), and the PPP factors.
///
/// Every time here is in milliseconds, as Paleo keeps them. Paleo's chains of divisions are
/// folded into one factor per device; results differ from the original's by a few ulps.
struct PaleoDevice {
    var clockMHz: Double
    var peakGFLOPs: Double
    var bandwidthGBs: Double
    /// Platform percent of peak for compute and device memory.
    var pppCompute: Double
    /// Platform percent of peak for network and cross-device transfers.
    var pppCommunication: Double
    /// One clock cycle in milliseconds: the floor of every term. Zero when the profile
    /// gives no clock (no floor).
    let cycleMilliseconds: Double
    // Paleo's divisions folded into one factor each, because these run for every term of
    // every layer-pass: FLOPs / 1e9 / peak · 1e3 / ppp, and bytes / 2^30 / bandwidth · 1e3 / ppp.
    // The results differ from the divided forms by a few ulps at most.
    private let millisecondsPerFlop: Double
    private let millisecondsPerFlopAtFullPeak: Double
    private let millisecondsPerByte: Double
    private let millisecondsPerByteAtFullPeak: Double

    init(profile: HardwareProfile, pppCompute: Double, pppCommunication: Double) {
        clockMHz = profile.clockHz / 1e6
        peakGFLOPs = profile.peakFlops.fp32 / 1e9
        bandwidthGBs = profile.memoryBandwidthBytesPerSecond / 1e9
        self.pppCompute = pppCompute
        self.pppCommunication = pppCommunication
        cycleMilliseconds = clockMHz > 0 ? 1 / clockMHz / 1e3 : 0
        millisecondsPerFlopAtFullPeak = 1e3 / (1e9 * peakGFLOPs)
        millisecondsPerFlop = millisecondsPerFlopAtFullPeak / pppCompute
        millisecondsPerByteAtFullPeak = 1e3 / (1_073_741_824 * bandwidthGBs)
        millisecondsPerByte = millisecondsPerByteAtFullPeak / pppCompute
    }

    /// `_estimate_comp_time`: a compute term; zero FLOPs cost exactly 0 (no floor).
    /// `fullPeak` ignores PPP, as Paleo's weight update does.
    @inline(__always)
    func computeMilliseconds(_ flops: Double, fullPeak: Bool = false) -> Double {
        if flops == 0 { return 0 }
        return max(cycleMilliseconds, flops * (fullPeak ? millisecondsPerFlopAtFullPeak : millisecondsPerFlop))
    }

    /// `_estimate_comm_time`: a device-memory term, always floored (even for 0 bytes).
    /// `fullPeak` ignores PPP, as Paleo's weight update does.
    @inline(__always)
    func memoryMilliseconds(_ bytes: Double, fullPeak: Bool = false) -> Double {
        max(cycleMilliseconds, bytes * (fullPeak ? millisecondsPerByteAtFullPeak : millisecondsPerByte))
    }

    /// `_estimate_comm_time` with another bandwidth and the communication PPP: a remote
    /// fetch. `bandwidth` is in Paleo's "GB/s" (read as GiB/s); `nil` means device memory.
    func transferMilliseconds(_ bytes: Double, bandwidthGBs bandwidth: Double?) -> Double {
        var milliseconds = bytes / 1_073_741_824 / (bandwidth ?? bandwidthGBs) * 1e3
        milliseconds /= pppCommunication
        return max(cycleMilliseconds, milliseconds)
    }
}

/// Paleo's TimeMeasure: compute and communication (memory) parts and their total, each
/// accumulated separately as Paleo does.
struct PaleoTime {
    var compute: Double = 0
    var memory: Double = 0
    var total: Double = 0
    /// FLOPs charged to compute terms.
    var flops: Double = 0
    /// Bytes charged to memory terms, before the clock floor.
    var bytes: Double = 0

    static let zero = PaleoTime()

    init() {}

    init(compute: Double, memory: Double, flops: Double, bytes: Double) {
        self.compute = compute
        self.memory = memory
        self.total = compute + memory
        self.flops = flops
        self.bytes = bytes
    }

    static func + (a: PaleoTime, b: PaleoTime) -> PaleoTime {
        var sum = PaleoTime()
        sum.compute = a.compute + b.compute
        sum.memory = a.memory + b.memory
        sum.total = a.total + b.total
        sum.flops = a.flops + b.flops
        sum.bytes = a.bytes + b.bytes
        return sum
    }

    /// With perfect overlap of compute and memory (`--pipeline`).
    var lowerBound: Double { max(compute, memory) }
}

/// Paleo's network profiles (paleo/device.py NETWORKS), in Gbit/s.
enum PaleoNetwork: String, CaseIterable {
    case aws, ethernet, ethernet20, infiniband, pcie2, pcie3

    var gigabitsPerSecond: Double {
        switch self {
        case .aws: 2
        case .ethernet: 10
        case .ethernet20: 20
        case .infiniband: 70
        case .pcie2: 64
        case .pcie3: 128
        }
    }
}
