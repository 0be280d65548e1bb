import Network

/// What a proxy evaluator counts in place of accuracy.
public enum ProxyMetric: String, Sendable, CaseIterable {
    /// Trainable parameters (`Network.params`), a count.
    case params
    /// Forward FLOPs of one sample by the host's count (`LayerFeatures`), a count.
    case flops
}

/// A cheap stand-in for accuracy computed from the network alone:
/// `--accuracy proxy:params|flops`. **Not an accuracy**: bigger networks score higher,
/// which correlates with accuracy in spaces like NB201 but says nothing about a particular
/// dataset; every output labels it (`label`, `isProxy`).
///
///     let proxy = ProxyEvaluator(.params)
///     proxy.label                                   // "proxy:params (parameter count; a proxy, not an accuracy)"
///     proxy.value(of: try NB201Network.build(cell)) // 1_288_506 for the all-3×3 cell of NB201's docs
///
/// The network is built by the candidate (`Candidate.network`); a build that throws is a
/// recorded failure.
public struct ProxyEvaluator: AccuracyEvaluator {
    public let metric: ProxyMetric

    public init(_ metric: ProxyMetric) {
        self.metric = metric
    }

    public var label: String {
        switch metric {
        case .params: "proxy:params (parameter count; a proxy, not an accuracy)"
        case .flops: "proxy:flops (forward FLOPs per sample; a proxy, not an accuracy)"
        }
    }

    public var isProxy: Bool { true }

    /// The proxy's value for a network: its parameter count, or its forward FLOPs at batch 1.
    ///
    /// - Complexity: O(layers).
    public func value(of network: Network) -> Double {
        switch metric {
        case .params:
            return Double(network.params)
        case .flops:
            let one = network.batch == 1 ? network : network.withBatch(1)
            return one.layers.reduce(0.0) { $0 + $1.features(for: .forward).flops }
        }
    }

    public func evaluate(_ candidate: Candidate) -> Evaluation {
        do {
            return .value(value(of: try candidate.network()), source: label)
        } catch {
            return .failed("cannot build the network of \(candidate.key): \(error)", source: label)
        }
    }
}
