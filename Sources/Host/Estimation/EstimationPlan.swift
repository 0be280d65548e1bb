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
    /// The passes asked of every layer: forward, and for training both gradients.
    public let passes: [PassDirection]
    let descriptors: [LayerDescriptor]
    let networkDescriptor: NetworkDescriptor

    public init(network: Network, isTraining: Bool) {
        self.network = network
        self.isTraining = isTraining
        passes = isTraining ? [.forward, .backwardData, .backwardFilter] : [.forward]
        var descriptors: [LayerDescriptor] = []
        descriptors.reserveCapacity(network.layers.count * passes.count)
        for index in network.layers.indices {
            for pass in passes { descriptors.append(LayerDescriptor(layer: index, of: network, pass: pass)) }
        }
        self.descriptors = descriptors
        networkDescriptor = NetworkDescriptor(network: network, isTraining: isTraining)
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

/// A plan bound to a cost model (and possibly a fallback): call `estimate()` as often as
/// needed. Not thread-safe (it reuses its buffers): bind one per thread.
public final class BoundEstimationPlan {
    public let plan: EstimationPlan
    public let model: BoundCostModel
    private let fallback: BoundCostModel?
    /// For each layer: who costs it (0 = primary, 1 = fallback, nil = nobody).
    private let assignment: [Int?]
    private let primaryBatch: LayerBatch
    private let fallbackBatch: LayerBatch?
    /// For each descriptor index: (which batch, position in it).
    private let slots: [(batch: Int, position: Int)?]
    private let prepared: PreparedNetwork
    private let declined: [(layer: String, reason: String)]

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
            switch model.support(for: forward) {
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
                    if case .declined(let otherReason) = other.support(for: forward) {
                        throw .unsupportedLayer(model: "\(model.entry.qualifiedID) (and fallback \(other.entry.qualifiedID))",
                                                layer: forward.name, reason: "\(reason); \(otherReason)")
                    }
                    assignment.append(1)
                    declined.append((forward.name, reason))
                }
            }
        }
        var primary: [LayerDescriptor] = [], secondary: [LayerDescriptor] = []
        var slots: [(Int, Int)?] = []
        for (i, descriptor) in plan.descriptors.enumerated() {
            switch assignment[i / passCount] {
            case 0?:
                slots.append((0, primary.count))
                primary.append(descriptor)
            case 1?:
                slots.append((1, secondary.count))
                secondary.append(descriptor)
            default:
                slots.append(nil)
            }
        }
        self.assignment = assignment
        self.slots = slots
        self.declined = declined
        self.fallback = fallbackModel
        primaryBatch = LayerBatch(primary)
        fallbackBatch = secondary.isEmpty ? nil : LayerBatch(secondary)
        prepared = PreparedNetwork(plan.networkDescriptor)
    }

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

    private func result(_ descriptorIndex: Int) -> Estimate? {
        guard let slot = slots[descriptorIndex] else { return nil }
        return slot.batch == 0 ? primaryBatch.result(slot.position) : fallbackBatch!.result(slot.position)
    }

    private func assemble(terms: [NetworkTerm], pipeline: Bool) throws(EstimationError) -> NetworkEstimate {
        let network = plan.network
        let passCount = plan.passes.count
        let profile = model.profile.profile
        var layers: [LayerEstimate] = []
        layers.reserveCapacity(network.layers.count)
        var forwardSeconds = 0.0, backwardSeconds = 0.0
        var forwardFlops = 0.0, backwardFlops = 0.0
        var energy = 0.0
        var everyLayerHasPower = true
        var coveredFlops = 0.0, totalFlops = 0.0, coveredBytes = 0.0, totalBytes = 0.0
        var zeroTime: [String] = []

        func passTime(_ estimates: [Estimate]) throws(EstimationError) -> Double {
            guard pipeline else { return estimates.reduce(0) { $0 + ($1.timeSeconds ?? 0) } }
            var compute = 0.0, memory = 0.0
            for e in estimates where e.timeSeconds != nil {
                guard let c = e.computeSeconds, let m = e.memorySeconds else {
                    throw .pipelineNeedsBreakdown(model: model.entry.qualifiedID)
                }
                compute += c
                memory += m
            }
            return max(compute, memory)
        }

        for (index, layer) in network.layers.enumerated() {
            let base = index * passCount
            let forward = result(base)
            let backwardData = plan.isTraining ? result(base + 1) : nil
            let backwardFilter = plan.isTraining ? result(base + 2) : nil
            let hostForward = plan.descriptors[base]
            let hostBackward = plan.isTraining ? [plan.descriptors[base + 1], plan.descriptors[base + 2]] : []
            var estimate = LayerEstimate(
                name: layer.name, typeName: layer.typeName, outputShape: layer.outputShape, params: layer.params,
                isDead: layer.isDead,
                costedBy: assignment[index].map { $0 == 0 ? model.entry.qualifiedID : fallback!.entry.qualifiedID },
                forward: forward, backwardData: backwardData, backwardFilter: backwardFilter,
                hostForwardFlops: hostForward.flops, hostBackwardFlops: hostBackward.reduce(0) { $0 + $1.flops })

            forwardSeconds += try passTime(forward.map { [$0] } ?? [])
            backwardSeconds += try passTime([backwardData, backwardFilter].compactMap { $0 })
            forwardFlops += forward?.flops ?? hostForward.flops
            backwardFlops += (backwardData?.flops ?? hostBackward.first?.flops ?? 0) + (backwardFilter?.flops ?? hostBackward.last?.flops ?? 0)

            let layerFlops = hostForward.flops + estimate.hostBackwardFlops
            let layerBytes = ([hostForward] + hostBackward).reduce(0.0) { $0 + $1.inputBytes + $1.outputBytes + $1.weightBytes }
            totalFlops += layerFlops
            totalBytes += layerBytes
            if estimate.costedBy != nil {
                coveredFlops += layerFlops
                coveredBytes += layerBytes
            }
            let pairs: [(Estimate?, LayerDescriptor)] = [(forward, hostForward)]
                + zip([backwardData, backwardFilter], hostBackward).map { ($0, $1) }
            var layerEnergy = 0.0, layerTime = 0.0
            for (estimated, host) in pairs {
                guard let estimated, let seconds = estimated.timeSeconds else { continue }
                layerTime += seconds
                if let joules = estimated.energyJoules {
                    layerEnergy += joules
                } else if let watts = estimated.powerWatts {
                    layerEnergy += watts * seconds
                } else {
                    everyLayerHasPower = false
                    layerEnergy += DerivedPower.watts(flops: host.flops, bytes: host.inputBytes + host.outputBytes + host.weightBytes,
                                                      seconds: seconds, profile: profile) * seconds
                }
            }
            if estimate.costedBy != nil, layerTime == 0, layerFlops > 0 { zeroTime.append(layer.name) }
            estimate.energyJoules = layerEnergy
            energy += layerEnergy
            layers.append(estimate)
        }

        var updateSeconds = 0.0
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
            case (.additive, .backward): if plan.isTraining { backwardSeconds += seconds }
            case (.additive, .update): if plan.isTraining { updateSeconds += seconds }
            case (.alternative, .communication): if plan.isTraining { communication.append((term.name, seconds)) }
            case (.additive, _), (.alternative, _), (.report, _): reports.append(term)
            }
        }
        if plan.isTraining, updateSeconds > 0 {
            // The update moves every parameter three times (read weights and gradients, write weights).
            let params = Double(network.params)
            let watts = DerivedPower.watts(flops: 2 * params, bytes: 12 * params, seconds: updateSeconds, profile: profile)
            energy += watts * updateSeconds
            everyLayerHasPower = false
        }

        var warnings: [String] = []
        let dead = network.deadLayers
        if !dead.isEmpty {
            warnings.append("\(dead.count) layer\(dead.count == 1 ? "" : "s") feed no output (dead branches: "
                            + dead.prefix(5).map { network.layers[$0].name }.joined(separator: ", ") + (dead.count > 5 ? ", …" : "")
                            + "); they are costed, as eager frameworks run them; --prune-dead drops them as graph compilers do")
        }
        for (layer, reason) in declined {
            warnings.append("cost model \(model.entry.qualifiedID) declined layer \(layer) (\(reason)); "
                            + (fallback.map { "costed by \($0.entry.qualifiedID)" } ?? "counted as zero"))
        }
        let zeroShare = zeroTime.reduce(0.0) { total, name in
            let layer = layers.first { $0.name == name }!
            return total + layer.hostForwardFlops + layer.hostBackwardFlops
        } / max(totalFlops, 1)
        if zeroShare >= 0.01 {
            warnings.append("cost model \(model.entry.qualifiedID) assigns no time to \(zeroTime.count) layers holding "
                            + "\(Int((zeroShare * 100).rounded()))% of the FLOPs Joule counts (\(zeroTime.prefix(4).joined(separator: ", "))"
                            + (zeroTime.count > 4 ? ", …" : "") + ")")
        }
        for layer in layers {
            for e in [layer.forward, layer.backwardData, layer.backwardFilter] {
                if let detail = e?.detail, !warnings.contains("layer \(layer.name): \(detail)") {
                    warnings.append("layer \(layer.name): \(detail)")
                }
            }
        }

        let stepSeconds = plan.isTraining ? forwardSeconds + backwardSeconds + updateSeconds : forwardSeconds
        let provenance: EnergyEstimate.Provenance = everyLayerHasPower ? .predicted : .derived
        return NetworkEstimate(
            networkName: network.name, batch: network.batch, params: network.params, isTraining: plan.isTraining,
            pipeline: pipeline, forwardSeconds: forwardSeconds, backwardSeconds: backwardSeconds, updateSeconds: updateSeconds,
            forwardFlops: forwardFlops, backwardFlops: backwardFlops, communication: communication, reports: reports,
            layers: layers,
            energy: EnergyEstimate(
                joules: energy, averageWatts: stepSeconds > 0 ? energy / stepSeconds : 0, provenance: provenance,
                method: provenance == .predicted
                    ? "power predicted by \(model.entry.qualifiedID)"
                    : DerivedPower.method(profile)),
            coverage: Coverage(flopsShare: totalFlops > 0 ? coveredFlops / totalFlops : 1,
                               bytesShare: totalBytes > 0 ? coveredBytes / totalBytes : 1,
                               declined: declined, zeroTimeLayers: zeroTime),
            warnings: warnings)
    }
}
