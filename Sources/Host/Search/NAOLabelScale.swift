import Foundation

/// How labels become the predictor's targets in [0, 1].
///
/// - Accuracy: a ↦ (a − min) / (max − min), min and max over the training samples' accuracies.
/// - Cost: c ↦ (ln c − min) / (max − min), min and max of ln c over the training samples'
///   costs. The logarithm spreads costs that span orders of magnitude evenly, and makes
///   β in the objective a weight on relative (not absolute) cost differences.
///
/// A range that is a single value (or absent) maps everything to 0.5. Values outside the
/// training range map outside [0, 1]; the sigmoid heads cannot reach them.
public struct NAOLabelScale: Sendable, Equatable {
    /// min…max of the training accuracies; nil when no sample had one.
    public var accuracy: ClosedRange<Double>?
    /// min…max of ln(cost) over the training costs; nil when no sample had one.
    public var logCost: ClosedRange<Double>?

    public init(accuracy: ClosedRange<Double>? = nil, logCost: ClosedRange<Double>? = nil) {
        self.accuracy = accuracy
        self.logCost = logCost
    }

    /// The ranges of `samples`' labels.
    public init(_ samples: [NAOSample]) {
        let accuracies = samples.compactMap(\.accuracy), logCosts = samples.compactMap { $0.cost.map { Foundation.log($0) } }
        accuracy = accuracies.min().map { $0...accuracies.max()! }
        logCost = logCosts.min().map { $0...logCosts.max()! }
    }

    public func normalisedAccuracy(_ value: Double) -> Double { Self.normalise(value, accuracy) }
    public func normalisedCost(_ value: Double) -> Double { Self.normalise(Foundation.log(value), logCost) }

    static func normalise(_ x: Double, _ range: ClosedRange<Double>?) -> Double {
        guard let range, range.upperBound > range.lowerBound else { return 0.5 }
        return (x - range.lowerBound) / (range.upperBound - range.lowerBound)
    }
}
