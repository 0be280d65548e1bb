/// Sums and means, over everything or over one axis.
extension Tensor {
    /// The sum of all elements, shape `[1]`.
    /// - Complexity: O(count).
    public func sum() -> Tensor {
        Tensor.result("sum", [1], [data.reduce(0, +)], [self]) { out, inputs in
            let g = out.grad[0]
            inputs[0].accumulateGrad { gx in for i in gx.indices { gx[i] += g } }
        }
    }

    /// Sums along `axis`, which disappears from the shape (`[B, T, H]` summed along
    /// axis 1 gives `[B, H]`; a rank-1 tensor gives `[1]`).
    /// - Complexity: O(count).
    public func sum(axis: Int) -> Tensor {
        precondition((0..<rank).contains(axis), "Tensor.sum: axis \(axis) out of range for shape \(shape)")
        let length = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *), outer = count / (length * inner)
        var newShape = shape
        newShape.remove(at: axis)
        let x = data
        var y = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for l in 0..<length {
                for i in 0..<inner { y[o * inner + i] += x[(o * length + l) * inner + i] }
            }
        }
        return Tensor.result("sum(axis: \(axis))", newShape.isEmpty ? [1] : newShape, y, [self]) { out, inputs in
            let g = out.grad
            inputs[0].accumulateGrad { gx in
                for o in 0..<outer {
                    for l in 0..<length {
                        for i in 0..<inner { gx[(o * length + l) * inner + i] += g[o * inner + i] }
                    }
                }
            }
        }
    }

    /// The mean of all elements, shape `[1]`: `sum() × (1/count)`.
    public func mean() -> Tensor { sum() * (1 / Float(count)) }

    /// The mean along `axis`: `sum(axis:) × (1/shape[axis])`.
    public func mean(axis: Int) -> Tensor { sum(axis: axis) * (1 / Float(shape[axis])) }
}
