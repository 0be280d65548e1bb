import SeededRandom
import Testing
@testable import Autodiff

/// Compares every analytic gradient of `f` with a central finite difference.
///
/// The scalar checked is L = Σᵢ wᵢ·yᵢ for y = f(inputs) and fixed random weights w, so
/// each output element matters differently. L is summed in Float64 from the op's own
/// Float32 forward; with step h = 1e-2 the difference quotient's error is about
/// h²·f‴/6 (truncation) plus 6e-8·|y|/h (rounding). The check is
/// |numeric − analytic| ≤ tolerance·(0.1 + |numeric|): relative for large gradients,
/// absolute (1e-4 by default) near zero. Correct ops measure below 1.3e-4 on that scale
/// (the two-step encoder 3.7e-4 with h = 2e-3), and a gradient 1% off fails.
func checkGradients(_ inputs: [Tensor], step h: Float = 1e-2, tolerance: Float = 1e-3,
                    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    var generator = SplitMix64(seed: 99)
    let shape = Autodiff.withoutRecording { f(inputs).shape }
    let w = Tensor((0..<shape.reduce(1, *)).map { _ in generator.nextFloat(bound: 1) }, shape: shape)
    for x in inputs { x.zeroGrad() }
    (f(inputs) * w).sum().backward()

    func loss() -> Double {
        Autodiff.withoutRecording {
            zip(f(inputs).data, w.data).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
    }
    for x in inputs where x.requiresGrad {
        for i in 0..<x.count {
            let original = x.data[i]
            let up = original + h, down = original - h
            x.data[i] = up
            let lossUp = loss()
            x.data[i] = down
            let lossDown = loss()
            x.data[i] = original
            let numeric = Float((lossUp - lossDown) / (Double(up) - Double(down)))
            let error = abs(numeric - x.grad[i]) / (0.1 + abs(numeric))
            #expect(error <= tolerance,
                    "∂L/∂\(x.op)\(x.shape)[\(i)]: analytic \(x.grad[i]), numeric \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// A tensor of uniform values in ±`bound` (a parameter unless `requiresGrad` is false).
func random(_ shape: [Int], seed: UInt64, bound: Float = 1, requiresGrad: Bool = true) -> Tensor {
    var generator = SplitMix64(seed: seed)
    let values = (0..<shape.reduce(1, *)).map { _ in generator.nextFloat(bound: bound) }
    return Tensor(values, shape: shape, requiresGrad: requiresGrad)
}
