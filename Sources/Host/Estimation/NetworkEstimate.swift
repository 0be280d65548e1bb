import PluginAPI
import Registry

/// What a cost model says one network costs on one device, per layer and in total.
///
/// Times are seconds. `forwardSeconds` and `backwardSeconds` are sums over layers (with
/// `pipeline`, each layer's max(compute, memory)) plus the model's additive network terms
/// of that phase; `stepSeconds` is forward + backward + update, the compute part of a
/// training step (gradient exchange is listed separately in `communication`, one entry per
/// scheme, because the schemes are alternatives).
public struct NetworkEstimate: Sendable {
    public var networkName: String
    public var batch: Int64
    public var params: Int64
    public var isTraining: Bool
    public var pipeline: Bool

    public var forwardSeconds: Double
    public var backwardSeconds: Double
    public var updateSeconds: Double
    public var stepSeconds: Double { isTraining ? forwardSeconds + backwardSeconds + updateSeconds : forwardSeconds }

    /// FLOPs of the forward and backward passes: the model's own counts where it reports
    /// them, the host's otherwise.
    public var forwardFlops: Double
    public var backwardFlops: Double

    /// Gradient-exchange schemes and their times, in the model's order.
    public var communication: [(scheme: String, seconds: Double)]
    /// Figures the model reports but that are not part of the step (bounds, hybrid table).
    public var reports: [NetworkTerm]
    public var energy: EnergyEstimate
    public var coverage: Coverage
    public var warnings: [String]
    /// The raw per-layer results, kept so that `layers` can be built when asked.
    let results: LayerResults

    /// Every layer's estimates, in the network's order. Built on each access from the raw
    /// results (repeated estimates in a search loop need only the totals).
    public var layers: [LayerEstimate] { results.layers() }
}

/// One layer's estimates.
public struct LayerEstimate: Sendable {
    public var name: String
    public var typeName: String
    public var outputShape: [Int64]
    public var params: Int64
    public var isDead: Bool
    /// The cost model that costed the layer (`plugin/id`), or `nil` when no model did and
    /// the coverage policy counted it as zero.
    public var costedBy: String?
    public var forward: Estimate?
    public var backwardData: Estimate?
    public var backwardFilter: Estimate?
    /// The host's FLOP counts, for coverage and derived power.
    public var hostForwardFlops: Double
    public var hostBackwardFlops: Double

    /// Seconds of this layer in the forward pass (0 when not costed).
    public var forwardSeconds: Double { forward?.timeSeconds ?? 0 }
    public var backwardDataSeconds: Double { backwardData?.timeSeconds ?? 0 }
    public var backwardFilterSeconds: Double { backwardFilter?.timeSeconds ?? 0 }
    public var forwardFlops: Double { forward?.flops ?? hostForwardFlops }
    /// Energy of all the layer's passes (predicted, or derived from the profile).
    public var energyJoules: Double
}

/// Energy and average power of the step, and where the numbers come from.
public struct EnergyEstimate: Sendable {
    /// How the power figures were obtained.
    public enum Provenance: String, Sendable {
        /// The cost model predicted power (or energy) for every costed layer.
        case predicted
        /// The model gave time only; power was derived from the GPU profile.
        case derived
    }

    public var joules: Double
    /// Energy over step time.
    public var averageWatts: Double
    public var provenance: Provenance
    /// One line saying how, for output.
    public var method: String
}

/// How much of the network the cost model actually costed.
public struct Coverage: Sendable {
    /// Share of the host's FLOPs in layers the model costed (possibly as zero).
    public var flopsShare: Double
    /// Share of the host's bytes in layers the model costed.
    public var bytesShare: Double
    /// Layers the model declined, with its reasons (costed as zero or by the fallback).
    public var declined: [(layer: String, reason: String)]
    /// Layers the model costed at zero time although they do work by the host's count.
    public var zeroTimeLayers: [String]
}
