import Foundation
import Network
import PolynomialModel
import SeededRandom
import Testing
@testable import Fitting

/// The fitter against data whose answer is known: measurements generated from a sparse
/// polynomial with 2 % multiplicative noise.
@Suite struct PolynomialFitterTests {
    /// Gaussian noise from the seeded generator (Box–Muller).
    static func gaussian(_ rng: inout SplitMix64) -> Double {
        let u = Double(rng.next() >> 11) / Double(1 << 53) + 1e-300
        let v = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// 400 convolution layers spread over the configurations CNNs use.
    static func layers(_ rng: inout SplitMix64) -> [LayerConfiguration] {
        (0..<400).map { _ in
            let batch = [1.0, 2, 4, 8, 16, 32, 64].randomElement(using: &rng)!
            let cin = [3.0, 16, 32, 64, 128, 256].randomElement(using: &rng)!
            let cout = [16.0, 32, 64, 128, 256].randomElement(using: &rng)!
            let size = [7.0, 14, 28, 56, 112].randomElement(using: &rng)!
            let kernel = [1.0, 3, 5].randomElement(using: &rng)!
            let stride = [1.0, 2].randomElement(using: &rng)!
            let out = (size / stride).rounded(.up)
            let flops = 2 * kernel * kernel * cin * out * out * cout * batch
            let bytes = 4 * (batch * size * size * cin + batch * out * out * cout + kernel * kernel * cin * cout)
            return LayerConfiguration(category: .convolution, values: [batch, cin, cout, size, out, kernel, stride],
                                      flops: flops, memoryBytes: bytes)
        }
    }

    @Test func recoversASparseRuntimePolynomial() throws {
        var rng = SplitMix64(seed: 2026)
        let layers = Self.layers(&rng)
        // True model: a 6 µs launch, 2.5e-13 s per FLOP (4 TFLOP/s), and 3 ns per output pixel per sample.
        let truth: [(String, Double)] = [("1", 6e-6), ("flops", 2.5e-13), ("batch*output_size^2", 3e-9)]
        let terms = try truth.map { (try PolynomialTerm(parsing: $0.0, category: .convolution), $0.1) }
        let measured = layers.map { layer in
            terms.reduce(0.0) { $0 + $1.1 * $1.0.value(layer) } * (1 + 0.02 * Self.gaussian(&rng))
        }
        let fitter = PolynomialFitter(target: .runtime, settings: .init(degrees: [1, 2, 3], folds: 10, seed: 3, trainFraction: 0.8))
        let result = try fitter.fit(samples: layers.map { [$0] }, measured: measured)
        let polynomial = try #require(result.polynomials[.convolution])
        // Every true term is selected, with its coefficient within 5 %.
        for (term, value) in terms {
            let index = try #require(polynomial.terms.firstIndex(of: term), "\(term) not selected: \(polynomial.terms)")
            #expect(abs(polynomial.coefficients[index] / value - 1) < 0.05, "\(term): \(polynomial.coefficients[index]) vs \(value)")
        }
        // Held-out error at the noise level.
        let heldOut = try #require(result.heldOut)
        #expect(heldOut.n == 80)
        #expect(heldOut.rmspe <= 0.03)
        #expect(heldOut.kendallTau > 0.95)
        // The held-out scores are those of the polynomials the fit returns.
        let predicted = result.heldOutSamples.map { polynomial.evaluate(layers[$0]) }
        #expect(ValidationScores(predicted: predicted, measured: result.heldOutSamples.map { measured[$0] }) == heldOut)
    }

    @Test func recoversAPowerPolynomialInLogTerms() throws {
        var rng = SplitMix64(seed: 7)
        let layers = Self.layers(&rng)
        // 70 W idle-ish base, 9 W per doubling of the batch, 0.02 W per output channel.
        let watts = layers.map { layer in
            (70 + 9 * log2(layer.values[0]) + 0.02 * layer.values[2]) * (1 + 0.02 * Self.gaussian(&rng))
        }
        let result = try PolynomialFitter(target: .power, settings: .init(degrees: [1, 2], folds: 5, seed: 1))
            .fit(samples: layers.map { [$0] }, measured: watts)
        let polynomial = try #require(result.polynomials[.convolution])
        for text in ["1", "log2(batch)", "out_channels"] {
            #expect(polynomial.terms.contains(try PolynomialTerm(parsing: text, category: .convolution)), "\(text) not selected")
        }
        #expect(try #require(result.heldOut).rmspe <= 0.03)
    }

    /// A network's row is the sum of its layers' rows, so whole-network totals identify
    /// per-layer costs: two layer types with known costs, measured only in sums.
    @Test func perNetworkSumsIdentifyLayerCosts() throws {
        var rng = SplitMix64(seed: 11)
        let conv = LayerConfiguration(category: .convolution, values: [1, 16, 16, 32, 32, 3, 1], flops: 4.7e6, memoryBytes: 1.3e5)
        let relu = LayerConfiguration(category: .activation, values: [1, 16, 32], flops: 1.6e4, memoryBytes: 1.3e5)
        var samples: [[LayerConfiguration]] = []
        var measured: [Double] = []
        for _ in 0..<200 {
            let convs = Int.random(in: 1...20, using: &rng), relus = Int.random(in: 1...20, using: &rng)
            samples.append(Array(repeating: conv, count: convs) + Array(repeating: relu, count: relus))
            // 50 µs per convolution, 8 µs per activation, 0.5 % noise.
            measured.append((Double(convs) * 50e-6 + Double(relus) * 8e-6) * (1 + 0.005 * Self.gaussian(&rng)))
        }
        let result = try PolynomialFitter(target: .runtime, settings: .init(degrees: [1], folds: 5, seed: 1))
            .fit(samples: samples, measured: measured)
        let convSeconds = try #require(result.polynomials[.convolution]).evaluate(conv)
        let reluSeconds = try #require(result.polynomials[.activation]).evaluate(relu)
        #expect(abs(convSeconds / 50e-6 - 1) < 0.02, "\(convSeconds)")
        #expect(abs(reluSeconds / 8e-6 - 1) < 0.05, "\(reluSeconds)")
    }

    @Test func tooFewRowsForTheFoldsIsAnError() {
        let layer = LayerConfiguration(category: .activation, values: [1, 2, 3], flops: 1, memoryBytes: 1)
        let fitter = PolynomialFitter(target: .runtime, settings: .init(degrees: [1], folds: 10, trainFraction: 1))
        do {
            _ = try fitter.fit(samples: Array(repeating: [layer], count: 15), measured: Array(repeating: 1, count: 15))
            Issue.record("fitted 15 rows with 10 folds")
        } catch {
            #expect(error.description.contains("15 samples to fit on are too few for 10-fold cross-validation"))
        }
    }
}
