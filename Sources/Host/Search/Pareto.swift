/// One architecture in objective space: accuracy to maximise, cost to minimise.
///
/// Units are the caller's (accuracy in percent, cost in joules or seconds); the functions
/// of `Pareto` only compare and multiply them.
public struct ParetoPoint: Sendable, Hashable, CustomStringConvertible {
    /// Higher is better.
    public var accuracy: Double
    /// Lower is better.
    public var cost: Double

    public init(accuracy: Double, cost: Double) {
        self.accuracy = accuracy
        self.cost = cost
    }

    /// Whether this point is at least as good as `other` in both objectives and strictly
    /// better in one.
    public func dominates(_ other: ParetoPoint) -> Bool {
        accuracy >= other.accuracy && cost <= other.cost && (accuracy > other.accuracy || cost < other.cost)
    }

    public var description: String { "(accuracy \(accuracy), cost \(cost))" }
}

/// Pareto fronts of two objectives (maximise accuracy, minimise cost) and their quality
/// measures: hypervolume and inverted generational distance.
///
///     let points = [ParetoPoint(accuracy: 50, cost: 20), ParetoPoint(accuracy: 40, cost: 30),
///                   ParetoPoint(accuracy: 80, cost: 60)]
///     Pareto.front(points)                                                  // [0, 2]
///     Pareto.hypervolume(points, reference: ParetoPoint(accuracy: 10, cost: 100))
///     // (100 − 20)·(50 − 10) + (100 − 60)·(80 − 50) = 3200 + 1200 = 4400
///
/// All functions require finite values (a NaN compares false with everything and would make
/// a point silently undominated).
public enum Pareto {
    /// The indices of the non-dominated points, in order of increasing cost (and so
    /// increasing accuracy); equal points in order of index.
    ///
    /// A point is dominated when another is at least as good in both objectives and strictly
    /// better in one (`ParetoPoint.dominates`). Ties: of two points with equal cost only the
    /// more accurate can be on the front, of two with equal accuracy only the cheaper; points
    /// that are exactly equal dominate none of each other, so all copies of a front point are
    /// returned (de-duplicate architectures before, not points after).
    ///
    /// - Precondition: every value is finite.
    /// - Complexity: O(n log n).
    public static func front(_ points: [ParetoPoint]) -> [Int] {
        checkFinite(points)
        let order = points.indices.sorted { a, b in
            let p = points[a], q = points[b]
            if p.cost != q.cost { return p.cost < q.cost }
            if p.accuracy != q.accuracy { return p.accuracy > q.accuracy }
            return a < b
        }
        var front: [Int] = []
        var best: ParetoPoint?
        for index in order {
            let point = points[index]
            // Everything before `point` costs no more; `best` is the most accurate of them
            // (the cheapest such, by the sort). It dominates `point` unless equal to it.
            if let best, point.accuracy < best.accuracy || (point.accuracy == best.accuracy && point != best) {
                continue
            }
            front.append(index)
            best = point
        }
        return front
    }

    /// Non-dominated sorting: the indices of the points layer by layer, the front first,
    /// then the front of what remains, and so on; each layer in order of increasing cost, as
    /// ``front(_:)`` gives it. Every index appears exactly once.
    ///
    /// - Precondition: every value is finite.
    /// - Complexity: O(L · n log n) for L layers.
    public static func layers(_ points: [ParetoPoint]) -> [[Int]] {
        var remaining = Array(points.indices)
        var layers: [[Int]] = []
        while !remaining.isEmpty {
            let layer = front(remaining.map { points[$0] }).map { remaining[$0] }
            layers.append(layer)
            let taken = Set(layer)
            remaining.removeAll { taken.contains($0) }
        }
        return layers
    }

    /// The area of objective space that the points dominate and that is better than
    /// `reference` in both objectives: the union of the rectangles
    /// [cost, reference.cost] × [reference.accuracy, accuracy] of the points with
    /// accuracy > reference.accuracy and cost < reference.cost. Other points add nothing.
    ///
    /// Units: accuracy units × cost units (percent-seconds, say). 0 when no point counts.
    ///
    /// - Precondition: every value, the reference's included, is finite.
    /// - Complexity: O(n log n).
    public static func hypervolume(_ points: [ParetoPoint], reference: ParetoPoint) -> Double {
        checkFinite(points + [reference])
        let counted = points.filter { $0.accuracy > reference.accuracy && $0.cost < reference.cost }
            .sorted { $0.cost != $1.cost ? $0.cost < $1.cost : $0.accuracy > $1.accuracy }
        // Sweep by increasing cost; each point adds the strip of accuracy above the best so far,
        // as wide as from its cost to the reference cost.
        var area = 0.0
        var bestAccuracy = reference.accuracy
        for point in counted where point.accuracy > bestAccuracy {
            area += (reference.cost - point.cost) * (point.accuracy - bestAccuracy)
            bestAccuracy = point.accuracy
        }
        return area
    }

    /// Inverted generational distance of `found` to `trueFront`: for each true-front point,
    /// the Euclidean distance to the nearest found point, averaged over the true front.
    /// 0 when every true-front point was found; smaller is better.
    ///
    /// Normalisation: both objectives are scaled by the true front's range, accuracy as
    /// (a − min a) / (max a − min a) and cost likewise, with the minima and maxima taken over
    /// `trueFront`, so each objective spans [0, 1] on the true front and a gap of a whole
    /// front's range in either one weighs 1. An objective with zero range on the true front
    /// (one point, or all equal) is scaled by 1 instead. Found points may lie outside [0, 1].
    ///
    /// Pass the found set's front (`front(_:)`); dominated found points can only lower the
    /// distance where they are nearer a true-front point than the found front is.
    ///
    /// - Returns: the mean distance, in normalised units; `.infinity` when `found` is empty.
    /// - Precondition: `trueFront` is not empty; every value is finite.
    /// - Complexity: O(|found| · |trueFront|).
    public static func invertedGenerationalDistance(_ found: [ParetoPoint], to trueFront: [ParetoPoint]) -> Double {
        precondition(!trueFront.isEmpty, "IGD needs a non-empty true front")
        checkFinite(found + trueFront)
        guard !found.isEmpty else { return .infinity }
        let accuracies = trueFront.map(\.accuracy), costs = trueFront.map(\.cost)
        let accuracyMin = accuracies.min()!, costMin = costs.min()!
        let accuracyRange = accuracies.max()! - accuracyMin, costRange = costs.max()! - costMin
        let accuracyScale = accuracyRange > 0 ? accuracyRange : 1
        let costScale = costRange > 0 ? costRange : 1
        func normalised(_ p: ParetoPoint) -> (Double, Double) {
            ((p.accuracy - accuracyMin) / accuracyScale, (p.cost - costMin) / costScale)
        }
        let foundNormalised = found.map(normalised)
        var total = 0.0
        for target in trueFront.map(normalised) {
            var nearest = Double.infinity
            for point in foundNormalised {
                let da = point.0 - target.0, dc = point.1 - target.1
                nearest = min(nearest, (da * da + dc * dc).squareRoot())
            }
            total += nearest
        }
        return total / Double(trueFront.count)
    }

    private static func checkFinite(_ points: [ParetoPoint]) {
        for point in points {
            precondition(point.accuracy.isFinite && point.cost.isFinite, "Pareto: non-finite point \(point)")
        }
    }
}
