import Foundation

/// How well predictions match measurements: two rank correlations and two relative errors.
///
/// A cost model is used two ways. To choose between designs only the order matters, so the
/// rank correlations say whether the model sorts cases as the hardware does: Kendall's tau-b
/// (the share of pairs ordered alike, minus the share ordered oppositely, corrected for ties)
/// and Spearman's rho (the correlation of ranks). To budget time or energy the values
/// themselves matter, so MAPE and RMSPE say how far off they are, relative to each measured
/// value so that small and large layers count alike. RMSPE weighs large misses more.
///
///     let scores = ValidationScores(predicted: [1.1, 1.9, 3.2], measured: [1, 2, 3])
///     scores.kendallTau   // 1.0: every pair in the right order
///     scores.mape         // 0.0667: 6.7 % off on average
///
/// Relative errors are fractions (0.03 is 3 %). Correlations are NaN when undefined: fewer
/// than two cases, or all predictions (or all measurements) equal.
public struct ValidationScores: Sendable, Equatable {
    /// The number of cases scored.
    public let n: Int
    /// Kendall's tau-b, from −1 (reverse order) through 0 to 1 (same order).
    public let kendallTau: Double
    /// Spearman's rho: the Pearson correlation of the average ranks.
    public let spearman: Double
    /// Mean absolute percentage error, as a fraction: mean of |p − m| / m.
    public let mape: Double
    /// Root mean square percentage error, as a fraction: √(mean of ((p − m) / m)²).
    public let rmspe: Double

    /// Scores `predicted` against `measured`, case by case.
    ///
    /// - Parameters:
    ///   - predicted: the model's values, finite.
    ///   - measured: the measured values, finite and positive (relative errors divide by
    ///     them; `MeasurementTable.numbers` guarantees this).
    /// - Precondition: both arrays have the same length and the values are as stated;
    ///   breaking this is a programming error and traps.
    /// - Complexity: O(n log n).
    public init(predicted: [Double], measured: [Double]) {
        precondition(predicted.count == measured.count,
                     "\(predicted.count) predictions for \(measured.count) measurements")
        precondition(predicted.allSatisfy(\.isFinite), "a prediction is not finite")
        precondition(measured.allSatisfy { $0.isFinite && $0 > 0 }, "a measurement is not finite and positive")
        n = measured.count
        kendallTau = Self.kendallTauB(predicted, measured)
        spearman = Self.spearmanRho(predicted, measured)
        var absoluteSum = 0.0, squareSum = 0.0
        for (p, m) in zip(predicted, measured) {
            let relative = (p - m) / m
            absoluteSum += abs(relative)
            squareSum += relative * relative
        }
        mape = n == 0 ? .nan : absoluteSum / Double(n)
        rmspe = n == 0 ? .nan : (squareSum / Double(n)).squareRoot()
    }

    /// Kendall's tau-b of two equally long samples of finite values.
    ///
    /// Counts discordant pairs as the inversions a merge sort undoes (Knight's 1966
    /// algorithm, doi:10.1080/01621459.1966.10480879) instead of comparing all n²/2 pairs:
    /// scoring a 15,625-case sweep takes milliseconds rather than seconds, which matters
    /// because fitting scores every candidate.
    ///
    /// tau-b = (C − D) / √((n₀ − n₁)(n₀ − n₂)), with C and D the concordant and discordant
    /// pairs, n₀ = n(n − 1)/2, and n₁, n₂ the pairs tied in x and in y.
    ///
    /// - Returns: a value in [−1, 1], or NaN when fewer than two values are given or either
    ///   sample is constant.
    /// - Complexity: O(n log n).
    public static func kendallTauB(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "samples of different lengths")
        let n = x.count
        guard n >= 2 else { return .nan }
        // Sort by x, ties by y: then pairs tied in x are never inversions in y.
        var pairs = (0..<n).map { (x[$0], y[$0]) }
        pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var xTies = 0, jointTies = 0
        var start = 0
        while start < n {
            var end = start + 1
            while end < n, pairs[end].0 == pairs[start].0 { end += 1 }
            xTies += pairCount(end - start)
            var inner = start
            while inner < end {
                var innerEnd = inner + 1
                while innerEnd < end, pairs[innerEnd].1 == pairs[inner].1 { innerEnd += 1 }
                jointTies += pairCount(innerEnd - inner)
                inner = innerEnd
            }
            start = end
        }
        var ys = pairs.map(\.1)
        let discordant = sortCountingInversions(&ys)
        var yTies = 0
        start = 0
        while start < n {
            var end = start + 1
            while end < n, ys[end] == ys[start] { end += 1 }
            yTies += pairCount(end - start)
            start = end
        }
        let total = pairCount(n)
        let difference = total - xTies - yTies + jointTies - 2 * discordant
        let denominator = (Double(total - xTies) * Double(total - yTies)).squareRoot()
        return denominator == 0 ? .nan : Double(difference) / denominator
    }

    /// Spearman's rho: the Pearson correlation of the ranks, tied values sharing the average
    /// of the ranks they span (so ties need no special formula).
    ///
    /// - Returns: a value in [−1, 1], or NaN when fewer than two values are given or either
    ///   sample is constant.
    /// - Complexity: O(n log n).
    public static func spearmanRho(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "samples of different lengths")
        guard x.count >= 2 else { return .nan }
        return pearson(averageRanks(x), averageRanks(y))
    }

    /// The 1-based rank of each value, ties getting the mean of the ranks they occupy
    /// (`[10, 20, 20, 30]` → `[1, 2.5, 2.5, 4]`).
    ///
    /// - Complexity: O(n log n).
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end hold ranks start+1 ... end; their mean:
            let rank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = rank }
            start = end
        }
        return ranks
    }

    /// The Pearson correlation, NaN when either sample is constant.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            let dx = a - meanX, dy = b - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        let denominator = (sxx * syy).squareRoot()
        return denominator == 0 ? .nan : sxy / denominator
    }

    /// n(n − 1)/2: the pairs among n items.
    private static func pairCount(_ n: Int) -> Int { n * (n - 1) / 2 }

    /// Sorts `values` ascending by a stable bottom-up merge sort and returns how many pairs
    /// were out of order (i < j with values[i] > values[j]); equal values are not counted.
    static func sortCountingInversions(_ values: inout [Double]) -> Int {
        let n = values.count
        var inversions = 0
        var buffer = [Double](repeating: 0, count: n)
        var width = 1
        values.withUnsafeMutableBufferPointer { source in
            buffer.withUnsafeMutableBufferPointer { target in
                var from = source, to = target
                var sortedIntoBuffer = false
                while width < n {
                    var left = 0
                    while left < n {
                        let middle = min(left + width, n), right = min(left + 2 * width, n)
                        var i = left, j = middle, k = left
                        while i < middle, j < right {
                            if from[i] <= from[j] {
                                to[k] = from[i]; i += 1
                            } else {
                                to[k] = from[j]; j += 1
                                inversions += middle - i
                            }
                            k += 1
                        }
                        while i < middle { to[k] = from[i]; i += 1; k += 1 }
                        while j < right { to[k] = from[j]; j += 1; k += 1 }
                        left = right
                    }
                    swap(&from, &to)
                    sortedIntoBuffer.toggle()
                    width *= 2
                }
                if sortedIntoBuffer {
                    for index in 0..<n { source[index] = target[index] }
                }
            }
        }
        return inversions
    }
}
