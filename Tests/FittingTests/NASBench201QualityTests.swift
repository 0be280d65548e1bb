import Foundation
import JouleTestSupport
import Network
import PolynomialModel
import Testing
@testable import Fitting

/// The per-network fit on measurements nobody here wrote: HELP's NAS-Bench-201 GPU
/// latencies. The README's table comes from the full 15,625-row procedure; this checks the
/// same procedure on every tenth row, so that a regression in the builder, the features or
/// the fitter shows up in the suite.
@Suite struct NASBench201QualityTests {
    static let table = PackageLayout.sharedData.appendingPathComponent("nb201/latency_dev.csv").path

    /// Every tenth architecture's layers at `batch`, with its latency in `column` (ms → s).
    static func samples(column: String, batch: Int64) throws -> (layers: [[LayerConfiguration]], seconds: [Double]) {
        let csv = try MeasurementTable.read(file: table)
        let cells = try csv.strings("arch_str")
        let milliseconds = try csv.numbers(column)
        var layers: [[LayerConfiguration]] = []
        var seconds: [Double] = []
        for row in stride(from: 0, to: cells.count, by: 10) {
            let network = try SpecSource.read("nb201:" + cells[row], nb201: NB201Options(batch: batch))
            layers.append(NetworkConfigurations(network).layers)
            seconds.append(milliseconds[row] / 1000)
        }
        return (layers, seconds)
    }

    @Test(arguments: [("1080ti_1", Int64(1), 0.85), ("titanxp_256", Int64(256), 0.95)])
    func heldOutRankingAndError(column: String, batch: Int64, minimumTau: Double) throws {
        let data = try Self.samples(column: column, batch: batch)
        let fitter = PolynomialFitter(target: .runtime, settings: .init(degrees: [1, 2], folds: 10, seed: 1, trainFraction: 0.2))
        let result = try fitter.fit(samples: data.layers, measured: data.seconds)
        let heldOut = try #require(result.heldOut)
        #expect(heldOut.n == 1250)
        #expect(heldOut.kendallTau >= minimumTau, "\(column): τ \(heldOut.kendallTau)")
        #expect(heldOut.mape <= 0.05, "\(column): MAPE \(heldOut.mape)")
        // No coefficient is negative, so no layer of any network takes negative time.
        for polynomial in result.polynomials.values { #expect(polynomial.coefficients.allSatisfy { $0 >= 0 }) }
    }
}
