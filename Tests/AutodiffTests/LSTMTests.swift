import Foundation
import SeededRandom
import Testing
@testable import Autodiff

/// The fused LSTM recurrence (`Tensor+LSTM.swift`) and the sequence forms of `LSTMCell`
/// built on it: finite-difference gradients, agreement with the step-by-step composite,
/// and results that do not depend on how the batch is split over cores.
@Suite struct LSTMTests {
    @Test func fusedRecurrenceGradients() {
        let p = random([12, 12], seed: 1, bound: 1.5), h = random([3, 3], seed: 2), c = random([3, 3], seed: 3)
        let w = random([3, 12], seed: 4)
        checkGradients([p, h, c, w]) { t in
            Tensor.lstm(inputs: t[0], rows: Array(0..<12), hidden: t[1], cell: t[2], recurrentWeight: t[3])
        }
        // Rows looked up from a table, some repeated; the same tensor as initial h and c (as
        // NAO's decoder starts).
        let table = random([3, 12], seed: 5, bound: 1.5)
        checkGradients([table, h, w]) { t in
            Tensor.lstm(inputs: t[0], rows: [2, 0, 2, 1, 1, 0], hidden: t[1], cell: t[1], recurrentWeight: t[2])
        }
    }

    @Test func sequenceFormsMatchTheUnrolledCell() {
        var generator = SplitMix64(seed: 6)
        let embedding = Embedding(count: 5, dimension: 3, generator: &generator)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 4, generator: &generator)
        let tokens = [1, 4, 0, 2, 3, 3, 0, 1, 4]                  // three sequences of three steps
        let h0 = random([3, 4], seed: 7), c0 = random([3, 4], seed: 8)
        func unrolled(_ h0: Tensor, _ c0: Tensor) -> Tensor {
            var state = (h: h0, c: c0)
            var steps: [Tensor] = []
            for t in 0..<3 {
                state = cell(embedding((0..<3).map { tokens[$0 * 3 + t] }), state: state)
                steps.append(state.h)
            }
            return Tensor.concat(steps).reshaped([3, 3, 4])
        }
        let reference = unrolled(h0, c0).data
        let sequence = cell(sequence: embedding(tokens).reshaped([3, 3, 3]), state: (h0, c0)).data
        let folded = cell(tokens: tokens, embedding: embedding, state: (h0, c0)).data
        #expect(zip(reference, sequence).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(reference, folded).allSatisfy { abs($0 - $1) < 1e-6 })

        // A zero initial state that needs no gradient (an encoder's) skips step 0's products.
        let zero = cell.zeroState(batch: 3)
        let fromZero = cell(tokens: tokens, embedding: embedding, state: zero).data
        #expect(zip(unrolled(zero.h, zero.c).data, fromZero).allSatisfy { abs($0 - $1) < 1e-6 })
        checkGradients(embedding.parameters + cell.parameters) { _ in cell(tokens: tokens, embedding: embedding, state: zero) }

        let parameters = [h0, c0] + embedding.parameters + cell.parameters
        checkGradients(parameters) { t in cell(sequence: embedding(tokens).reshaped([3, 3, 3]), state: (t[0], t[1])) }
        checkGradients(parameters) { t in cell(tokens: tokens, embedding: embedding, state: (t[0], t[1])) }
    }

    /// 9 sequences split 4 + 5 or not at all: the same bits either way.
    @Test func splittingTheBatchOverCoresChangesNoBits() {
        let (b, t, h) = (9, 5, 8)
        let p = random([b * t, 4 * h], seed: 9).data, hidden = random([b, h], seed: 10).data
        let cell = random([b, h], seed: 11).data, w = random([h, 4 * h], seed: 12).data
        let dy = random([b, t, h], seed: 13).data
        let rows = Array(0..<b * t)
        let serial = LSTMTape.forward(p, rows: rows, hidden: hidden, cell: cell, weight: w, batch: b, parallel: false)
        let split = LSTMTape.forward(p, rows: rows, hidden: hidden, cell: cell, weight: w, batch: b, parallel: true)
        #expect(serial.outputs == split.outputs)
        let back = serial.tape.backward(dy, weight: w, parallel: false), splitBack = split.tape.backward(dy, weight: w, parallel: true)
        #expect(back.dz == splitBack.dz && back.dh == splitBack.dh && back.dc == splitBack.dc)
    }

    /// The eight-lane exp, σ and tanh against the C library's, and their saturation.
    @Test func vectorActivationsAreAccurateAndSaturate() {
        var worst: Float = 0, worstTanh: Float = 0
        for start in stride(from: -87.0 as Float, to: 88, by: 0.0625) {
            let x = SIMD8<Float>((0..<8).map { start + Float($0) * 0.0078125 })
            let e = SIMD8.exp(x), t = SIMD8.tanh(x / 8)
            for i in 0..<8 {
                worst = max(worst, abs(e[i] - Foundation.exp(x[i])) / Foundation.exp(x[i]))
                worstTanh = max(worstTanh, abs(t[i] - Foundation.tanh(x[i] / 8)))
            }
        }
        #expect(worst < 3e-7, "exp: largest relative error \(worst)")
        #expect(worstTanh < 3e-7, "tanh: largest error \(worstTanh)")
        let extremes = SIMD8<Float>(-1e4, -200, -90, 0, 90, 200, 1e4, .infinity)
        #expect(SIMD8.exp(extremes).min() > 0 && SIMD8.exp(extremes).max().isFinite)
        let s = SIMD8.sigmoid(extremes), t = SIMD8.tanh(extremes)
        #expect(s[0] == 0 && s[2] == 0 && s[3] == 0.5 && s[5] == 1 && s[7] == 1)
        #expect(t[0] == -1 && t[1] == -1 && t[3] == 0 && t[5] == 1 && t[7] == 1)
    }

    /// The tensor ops on the same functions, and their saturation.
    @Test func tensorActivationsUseTheVectorFunctions() {
        let x = Tensor((0..<21).map { Float($0 - 10) / 2 }, shape: [21])
        #expect(zip(x.tanh().data, x.data).allSatisfy { abs($0 - Foundation.tanh($1)) < 3e-7 })
        #expect(zip(x.sigmoid().data, x.data).allSatisfy { abs($0 - 1 / (1 + Foundation.exp(-$1))) < 3e-7 })
        #expect(Tensor([-1e4, 1e4, 0], shape: [3]).tanh().data == [-1, 1, 0])
        #expect(Tensor([-1e4, 1e4], shape: [2]).sigmoid().data == [0, 1])
    }
}
