import PluginAPI

/// A hardware profile in the catalogue, with where it came from.
public struct ProfileEntry: @unchecked Sendable {
    /// Where a profile was defined.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        /// Built into a plugin library.
        case plugin(name: String)
        /// Read from a drop-in file by a plugin's loader.
        case file(path: String, loader: String)

        public var description: String {
            switch self {
            case .plugin(let name): "built into \(name)"
            case .file(let path, _): path
            }
        }
    }

    public let profile: HardwareProfile
    /// The plugin-owned descriptor, passed to cost models' `create`. Immutable until exit,
    /// which is why sharing it across threads is safe.
    public let descriptor: UnsafePointer<joule_hardware_profile>
    public let origin: Origin
    /// The entry this one replaced (a drop-in file overriding a built-in id), if any.
    public var overrides: Origin?

    public var id: String { profile.id }

    public init(profile: HardwareProfile, descriptor: UnsafePointer<joule_hardware_profile>, origin: Origin) {
        self.profile = profile
        self.descriptor = descriptor
        self.origin = origin
    }

    /// An entry for a profile made in the host's own process (tests, tools); its
    /// descriptor lives until exit.
    public init(profile: HardwareProfile, origin: Origin) {
        self.init(profile: profile, descriptor: profile.makeDescriptor(), origin: origin)
    }
}

/// A cost model in the catalogue, with the plugin that provides it.
public struct CostModelEntry: Sendable {
    public let pluginName: String
    public let provider: any CostModelProvider

    public var id: String { provider.id }
    /// `plugin/id`: unique even when two plugins use the same model id.
    public var qualifiedID: String { "\(pluginName)/\(provider.id)" }

    public init(pluginName: String, provider: any CostModelProvider) {
        self.pluginName = pluginName
        self.provider = provider
    }

    /// Binds the model to a device, after checking option keys against what it accepts.
    ///
    /// - Throws: `CostModelError.unknownOption` or `.createFailed`.
    public func bind(to profile: ProfileEntry, options: [String: String] = [:]) throws(CostModelError) -> BoundCostModel {
        let known = provider.options.map(\.key)
        for key in options.keys.sorted() where !known.contains(key) {
            throw .unknownOption(model: qualifiedID, key: key, known: known)
        }
        do {
            let instance = try provider.makeInstance(profile: profile, options: options)
            return BoundCostModel(entry: self, profile: profile, instance: instance)
        } catch {
            throw .createFailed(model: qualifiedID, profile: profile.id, status: error.status, message: error.message)
        }
    }
}

/// A cost model bound to one device: the host's only way to ask for numbers.
///
/// It checks every answer (no NaN, no infinity, no negative time, power, energy or work
/// count) and names the plugin, model and layer when one is wrong. Not thread-safe: bind
/// one per thread.
public final class BoundCostModel {
    public let entry: CostModelEntry
    public let profile: ProfileEntry
    private let instance: any CostModelInstance

    init(entry: CostModelEntry, profile: ProfileEntry, instance: any CostModelInstance) {
        self.entry = entry
        self.profile = profile
        self.instance = instance
    }

    /// What the instance costs with, as the model describes it: one JSON object's text
    /// (model files and their fits, by convention), or nil when the model says nothing.
    public var instanceDescription: String? { instance.instanceDescription }

    /// How well the model covers `layer`; a declined layer carries the model's reason.
    ///
    /// - Throws: `CostModelError.estimateFailed` when the model could not answer at all (an
    ///   isolated plugin that crashed or hung).
    public func support(for layer: LayerDescriptor) throws(CostModelError) -> LayerSupport {
        do {
            return try instance.support(for: layer)
        } catch {
            throw .estimateFailed(model: entry.qualifiedID, layer: layer.name, direction: layer.direction,
                                  status: error.status, message: error.message)
        }
    }

    /// The checked estimate for one layer in one direction.
    public func estimate(_ layer: LayerDescriptor) throws(CostModelError) -> Estimate {
        let estimate: Estimate
        do {
            estimate = try instance.estimate(layer)
        } catch {
            throw .estimateFailed(model: entry.qualifiedID, layer: layer.name, direction: layer.direction,
                                  status: error.status, message: error.message)
        }
        try check(estimate, layer: describe(layer))
        return estimate
    }

    /// The checked whole-network terms; empty when the model has none.
    public func estimateNetwork(_ network: NetworkDescriptor) throws(CostModelError) -> [NetworkTerm] {
        try estimateNetwork(PreparedNetwork(network))
    }

    /// `estimateNetwork` for a network already lent to C (the fast path for repeated calls).
    public func estimateNetwork(_ network: PreparedNetwork) throws(CostModelError) -> [NetworkTerm] {
        guard entry.provider.hasNetworkTerms else { return [] }
        let terms: [NetworkTerm]
        do {
            terms = try instance.estimateNetwork(network)
        } catch {
            throw .estimateFailed(model: entry.qualifiedID, layer: "(network \(network.descriptor.name))", direction: nil,
                                  status: error.status, message: error.message)
        }
        for term in terms {
            if let (field, value) = Self.firstInvalid(time: term.timeSeconds, power: term.powerWatts, energy: term.energyJoules,
                                                      compute: term.computeSeconds, memory: term.memorySeconds) {
                throw .invalidNumber(model: entry.qualifiedID, layer: "(network term \(term.name))", field: field, value: value)
            }
        }
        return terms
    }

    /// The first number that is NaN, infinite or negative, with its ABI field name (no
    /// arrays: this runs for every network term of every estimate).
    private static func firstInvalid(time: Double?, power: Double?, energy: Double?, compute: Double?, memory: Double?,
                                     flops: Double? = nil, memoryBytes: Double? = nil) -> (String, Double)? {
        func bad(_ value: Double?) -> Bool { value.map { !($0.isFinite && $0 >= 0) } ?? false }
        if bad(time) { return ("time_seconds", time!) }
        if bad(power) { return ("power_watts", power!) }
        if bad(energy) { return ("energy_joules", energy!) }
        if bad(compute) { return ("compute_seconds", compute!) }
        if bad(memory) { return ("memory_seconds", memory!) }
        // The work a model says it charged for replaces the host's FLOP count in the totals.
        if bad(flops) { return ("flops", flops!) }
        if bad(memoryBytes) { return ("memory_bytes", memoryBytes!) }
        return nil
    }

    /// Estimates every layer of `batch` in one call where the model allows, and checks
    /// each answer; read them with `batch.result(_:)`.
    public func estimate(_ batch: LayerBatch) throws(CostModelError) {
        try estimateUnchecked(batch)
        try check(batch)
    }

    /// The model's call alone, before `check(_:)`.
    private func estimateUnchecked(_ batch: LayerBatch) throws(CostModelError) {
        do {
            try instance.estimate(batch)
        } catch {
            guard let index = error.index else {
                throw .estimateFailed(model: entry.qualifiedID, layer: Self.describeBatch(batch), direction: nil,
                                      status: error.failure.status, message: error.failure.message)
            }
            let layer = batch.layers[index]
            throw .estimateFailed(model: entry.qualifiedID, layer: layer.name, direction: layer.direction,
                                  status: error.failure.status, message: error.failure.message)
        }
    }

    /// A batch named by its size and first layers, for a failure no single layer explains.
    private static func describeBatch(_ batch: LayerBatch) -> String {
        let names = batch.layers.prefix(3).map { "\($0.name) (\($0.direction.name))" }
        return "(one call for \(batch.count) layer-passes: \(names.joined(separator: ", "))\(batch.count > 3 ? ", …" : ""))"
    }

    /// Checks every result of the last call on `batch`, naming the first bad one.
    private func check(_ batch: LayerBatch) throws(CostModelError) {
        let results = batch.buffer.results
        // This runs for every layer-pass. A first, branch-free sweep over every number field:
        // if none is negative and their total is finite, each is finite and not negative.
        // Only when that fails (or a result sets no number) does the exact check below run,
        // which also forgives a bad value in a field the model did not flag.
        var lowest = 0.0, total = 0.0
        var missing = false
        var flagsSeen: UInt32 = 0
        for i in 0..<batch.count {
            let r = results + i
            flagsSeen |= r.pointee.flags
            missing = missing || r.pointee.flags & (JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_POWER | JOULE_ESTIMATE_ENERGY) == 0
            lowest = min(lowest, min(min(r.pointee.time_seconds, r.pointee.power_watts),
                                     min(r.pointee.energy_joules, min(r.pointee.compute_seconds, r.pointee.memory_seconds)),
                                     min(r.pointee.flops, r.pointee.memory_bytes)))
            total += r.pointee.time_seconds + r.pointee.power_watts + r.pointee.energy_joules
                + r.pointee.compute_seconds + r.pointee.memory_seconds + r.pointee.flops + r.pointee.memory_bytes
        }
        batch.buffer.mayHoldDetail = flagsSeen & JOULE_ESTIMATE_DETAIL != 0
        guard missing || !(lowest >= 0) || !total.isFinite else { return }
        for i in 0..<batch.count {
            try check(Estimate(results + i), layer: describe(batch.layers[i]))
        }
    }

    private func describe(_ layer: LayerDescriptor) -> String { "\(layer.name) (\(layer.direction.name))" }

    private func check(_ estimate: Estimate, layer: String) throws(CostModelError) {
        if let (field, value) = Self.firstInvalid(time: estimate.timeSeconds, power: estimate.powerWatts,
                                                  energy: estimate.energyJoules, compute: estimate.computeSeconds,
                                                  memory: estimate.memorySeconds, flops: estimate.flops,
                                                  memoryBytes: estimate.memoryBytes) {
            throw .invalidNumber(model: entry.qualifiedID, layer: layer, field: field, value: value)
        }
        if estimate.timeSeconds == nil && estimate.powerWatts == nil && estimate.energyJoules == nil {
            throw .noNumbers(model: entry.qualifiedID, layer: layer)
        }
    }
}

/// Why a cost model could not give a usable number.
public enum CostModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownOption(model: String, key: String, known: [String])
    case createFailed(model: String, profile: String, status: Int32, message: String)
    case estimateFailed(model: String, layer: String, direction: PassDirection?, status: Int32, message: String)
    case invalidNumber(model: String, layer: String, field: String, value: Double)
    case noNumbers(model: String, layer: String)

    public var description: String {
        switch self {
        case .unknownOption(let model, let key, let known):
            let list = known.isEmpty ? "it takes no options" : "it takes \(known.joined(separator: ", "))"
            return "cost model \(model): unknown option '\(key)'; \(list)"
        case .createFailed(let model, let profile, let status, let message):
            return "cost model \(model): cannot be used on \(profile): \(message.isEmpty ? statusName(status) : message)"
        case .estimateFailed(let model, let layer, let direction, let status, let message):
            let pass = direction.map { " (\($0.name))" } ?? ""
            return "cost model \(model), layer \(layer)\(pass): \(message.isEmpty ? statusName(status) : message)"
        case .invalidNumber(let model, let layer, let field, let value):
            return "cost model \(model), layer \(layer): returned \(field) = \(value); costs must be finite and not negative"
        case .noNumbers(let model, let layer):
            return "cost model \(model), layer \(layer): returned no time, power or energy"
        }
    }
}
