import Fitting
import Foundation
import SeededRandom
import Testing

/// `ValidationScores`: rank correlations against SciPy and a brute-force count, relative
/// errors against hand computation.
@Suite struct MetricsTests {
    /// Twenty pairs with ties in both samples and across them.
    static let x: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4]
    static let y: [Double] = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2, 3, 5, 3]

    /// Reference values from SciPy 1.17.1: `scipy.stats.kendalltau(x, y).statistic` (tau-b,
    /// the default) and `scipy.stats.spearmanr(x, y).statistic`, on `x` and `y` above.
    @Test func kendallAndSpearmanMatchSciPyWithTies() {
        #expect(abs(ValidationScores.kendallTauB(Self.x, Self.y) - 0.1502915281630456) < 1e-14)
        #expect(abs(ValidationScores.spearmanRho(Self.x, Self.y) - 0.19073187020980284) < 1e-14)
        // A second set with runs of ties in x, in y and in both at once (SciPy 1.17.1, as above).
        let x2: [Double] = [1.5, 2.5, 2.5, 2.5, 4.0, 6.0, 6.0, 7.5]
        let y2: [Double] = [10, 10, 20, 30, 30, 30, 40, 50]
        #expect(abs(ValidationScores.kendallTauB(x2, y2) - 0.8333333333333335) < 1e-14)
        #expect(abs(ValidationScores.spearmanRho(x2, y2) - 0.8860759493670889) < 1e-14)
    }

    /// Tau-b from its definition: every pair compared, O(n²).
    static func bruteForceTauB(_ x: [Double], _ y: [Double]) -> Double {
        var concordant = 0, discordant = 0, tiedX = 0, tiedY = 0, total = 0
        for i in x.indices {
            for j in (i + 1)..<x.count {
                total += 1
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 { tiedX += 1 }
                if dy == 0 { tiedY += 1 }
                if dx * dy > 0 { concordant += 1 } else if dx * dy < 0 { discordant += 1 }
            }
        }
        return Double(concordant - discordant) / (Double(total - tiedX) * Double(total - tiedY)).squareRoot()
    }

    @Test(arguments: [(UInt64(1), 500), (2, 1000), (3, 37), (4, 2)])
    func kendallMatchesTheBruteForceCountOnRandomData(seed: UInt64, n: Int) {
        var generator = SplitMix64(seed: seed)
        // Few distinct values, so ties are common; y partly follows x.
        let x = (0..<n).map { _ in Double(generator.uniform(below: 20)) }
        let y = x.map { $0 + Double(generator.uniform(below: 15)) }
        let fast = ValidationScores.kendallTauB(x, y)
        let slow = Self.bruteForceTauB(x, y)
        #expect(abs(fast - slow) < 1e-12, "seed \(seed): \(fast) vs \(slow)")
        // Distinct values too (no ties), where the merge count alone decides.
        let u = (0..<n).map { _ in generator.unitInterval() }
        let v = u.map { $0 + generator.unitInterval() }
        #expect(abs(ValidationScores.kendallTauB(u, v) - Self.bruteForceTauB(u, v)) < 1e-12)
    }

    @Test func perfectAndReversedOrdersGiveOneAndMinusOne() {
        let measured: [Double] = [1, 2, 3, 4, 5]
        let same = ValidationScores(predicted: [10, 20, 30, 40, 50], measured: measured)
        #expect(same.kendallTau == 1)
        #expect(abs(same.spearman - 1) < 1e-15)
        let reversed = ValidationScores(predicted: [50, 40, 30, 20, 10], measured: measured)
        #expect(reversed.kendallTau == -1)
        #expect(abs(reversed.spearman + 1) < 1e-15)
    }

    @Test func correlationsAreNaNWhenUndefined() {
        let constant = ValidationScores(predicted: [2, 2, 2], measured: [1, 2, 3])
        #expect(constant.kendallTau.isNaN)
        #expect(constant.spearman.isNaN)
        let single = ValidationScores(predicted: [2], measured: [1])
        #expect(single.kendallTau.isNaN && single.spearman.isNaN)
        #expect(single.mape == 1 && single.rmspe == 1)
    }

    /// Relative errors 0.1, −0.1, 0, 0.1: MAPE = 0.3/4 = 0.075, RMSPE = √(0.03/4) = √0.0075.
    @Test func mapeAndRmspeAreFractionsOfTheMeasuredValue() {
        let scores = ValidationScores(predicted: [1.1, 1.8, 3.0, 4.4], measured: [1, 2, 3, 4])
        #expect(scores.n == 4)
        #expect(abs(scores.mape - 0.075) < 1e-15)
        #expect(abs(scores.rmspe - 0.0075.squareRoot()) < 1e-15)
    }

    @Test func averageRanksShareTiedRanks() {
        #expect(ValidationScores.averageRanks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4])
        #expect(ValidationScores.averageRanks([5, 5, 5]) == [2, 2, 2])
        #expect(ValidationScores.averageRanks([3, 1, 2]) == [3, 1, 2])
    }
}
