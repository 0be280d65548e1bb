import Fitting
import JouleTestSupport
import SeededRandom
import Testing
@testable import Search

/// Fronts, hypervolume and IGD: hand examples, and brute force on random points.
@Suite struct ParetoTests {
    static func p(_ accuracy: Double, _ cost: Double) -> ParetoPoint { ParetoPoint(accuracy: accuracy, cost: cost) }

    @Test func hypervolumeOfThreeFrontPointsByRectangles() {
        let reference = Self.p(10, 100)
        let points = [
            Self.p(50, 20),   // on the front
            Self.p(40, 30),   // dominated by (50, 20): adds nothing
            Self.p(80, 60),   // on the front
            Self.p(90, 90),   // on the front
            Self.p(95, 120),  // costs more than the reference: left out
            Self.p(5, 10),    // less accurate than the reference: left out
        ]
        // Sweeping by cost, each front point adds (reference cost − its cost) × (its accuracy −
        // the previous front point's accuracy, or the reference's):
        //   (100 − 20)·(50 − 10) = 80·40 = 3200
        //   (100 − 60)·(80 − 50) = 40·30 = 1200
        //   (100 − 90)·(90 − 80) = 10·10 =  100
        #expect(Pareto.hypervolume(points, reference: reference) == 4500)
        #expect(Pareto.hypervolume(Array(points[0...1]), reference: reference) == 3200)
        // Order does not matter.
        #expect(Pareto.hypervolume(points.reversed(), reference: reference) == 4500)
        // Only points beyond the reference: nothing.
        #expect(Pareto.hypervolume([Self.p(95, 120), Self.p(5, 10)], reference: reference) == 0)
        #expect(Pareto.hypervolume([], reference: reference) == 0)
        // A point on the reference's accuracy or cost adds nothing.
        #expect(Pareto.hypervolume([Self.p(10, 50), Self.p(60, 100)], reference: reference) == 0)
        // The front ignores the reference: (95, 120) and (5, 10) are not dominated.
        #expect(Pareto.front(points) == [5, 0, 2, 3, 4])
    }

    @Test func frontTies() {
        let points = [
            Self.p(80, 10), Self.p(70, 10),  // equal cost: the less accurate is dominated
            Self.p(90, 20), Self.p(90, 25),  // equal accuracy: the costlier is dominated
            Self.p(80, 10),                  // an exact copy of a front point: kept
            Self.p(60, 5),
        ]
        #expect(Pareto.front(points) == [5, 0, 4, 2])
        #expect(Self.p(80, 10).dominates(Self.p(70, 10)))
        #expect(!Self.p(80, 10).dominates(Self.p(80, 10)))
        #expect(Pareto.front([]) == [])
    }

    /// On random integer points (many ties), the front is exactly the set no point
    /// dominates, and the hypervolume equals the count of dominated unit squares.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func bruteForceOnRandomPoints(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let count = 5 + Int(generator.uniform(below: 40))
        let points = (0..<count).map { _ in
            Self.p(Double(generator.uniform(below: 12)), Double(generator.uniform(below: 12)))
        }
        let expected = points.indices.filter { i in !points.contains { $0.dominates(points[i]) } }
        let front = Pareto.front(points)
        #expect(Set(front) == Set(expected))
        #expect(front.count == expected.count)
        let costs = front.map { points[$0].cost }
        #expect(costs == costs.sorted())

        // Reference (accuracy 1, cost 10): the unit square [c, c+1] × [a, a+1] is dominated
        // when some counted point costs ≤ c and is ≥ a+1 accurate.
        let reference = Self.p(1, 10)
        var squares = 0
        for c in 0..<10 {
            for a in 1..<12 {
                let covered = points.contains {
                    $0.accuracy > reference.accuracy && $0.cost < reference.cost
                        && $0.cost <= Double(c) && $0.accuracy >= Double(a + 1)
                }
                if covered { squares += 1 }
            }
        }
        #expect(Pareto.hypervolume(points, reference: reference) == Double(squares))
        #expect(Pareto.hypervolume(front.map { points[$0] }, reference: reference) == Double(squares))
    }

    @Test func invertedGenerationalDistanceByHand() {
        // True front: accuracy 50..90 (range 40), cost 20..100 (range 80). Normalised:
        // (0, 0), (0.75, 0.5), (1, 1).
        let truth = [Self.p(50, 20), Self.p(80, 60), Self.p(90, 100)]
        #expect(Pareto.invertedGenerationalDistance(truth, to: truth) == 0)
        // Found the two ends: the middle point is √(0.25² + 0.5²) = √0.3125 from (1, 1).
        let ends = [Self.p(50, 20), Self.p(90, 100)]
        #expect(close(Pareto.invertedGenerationalDistance(ends, to: truth), 0.3125.squareRoot() / 3, relative: 1e-12))
        // One point (60, 40), normalised (0.25, 0.25): distances √0.125, √0.3125, √1.125.
        let one = [Self.p(60, 40)]
        let expected = (0.125.squareRoot() + 0.3125.squareRoot() + 1.125.squareRoot()) / 3
        #expect(close(Pareto.invertedGenerationalDistance(one, to: truth), expected, relative: 1e-12))
        #expect(Pareto.invertedGenerationalDistance([], to: truth) == .infinity)
        // A one-point true front has no range: objectives are scaled by 1.
        #expect(Pareto.invertedGenerationalDistance([Self.p(53, 24)], to: [Self.p(50, 20)]) == 5)
    }
}
