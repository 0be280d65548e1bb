/// The recurrence of an LSTM over a whole sequence as one op: the equations of
/// ``LSTMCell`` for every step, with one hand-written pullback (backpropagation through
/// time) instead of a dozen small nodes per step.
///
/// The step-by-step composite (concat, matmul, four slices, three sigmoids, two tanh,
/// three products and two sums per step) allocates a buffer and a node for each of those.
/// The input's share of the gates does not depend on the state, so the caller computes it
/// for all steps at once (pₜ = xₜ·Wₓ + b, one large product), or, when the inputs are
/// embedded tokens, once per token of the vocabulary; each step reads its row pₜ of that
/// table. This op runs the rest, with Wₕ the recurrent weight (`[H, 4H]`):
///
///     zₜ = pₜ + hₜ₋₁·Wₕ                                one product per step
///     i, f, g, o = σ(z₀), σ(z₁), tanh(z₂), σ(z₃)       (the four column blocks of zₜ)
///     cₜ = f ⊙ cₜ₋₁ + i ⊙ g,  hₜ = o ⊙ tanh cₜ
///
/// and back, from ∂hₜ (the output's gradient plus what step t + 1 passed down) and ∂cₜ
/// (what step t + 1 passed down):
///
///     ∂cₜ += ∂hₜ ⊙ o ⊙ (1 − tanh²cₜ)
///     ∂zₜ = [∂cₜ ⊙ g ⊙ i(1 − i), ∂cₜ ⊙ cₜ₋₁ ⊙ f(1 − f), ∂cₜ ⊙ i ⊙ (1 − g²), ∂hₜ ⊙ tanh cₜ ⊙ o(1 − o)]
///     ∂pₜ = ∂zₜ,  ∂hₜ₋₁ = ∂zₜ·Wₕᵀ,  ∂cₜ₋₁ = ∂cₜ ⊙ f
///
/// after which ∂Wₕ = Σₜ hₜ₋₁ᵀ·∂zₜ is one product over all steps. A zero initial h that
/// needs no gradient (an encoder's) skips step 0's products.
///
/// Sequences are independent of each other, so the batch is split into one block of rows
/// per core (as the matrix kernels split theirs), and each block runs all T steps forward,
/// and later back, on its own thread: a few synchronisations per op instead of one per
/// product. Each element's arithmetic is the same whichever block it is in, so results do
/// not depend on the core count.
extension Tensor {
    /// Runs the LSTM recurrence over a sequence and returns every step's hidden state.
    ///
    /// - Parameters:
    ///   - inputs: Input projections x·Wₓ + b, `[N, 4H]`, gate columns in the order i, f,
    ///     g, o: one row per step of every sequence, or one per token.
    ///   - rows: The row of `inputs` each step reads, B·T of them, sequence by sequence
    ///     (`[b·T + t]` is step t of sequence b). Rows may repeat; their gradients add up.
    ///   - hidden: h before the first step, `[B, H]`.
    ///   - cell: c before the first step, `[B, H]`.
    ///   - recurrentWeight: Wₕ, `[H, 4H]`.
    /// - Returns: h after each step, `[B, T, H]`.
    /// - Complexity: O(B·T·H²): T matrix products forward, T + 1 back.
    public static func lstm(inputs: Tensor, rows: [Int], hidden: Tensor, cell: Tensor, recurrentWeight: Tensor) -> Tensor {
        let (b, h) = (hidden.shape[0], hidden.lastDimension)
        precondition(inputs.rank == 2 && inputs.lastDimension == 4 * h && hidden.rank == 2 && cell.shape == hidden.shape
                        && recurrentWeight.shape == [h, 4 * h] && !rows.isEmpty && rows.count % b == 0,
                     "Tensor.lstm: shapes inputs \(inputs.shape), h \(hidden.shape), c \(cell.shape), Wₕ \(recurrentWeight.shape) "
                        + "and \(rows.count) rows do not fit")
        precondition(rows.allSatisfy { (0..<inputs.shape[0]).contains($0) }, "Tensor.lstm: rows must lie in 0..<\(inputs.shape[0])")
        let t = rows.count / b
        let (tape, y) = LSTMTape.forward(inputs.data, rows: rows, hidden: hidden.data, cell: cell.data,
                                         weight: recurrentWeight.data, batch: b)
        return result("lstm", [b, t, h], y, [inputs, hidden, cell, recurrentWeight]) { out, inputs in
            let (dz, dh, dc) = tape.backward(out.grad, weight: inputs[3].data, initialGradient: inputs[1].requiresGrad)
            let g = 4 * h
            inputs[0].accumulateGrad { gp in
                gp.withUnsafeMutableBufferPointer { gp in
                    withBaseAddresses([dz]) { dz in
                        for r in 0..<b {
                            for s in 0..<t {
                                let from = dz[0] + (s * b + r) * g, to = gp.baseAddress! + rows[r * t + s] * g
                                for j in stride(from: 0, to: g, by: 8) {
                                    let n = min(8, g - j)
                                    (SIMD8(loading: to + j, count: n) + SIMD8(loading: from + j, count: n)).store(to: to + j, count: n)
                                }
                            }
                        }
                    }
                }
            }
            inputs[1].accumulateGrad { gh in for j in gh.indices { gh[j] += dh[j] } }
            inputs[2].accumulateGrad { gc in for j in gc.indices { gc[j] += dc[j] } }
            inputs[3].accumulateGrad { gw in
                // ∂Wₕ = Σₜ hₜ₋₁ᵀ·∂zₜ, without step 0 when h₀ = 0.
                let skip = tape.startsFromZero ? b : 0
                withBaseAddresses([tape.hs, dz]) { read in
                    GEMM.multiply(m: h, n: g, k: (t * b - skip), a: read[0] + skip * h, rowStride: 1, depthStride: h,
                                  b: read[1] + skip * g, c: &gw)
                }
            }
        }
    }
}

/// What ``Tensor/lstm(inputs:rows:hidden:cell:recurrentWeight:)`` keeps from its forward pass
/// for the backward one, time-major: row s·B + r is step s of sequence r.
struct LSTMTape {
    /// B, T and H.
    let batch: Int, steps: Int, hidden: Int
    /// The gates after their activations, `[T·B, 4H]`: i, f, g, o.
    let gates: [Float]
    /// The initial h and c, then each step's, `[(T + 1)·B, H]`.
    let hs: [Float], cs: [Float]
    /// tanh(cₜ), `[T·B, H]`.
    let tanhC: [Float]
    /// Whether the initial h was all zeros, so that step 0 skipped its product.
    let startsFromZero: Bool

    /// Runs the forward pass: step t of sequence b reads row `rows[b·T + t]` of `inputs`
    /// (`[N, 4H]`), starting from `hidden` and `cell` (`[B, H]`), with the recurrent weight
    /// `[H, 4H]`.
    /// - Parameter parallel: Forces the split over cores on or off; `nil` decides by size.
    /// - Returns: The tape and hₜ for every step, batch-major `[B, T, H]`.
    static func forward(_ inputs: [Float], rows: [Int], hidden: [Float], cell: [Float], weight: [Float], batch b: Int,
                        parallel: Bool? = nil) -> (tape: LSTMTape, outputs: [Float]) {
        let h = hidden.count / b, g = 4 * h, t = rows.count / b
        var z = [Float](repeating: 0, count: t * b * g)
        var hs = hidden + [Float](repeating: 0, count: t * b * h), cs = cell + [Float](repeating: 0, count: t * b * h)
        var tanhC = [Float](repeating: 0, count: t * b * h), y = tanhC
        // A zero initial h (an encoder's) contributes nothing to step 0's product.
        let startsFromZero = hidden.allSatisfy { $0 == 0 }
        withBaseAddresses([inputs, weight]) { read in
            let (p, w) = (read[0], read[1])
            withPointers(&z, &hs, &cs, &tanhC, &y) { z, hs, cs, tanhC, y in
                GEMM.forEachRowBlock(m: b, work: t * b * g * h, parallel: parallel) { block in
                    for s in 0..<t {
                        let first = s * b + block.lowerBound
                        for sequence in block {
                            (z + (s * b + sequence) * g).update(from: p + rows[sequence * t + s] * g, count: g)
                        }
                        if s > 0 || !startsFromZero {
                            GEMM.multiply(m: block.count, n: g, k: h, a: hs + first * h, rowStride: h, depthStride: 1,
                                          b: w, c: z + first * g, parallel: false)
                        }
                        for sequence in block {
                            let row = s * b + sequence, zr = z + row * g, c = cs + row * h, hNext = hs + (row + b) * h
                            for j in stride(from: 0, to: h, by: 8) {
                                let n = min(8, h - j)
                                let i = SIMD8.sigmoid(lanes(zr + j, n)), f = SIMD8.sigmoid(lanes(zr + h + j, n))
                                let gate = SIMD8.tanh(lanes(zr + 2 * h + j, n)), o = SIMD8.sigmoid(lanes(zr + 3 * h + j, n))
                                let cNext = f * lanes(c + j, n) + i * gate, tc = SIMD8.tanh(cNext)
                                store(i, zr + j, n); store(f, zr + h + j, n); store(gate, zr + 2 * h + j, n); store(o, zr + 3 * h + j, n)
                                store(cNext, c + b * h + j, n)
                                store(tc, tanhC + row * h + j, n)
                                store(o * tc, hNext + j, n)
                            }
                            (y + (sequence * t + s) * h).update(from: hNext, count: h)
                        }
                    }
                }
            }
        }
        return (LSTMTape(batch: b, steps: t, hidden: h, gates: z, hs: hs, cs: cs, tanhC: tanhC, startsFromZero: startsFromZero), y)
    }

    /// Backpropagation through time from ∂outputs `[B, T, H]`, with the recurrent weight.
    /// - Parameters:
    ///   - initialGradient: Whether the initial h's gradient is wanted; without it step 0
    ///     skips its product.
    ///   - parallel: Forces the split over cores on or off; `nil` decides by size.
    /// - Returns: ∂zₜ (= ∂pₜ) for every step, time-major `[T·B, 4H]`, and the gradients of
    ///   the initial h (zeros unless `initialGradient`) and c, `[B, H]`.
    func backward(_ dy: [Float], weight: [Float], initialGradient: Bool = true, parallel: Bool? = nil)
        -> (dz: [Float], dh: [Float], dc: [Float]) {
        let (b, t, h) = (batch, steps, hidden), g = 4 * h
        var dz = [Float](repeating: 0, count: t * b * g)
        // Row s·B + r: ∂hₜ₋₁ as step t passes it down, ∂zₜ·Wₕᵀ; rows 0..<B end up as ∂h₀.
        var dhs = [Float](repeating: 0, count: t * b * h)
        var dc = [Float](repeating: 0, count: b * h)
        withBaseAddresses([dy, weight, gates, cs, tanhC]) { read in
            let (dy, w, gates, cs, tanhC) = (read[0], read[1], read[2], read[3], read[4])
            withPointers(&dz, &dhs, &dc) { dz, dhs, dc in
                GEMM.forEachRowBlock(m: b, work: t * b * g * h, parallel: parallel) { block in
                    for s in (0..<t).reversed() {
                        for sequence in block {
                            let row = s * b + sequence, zr = gates + row * g, dzr = dz + row * g, dcr = dc + sequence * h
                            for j in stride(from: 0, to: h, by: 8) {
                                let n = min(8, h - j)
                                let i = lanes(zr + j, n), f = lanes(zr + h + j, n), gate = lanes(zr + 2 * h + j, n)
                                let o = lanes(zr + 3 * h + j, n), tc = lanes(tanhC + row * h + j, n)
                                var dh = lanes(dy + (sequence * t + s) * h + j, n)
                                if s + 1 < t { dh += lanes(dhs + (row + b) * h + j, n) }
                                let dcj = lanes(dcr + j, n) + dh * o * (1 - tc * tc)
                                store(dcj * gate * i * (1 - i), dzr + j, n)
                                store(dcj * lanes(cs + row * h + j, n) * f * (1 - f), dzr + h + j, n)
                                store(dcj * i * (1 - gate * gate), dzr + 2 * h + j, n)
                                store(dh * tc * o * (1 - o), dzr + 3 * h + j, n)
                                store(dcj * f, dcr + j, n)
                            }
                        }
                        if s > 0 || initialGradient {
                            let first = s * b + block.lowerBound
                            GEMM.multiplyTransposed(m: block.count, n: h, k: g, a: dz + first * g, b: w, c: dhs + first * h,
                                                    parallel: false)
                        }
                    }
                }
            }
        }
        return (dz, Array(dhs[0..<b * h]), dc)
    }
}

/// The first `count` (at most 8) values at `p`, the other lanes 0.
@inline(__always)
private func lanes(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> { SIMD8(loading: p, count: count) }

@inline(__always)
private func lanes(_ p: UnsafeMutablePointer<Float>, _ count: Int) -> SIMD8<Float> { SIMD8(loading: p, count: count) }

/// Writes the first `count` (at most 8) lanes of `v` to `p`.
@inline(__always)
private func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) { v.store(to: p, count: count) }

/// Runs `body` with the base addresses of five arrays' storage.
private func withPointers<R>(_ a: inout [Float], _ b: inout [Float], _ c: inout [Float], _ d: inout [Float], _ e: inout [Float],
                             _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                      UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> R) -> R {
    a.withUnsafeMutableBufferPointer { a in
        withPointers(&b, &c, &d) { b, c, d in
            e.withUnsafeMutableBufferPointer { e in body(a.baseAddress!, b, c, d, e.baseAddress!) }
        }
    }
}

/// Runs `body` with the base addresses of three arrays' storage.
private func withPointers<R>(_ a: inout [Float], _ b: inout [Float], _ c: inout [Float],
                             _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> R) -> R {
    a.withUnsafeMutableBufferPointer { a in
        b.withUnsafeMutableBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in body(a.baseAddress!, b.baseAddress!, c.baseAddress!) }
        }
    }
}
