/// What a device can do, as plain Swift values: the Swift face of `joule_hardware_profile`.
///
/// Plugins build descriptors from it (`makeDescriptor()`); the host reads descriptors back
/// into it (`init(descriptor:)`). The `GPUProfileFormat` library gives it its file format,
/// so `joule gpus show ID --format json > my.json` always yields a file the loader accepts.
///
/// Units are SI and live in the names: FLOP/s, bytes, bytes per second, watts, hertz.
/// A value of 0 means "not known" for the optional numbers (fp16, tensor, clock, links);
/// fp32 peak, memory bandwidth, memory size and TDP are required and must be positive.
public struct HardwareProfile: Sendable, Equatable {
    /// Peak arithmetic throughput per precision, in FLOP/s (one fused multiply-add = 2 FLOPs).
    public struct PeakFlops: Sendable, Equatable {
        /// Dense FP32 on the general-purpose cores.
        public var fp32: Double
        /// Dense FP16 on the general-purpose cores (not the tensor cores); 0 when unknown.
        public var fp16: Double
        /// Dense FP16/BF16 with FP32 accumulate on tensor/matrix cores, without sparsity; 0 when
        /// the device has none.
        public var tensor: Double

        public init(fp32: Double, fp16: Double = 0, tensor: Double = 0) {
            self.fp32 = fp32
            self.fp16 = fp16
            self.tensor = tensor
        }
    }

    /// What kind of processor the profile describes.
    public enum DeviceKind: String, Sendable, Equatable, CaseIterable {
        case gpu, cpu, accelerator
    }

    public var id: String
    public var name: String
    public var vendor: String
    public var architecture: String
    public var kind: DeviceKind
    /// Other names the profile answers to (case-insensitive), e.g. Paleo's `TITAN_X`.
    public var aliases: [String]
    public var peakFlops: PeakFlops
    public var memoryBandwidthBytesPerSecond: Double
    public var memoryBytes: Double
    public var tdpWatts: Double
    /// Board power when idle; 0 when unknown.
    public var idleWatts: Double
    /// Clock rate used by cost models (Paleo's cycle floor); 0 when unknown.
    public var clockHz: Double
    /// Device-to-device link (NVLink and the like), per direction; 0 when none.
    public var interconnectBytesPerSecond: Double
    /// Host link (PCIe), per direction; 0 when unknown.
    public var hostLinkBytesPerSecond: Double
    /// Where each number comes from, keyed by field name (`peak_flops.fp32`, `tdp_watts`, …).
    /// The key `summary` holds a one-line overall note.
    public var source: [String: String]
    /// Polynomial model files fitted for this device, relative to the profile file.
    public var modelFiles: [String]

    public init(
        id: String, name: String, vendor: String, architecture: String, kind: DeviceKind = .gpu,
        aliases: [String] = [], peakFlops: PeakFlops, memoryBandwidthBytesPerSecond: Double,
        memoryBytes: Double, tdpWatts: Double, idleWatts: Double, clockHz: Double,
        interconnectBytesPerSecond: Double = 0, hostLinkBytesPerSecond: Double = 0,
        source: [String: String], modelFiles: [String] = []
    ) {
        self.id = id
        self.name = name
        self.vendor = vendor
        self.architecture = architecture
        self.kind = kind
        self.aliases = aliases
        self.peakFlops = peakFlops
        self.memoryBandwidthBytesPerSecond = memoryBandwidthBytesPerSecond
        self.memoryBytes = memoryBytes
        self.tdpWatts = tdpWatts
        self.idleWatts = idleWatts
        self.clockHz = clockHz
        self.interconnectBytesPerSecond = interconnectBytesPerSecond
        self.hostLinkBytesPerSecond = hostLinkBytesPerSecond
        self.source = source
        self.modelFiles = modelFiles
    }
}

/// Byte multiples, spelled out so profile tables read like spec sheets.
public enum ByteUnit {
    public static let GB: Double = 1e9
    public static let GiB: Double = 1_073_741_824
}
