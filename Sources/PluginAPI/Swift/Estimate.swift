/// A cost model's answer for one layer, or for a network-level term.
///
///     Estimate(timeSeconds: 8.92e-3, powerWatts: 180)
///
/// Fields left `nil` are not set; the host derives energy from power × time when a model
/// gives both, and derives power from the hardware profile when a model gives none, saying
/// so in its output.
public struct Estimate: Sendable, Equatable {
    public var timeSeconds: Double?
    public var powerWatts: Double?
    public var energyJoules: Double?
    /// The compute part of `timeSeconds`.
    public var computeSeconds: Double?
    /// The memory part of `timeSeconds`.
    public var memorySeconds: Double?
    /// FLOPs the model charged for, when it says.
    public var flops: Double?
    /// Bytes of memory traffic the model charged for, when it says.
    public var memoryBytes: Double?
    /// The input lies outside the model's fitted range; `detail` should say which feature.
    public var extrapolated: Bool
    /// One optional line (what a network-level term is; why a value is extrapolated).
    public var detail: String?

    public init(
        timeSeconds: Double? = nil, powerWatts: Double? = nil, energyJoules: Double? = nil,
        computeSeconds: Double? = nil, memorySeconds: Double? = nil, flops: Double? = nil,
        memoryBytes: Double? = nil, extrapolated: Bool = false, detail: String? = nil
    ) {
        self.timeSeconds = timeSeconds
        self.powerWatts = powerWatts
        self.energyJoules = energyJoules
        self.computeSeconds = computeSeconds
        self.memorySeconds = memorySeconds
        self.flops = flops
        self.memoryBytes = memoryBytes
        self.extrapolated = extrapolated
        self.detail = detail
    }

    /// The bits saying which fields are set.
    public var flags: EstimateFlags {
        var flags: EstimateFlags = []
        if timeSeconds != nil { flags.insert(.time) }
        if powerWatts != nil { flags.insert(.power) }
        if energyJoules != nil { flags.insert(.energy) }
        if computeSeconds != nil || memorySeconds != nil { flags.insert(.breakdown) }
        if flops != nil || memoryBytes != nil { flags.insert(.counts) }
        if extrapolated { flags.insert(.extrapolated) }
        return flags
    }

    /// Reads an estimate a cost model filled (host side).
    public init(_ e: UnsafePointer<joule_estimate>) {
        let d = e.pointee
        let flags = EstimateFlags(rawValue: d.flags)
        self.init(
            timeSeconds: flags.contains(.time) ? d.time_seconds : nil,
            powerWatts: flags.contains(.power) ? d.power_watts : nil,
            energyJoules: flags.contains(.energy) ? d.energy_joules : nil,
            computeSeconds: flags.contains(.breakdown) ? d.compute_seconds : nil,
            memorySeconds: flags.contains(.breakdown) ? d.memory_seconds : nil,
            flops: flags.contains(.counts) ? d.flops : nil,
            memoryBytes: flags.contains(.counts) ? d.memory_bytes : nil,
            extrapolated: flags.contains(.extrapolated),
            detail: flags.contains(.detail) && d.detail_capacity > 0 && d.detail != nil && d.detail.pointee != 0
                ? String(optionalCString: d.detail) : nil)
    }

    /// Writes the estimate into a host-owned struct, never past its `struct_size`.
    public func write(into out: UnsafeMutablePointer<joule_estimate>) {
        let size = out.pointee.struct_size
        // The common case, a host built against this header or a newer one: no per-field checks.
        if Int(size) >= MemoryLayout<joule_estimate>.size {
            out.pointee.flags = flags.rawValue
            out.pointee.time_seconds = timeSeconds ?? 0
            out.pointee.power_watts = powerWatts ?? 0
            out.pointee.energy_joules = energyJoules ?? 0
            out.pointee.compute_seconds = computeSeconds ?? 0
            out.pointee.memory_seconds = memorySeconds ?? 0
            out.pointee.flops = flops ?? 0
            out.pointee.memory_bytes = memoryBytes ?? 0
            if let detail, !detail.isEmpty, out.pointee.detail_capacity > 0, out.pointee.detail != nil {
                var buffer = joule_error(message: out.pointee.detail, capacity: out.pointee.detail_capacity)
                buffer.set(detail)
                out.pointee.flags |= JOULE_ESTIMATE_DETAIL
            }
            return
        }
        func fits<V>(_ keyPath: KeyPath<joule_estimate, V>) -> Bool { abiHasField(keyPath, structSize: size) }
        if fits(\.flags) { out.pointee.flags = flags.rawValue }
        if fits(\.time_seconds) { out.pointee.time_seconds = timeSeconds ?? 0 }
        if fits(\.power_watts) { out.pointee.power_watts = powerWatts ?? 0 }
        if fits(\.energy_joules) { out.pointee.energy_joules = energyJoules ?? 0 }
        if fits(\.compute_seconds) { out.pointee.compute_seconds = computeSeconds ?? 0 }
        if fits(\.memory_seconds) { out.pointee.memory_seconds = memorySeconds ?? 0 }
        if fits(\.flops) { out.pointee.flops = flops ?? 0 }
        if fits(\.memory_bytes) { out.pointee.memory_bytes = memoryBytes ?? 0 }
        if let detail, !detail.isEmpty, fits(\.detail_capacity), out.pointee.detail_capacity > 0, out.pointee.detail != nil {
            var buffer = joule_error(message: out.pointee.detail, capacity: out.pointee.detail_capacity)
            buffer.set(detail)
            if fits(\.flags) { out.pointee.flags |= JOULE_ESTIMATE_DETAIL }
        }
    }
}

extension NetworkTerm {
    /// Writes the term into a host-owned struct, never past its `struct_size`; `name` must
    /// point to a string that outlives the instance.
    func write(into out: UnsafeMutablePointer<joule_network_term>, name: UnsafePointer<CChar>) {
        let size = out.pointee.struct_size
        func fits<V>(_ keyPath: KeyPath<joule_network_term, V>) -> Bool { abiHasField(keyPath, structSize: size) }
        var flags: EstimateFlags = []
        if timeSeconds != nil { flags.insert(.time) }
        if powerWatts != nil { flags.insert(.power) }
        if energyJoules != nil { flags.insert(.energy) }
        if computeSeconds != nil || memorySeconds != nil { flags.insert(.breakdown) }
        if fits(\.kind) { out.pointee.kind = kind.rawValue }
        if fits(\.phase) { out.pointee.phase = phase.rawValue }
        if fits(\.flags) { out.pointee.flags = flags.rawValue }
        if fits(\.name) { out.pointee.name = name }
        if fits(\.time_seconds) { out.pointee.time_seconds = timeSeconds ?? 0 }
        if fits(\.power_watts) { out.pointee.power_watts = powerWatts ?? 0 }
        if fits(\.energy_joules) { out.pointee.energy_joules = energyJoules ?? 0 }
        if fits(\.compute_seconds) { out.pointee.compute_seconds = computeSeconds ?? 0 }
        if fits(\.memory_seconds) { out.pointee.memory_seconds = memorySeconds ?? 0 }
    }
}
