import Network
import PluginAPI
import Registry

/// A network prepared for estimation: every layer in every pass described once, so that
/// estimating it (again, with other models) costs only the models' own work.
///
///     let plan = EstimationPlan(network: network, isTraining: true)
///     let bound = try plan.bind(model)            // checks which layers the model covers
///     let estimate = try bound.estimate()          // fast; repeatable
public final class EstimationPlan: Sendable {
    public let network: Network
    public let isTraining: Bool
    /// The passes asked of every layer: forward, and for training both gradients and the
    /// weight update (asked only of models that give no network-level update term).
    public let passes: [PassDirection]
    let descriptors: [LayerDescriptor]
    /// Whether each (layer, pass) is asked of the model at all. The data layer only stands
    /// for the input and does no work; a layer without weights has no weight gradient. Those
    /// passes cost nothing by definition and are not asked.
    let asked: [Bool]
    let networkDescriptor: NetworkDescriptor

    public init(network: Network, isTraining: Bool) {
        self.network = network
        self.isTraining = isTraining
        passes = isTraining ? [.forward, .backwardData, .backwardFilter, .weightUpdate] : [.forward]
        var descriptors: [LayerDescriptor] = []
        descriptors.reserveCapacity(network.layers.count * passes.count)
        var asked: [Bool] = []
        for index in network.layers.indices {
            for pass in passes {
                let descriptor = LayerDescriptor(layer: index, of: network, pass: pass)
                if descriptor.operation == .input {
                    asked.append(false)
                } else if pass == .backwardFilter || pass == .weightUpdate {
                    asked.append(descriptor.params > 0)
                } else {
                    asked.append(true)
                }
                descriptors.append(descriptor)
            }
        }
        self.descriptors = descriptors
        self.asked = asked
        // Network terms see every layer as in its forward pass: those descriptors exist already.
        let passCount = passes.count
        networkDescriptor = NetworkDescriptor(
            name: network.name, isTraining: isTraining, batch: network.batch,
            layers: network.layers.indices.map { descriptors[$0 * passCount] },
            params: network.params, weightBytes: 4 * Double(network.params), parents: network.layers.map(\.parents))
    }

    /// What to do with a layer the model declines.
    public enum CoveragePolicy {
        /// Stop with an error naming the layer and the model's reason.
        case fail
        /// Count the layer as zero time, with a warning.
        case zero
        /// Cost the layer with another model.
        case fallback(BoundCostModel)
    }

    /// Binds the plan to a cost model: asks the model which layers it covers and applies
    /// `policy` to the rest.
    ///
    /// - Throws: `EstimationError.unsupportedLayer` under `.fail`.
    public func bind(_ model: BoundCostModel, policy: CoveragePolicy = .fail) throws(EstimationError) -> BoundEstimationPlan {
        try BoundEstimationPlan(plan: self, model: model, policy: policy)
    }
}

/// Why an estimate could not be made.
public enum EstimationError: Error, Sendable, CustomStringConvertible {
    case unsupportedLayer(model: String, layer: String, reason: String)
    case model(CostModelError)
    case pipelineNeedsBreakdown(model: String)

    public var description: String {
        switch self {
        case .unsupportedLayer(let model, let layer, let reason):
            return "cost model \(model) cannot cost layer \(layer): \(reason) "
                + "(--on-unsupported zero counts such layers as zero, --on-unsupported fallback --fallback-model ID costs them with another model)"
        case .model(let error):
            return error.description
        case .pipelineNeedsBreakdown(let model):
            return "cost model \(model) does not split time into compute and memory, so --pipeline cannot overlap them"
        }
    }
}

/// What stays the same across estimates of one bound plan: layer names and shapes, the
/// host's counts, who costs each layer and where its results land.
// Immutable after init; its buffers are written once there and only read afterwards.
final class LayerTable: @unchecked Sendable {
    let network: Network
    let passCount: Int
    let isTraining: Bool
    /// Host FLOPs and bytes of each (layer, pass), in plan order.
    let hostFlops: [Double]
    let hostBytes: [Double]
    /// Where each (layer, pass) result lands: batch 0 (primary) or 1 (fallback) and the
    /// position in it; nil when nobody costs the layer.
    let slots: [Slot?]
    /// Who costs each layer.
    let costedBy: [String?]
    let profile: HardwareProfile
    let staticWarnings: [String]
    let declined: [(layer: String, reason: String)]
    /// The network's parameters (counted once: `Network.params` walks every layer).
    let params: Int64
    /// Whether each layer is costed by some model (`costedBy` without the strings).
    let costed: UnsafeMutablePointer<Bool>
    /// The same per-pass facts packed for the hot loop: host counts and where the result
    /// lands (`result` ≥ 0 in the primary batch, −1 nowhere, ≤ −2 at −(result + 2) in the
    /// fallback batch), for the passes that matter (asked, or holding work the model was not
    /// asked about); layer `l`'s are `entries[entryStart[l] ..< entryStart[l + 1]]`. Owned by
    /// the table.
    let entries: UnsafeMutablePointer<PassEntry>
    let entryStart: UnsafeMutablePointer<Int>

    struct PassEntry {
        var hostFlops: Double
        var hostBytes: Double
        var result: Int
        /// 0 forward, 1 backward-data, 2 backward-filter, 3 weight update.
        var pass: Int
    }
    /// How derived power is computed, for output (formatted once).
    let derivedPowerMethod: String

    struct Slot {
        var batch: Int
        var position: Int
    }

    deinit {
        costed.deallocate()
        entries.deallocate()
        entryStart.deallocate()
    }

    init(network: Network, passCount: Int, isTraining: Bool, hostFlops: [Double], hostBytes: [Double], slots: [Slot?],
         costedBy: [String?], profile: HardwareProfile, staticWarnings: [String], declined: [(String, String)]) {
        self.network = network
        self.passCount = passCount
        self.isTraining = isTraining
        self.hostFlops = hostFlops
        self.hostBytes = hostBytes
        self.slots = slots
        self.costedBy = costedBy
        self.profile = profile
        self.staticWarnings = staticWarnings
        self.declined = declined
        params = network.params
        costed = .allocate(capacity: max(costedBy.count, 1))
        for (i, who) in costedBy.enumerated() { costed[i] = who != nil }
        entries = .allocate(capacity: max(slots.count, 1))
        entryStart = .allocate(capacity: network.layers.count + 1)
        var next = 0
        for layer in network.layers.indices {
            entryStart[layer] = next
            for pass in 0..<passCount {
                let i = layer * passCount + pass
                let result = slots[i].map { $0.batch == 0 ? $0.position : -($0.position + 2) } ?? -1
                guard result != -1 || (pass < 3 && (hostFlops[i] > 0 || hostBytes[i] > 0)) else { continue }
                entries[next] = PassEntry(hostFlops: hostFlops[i], hostBytes: hostBytes[i], result: result, pass: pass)
                next += 1
            }
        }
        entryStart[network.layers.count] = next
        derivedPowerMethod = DerivedPower.method(profile)
    }
}

/// A plan bound to a cost model (and possibly a fallback): call `estimate()` as often as
/// needed. Not thread-safe (it reuses its buffers): bind one per thread.
public final class BoundEstimationPlan {
    public let plan: EstimationPlan
    public let model: BoundCostModel
    private let fallback: BoundCostModel?
    private let primaryBatch: LayerBatch
    private let fallbackBatch: LayerBatch?
    private let prepared: PreparedNetwork
    private let table: LayerTable

    init(plan: EstimationPlan, model: BoundCostModel, policy: EstimationPlan.CoveragePolicy) throws(EstimationError) {
        self.plan = plan
        self.model = model
        var assignment: [Int?] = []
        var declined: [(String, String)] = []
        var fallbackModel: BoundCostModel?
        if case .fallback(let other) = policy { fallbackModel = other }
        let passCount = plan.passes.count
        for index in plan.network.layers.indices {
            let forward = plan.descriptors[index * passCount]
            // The data layer is asked nothing (see `EstimationPlan.asked`).
            if forward.operation == .input {
                assignment.append(0)
                continue
            }
            switch try Self.support(of: forward, by: model) {
            case .supported:
                assignment.append(0)
            case .declined(let reason):
                switch policy {
                case .fail:
                    throw .unsupportedLayer(model: model.entry.qualifiedID, layer: forward.name, reason: reason)
                case .zero:
                    assignment.append(nil)
                    declined.append((forward.name, reason))
                case .fallback(let other):
                    if case .declined(let otherReason) = try Self.support(of: forward, by: other) {
                        throw .unsupportedLayer(model: "\(model.entry.qualifiedID) (and fallback \(other.entry.qualifiedID))",
                                                layer: forward.name, reason: "\(reason); \(otherReason)")
                    }
                    assignment.append(1)
                    declined.append((forward.name, reason))
                }
            }
        }
        // The weight update: from the model's network terms when it gives one (Paleo's is a
        // single term over all parameters), else asked layer by layer. One call tells.
        let prepared = PreparedNetwork(plan.networkDescriptor)
        var updatePerLayer = false
        if plan.isTraining {
            let terms = (try? model.estimateNetwork(prepared)) ?? []
            updatePerLayer = !terms.contains { $0.kind == .additive && $0.phase == .update }
        }
        self.prepared = prepared
        var primary: [LayerDescriptor] = [], secondary: [LayerDescriptor] = []
        var slots = [LayerTable.Slot?](repeating: nil, count: plan.descriptors.count)
        // Batches go pass by pass (every forward, then every backward-data, …): a model's
        // branches on the direction then predict well, which is measurable at ~30 ns a layer-pass.
        // Within a pass, layers of one operation go together for the same reason.
        let operations = plan.network.layers.indices.map { plan.descriptors[$0 * passCount].operation.rawValue }
        let byOperation = plan.network.layers.indices.sorted { (operations[$0], $0) < (operations[$1], $1) }
        for pass in 0..<passCount {
            for layer in byOperation {
                let i = layer * passCount + pass
                let asked = plan.asked[i] && (plan.passes[pass] != .weightUpdate || updatePerLayer)
                switch asked ? assignment[layer] : nil {
                case 0?:
                    slots[i] = .init(batch: 0, position: primary.count)
                    primary.append(plan.descriptors[i])
                case 1?:
                    slots[i] = .init(batch: 1, position: secondary.count)
                    secondary.append(plan.descriptors[i])
                default:
                    break
                }
            }
        }
        fallback = fallbackModel
        primaryBatch = LayerBatch(primary)
        fallbackBatch = secondary.isEmpty ? nil : LayerBatch(secondary)

        var warnings: [String] = []
        let network = plan.network
        let dead = network.deadLayers
        if !dead.isEmpty {
            warnings.append("\(dead.count) layer\(dead.count == 1 ? "" : "s") feed no output (dead branches: "
                            + dead.prefix(5).map { network.layers[$0].name }.joined(separator: ", ") + (dead.count > 5 ? ", …" : "")
                            + "); they are costed, as eager frameworks run them; --prune-dead drops them as graph compilers do")
        }
        for (layer, reason) in declined {
            warnings.append("cost model \(model.entry.qualifiedID) declined layer \(layer) (\(reason)); "
                            + (fallbackModel.map { "costed by \($0.entry.qualifiedID)" } ?? "counted as zero"))
        }
        let modelID = model.entry.qualifiedID
        let fallbackID = fallbackModel?.entry.qualifiedID
        table = LayerTable(
            network: network, passCount: passCount, isTraining: plan.isTraining,
            hostFlops: plan.descriptors.map(\.flops),
            hostBytes: plan.descriptors.map { $0.inputBytes + $0.outputBytes + $0.weightBytes },
            slots: slots, costedBy: assignment.map { $0.map { $0 == 0 ? modelID : fallbackID! } },
            profile: model.profile.profile, staticWarnings: warnings, declined: declined)
    }

    /// `model.support(for:)`, with a model that could not answer (an isolated plugin that
    /// crashed) reported as the estimate's failure.
    private static func support(of layer: LayerDescriptor, by model: BoundCostModel) throws(EstimationError) -> LayerSupport {
        do {
            return try model.support(for: layer)
        } catch {
            throw .model(error)
        }
    }

    /// How many layer-passes each estimate asks of the models.
    public var passCount: Int { primaryBatch.count + (fallbackBatch?.count ?? 0) }

    /// Estimates the network.
    ///
    /// - Parameter pipeline: overlap compute and memory within each layer's pass (Paleo's
    ///   `--use_pipeline`): a pass costs max(compute, memory) instead of their sum.
    /// - Throws: `EstimationError` naming the model and layer when a model fails or returns
    ///   an invalid number.
    public func estimate(pipeline: Bool = false) throws(EstimationError) -> NetworkEstimate {
        do {
            try model.estimate(primaryBatch)
            if let fallbackBatch, let fallback { try fallback.estimate(fallbackBatch) }
        } catch {
            throw .model(error)
        }
        let terms: [NetworkTerm]
        do {
            terms = try model.estimateNetwork(prepared)
        } catch {
            throw .model(error)
        }
        return try assemble(terms: terms, pipeline: pipeline)
    }

    /// Sums the results into totals without building per-layer values (those are made on
    /// demand by `NetworkEstimate.layers`): this loop is what repeated estimates pay for.
    private func assemble(terms: [NetworkTerm], pipeline: Bool) throws(EstimationError) -> NetworkEstimate {
        let primary = primaryBatch.buffer
        let secondary = fallbackBatch?.buffer
        let passCount = table.passCount
        let profile = table.profile
        var forwardSeconds = 0.0, backwardSeconds = 0.0, forwardFlops = 0.0, backwardFlops = 0.0
        var energy = 0.0
        var everyPassHasPower = true
        var coveredFlops = 0.0, totalFlops = 0.0, coveredBytes = 0.0, totalBytes = 0.0
        var zeroTime: [Int] = []
        var zeroTimeFlops = 0.0
        var details = false
        var missingBreakdown = false
        var layerUpdateSeconds = 0.0

        let power = DerivedPower(profile)
        let table = self.table
        let layerCount = table.network.layers.count
        // This loop runs for every estimate: raw flag bits, fields read in place, no
        // reference counting.
        let entries = table.entries, entryStart = table.entryStart, costed = table.costed
        let primaryResults = primary.results
        let secondaryResults = secondary?.results
        for layer in 0..<layerCount {
            var passCompute = 0.0, passMemory = 0.0, layerSeconds = 0.0, layerFlops = 0.0, layerBytes = 0.0
            var backwardCompute = 0.0, backwardMemory = 0.0
            for index in entryStart[layer]..<entryStart[layer &+ 1] {
                let entry = entries[index]
                let pass = entry.pass
                layerFlops += entry.hostFlops
                layerBytes += entry.hostBytes
                guard entry.result != -1 else {
                    if pass == 0 { forwardFlops += entry.hostFlops } else if pass < 3 { backwardFlops += entry.hostFlops }
                    continue
                }
                let r = entry.result >= 0 ? primaryResults + entry.result : secondaryResults! + (-entry.result - 2)
                let flags = r.pointee.flags
                let seconds = flags & JOULE_ESTIMATE_TIME != 0 ? r.pointee.time_seconds : 0
                let flops = flags & JOULE_ESTIMATE_COUNTS != 0 ? r.pointee.flops : entry.hostFlops
                if flags & JOULE_ESTIMATE_DETAIL != 0 { details = true }
                if pass == 3 {
                    // A layer's weight update (models without a network-level update term).
                    if pipeline, flags & JOULE_ESTIMATE_BREAKDOWN != 0 {
                        layerUpdateSeconds += max(r.pointee.compute_seconds, r.pointee.memory_seconds)
                    } else {
                        layerUpdateSeconds += seconds
                    }
                } else if pipeline {
                    if flags & JOULE_ESTIMATE_TIME != 0 && flags & JOULE_ESTIMATE_BREAKDOWN == 0 { missingBreakdown = true }
                    if pass == 0 {
                        passCompute = r.pointee.compute_seconds
                        passMemory = r.pointee.memory_seconds
                    } else {
                        backwardCompute += r.pointee.compute_seconds
                        backwardMemory += r.pointee.memory_seconds
                    }
                } else if pass == 0 {
                    forwardSeconds += seconds
                } else {
                    backwardSeconds += seconds
                }
                if pass == 0 { forwardFlops += flops } else if pass < 3 { backwardFlops += flops }
                layerSeconds += seconds
                if flags & JOULE_ESTIMATE_ENERGY != 0 {
                    energy += r.pointee.energy_joules
                } else if flags & JOULE_ESTIMATE_POWER != 0 {
                    energy += r.pointee.power_watts * seconds
                } else {
                    everyPassHasPower = false
                    energy += power.joules(flops: entry.hostFlops, bytes: entry.hostBytes, seconds: seconds)
                }
            }
            if pipeline {
                forwardSeconds += max(passCompute, passMemory)
                backwardSeconds += max(backwardCompute, backwardMemory)
            }
            totalFlops += layerFlops
            totalBytes += layerBytes
            if costed[layer] {
                coveredFlops += layerFlops
                coveredBytes += layerBytes
                if layerSeconds == 0 && layerFlops > 0 {
                    zeroTime.append(layer)
                    zeroTimeFlops += layerFlops
                }
            }
        }
        if missingBreakdown { throw .pipelineNeedsBreakdown(model: model.entry.qualifiedID) }

        var updateSeconds = layerUpdateSeconds
        let updateFromLayers = layerUpdateSeconds > 0
        var communication: [(String, Double)] = []
        var reports: [NetworkTerm] = []
        for term in terms {
            let seconds: Double
            if pipeline, let c = term.computeSeconds, let m = term.memorySeconds {
                seconds = max(c, m)
            } else {
                seconds = term.timeSeconds ?? 0
            }
            switch (term.kind, term.phase) {
            case (.additive, .forward): forwardSeconds += seconds
            case (.additive, .backward): if table.isTraining { backwardSeconds += seconds }
            case (.additive, .update): if table.isTraining { updateSeconds += seconds }
            case (.alternative, .communication): if table.isTraining { communication.append((term.name, seconds)) }
            case (.additive, _), (.alternative, _), (.report, _): reports.append(term)
            }
        }
        if table.isTraining, updateSeconds > 0, !updateFromLayers {
            // The update reads weights and gradients and writes weights: 12 bytes and 2 FLOPs per parameter.
            let params = Double(table.params)
            energy += power.joules(flops: 2 * params, bytes: 12 * params, seconds: updateSeconds)
            everyPassHasPower = false
        }

        var warnings = table.staticWarnings
        let zeroShare = zeroTimeFlops / max(totalFlops, 1)
        if zeroShare >= 0.01 {
            let names = zeroTime.prefix(4).map { table.network.layers[$0].name }
            warnings.append("cost model \(model.entry.qualifiedID) assigns no time to \(zeroTime.count) layers holding "
                            + "\(Int((zeroShare * 100).rounded()))% of the FLOPs Joule counts (\(names.joined(separator: ", "))"
                            + (zeroTime.count > 4 ? ", …" : "") + ")")
        }
        if details {
            for layer in 0..<table.network.layers.count {
                for pass in 0..<passCount {
                    guard let slot = table.slots[layer * passCount + pass] else { continue }
                    let r = (slot.batch == 0 ? primary : secondary!).results[slot.position]
                    guard r.flags & JOULE_ESTIMATE_DETAIL != 0, r.detail != nil, r.detail.pointee != 0 else { continue }
                    let note = "layer \(table.network.layers[layer].name): \(String(cString: r.detail))"
                    if !warnings.contains(note) { warnings.append(note) }
                }
            }
        }

        let stepSeconds = table.isTraining ? forwardSeconds + backwardSeconds + updateSeconds : forwardSeconds
        let provenance: EnergyEstimate.Provenance = everyPassHasPower ? .predicted : .derived
        return NetworkEstimate(
            networkName: table.network.name, batch: table.network.batch, params: table.params,
            isTraining: table.isTraining, pipeline: pipeline, forwardSeconds: forwardSeconds,
            backwardSeconds: backwardSeconds, updateSeconds: updateSeconds, forwardFlops: forwardFlops,
            backwardFlops: backwardFlops, communication: communication, reports: reports,
            energy: EnergyEstimate(
                joules: energy, averageWatts: stepSeconds > 0 ? energy / stepSeconds : 0, provenance: provenance,
                method: provenance == .predicted ? "power predicted by \(model.entry.qualifiedID)" : table.derivedPowerMethod),
            coverage: Coverage(flopsShare: totalFlops > 0 ? coveredFlops / totalFlops : 1,
                               bytesShare: totalBytes > 0 ? coveredBytes / totalBytes : 1,
                               declined: table.declined, zeroTimeLayers: zeroTime.map { table.network.layers[$0].name }),
            warnings: warnings,
            results: LayerResults(table: table, primary: primary, fallback: secondary))
    }
}

/// The per-layer results of one estimate, kept raw and turned into `LayerEstimate`s only
/// when someone asks.
final class LayerResults: Sendable {
    let table: LayerTable
    let primary: EstimateBuffer
    let fallback: EstimateBuffer?

    init(table: LayerTable, primary: EstimateBuffer, fallback: EstimateBuffer?) {
        self.table = table
        self.primary = primary
        self.fallback = fallback
    }

    func estimate(_ index: Int) -> Estimate? {
        guard let slot = table.slots[index] else { return nil }
        return slot.batch == 0 ? primary.estimate(slot.position) : fallback?.estimate(slot.position)
    }

    func layers() -> [LayerEstimate] {
        let passCount = table.passCount
        let power = DerivedPower(table.profile)
        return table.network.layers.enumerated().map { layerIndex, layer in
            let base = layerIndex * passCount
            let results = (0..<passCount).map { estimate(base + $0) }
            let forward = results[0]
            let backwardData = table.isTraining ? results[1] : nil
            let backwardFilter = table.isTraining ? results[2] : nil
            // Every pass the layer was costed in, its own weight update included (asked of
            // models that have no network-level update term), so that the layers add up to
            // the total.
            var energy = 0.0
            for (pass, result) in results.enumerated() {
                guard let result, let seconds = result.timeSeconds else { continue }
                if let joules = result.energyJoules {
                    energy += joules
                } else if let watts = result.powerWatts {
                    energy += watts * seconds
                } else {
                    energy += power.joules(flops: table.hostFlops[base + pass], bytes: table.hostBytes[base + pass], seconds: seconds)
                }
            }
            return LayerEstimate(
                name: layer.name, typeName: layer.typeName, outputShape: layer.outputShape, params: layer.params,
                isDead: layer.isDead, costedBy: table.costedBy[layerIndex], forward: forward, backwardData: backwardData,
                backwardFilter: backwardFilter, hostForwardFlops: table.hostFlops[base],
                hostBackwardFlops: table.isTraining ? table.hostFlops[base + 1] + table.hostFlops[base + 2] : 0,
                energyJoules: energy)
        }
    }
}
