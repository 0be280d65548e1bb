/// The ABI version this module speaks, packed as `JOULE_MAKE_VERSION(major, minor)`.
public let jouleABIVersion: UInt32 = packABIVersion(major: UInt32(JOULE_ABI_VERSION_MAJOR), minor: UInt32(JOULE_ABI_VERSION_MINOR))

/// `JOULE_MAKE_VERSION`, which Swift cannot import because it is a function-like macro.
public func packABIVersion(major: UInt32, minor: UInt32) -> UInt32 {
    (major << 16) | (minor & 0xFFFF)
}

/// "1.0" for a packed version.
public func describeABIVersion(_ version: UInt32) -> String {
    "\(version >> 16).\(version & 0xFFFF)"
}

/// What a layer computes (`JOULE_OP_*`).
public enum LayerOperation: Sendable, Hashable, CustomStringConvertible {
    case input, convolution, deconvolution, pooling, fullyConnected, concat, elementwise
    case dropout, softmax, activation, batchNorm, lrn, reshape, upsampling
    /// An op this side does not know (a newer peer, or JOULE_OP_UNKNOWN).
    case unknown(UInt32)

    public init(rawValue: UInt32) {
        switch Int32(truncatingIfNeeded: rawValue) {
        case JOULE_OP_INPUT: self = .input
        case JOULE_OP_CONVOLUTION: self = .convolution
        case JOULE_OP_DECONVOLUTION: self = .deconvolution
        case JOULE_OP_POOLING: self = .pooling
        case JOULE_OP_FULLY_CONNECTED: self = .fullyConnected
        case JOULE_OP_CONCAT: self = .concat
        case JOULE_OP_ELEMENTWISE: self = .elementwise
        case JOULE_OP_DROPOUT: self = .dropout
        case JOULE_OP_SOFTMAX: self = .softmax
        case JOULE_OP_ACTIVATION: self = .activation
        case JOULE_OP_BATCH_NORM: self = .batchNorm
        case JOULE_OP_LRN: self = .lrn
        case JOULE_OP_RESHAPE: self = .reshape
        case JOULE_OP_UPSAMPLING: self = .upsampling
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: UInt32 {
        let value: Int32 = switch self {
        case .input: JOULE_OP_INPUT
        case .convolution: JOULE_OP_CONVOLUTION
        case .deconvolution: JOULE_OP_DECONVOLUTION
        case .pooling: JOULE_OP_POOLING
        case .fullyConnected: JOULE_OP_FULLY_CONNECTED
        case .concat: JOULE_OP_CONCAT
        case .elementwise: JOULE_OP_ELEMENTWISE
        case .dropout: JOULE_OP_DROPOUT
        case .softmax: JOULE_OP_SOFTMAX
        case .activation: JOULE_OP_ACTIVATION
        case .batchNorm: JOULE_OP_BATCH_NORM
        case .lrn: JOULE_OP_LRN
        case .reshape: JOULE_OP_RESHAPE
        case .upsampling: JOULE_OP_UPSAMPLING
        case .unknown(let raw): Int32(truncatingIfNeeded: raw)
        }
        return UInt32(bitPattern: value)
    }

    /// Every known op, for listings and manifest validation.
    public static let known: [LayerOperation] = [
        .input, .convolution, .deconvolution, .pooling, .fullyConnected, .concat, .elementwise,
        .dropout, .softmax, .activation, .batchNorm, .lrn, .reshape, .upsampling,
    ]

    /// The name used in manifests and output, e.g. "convolution", "fully_connected".
    public var name: String {
        switch self {
        case .input: "input"
        case .convolution: "convolution"
        case .deconvolution: "deconvolution"
        case .pooling: "pooling"
        case .fullyConnected: "fully_connected"
        case .concat: "concat"
        case .elementwise: "elementwise"
        case .dropout: "dropout"
        case .softmax: "softmax"
        case .activation: "activation"
        case .batchNorm: "batch_norm"
        case .lrn: "lrn"
        case .reshape: "reshape"
        case .upsampling: "upsampling"
        case .unknown(let raw): "op#\(raw)"
        }
    }

    /// The op whose `name` is `name`.
    public init?(name: String) {
        guard let op = LayerOperation.known.first(where: { $0.name == name }) else { return nil }
        self = op
    }

    public var description: String { name }
}

/// Which pass of training a layer estimate is for (`JOULE_DIRECTION_*`).
public enum PassDirection: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case forward = 0
    case backwardData = 1
    case backwardFilter = 2
    case weightUpdate = 3

    /// The name used in manifests and output.
    public var name: String {
        switch self {
        case .forward: "forward"
        case .backwardData: "backward_data"
        case .backwardFilter: "backward_filter"
        case .weightUpdate: "weight_update"
        }
    }

    public init?(name: String) {
        guard let direction = PassDirection.allCases.first(where: { $0.name == name }) else { return nil }
        self = direction
    }

    public var description: String { name }
}

/// How a windowed layer pads its input (`JOULE_PADDING_*`).
public enum PaddingMode: UInt32, Sendable, Hashable {
    case explicit = 0
    case same = 1
    case valid = 2
}

/// Arithmetic precision (`JOULE_PRECISION_*`).
public enum Precision: UInt32, Sendable, Hashable, CaseIterable {
    case fp32 = 0
    case fp16 = 1
    case bf16 = 2
    case int8 = 3

    /// Bytes per element.
    public var bytesPerElement: Int {
        switch self {
        case .fp32: 4
        case .fp16, .bf16: 2
        case .int8: 1
        }
    }
}

/// Which `joule_estimate` fields hold answers (`JOULE_ESTIMATE_*`); also what a cost model
/// declares it can fill.
public struct EstimateFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let time = EstimateFlags(rawValue: JOULE_ESTIMATE_TIME)
    public static let power = EstimateFlags(rawValue: JOULE_ESTIMATE_POWER)
    public static let energy = EstimateFlags(rawValue: JOULE_ESTIMATE_ENERGY)
    public static let breakdown = EstimateFlags(rawValue: JOULE_ESTIMATE_BREAKDOWN)
    public static let extrapolated = EstimateFlags(rawValue: JOULE_ESTIMATE_EXTRAPOLATED)
    public static let counts = EstimateFlags(rawValue: JOULE_ESTIMATE_COUNTS)
    public static let detail = EstimateFlags(rawValue: JOULE_ESTIMATE_DETAIL)

    /// "time, power" for listings.
    public var names: [String] {
        [(EstimateFlags.time, "time"), (.power, "power"), (.energy, "energy"), (.breakdown, "breakdown"),
         (.extrapolated, "extrapolated"), (.counts, "counts"), (.detail, "detail")].filter { contains($0.0) }.map(\.1)
    }
}

/// Bits of `joule_layer.flags` (`JOULE_LAYER_*`).
public struct LayerFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let hasBias = LayerFlags(rawValue: JOULE_LAYER_HAS_BIAS)
    public static let fedByInput = LayerFlags(rawValue: JOULE_LAYER_FED_BY_INPUT)
    public static let dead = LayerFlags(rawValue: JOULE_LAYER_DEAD)
}

/// How the host combines a network term with the layer sums (`JOULE_TERM_*`).
public enum NetworkTermKind: UInt32, Sendable, Hashable {
    /// Added to its phase's total.
    case additive = 0
    /// One of several mutually exclusive options for its phase; reported side by side.
    case alternative = 1
    /// Reported for information, never added.
    case report = 2

    public var name: String {
        switch self {
        case .additive: "additive"
        case .alternative: "alternative"
        case .report: "report"
        }
    }
}

/// The part of a training step a network term belongs to (`JOULE_PHASE_*`).
public enum NetworkPhase: UInt32, Sendable, Hashable {
    case forward = 0, backward = 1, update = 2, communication = 3, other = 4

    public var name: String {
        switch self {
        case .forward: "forward"
        case .backward: "backward"
        case .update: "update"
        case .communication: "communication"
        case .other: "other"
        }
    }
}

/// One whole-network term: the weight update, a gradient-exchange scheme, a bound.
public struct NetworkTerm: Sendable, Equatable {
    /// Stable snake_case name, e.g. "weight_update", "tree".
    public var name: String
    public var kind: NetworkTermKind
    public var phase: NetworkPhase
    public var timeSeconds: Double?
    public var powerWatts: Double?
    public var energyJoules: Double?
    /// The compute part of `timeSeconds`, when the model splits it.
    public var computeSeconds: Double?
    /// The memory part of `timeSeconds`, when the model splits it.
    public var memorySeconds: Double?

    public init(name: String, kind: NetworkTermKind, phase: NetworkPhase, timeSeconds: Double? = nil,
                powerWatts: Double? = nil, energyJoules: Double? = nil, computeSeconds: Double? = nil,
                memorySeconds: Double? = nil) {
        self.name = name
        self.kind = kind
        self.phase = phase
        self.timeSeconds = timeSeconds
        self.powerWatts = powerWatts
        self.energyJoules = energyJoules
        self.computeSeconds = computeSeconds
        self.memorySeconds = memorySeconds
    }

    /// Reads a term a model filled (host side); `nil` when it breaks the ABI (no name, an
    /// unknown kind or phase). `name`, when given, is the term's name already decoded.
    public init?(_ t: UnsafePointer<joule_network_term>, name knownName: String? = nil) {
        let d = t.pointee
        guard let name = knownName ?? String(optionalCString: d.name),
              let kind = NetworkTermKind(rawValue: d.kind), let phase = NetworkPhase(rawValue: d.phase)
        else { return nil }
        let flags = EstimateFlags(rawValue: d.flags)
        self.init(name: name, kind: kind, phase: phase,
                  timeSeconds: flags.contains(.time) ? d.time_seconds : nil,
                  powerWatts: flags.contains(.power) ? d.power_watts : nil,
                  energyJoules: flags.contains(.energy) ? d.energy_joules : nil,
                  computeSeconds: flags.contains(.breakdown) ? d.compute_seconds : nil,
                  memorySeconds: flags.contains(.breakdown) ? d.memory_seconds : nil)
    }
}
