import Foundation

/// How labels become the predictor's targets in [0, 1].
///
/// - Accuracy: by rank, a ↦ the fraction of the training samples' accuracies below a
///   (ties counted half, linear between neighbours, clamped to [0, 1]). A few very poor
///   networks (NB201's 35 % cells beside its 85–91 % ones) would squeeze every accuracy
///   that matters into the top tenth of a min–max range, and the predictor would learn to
///   tell bad from good instead of good from best; ranks spread them evenly.
/// - Cost: c ↦ (ln c − min) / (max − min), min and max of ln c over the training samples'
///   costs. The logarithm spreads costs that span orders of magnitude evenly, and makes
///   β in the objective a weight on relative (not absolute) cost differences.
///
/// A range that is a single value (or absent) maps everything to 0.5. Values outside the
/// training range map outside [0, 1]; the sigmoid heads cannot reach them.
public struct NAOLabelScale: Sendable, Equatable {
    /// min…max of the training accuracies; nil when no sample had one.
    public var accuracy: ClosedRange<Double>?
    /// The training accuracies, sorted: what ranks are taken among.
    public var sortedAccuracies: [Double] = []
    /// min…max of ln(cost) over the training costs; nil when no sample had one.
    public var logCost: ClosedRange<Double>?

    public init(accuracy: ClosedRange<Double>? = nil, logCost: ClosedRange<Double>? = nil) {
        self.accuracy = accuracy
        sortedAccuracies = accuracy.map { [$0.lowerBound, $0.upperBound] } ?? []
        self.logCost = logCost
    }

    /// The ranges of `samples`' labels.
    public init(_ samples: [NAOSample]) {
        let accuracies = samples.compactMap(\.accuracy), logCosts = samples.compactMap { $0.cost.map { Foundation.log($0) } }
        accuracy = accuracies.min().map { $0...accuracies.max()! }
        sortedAccuracies = accuracies.sorted()
        logCost = logCosts.min().map { $0...logCosts.max()! }
    }

    public func normalisedAccuracy(_ value: Double) -> Double {
        let sorted = sortedAccuracies
        guard let first = sorted.first, let last = sorted.last, last > first else { return 0.5 }
        if value <= first { return 0 }
        if value >= last { return 1 }
        // Mean position of value among the sorted accuracies (ties: the middle of their run),
        // interpolated between neighbours for values not in the list.
        let below = Self.partition(sorted) { $0 < value }, notAbove = Self.partition(sorted) { $0 <= value }
        let position: Double
        if notAbove > below {
            position = Double(below + notAbove - 1) / 2
        } else {
            let (lower, upper) = (sorted[below - 1], sorted[below])
            position = Double(below - 1) + (value - lower) / (upper - lower)
        }
        return position / Double(sorted.count - 1)
    }

    /// The number of leading elements of `sorted` for which `predicate` holds.
    static func partition(_ sorted: [Double], _ predicate: (Double) -> Bool) -> Int {
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if predicate(sorted[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
    public func normalisedCost(_ value: Double) -> Double { Self.normalise(Foundation.log(value), logCost) }

    static func normalise(_ x: Double, _ range: ClosedRange<Double>?) -> Double {
        guard let range, range.upperBound > range.lowerBound else { return 0.5 }
        return (x - range.lowerBound) / (range.upperBound - range.lowerBound)
    }
}
