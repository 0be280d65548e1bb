import JouleJSON
import PluginAPI

extension HardwareProfile {
    /// The numeric fields of a profile file: key path in the file, the quantity, and whether
    /// the field is required (required numbers must be positive; optional ones may be 0).
    static let numericFields: [(key: String, quantity: PhysicalQuantity, required: Bool)] = [
        ("peak_flops.fp32", .flopRate, true),
        ("peak_flops.fp16", .flopRate, false),
        ("peak_flops.tensor", .flopRate, false),
        ("memory_bandwidth_bytes_per_second", .bandwidth, true),
        ("memory_bytes", .bytes, true),
        ("tdp_watts", .power, true),
        ("idle_watts", .power, false),
        ("clock_hz", .frequency, false),
        ("interconnect_bytes_per_second", .bandwidth, false),
        ("host_link_bytes_per_second", .bandwidth, false),
    ]

    /// The profile as JSON: one entry of `joule gpus --format json`, and a valid drop-in file.
    public var json: JSON {
        .object([
            ("id", .string(id)),
            ("name", .string(name)),
            ("vendor", .string(vendor)),
            ("architecture", .string(architecture)),
            ("kind", .string(kind.rawValue)),
            ("aliases", .array(aliases.map(JSON.string))),
            ("peak_flops", .object([
                ("fp32", .number(peakFlops.fp32)),
                ("fp16", .number(peakFlops.fp16)),
                ("tensor", .number(peakFlops.tensor)),
            ])),
            ("memory_bandwidth_bytes_per_second", .number(memoryBandwidthBytesPerSecond)),
            ("memory_bytes", .number(memoryBytes)),
            ("tdp_watts", .number(tdpWatts)),
            ("idle_watts", .number(idleWatts)),
            ("clock_hz", .number(clockHz)),
            ("interconnect_bytes_per_second", .number(interconnectBytesPerSecond)),
            ("host_link_bytes_per_second", .number(hostLinkBytesPerSecond)),
            ("source", .object(HardwareProfile.orderedSourceKeys(source).map { ($0, .string(source[$0]!)) })),
            ("model_files", .array(modelFiles.map(JSON.string))),
        ])
    }

    /// Source keys in schema order: summary first, then the numeric fields, then any others.
    static func orderedSourceKeys(_ source: [String: String]) -> [String] {
        let schema = ["summary"] + numericFields.map(\.key)
        return schema.filter { source[$0] != nil } + source.keys.filter { !schema.contains($0) }.sorted()
    }

    /// Reads a profile from a parsed profile file, collecting every problem.
    ///
    /// - Throws: `JSONValidationError` listing each missing, mistyped, non-positive or
    ///   unknown-unit field, and unknown keys.
    public static func decode(from root: JSONNode) throws(JSONValidationError) -> HardwareProfile {
        let problems = JSONProblems()
        let reader = JSONObjectReader(root, path: "", problems: problems)
        // Not an object: that is the one problem; the cross-field checks below would only
        // repeat it as an empty name and id.
        try problems.throwIfAny()
        let id = reader.string("id")
        let name = reader.string("name")
        let vendor = reader.string("vendor", required: false, nonEmpty: false) ?? ""
        let architecture = reader.string("architecture", required: false, nonEmpty: false) ?? ""
        let kindName = reader.choice("kind", from: DeviceKind.allCases.map(\.rawValue), required: false)
        let aliases = reader.stringArray("aliases", required: false) ?? []
        let modelFiles = reader.stringArray("model_files", required: false) ?? []

        var values: [String: Double] = [:]
        let peak = reader.object("peak_flops")
        for field in numericFields {
            let parts = field.key.split(separator: ".").map(String.init)
            let owner = parts.count == 2 ? peak : reader
            guard let owner else { continue }
            let key = parts.last!
            guard let node = owner.member(key, required: field.required) else { continue }
            values[field.key] = quantity(node, path: field.key, field.quantity, positive: field.required, problems: problems)
        }
        peak?.rejectUnknownKeys()

        var source: [String: String] = [:]
        if let notes = reader.object("source", required: false) {
            for key in notes.keys {
                if let note = notes.string(key, nonEmpty: true) { source[key] = note }
            }
        }
        reader.rejectUnknownKeys()

        let record = HardwareProfile(
            id: id ?? "", name: name ?? "", vendor: vendor, architecture: architecture,
            kind: kindName.flatMap(DeviceKind.init(rawValue:)) ?? .gpu, aliases: aliases,
            peakFlops: .init(fp32: values["peak_flops.fp32"] ?? 0, fp16: values["peak_flops.fp16"] ?? 0,
                             tensor: values["peak_flops.tensor"] ?? 0),
            memoryBandwidthBytesPerSecond: values["memory_bandwidth_bytes_per_second"] ?? 0,
            memoryBytes: values["memory_bytes"] ?? 0, tdpWatts: values["tdp_watts"] ?? 0,
            idleWatts: values["idle_watts"] ?? 0, clockHz: values["clock_hz"] ?? 0,
            interconnectBytesPerSecond: values["interconnect_bytes_per_second"] ?? 0,
            hostLinkBytesPerSecond: values["host_link_bytes_per_second"] ?? 0,
            source: source, modelFiles: modelFiles)
        // Cross-field checks run even when other fields are wrong, so one pass reports all;
        // a field already reported (missing, mistyped) is not reported twice.
        let reported = Set(problems.items.map(\.field))
        for problem in record.consistencyProblems() where !reported.contains(problem.field) {
            // An absent or unreadable number reads as 0 in `record`: already reported, or optional.
            let isNumeric = numericFields.contains { $0.key == problem.field }
            if isNumeric && values[problem.field] == nil { continue }
            problems.add(problem.field, at: node(at: problem.field, in: root)?.position ?? root.position, problem.message)
        }
        try problems.throwIfAny()
        return record
    }

    /// Reads one number that may be bare (SI) or a string with a unit.
    private static func quantity(
        _ node: JSONNode, path: String, _ quantity: PhysicalQuantity, positive: Bool, problems: JSONProblems
    ) -> Double? {
        let value: Double
        switch node.value {
        case .string(let text):
            switch quantity.parse(text) {
            case .success(let parsed): value = parsed
            case .failure(let error):
                problems.add(path, at: node.position, error.message)
                return nil
            }
        default:
            guard let number = JSONObjectReader.number(node, path: path, problems: problems) else { return nil }
            value = number
        }
        guard value.isFinite else {
            problems.add(path, at: node.position, "is out of range (it overflows to infinity)")
            return nil
        }
        if positive && !(value > 0) {
            problems.add(path, at: node.position, "must be positive, got \(JSONNumber.format(value))")
            return nil
        }
        if value < 0 {
            problems.add(path, at: node.position, "must not be negative, got \(JSONNumber.format(value)) (write 0 for unknown)")
            return nil
        }
        return value
    }

    /// The node at a dotted field path (`peak_flops.fp32`), for pointing at its line.
    private static func node(at path: String, in root: JSONNode) -> JSONNode? {
        var current: JSONNode? = root
        for part in path.split(separator: ".") { current = current?[String(part)] }
        return current
    }

    /// Checks that hold between fields, and on identifiers; each problem names its field.
    ///
    /// Used for drop-in files after decoding and for the built-in table in tests.
    public func consistencyProblems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if name.allSatisfy(\.isWhitespace) { problems.append(("name", "must not be empty")) }
        for (key, note) in source where note.allSatisfy(\.isWhitespace) {
            problems.append(("source", "the note for '\(key)' must not be empty"))
        }
        if modelFiles.contains(where: \.isEmpty) { problems.append(("model_files", "must not contain an empty path")) }
        if !HardwareProfile.isValidIdentifier(id) {
            problems.append(("id", "\"\(id)\" must be letters, digits, '_', '-' or '.'"))
        }
        for alias in aliases where !HardwareProfile.isValidIdentifier(alias) {
            problems.append(("aliases", "\"\(alias)\" must be letters, digits, '_', '-' or '.'"))
        }
        for (key, value) in [("peak_flops.fp32", peakFlops.fp32), ("memory_bandwidth_bytes_per_second", memoryBandwidthBytesPerSecond),
                             ("memory_bytes", memoryBytes), ("tdp_watts", tdpWatts)] where !(value > 0 && value.isFinite) {
            problems.append((key, "must be positive, got \(JSONNumber.format(value))"))
        }
        for (key, value) in [("peak_flops.fp16", peakFlops.fp16), ("peak_flops.tensor", peakFlops.tensor), ("idle_watts", idleWatts),
                             ("clock_hz", clockHz), ("interconnect_bytes_per_second", interconnectBytesPerSecond),
                             ("host_link_bytes_per_second", hostLinkBytesPerSecond)] where !(value >= 0 && value.isFinite) {
            problems.append((key, "must be 0 (unknown) or positive, got \(JSONNumber.format(value))"))
        }
        if idleWatts > 0, tdpWatts > 0, idleWatts >= tdpWatts {
            problems.append(("idle_watts", "idle power \(JSONNumber.format(idleWatts)) W is not below the TDP \(JSONNumber.format(tdpWatts)) W"))
        }
        return problems
    }

    /// Letters, digits, `_`, `-` and `.`; not empty.
    public static func isValidIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E
        }
    }
}

extension HardwareProfile {
    /// The numbers a cost model reads from this profile, as one canonical line:
    /// `key=value` pairs in ``numericFields`` order, joined by `;`, each value as Swift
    /// prints a `Double` (shortest text that reads back to the same number).
    public var canonicalNumbers: String {
        let values: [Double] = [peakFlops.fp32, peakFlops.fp16, peakFlops.tensor, memoryBandwidthBytesPerSecond, memoryBytes,
                                tdpWatts, idleWatts, clockHz, interconnectBytesPerSecond, hostLinkBytesPerSecond]
        return zip(Self.numericFields.map(\.key), values).map { "\($0)=\($1)" }.joined(separator: ";")
    }

    /// A fingerprint of ``canonicalNumbers``: 64-bit FNV-1a, as `fnv1a64:` and 16 hex digits.
    ///
    /// Outputs record it so that two results can be told to come from the same numbers even
    /// when a drop-in file reuses an id; it is an identity check, not a security measure.
    public var numbersHash: String {
        Fingerprint.fnv1a64(canonicalNumbers.utf8)
    }
}
