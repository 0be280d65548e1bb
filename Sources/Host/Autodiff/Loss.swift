/// The controller's training losses, each returning a scalar `[1]` tensor.
public enum Loss {
    /// The mean of (prediction − target)² over all elements, as a composite of
    /// subtract, multiply and mean. Shapes must match.
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        precondition(prediction.shape == target.shape,
                     "Loss.meanSquaredError: shapes \(prediction.shape) and \(target.shape) differ")
        let difference = prediction - target
        return (difference * difference).mean()
    }

    /// The negative log-likelihood of integer targets, averaged over the rows that count.
    ///
    /// loss = −Σᵣ maskᵣ · logp[r, targetᵣ] / Σᵣ maskᵣ. With ``Tensor/logSoftmax()`` in
    /// front this is cross-entropy; the mask drops padded decoder steps.
    ///
    /// - Parameters:
    ///   - logProbabilities: `[rows, classes]` (or `[B, T, classes]`, viewed as rows).
    ///   - targets: One class index per row.
    ///   - mask: One weight per row (usually 0 or 1); `nil` weighs every row 1. The
    ///     weights must not sum to zero.
    /// - Complexity: O(rows).
    public static func negativeLogLikelihood(logProbabilities: Tensor, targets: [Int], mask: [Float]? = nil) -> Tensor {
        let n = logProbabilities.lastDimension, rows = logProbabilities.rowCount
        precondition(targets.count == rows && targets.allSatisfy { (0..<n).contains($0) },
                     "Loss.negativeLogLikelihood: need \(rows) targets in 0..<\(n)")
        let weights = mask ?? [Float](repeating: 1, count: rows)
        let total = weights.reduce(0, +)
        precondition(weights.count == rows && total != 0, "Loss.negativeLogLikelihood: mask must have \(rows) weights, not all zero")
        let logp = logProbabilities.data
        var loss: Float = 0
        for r in 0..<rows { loss -= weights[r] * logp[r * n + targets[r]] }
        return Tensor.result("nll", [1], [loss / total], [logProbabilities]) { out, inputs in
            let g = out.grad[0] / total
            inputs[0].accumulateGrad { gx in
                for r in 0..<rows { gx[r * n + targets[r]] -= g * weights[r] }
            }
        }
    }
}
