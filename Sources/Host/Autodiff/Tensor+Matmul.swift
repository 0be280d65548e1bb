extension Tensor {
    /// The matrix product `self · b` (or `self · bᵀ` with `transposeB`).
    ///
    /// Three forms, by `b`'s rank:
    /// - `[M, K] · [K, N] → [M, N]`: the plain product.
    /// - `[B, T, K] · [K, N] → [B, T, N]`: every row of a batch through one weight
    ///   matrix (leading axes of `self` are flattened into rows).
    /// - `[B, M, K] · [B, K, N] → [B, M, N]`: one product per batch element, as in
    ///   attention scores (`transposeB`: `[B, 1, H] · [B, T, H]ᵀ → [B, 1, T]`).
    ///
    /// Pullback, for C = A·B: ∂A = ∂C·Bᵀ and ∂B = Aᵀ·∂C; for C = A·Bᵀ: ∂A = ∂C·B and
    /// ∂B = ∂Cᵀ·A. Each runs on a kernel that reads the transposed operand in place.
    ///
    /// - Complexity: O(M·N·K) per batch element; SIMD-vectorised, cache-blocked and split
    ///   over cores when large (see `GEMM`).
    public func matmul(_ b: Tensor, transposeB: Bool = false) -> Tensor {
        let k = lastDimension
        let batched = b.rank == 3
        precondition(b.rank >= 2 && (!batched || (rank == 3 && shape[0] == b.shape[0])),
                     "Tensor.matmul: cannot multiply \(shape) by \(b.shape)")
        let n = transposeB ? b.shape[b.rank - 2] : b.lastDimension
        precondition((transposeB ? b.lastDimension : b.shape[b.rank - 2]) == k,
                     "Tensor.matmul: inner sizes differ in \(shape) · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batch = batched ? b.shape[0] : 1, m = count / (batch * k)
        let bStride = batched ? k * n : 0
        var y = [Float](repeating: 0, count: batch * m * n)
        Tensor.gemm(batch, m, n, k, data, m * k, false, b.data, bStride, transposeB, &y, m * n)
        return Tensor.result("matmul", shape.dropLast() + [n], y, [self, b]) { out, inputs in
            let g = out.grad, a = inputs[0].data, bv = inputs[1].data
            inputs[0].accumulateGrad { ga in
                Tensor.gemm(batch, m, k, n, g, m * n, false, bv, bStride, !transposeB, &ga, m * k)
            }
            inputs[1].accumulateGrad { gb in
                if transposeB {
                    Tensor.gemm(batch, n, k, m, g, m * n, true, a, m * k, false, &gb, n * k)
                } else {
                    Tensor.gemm(batch, k, n, m, a, m * k, true, g, m * n, false, &gb, k * n)
                }
            }
        }
    }

    /// For each of `batch` matrices (operands `t·stride` values apart; stride 0 shares
    /// one matrix), C[m×n] += op(A)·op(B), where A is `[m, k]` (stored `[k, m]` if
    /// `transposeA`) and B is `[k, n]` (stored `[n, k]` if `transposeB`).
    static func gemm(_ batch: Int, _ m: Int, _ n: Int, _ k: Int,
                     _ a: [Float], _ aStride: Int, _ transposeA: Bool,
                     _ b: [Float], _ bStride: Int, _ transposeB: Bool,
                     _ c: inout [Float], _ cStride: Int, parallel: Bool? = nil) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for t in 0..<batch {
                        let a = pa.baseAddress! + t * aStride, b = pb.baseAddress! + t * bStride
                        let c = pc.baseAddress! + t * cStride
                        switch (transposeA, transposeB) {
                        case (false, false):
                            GEMM.multiply(m: m, n: n, k: k, a: a, rowStride: k, depthStride: 1, b: b, c: c, parallel: parallel)
                        case (true, false):
                            GEMM.multiply(m: m, n: n, k: k, a: a, rowStride: 1, depthStride: m, b: b, c: c, parallel: parallel)
                        case (false, true):
                            GEMM.multiplyTransposed(m: m, n: n, k: k, a: a, b: b, c: c, parallel: parallel)
                        case (true, true):
                            preconditionFailure("Tensor.gemm: Aᵀ·Bᵀ is never needed")
                        }
                    }
                }
            }
        }
    }
}
