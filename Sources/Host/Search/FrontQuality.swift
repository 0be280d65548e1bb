import Network

/// How close the architectures a search evaluated come to the space's true Pareto front:
/// issue 5's quality metric.
///
///     let quality = try FrontQuality(
///         accuracy: try NB201Space.values(file: "nb201_cifar10.csv", column: "cifar10_valid_acc"),
///         cost: try NB201Space.values(file: "latency_dev.csv", column: "1080ti_32"))
///     let score = try quality.score(history.map(\.cell))
///     score.fraction          // 0.92 for 50 random cells (mean of 10 seeds)
///     score.trueFrontFound    // of quality.trueFront.count
///
/// The space is every cell both tables list (all 15,625 for NB201's tables). Objectives:
/// maximise accuracy, minimise cost, each read from the tables for the exact cell (not
/// its class: isomorphic cells were trained and measured separately and their numbers
/// differ). Only cells above chance count: accuracy above `chanceAccuracy` and not
/// disconnected (`NB201Space.isChanceLevel`). The hypervolume reference point is
/// (`chanceAccuracy`, `referenceCostFactor` × the highest cost of any cell in the space,
/// chance-level ones included): by default (10 %, 1.1 × max).
///
/// The scores of an evaluated set (`FrontScore`): the hypervolume of its cells above chance
/// as a fraction of the true front's, the gap 1 − fraction, how many of the true front's
/// cells it contains (counted by exact cell, not by class: a class-mate sits elsewhere in
/// objective space), and the IGD of its front to the true front
/// (`Pareto.invertedGenerationalDistance`, each objective normalised by the true front's
/// range). The fraction is compressed near 1 (50 random NB201 cells reach about 0.92), so
/// compare gaps.
public struct FrontQuality: Sendable {
    /// Accuracies at or below this are chance; also the reference point's accuracy.
    public let chanceAccuracy: Double
    /// The hypervolume reference point.
    public let reference: ParetoPoint
    /// The true front's cells, in order of increasing cost.
    public let trueFront: [NB201Cell]
    /// The true front's points, in the same order.
    public let trueFrontPoints: [ParetoPoint]
    /// The true front's hypervolume, in accuracy units × cost units.
    public let trueHypervolume: Double

    private let accuracy: [NB201Cell: Double]
    private let cost: [NB201Cell: Double]

    /// The true front of a space given as two tables.
    ///
    /// - Parameters:
    ///   - accuracy: each cell's accuracy (percent, if `chanceAccuracy` is 10).
    ///   - cost: each cell's measured cost (any unit).
    ///   - chanceAccuracy: chance accuracy, 10 for CIFAR-10 in percent.
    ///   - referenceCostFactor: the reference cost as a multiple of the space's highest cost.
    /// - Throws: `SearchError` when the tables list different cells (naming one), when a
    ///   value is not finite, or when no cell is above chance.
    public init(
        accuracy: [NB201Cell: Double], cost: [NB201Cell: Double], chanceAccuracy: Double = 10, referenceCostFactor: Double = 1.1
    ) throws(SearchError) {
        if let cell = accuracy.keys.first(where: { cost[$0] == nil }) {
            throw SearchError("front quality: \(cell) has an accuracy but no cost")
        }
        if let cell = cost.keys.first(where: { accuracy[$0] == nil }) {
            throw SearchError("front quality: \(cell) has a cost but no accuracy")
        }
        if let (cell, value) = (accuracy.first { !$0.value.isFinite } ?? cost.first { !$0.value.isFinite }) {
            throw SearchError("front quality: \(cell) has the value \(value)")
        }
        self.accuracy = accuracy
        self.cost = cost
        self.chanceAccuracy = chanceAccuracy
        reference = ParetoPoint(accuracy: chanceAccuracy, cost: referenceCostFactor * (cost.values.max() ?? 0))

        // Index order, so that equal points come out in a fixed order.
        let space = NB201Space()
        let eligible = accuracy.keys.filter { !$0.isDisconnected && accuracy[$0]! > chanceAccuracy }
            .sorted { space.index(of: $0) < space.index(of: $1) }
        guard !eligible.isEmpty else {
            throw SearchError("front quality: no cell has an accuracy above chance (\(chanceAccuracy))")
        }
        let points = eligible.map { ParetoPoint(accuracy: accuracy[$0]!, cost: cost[$0]!) }
        let front = Pareto.front(points)
        trueFront = front.map { eligible[$0] }
        trueFrontPoints = front.map { points[$0] }
        trueHypervolume = Pareto.hypervolume(trueFrontPoints, reference: reference)
    }

    /// The cell's point in objective space; nil when the tables do not list it.
    public func point(of cell: NB201Cell) -> ParetoPoint? {
        guard let a = accuracy[cell], let c = cost[cell] else { return nil }
        return ParetoPoint(accuracy: a, cost: c)
    }

    /// Scores the cells a search evaluated (repeats count once; chance-level cells are
    /// counted in `evaluated` and left out of the front).
    ///
    /// - Throws: `SearchError` naming the first cell that the tables do not list.
    /// - Complexity: O(n log n + front sizes' product).
    public func score(_ evaluated: [NB201Cell]) throws(SearchError) -> FrontScore {
        var seen = Set<NB201Cell>()
        var cells: [NB201Cell] = []
        for cell in evaluated where seen.insert(cell).inserted {
            guard accuracy[cell] != nil else { throw SearchError("front quality: the tables have no row for \(cell)") }
            cells.append(cell)
        }
        let counted = cells.filter { !$0.isDisconnected && accuracy[$0]! > chanceAccuracy }
        let points = counted.map { point(of: $0)! }
        let frontPoints = Pareto.front(points).map { points[$0] }
        let hypervolume = Pareto.hypervolume(frontPoints, reference: reference)
        let fraction = trueHypervolume > 0 ? hypervolume / trueHypervolume : 0
        return FrontScore(
            evaluated: cells.count, frontSize: frontPoints.count, hypervolume: hypervolume, fraction: fraction,
            gap: 1 - fraction, trueFrontFound: trueFront.filter(seen.contains).count, trueFrontSize: trueFront.count,
            igd: Pareto.invertedGenerationalDistance(frontPoints, to: trueFrontPoints))
    }
}

/// The quality of one evaluated set (`FrontQuality.score(_:)`).
public struct FrontScore: Sendable, Equatable, CustomStringConvertible {
    /// Distinct cells evaluated, chance-level ones included.
    public var evaluated: Int
    /// Points on the evaluated set's front.
    public var frontSize: Int
    /// The evaluated set's hypervolume, in accuracy units × cost units.
    public var hypervolume: Double
    /// `hypervolume` / the true front's hypervolume, 0...1.
    public var fraction: Double
    /// 1 − `fraction`; smaller is better.
    public var gap: Double
    /// True-front cells among the evaluated ones (exact cells).
    public var trueFrontFound: Int
    /// Cells on the true front.
    public var trueFrontSize: Int
    /// Inverted generational distance of the evaluated front to the true front, in units of
    /// the true front's range per objective; `.infinity` when nothing above chance was
    /// evaluated.
    public var igd: Double

    public init(evaluated: Int, frontSize: Int, hypervolume: Double, fraction: Double, gap: Double,
                trueFrontFound: Int, trueFrontSize: Int, igd: Double) {
        self.evaluated = evaluated
        self.frontSize = frontSize
        self.hypervolume = hypervolume
        self.fraction = fraction
        self.gap = gap
        self.trueFrontFound = trueFrontFound
        self.trueFrontSize = trueFrontSize
        self.igd = igd
    }

    public var description: String {
        "hypervolume fraction \(fraction) (gap \(gap)), \(trueFrontFound)/\(trueFrontSize) true-front cells, IGD \(igd), "
        + "\(frontSize) on the front of \(evaluated) evaluated"
    }
}
