import Foundation
import SeededRandom

extension Tensor {
    /// Each row divided by its Euclidean length, floored at `epsilon`: x / max(‖x‖, ε),
    /// the same as PyTorch's `F.normalize(x, dim=-1)` that NAO applies to encoder outputs.
    ///
    /// Pullback: for ‖x‖ > ε, ∂L/∂x = (g − y (g·y)) / ‖x‖ (the part of g along the
    /// row is removed, since length changes do not move y); otherwise g / ε.
    ///
    /// - Parameter epsilon: The smallest length divided by, so a zero row stays zero.
    /// - Complexity: O(count).
    public func l2Normalized(epsilon: Float = 1e-12) -> Tensor {
        let n = lastDimension, x = data
        var norms: [Float] = []
        var y = x
        for r in stride(from: 0, to: count, by: n) {
            var s: Float = 0
            for j in r..<r + n { s += x[j] * x[j] }
            let norm = Swift.max(s.squareRoot(), epsilon)
            norms.append(norm)
            for j in r..<r + n { y[j] = x[j] / norm }
        }
        return Tensor.result("l2Normalize", shape, y, [self]) { out, inputs in
            let g = out.grad, y = out.data
            inputs[0].accumulateGrad { gx in
                for (row, norm) in norms.enumerated() {
                    let r = row * n
                    var dot: Float = 0
                    if norm > epsilon { for j in r..<r + n { dot += g[j] * y[j] } }
                    for j in r..<r + n { gx[j] += (g[j] - y[j] * dot) / norm }
                }
            }
        }
    }

    /// Inverted dropout: in training, zeroes each element with probability `rate` and
    /// scales the survivors by 1/(1 − rate), so the expected value is unchanged and
    /// inference needs no rescaling. Outside training it returns `self` unchanged.
    ///
    /// - Parameters:
    ///   - rate: The probability of dropping an element, in [0, 1).
    ///   - training: False at inference; no random numbers are drawn then.
    ///   - generator: The source of the mask; one draw per element, in row-major order.
    /// - Complexity: O(count).
    public func dropout(rate: Float, training: Bool, generator: inout SplitMix64) -> Tensor {
        precondition((0..<1).contains(rate), "Tensor.dropout: rate \(rate) outside [0, 1)")
        guard training && rate > 0 else { return self }
        let keep = 1 / (1 - rate)
        let mask = (0..<count).map { _ in generator.nextFloat() < rate ? 0 : keep }
        let y = zip(data, mask).map { $0 * $1 }
        return Tensor.result("dropout", shape, y, [self]) { out, inputs in
            let g = out.grad
            inputs[0].accumulateGrad { gx in for i in gx.indices { gx[i] += g[i] * mask[i] } }
        }
    }
}
