import Estimation
import Foundation
import Network
import Registry

/// What an architecture costs on the chosen device, by the chosen cost model.
public struct ArchitectureCost: Sendable, Equatable {
    /// Energy of one step (inference batch or training step), joules.
    public var energyJoules: Double
    /// Time of one step, seconds.
    public var latencySeconds: Double
    public var params: Int64
    /// FLOPs of one step by the host's count (forward, plus backward when training).
    public var flops: Double
    /// Whether the energy's power was predicted by the model or derived from the profile.
    public var energyIsPredicted: Bool

    public init(energyJoules: Double, latencySeconds: Double, params: Int64, flops: Double, energyIsPredicted: Bool) {
        self.energyJoules = energyJoules
        self.latencySeconds = latencySeconds
        self.params = params
        self.flops = flops
        self.energyIsPredicted = energyIsPredicted
    }
}

/// What a search minimises besides maximising accuracy.
public enum SearchObjective: String, Sendable, CaseIterable {
    case energy, latency

    /// The objective's value for a cost, in joules or seconds.
    public func value(_ cost: ArchitectureCost) -> Double {
        self == .energy ? cost.energyJoules : cost.latencySeconds
    }
}

/// Labels architectures with their cost through a bound cost-model plugin.
///
/// Cost labels are cheap (microseconds to a millisecond per network), so a search labels
/// thousands of architectures to train its predictor's cost head; accuracy labels, which
/// cost a training run, are what the budget counts. Results are cached by key, so asking
/// twice costs nothing.
public final class CostLabeler: @unchecked Sendable {
    public let model: BoundCostModel
    public let isTraining: Bool
    /// The batch every network is costed at; nil keeps each network's own.
    public let batch: Int64?
    private var cache: [String: ArchitectureCost] = [:]
    private let lock = NSLock()

    public init(model: BoundCostModel, isTraining: Bool, batch: Int64?) {
        self.model = model
        self.isTraining = isTraining
        self.batch = batch
    }

    /// The cost of `network`, remembered under `key`: the architecture's exact description,
    /// not its canonical key, because equivalent architectures (isomorphic NB201 cells) can
    /// differ in cost (dead operations still run), and a search must get the same cost for
    /// the same architecture whatever it costed before (resuming depends on it).
    ///
    /// The bound model instance is used by one thread at a time (the ABI allows concurrent
    /// calls only on distinct instances), so labelling holds a lock.
    ///
    /// - Throws: `EstimationError` when the model cannot cost a layer or answers nonsense.
    public func cost(of network: @autoclosure () throws -> Network, key: String) throws -> ArchitectureCost {
        lock.lock()
        defer { lock.unlock() }
        if let known = cache[key] { return known }
        var network = try network()
        if let batch, batch != network.batch { network = network.withBatch(batch) }
        let estimate = try EstimationPlan(network: network, isTraining: isTraining).bind(model).estimate()
        let cost = ArchitectureCost(
            energyJoules: estimate.energy.joules, latencySeconds: estimate.stepSeconds, params: estimate.params,
            flops: estimate.forwardFlops + (isTraining ? estimate.backwardFlops : 0),
            energyIsPredicted: estimate.energy.provenance == .predicted)
        guard cost.energyJoules > 0, cost.latencySeconds > 0, cost.energyJoules.isFinite, cost.latencySeconds.isFinite else {
            throw SearchError("cost model \(model.entry.qualifiedID) gives \(cost.latencySeconds) s and \(cost.energyJoules) J for \(key); a search needs positive costs")
        }
        cache[key] = cost
        return cost
    }

    /// How many distinct architectures have been costed.
    public var labelled: Int {
        lock.lock()
        defer { lock.unlock() }
        return cache.count
    }
}

/// Why a search cannot go on.
public struct SearchError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
