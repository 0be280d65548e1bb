extension HardwareProfile {
    /// Size of `joule_hardware_profile` in ABI 1.0; readers need at least this much.
    static let abi10Size = 160

    /// Reads a descriptor a plugin provided, checking every rule the ABI states.
    ///
    /// - Parameters:
    ///   - descriptor: plugin-owned; read, not retained.
    ///   - field: how to name the descriptor in errors, e.g. "profiles[3]".
    /// - Throws: `DescriptorError` naming the field at fault.
    public init(descriptor: UnsafePointer<joule_hardware_profile>, field: String = "profile") throws(DescriptorError) {
        let d = descriptor.pointee
        try checkStructSize(d.struct_size, of: joule_hardware_profile.self, minimum: HardwareProfile.abi10Size, field: field)
        let id = try requiredString(d.id, field: "\(field).id")
        let kind: DeviceKind
        switch d.device_kind {
        case UInt32(JOULE_DEVICE_GPU): kind = .gpu
        case UInt32(JOULE_DEVICE_CPU): kind = .cpu
        case UInt32(JOULE_DEVICE_ACCELERATOR): kind = .accelerator
        default: throw DescriptorError(field: "\(field).device_kind", problem: "unknown value \(d.device_kind)")
        }
        var notes: [String: String] = [:]
        if d.source_note_count > 0 {
            guard let array = d.source_notes else {
                throw DescriptorError(field: "\(field).source_notes", problem: "is NULL but its count is \(d.source_note_count)")
            }
            for i in 0..<Int(min(d.source_note_count, 4096)) {
                let key = try requiredString(array[i].field, field: "\(field).source_notes[\(i)].field")
                notes[key] = try requiredString(array[i].note, field: "\(field).source_notes[\(i)].note")
            }
        }
        self.init(
            id: id,
            name: try requiredString(d.name, field: "\(field).name"),
            vendor: try requiredString(d.vendor, field: "\(field).vendor"),
            architecture: try requiredString(d.architecture, field: "\(field).architecture"),
            kind: kind,
            aliases: try stringArray(d.aliases, count: d.alias_count, field: "\(field).aliases"),
            peakFlops: .init(fp32: d.peak_flops_fp32, fp16: d.peak_flops_fp16, tensor: d.peak_flops_tensor),
            memoryBandwidthBytesPerSecond: d.memory_bandwidth_bytes_per_second,
            memoryBytes: d.memory_bytes,
            tdpWatts: d.tdp_watts,
            idleWatts: d.idle_watts,
            clockHz: d.clock_hz,
            interconnectBytesPerSecond: d.interconnect_bytes_per_second,
            hostLinkBytesPerSecond: d.host_link_bytes_per_second,
            source: notes,
            modelFiles: try stringArray(d.model_files, count: d.model_file_count, field: "\(field).model_files"))
        for (name, value) in [("peak_flops_fp32", d.peak_flops_fp32), ("memory_bandwidth_bytes_per_second", d.memory_bandwidth_bytes_per_second),
                              ("memory_bytes", d.memory_bytes), ("tdp_watts", d.tdp_watts)] where !(value > 0 && value.isFinite) {
            throw DescriptorError(field: "\(field).\(name)", problem: "must be a positive finite number, got \(value)")
        }
        for (name, value) in [("peak_flops_fp16", d.peak_flops_fp16), ("peak_flops_tensor", d.peak_flops_tensor),
                              ("idle_watts", d.idle_watts), ("clock_hz", d.clock_hz),
                              ("interconnect_bytes_per_second", d.interconnect_bytes_per_second),
                              ("host_link_bytes_per_second", d.host_link_bytes_per_second)] where !(value >= 0 && value.isFinite) {
            throw DescriptorError(field: "\(field).\(name)", problem: "must be 0 (unknown) or a positive finite number, got \(value)")
        }
    }

    /// Builds a descriptor that lives until the process exits (plugins are never unloaded).
    public func makeDescriptor() -> UnsafePointer<joule_hardware_profile> {
        let noteKeys = source.keys.sorted()
        let notes = noteKeys.map { joule_source_note(field: Permanent.cString($0), note: Permanent.cString(source[$0]!)) }
        let kindValue: Int32 = switch kind {
        case .gpu: JOULE_DEVICE_GPU
        case .cpu: JOULE_DEVICE_CPU
        case .accelerator: JOULE_DEVICE_ACCELERATOR
        }
        var d = joule_hardware_profile()
        d.struct_size = abiSize(of: joule_hardware_profile.self)
        d.device_kind = UInt32(kindValue)
        d.id = Permanent.cString(id)
        d.name = Permanent.cString(name)
        d.vendor = Permanent.cString(vendor)
        d.architecture = Permanent.cString(architecture)
        d.aliases = Permanent.array(aliases.map { Optional(Permanent.cString($0)) })
        d.alias_count = UInt32(aliases.count)
        d.source_note_count = UInt32(notes.count)
        d.peak_flops_fp32 = peakFlops.fp32
        d.peak_flops_fp16 = peakFlops.fp16
        d.peak_flops_tensor = peakFlops.tensor
        d.memory_bandwidth_bytes_per_second = memoryBandwidthBytesPerSecond
        d.memory_bytes = memoryBytes
        d.tdp_watts = tdpWatts
        d.idle_watts = idleWatts
        d.clock_hz = clockHz
        d.interconnect_bytes_per_second = interconnectBytesPerSecond
        d.host_link_bytes_per_second = hostLinkBytesPerSecond
        d.source_notes = Permanent.array(notes)
        d.model_files = Permanent.array(modelFiles.map { Optional(Permanent.cString($0)) })
        d.model_file_count = UInt32(modelFiles.count)
        return Permanent.value(d)
    }
}
