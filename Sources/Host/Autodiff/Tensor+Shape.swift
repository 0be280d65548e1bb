/// Reshaping, joining and picking parts: all copy values (there are no views), and all
/// pullbacks route gradients back to where the values came from.
extension Tensor {
    /// The same values with a new shape of the same element count
    /// (`[B, T·H]` ↔ `[B, T, H]`). The copy is free: arrays share storage until written.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "Tensor.reshaped: \(shape) cannot become \(newShape)")
        return Tensor.result("reshape", newShape, data, [self]) { out, inputs in
            let g = out.grad
            inputs[0].accumulateGrad { gx in for i in gx.indices { gx[i] += g[i] } }
        }
    }

    /// Joins tensors along the last axis; all must agree on the other axes
    /// (`[B, E]` and `[B, H]` give `[B, E + H]`).
    /// - Complexity: O(total count).
    public static func concat(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "Tensor.concat: nothing to join")
        let leading = parts[0].shape.dropLast()
        precondition(parts.allSatisfy { $0.shape.dropLast() == leading },
                     "Tensor.concat: leading axes differ in \(parts.map(\.shape))")
        let widths = parts.map(\.lastDimension), total = widths.reduce(0, +)
        let rows = parts[0].rowCount, values = parts.map(\.data)
        var y: [Float] = []
        y.reserveCapacity(rows * total)
        for r in 0..<rows {
            for (w, v) in zip(widths, values) { y += v[r * w..<(r + 1) * w] }
        }
        return result("concat", Array(leading) + [total], y, parts) { out, inputs in
            let g = out.grad
            var offset = 0
            for (w, input) in zip(widths, inputs) {
                input.accumulateGrad { gx in
                    for r in 0..<rows {
                        for j in 0..<w { gx[r * w + j] += g[r * total + offset + j] }
                    }
                }
                offset += w
            }
        }
    }

    /// The columns `range` of the last axis (`[B, 4H]` → one gate `[B, H]`).
    /// - Complexity: O(rowCount × range.count).
    public func slice(columns range: Range<Int>) -> Tensor {
        let n = lastDimension, w = range.count
        precondition(range.lowerBound >= 0 && range.upperBound <= n && w > 0,
                     "Tensor.slice: columns \(range) outside 0..<\(n)")
        let x = data
        var y: [Float] = []
        y.reserveCapacity(rowCount * w)
        for r in 0..<rowCount { y += x[r * n + range.lowerBound..<r * n + range.upperBound] }
        return Tensor.result("slice(\(range))", shape.dropLast() + [w], y, [self]) { out, inputs in
            let g = out.grad
            inputs[0].accumulateGrad { gx in
                for r in 0..<g.count / w {
                    for j in 0..<w { gx[r * n + range.lowerBound + j] += g[r * w + j] }
                }
            }
        }
    }

    /// Rows `ids` of `self` viewed as `[rowCount, lastDimension]`, stacked into
    /// `[ids.count, lastDimension]`: an embedding lookup when `self` is a table, or
    /// picking time steps out of `[B·T, H]`. Ids may repeat; their gradients add up.
    /// - Complexity: O(ids.count × lastDimension).
    public func gather(rows ids: [Int]) -> Tensor {
        let n = lastDimension, rows = rowCount
        precondition(!ids.isEmpty && ids.allSatisfy { (0..<rows).contains($0) },
                     "Tensor.gather: ids must lie in 0..<\(rows)")
        let x = data
        var y: [Float] = []
        y.reserveCapacity(ids.count * n)
        for id in ids { y += x[id * n..<(id + 1) * n] }
        return Tensor.result("gather", [ids.count, n], y, [self]) { out, inputs in
            let g = out.grad
            inputs[0].accumulateGrad { gx in
                for (r, id) in ids.enumerated() {
                    for j in 0..<n { gx[id * n + j] += g[r * n + j] }
                }
            }
        }
    }
}
