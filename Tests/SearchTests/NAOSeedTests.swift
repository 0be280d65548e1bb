import Testing
@testable import Search

/// How NAO picks the architectures it steps from, and with which β: non-dominated sorting,
/// local front slopes, and constraints. Expected values are worked out by hand below.
@Suite struct NAOSeedTests {
    // Normalised (accuracy, cost): A, B, C form the front; B dominates D; D dominates E.
    static let points = [
        // Binary fractions, so that the slopes below are exact.
        ParetoPoint(accuracy: 0.25, cost: 0.125),  // A
        ParetoPoint(accuracy: 0.5, cost: 0.25),  // B
        ParetoPoint(accuracy: 0.625, cost: 0.625),  // C
        ParetoPoint(accuracy: 0.375, cost: 0.5),  // D
        ParetoPoint(accuracy: 0.125, cost: 0.625),  // E
    ]

    @Test func nonDominatedSortingPeelsLayers() {
        #expect(Pareto.layers(Self.points) == [[0, 1, 2], [3], [4]])
        #expect(Pareto.layers([]) == [])
        // Equal points share a layer.
        #expect(Pareto.layers([ParetoPoint(accuracy: 1, cost: 1), ParetoPoint(accuracy: 1, cost: 1)]) == [[0, 1]])
    }

    /// Front A–B–C: A (cheapest) steps with βmax, B with the slope between its neighbours
    /// (0.625 − 0.25) / (0.625 − 0.125) = 0.75, C (most accurate) with 0; the one-point layers D
    /// and E seed both ways.
    @Test func frontSeedsStepAlongTheLocalSlope() {
        let seeds = NAOSearch.frontSeeds(Self.points, count: 10, betaMax: 1)
        #expect(seeds.map(\.index) == [0, 1, 2, 3, 3, 4, 4])
        #expect(seeds.map(\.beta) == [1, 0.75, 0, 0, 1, 0, 1])
        // The cap, and the count.
        #expect(NAOSearch.frontSeeds(Self.points, count: 10, betaMax: 0.5).map(\.beta) == [0.5, 0.5, 0, 0, 0.5, 0, 0.5])
        #expect(NAOSearch.frontSeeds(Self.points, count: 4, betaMax: 1).map(\.index) == [0, 1, 2, 3])
        // βmax 0: accuracy alone, and no second seed for one-point layers.
        #expect(NAOSearch.frontSeeds(Self.points, count: 10, betaMax: 0).map(\.beta) == [0, 0, 0, 0, 0])
    }

    static func record(_ index: Int, accuracy: Double, seconds: Double) -> EvaluationRecord {
        EvaluationRecord(index: index, architecture: "a\(index)", accuracy: accuracy, accuracySource: "test", failure: nil,
                         energyJoules: seconds * 100, latencySeconds: seconds, params: 1, flops: 1, costSource: "test", origin: "test")
    }

    /// Under a latency limit of 0.5 s, A, B and D are admitted: by accuracy B, D, A, each
    /// stepping for accuracy (β 0) and taking up to half of 8 seeds; the nearest outsiders,
    /// the cheapest (C and E cost the same, C first by index), step toward cheaper with
    /// βmax (8 / 4 = 2 outsiders: C then E); the front's seeds fill the rest with pairs not
    /// yet taken: (A, βmax), (B, 0.75), (C, 0).
    @Test func constrainedSeedsPreferAdmittedArchitectures() {
        let records = Self.points.enumerated().map { Self.record($0.offset, accuracy: 100 * $0.element.accuracy, seconds: $0.element.cost) }
        let latency = SearchConstraint(maxLatencySeconds: 0.5)
        #expect(records.map(latency.admits) == [true, true, false, true, false])
        let seeds = NAOSearch.constrainedSeeds(records, points: Self.points, constraint: latency, count: 8, betaMax: 1)
        #expect(seeds.map(\.index) == [1, 3, 0, 2, 4, 0, 1, 2])
        #expect(seeds.map(\.beta) == [0, 0, 0, 1, 1, 1, 0.75, 0])

        // From 45 % accuracy: B and C (4 / 2 = 2), cheapest first, stepping toward cheaper;
        // one outsider (4 / 4), the most accurate, D, stepping toward accuracy; then the
        // front's first seed, (A, βmax).
        let accuracy = SearchConstraint(minAccuracy: 45)
        let floor = NAOSearch.constrainedSeeds(records, points: Self.points, constraint: accuracy, count: 4, betaMax: 1)
        #expect(floor.map(\.index) == [1, 2, 3, 0])
        #expect(floor.map(\.beta) == [1, 1, 0, 1])
    }

    @Test func theConstrainedSearchReturnsTheRightArchitecture() {
        let records = [Self.record(0, accuracy: 90, seconds: 0.010), Self.record(1, accuracy: 88, seconds: 0.006),
                       Self.record(2, accuracy: 85, seconds: 0.004), Self.record(3, accuracy: 91, seconds: 0.012)]
        let seconds = { (r: EvaluationRecord) in r.latencySeconds }
        #expect(SearchConstraint(maxLatencySeconds: 0.008).best(records, cost: seconds)?.index == 1)
        #expect(SearchConstraint(minAccuracy: 89).best(records, cost: seconds)?.index == 0)
        #expect(SearchConstraint(maxLatencySeconds: 0.001).best(records, cost: seconds) == nil)
        #expect(SearchConstraint(maxEnergyJoules: 0.8).best(records, cost: seconds)?.index == 1)  // 0.6 J, 88 %
        var failed = Self.record(4, accuracy: 99, seconds: 0.001)
        failed.accuracy = nil
        #expect(!SearchConstraint().admits(failed))
        #expect(SearchConstraint(maxEnergyJoules: 0.2, minAccuracy: 90).description == "energy ≤ 0.2 J, accuracy ≥ 90.0")
    }
}
