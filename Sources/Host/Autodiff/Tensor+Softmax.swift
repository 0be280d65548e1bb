import Foundation

/// Softmax and log-softmax along the last axis.
///
/// Both subtract each row's maximum before exponentiating, so logits of any magnitude
/// (1e4, say) give finite results: the largest term becomes e⁰ = 1 and the rest
/// underflow harmlessly to 0.
extension Tensor {
    /// exp(x) / Σ exp(x) per row; rows sum to 1.
    ///
    /// Pullback: ∂L/∂x = y ⊙ (g − Σ g⊙y) per row.
    /// - Complexity: O(count).
    public func softmax() -> Tensor {
        Tensor.result("softmax", shape, Tensor.rowSoftmax(data, width: lastDimension, logarithm: false), [self]) { out, inputs in
            let y = out.data, g = out.grad, n = out.lastDimension
            inputs[0].accumulateGrad { gx in
                for r in stride(from: 0, to: y.count, by: n) {
                    var dot: Float = 0
                    for j in r..<r + n { dot += g[j] * y[j] }
                    for j in r..<r + n { gx[j] += y[j] * (g[j] - dot) }
                }
            }
        }
    }

    /// x − log Σ exp(x) per row: log-probabilities for ``Loss/negativeLogLikelihood(logProbabilities:targets:mask:)``.
    ///
    /// Pullback: ∂L/∂x = g − exp(y) Σ g per row.
    /// - Complexity: O(count).
    public func logSoftmax() -> Tensor {
        Tensor.result("logSoftmax", shape, Tensor.rowSoftmax(data, width: lastDimension, logarithm: true), [self]) { out, inputs in
            let y = out.data, g = out.grad, n = out.lastDimension
            inputs[0].accumulateGrad { gx in
                for r in stride(from: 0, to: y.count, by: n) {
                    var total: Float = 0
                    for j in r..<r + n { total += g[j] }
                    for j in r..<r + n { gx[j] += g[j] - Foundation.exp(y[j]) * total }
                }
            }
        }
    }

    static func rowSoftmax(_ x: [Float], width n: Int, logarithm: Bool) -> [Float] {
        var y = x
        for r in stride(from: 0, to: x.count, by: n) {
            let m = x[r..<r + n].max()!
            var s: Float = 0
            for j in r..<r + n { s += Foundation.exp(x[j] - m) }
            let logS = Foundation.log(s)
            for j in r..<r + n { y[j] = logarithm ? x[j] - m - logS : Foundation.exp(x[j] - m) / s }
        }
        return y
    }
}
