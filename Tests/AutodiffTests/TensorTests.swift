import Foundation
import SeededRandom
import Testing
@testable import Autodiff

/// Each op's gradient against finite differences (see `checkGradients`), plus the
/// graph mechanics: accumulation, recording switched off, deep graphs.
@Suite struct TensorGradientTests {
    @Test func addSubtractMultiplyScale() {
        let a = random([3, 4], seed: 1), b = random([3, 4], seed: 2), row = random([4], seed: 3)
        checkGradients([a, b]) { $0[0] + $0[1] }
        checkGradients([a, b]) { $0[0] - $0[1] }
        checkGradients([a, b]) { $0[0] * $0[1] }
        checkGradients([a]) { $0[0] * 2.5 }
        checkGradients([a, row]) { $0[0] + $0[1] }     // bias broadcast over rows
        checkGradients([a, row]) { $0[0] * $0[1] }
        checkGradients([a]) { $0[0] * $0[0] + $0[0] }  // reuse accumulates
    }

    @Test func broadcastOverRank3() {
        let a = random([2, 3, 4], seed: 4), table = random([3, 4], seed: 5)
        checkGradients([a, table]) { $0[0] + $0[1] }
        checkGradients([a, table]) { $0[0] * $0[1] }
    }

    @Test func activations() {
        let x = random([2, 5], seed: 6, bound: 2)
        checkGradients([x]) { $0[0].tanh() }
        checkGradients([x]) { $0[0].sigmoid() }
        // Keep ReLU's inputs at least 0.2 from its kink, beyond the step h = 0.01.
        let away = Tensor(x.data.map { $0 + ($0 >= 0 ? 0.2 : -0.2) }, shape: x.shape, requiresGrad: true)
        checkGradients([away]) { $0[0].relu() }
    }

    @Test func softmaxAndLogSoftmax() {
        let x = random([3, 5], seed: 7, bound: 3)
        checkGradients([x]) { $0[0].softmax() }
        checkGradients([x]) { $0[0].logSoftmax() }
        let x3 = random([2, 2, 3], seed: 8, bound: 3)
        checkGradients([x3]) { $0[0].softmax() }
    }

    @Test func matmulForms() {
        let a = random([3, 4], seed: 9), b = random([4, 5], seed: 10), bt = random([5, 4], seed: 11)
        checkGradients([a, b]) { $0[0].matmul($0[1]) }
        checkGradients([a, bt]) { $0[0].matmul($0[1], transposeB: true) }
        let x = random([2, 3, 4], seed: 12)
        checkGradients([x, b]) { $0[0].matmul($0[1]) }                      // batched rows
        let y = random([2, 4, 5], seed: 13), yt = random([2, 5, 4], seed: 14)
        checkGradients([x, y]) { $0[0].matmul($0[1]) }                      // per batch
        checkGradients([x, yt]) { $0[0].matmul($0[1], transposeB: true) }
        checkGradients([a]) { $0[0].matmul($0[0], transposeB: true) }      // a·aᵀ, reused
    }

    @Test func reductions() {
        let x = random([2, 3, 4], seed: 15)
        checkGradients([x]) { $0[0].sum() }
        checkGradients([x]) { $0[0].mean() }
        for axis in 0..<3 {
            checkGradients([x]) { $0[0].sum(axis: axis) }
            checkGradients([x]) { $0[0].mean(axis: axis) }
        }
        let v = random([5], seed: 16)
        checkGradients([v]) { $0[0].mean(axis: 0) }
        #expect(x.mean(axis: 1).shape == [2, 4])
        #expect(abs(v.sum().scalar - v.data.reduce(0, +)) < 1e-6)
    }

    @Test func shapeOps() {
        let a = random([2, 3], seed: 17), b = random([2, 4], seed: 18)
        checkGradients([a, b]) { Tensor.concat([$0[0], $0[1], $0[0]]) }
        checkGradients([b]) { $0[0].slice(columns: 1..<3) }
        checkGradients([b]) { $0[0].reshaped([4, 2]) }
        let table = random([5, 3], seed: 19)
        checkGradients([table]) { $0[0].gather(rows: [4, 0, 4, 2]) }    // repeats add up
        #expect(Tensor.concat([a, b]).shape == [2, 7])
        #expect(Tensor.concat([a, b]).data[3...6] == b.data[0...3])
    }

    @Test func l2NormalizeAndDropout() {
        let x = random([3, 4], seed: 20)
        checkGradients([x]) { $0[0].l2Normalized() }
        for row in 0..<3 {
            let y = x.l2Normalized().data[row * 4..<row * 4 + 4]
            #expect(abs(y.map { $0 * $0 }.reduce(0, +) - 1) < 1e-6)
        }
        let zero = Tensor(zeros: [1, 3], requiresGrad: true).l2Normalized()
        #expect(zero.data == [0, 0, 0])
        checkGradients([x]) { inputs in
            var generator = SplitMix64(seed: 5)      // the same mask on every evaluation
            return inputs[0].dropout(rate: 0.5, training: true, generator: &generator)
        }
    }

    @Test func losses() {
        let p = random([3, 2], seed: 21), t = random([3, 2], seed: 22, requiresGrad: false)
        checkGradients([p]) { Loss.meanSquaredError($0[0], t) }
        let logits = random([4, 3], seed: 23, bound: 2)
        checkGradients([logits]) { Loss.negativeLogLikelihood(logProbabilities: $0[0].logSoftmax(), targets: [0, 2, 1, 2]) }
        checkGradients([logits]) {
            Loss.negativeLogLikelihood(logProbabilities: $0[0].logSoftmax(), targets: [0, 2, 1, 2], mask: [1, 0, 1, 1])
        }
        // By hand: rows 0 and 2 count; −(logp[0,1] + logp[2,0]) / 2.
        let logp = Tensor([-1, -2, -3, -4, -5, -6], shape: [3, 2])
        #expect(Loss.negativeLogLikelihood(logProbabilities: logp, targets: [1, 0, 0], mask: [1, 0, 1]).scalar == 3.5)
        #expect(Loss.meanSquaredError(Tensor([1, 2], shape: [2]), Tensor([0, 4], shape: [2])).scalar == 2.5)
    }
}

@Suite struct TensorBehaviourTests {
    @Test func softmaxIsStableForHugeLogits() {
        let x = Tensor([1e4, 0, -1e4, 1e4 - 1, -1e4, 1e4], shape: [2, 3], requiresGrad: true)
        let s = x.softmax(), l = x.logSoftmax()
        #expect(s.data.allSatisfy { $0.isFinite } && l.data.allSatisfy { $0.isFinite })
        #expect(abs(s.data[0...2].reduce(0, +) - 1) < 1e-6)
        #expect(s.data[2] == 0 && abs(s.data[5] - 1 / (1 + exp(-1))) < 1e-6)
        #expect(l.data[1] == -1e4 && abs(l.data[5] + log(1 + exp(-1))) < 1e-6)
        (s.sum() + l.sum()).backward()
        #expect(x.grad.allSatisfy { $0.isFinite })
    }

    @Test func sigmoidSaturatesWithoutNaN() {
        let y = Tensor([-1e4, 1e4], shape: [2]).sigmoid().data
        #expect(y == [0, 1])
    }

    @Test func gradientsAccumulateAndReset() {
        let x = Tensor([3], shape: [1], requiresGrad: true)
        let y = x * x + x                  // dy/dx = 2x + 1 = 7
        y.backward()
        #expect(x.grad == [7])
        y.backward()                       // leaves accumulate, intermediates restart
        #expect(x.grad == [14])
        x.zeroGrad()
        #expect(x.grad == [0])
    }

    @Test func constantsGetNoGradient() {
        let w = Tensor([2], shape: [1], requiresGrad: true), c = Tensor([5], shape: [1])
        (w * c).backward()
        #expect(w.grad == [5] && c.grad.isEmpty)
        #expect(!(c * c).requiresGrad)
    }

    @Test func withoutRecordingBuildsNoGraph() {
        let w = random([2, 2], seed: 30)
        let y = Autodiff.withoutRecording { w.matmul(w).tanh() }
        #expect(!y.requiresGrad && y.inputs.isEmpty && y.pullback == nil)
        #expect(y.data == w.matmul(w).tanh().data)
        #expect(Autodiff.isRecording)
    }

    @Test func deepGraphBackwardAndRelease() {
        // 30 000 nodes deep: recursion in the sort or in deinit would overflow the stack.
        let x = Tensor([0.5], shape: [1], requiresGrad: true)
        var y = x
        for _ in 0..<10_000 { y = (y * 0.999 + x).tanh() }
        y.backward()
        #expect(x.grad[0].isFinite && x.grad[0] > 0)
        y = x                               // releases the chain
        #expect(y.inputs.isEmpty)
    }

    @Test func graphDescriptionNamesOps() {
        let w = Tensor([1, 2], shape: [2], requiresGrad: true)
        let text = (w * 2).tanh().sum().graphDescription()
        #expect(text == "#0 parameter[2]\n#1 scale[2] <- #0\n#2 tanh[2] <- #1\n#3 sum[1] <- #2")
    }

    @Test func splitMixIsSeededAndInRange() {
        var a = SplitMix64(seed: 0), b = SplitMix64(seed: 0)
        #expect(a.next() == 0xE220_A839_7B1D_CDAF)   // the published first output for seed 0
        _ = b.next()
        let xs = (0..<1000).map { _ in a.nextFloat() }
        #expect(xs == (0..<1000).map { _ in b.nextFloat() })
        #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}
