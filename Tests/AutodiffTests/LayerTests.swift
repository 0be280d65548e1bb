import SeededRandom
import Testing
@testable import Autodiff

/// Composite layers: gradients through whole compositions (which have no backward
/// code of their own), shapes, and seeded initialisation.
@Suite struct LayerTests {
    @Test func linearAndMLPGradients() {
        var generator = SplitMix64(seed: 1)
        let linear = Linear(inputSize: 3, outputSize: 2, generator: &generator)
        let x = random([4, 3], seed: 2)
        checkGradients([x] + linear.parameters) { linear($0[0]) }
        let mlp = MLP(sizes: [3, 5, 4, 1], activation: .tanh, generator: &generator)
        checkGradients([x] + mlp.parameters) { mlp($0[0]).sigmoid() }
        #expect(mlp(x).shape == [4, 1])
    }

    @Test func lstmCellGradients() {
        var generator = SplitMix64(seed: 3)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 4, generator: &generator)
        let x = random([2, 3], seed: 4), h = random([2, 4], seed: 5), c = random([2, 4], seed: 6)
        checkGradients([x, h, c] + cell.parameters) { t in
            let (h1, c1) = cell(t[0], state: (t[1], t[2]))
            return Tensor.concat([h1, c1])
        }
        #expect(cell.weight.shape == [7, 16] && cell(x, state: (h, c)).h.shape == [2, 4])
    }

    @Test func attentionGradientsAndWeights() {
        let q = random([2, 3], seed: 7), keys = random([2, 4, 3], seed: 8)
        checkGradients([q, keys]) { attention(query: $0[0], keys: $0[1]).context }
        let steps = (0..<4).map { random([2, 3], seed: 10 + UInt64($0)) }
        checkGradients([q] + steps) { t in attention(query: t[0], keys: Array(t[1...])).context }
        let (context, weights) = attention(query: q, keys: keys)
        #expect(context.shape == [2, 3] && weights.shape == [2, 4])
        for b in 0..<2 { #expect(abs(weights.data[b * 4..<b * 4 + 4].reduce(0, +) - 1) < 1e-6) }
        // By hand: one key gets all the weight, so the context is that key.
        let one = attention(query: Tensor([1, 0], shape: [1, 2]), keys: Tensor([1, 1], shape: [1, 1, 2]))
        #expect(one.context.data == [1, 1] && one.weights.data == [1])
        // Several queries per batch element: each row as if asked alone.
        let queries = random([2, 3, 3], seed: 9)
        checkGradients([queries, keys]) { attention(query: $0[0], keys: $0[1]).context }
        let together = attention(query: queries, keys: keys)
        #expect(together.context.shape == [2, 3, 3] && together.weights.shape == [2, 3, 4])
        for s in 0..<3 {
            let alone = attention(query: Tensor((0..<2).flatMap { b in queries.data[(b * 3 + s) * 3..<(b * 3 + s + 1) * 3] }, shape: [2, 3]),
                                  keys: keys)
            for b in 0..<2 {
                #expect(zip(alone.context.data[b * 3..<b * 3 + 3], together.context.data[(b * 3 + s) * 3..<(b * 3 + s + 1) * 3])
                    .allSatisfy { abs($0 - $1) < 1e-6 })
            }
        }
    }

    /// The NAO encoder's shape: embed → LSTM over two steps → L2-normalise each hₜ →
    /// mean over t → L2-normalise, then an MLP predictor on top.
    @Test func unrolledEncoderGradients() {
        var generator = SplitMix64(seed: 20)
        let embedding = Embedding(count: 5, dimension: 3, generator: &generator)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 4, generator: &generator)
        let predictor = MLP(sizes: [4, 3, 1], activation: .relu, generator: &generator)
        let tokens = [[1, 4], [3, 1]]                      // two sequences of two steps
        let parameters = embedding.parameters + cell.parameters + predictor.parameters
        checkGradients(parameters, step: 2e-3) { _ in
            var state = cell.zeroState(batch: 2)
            var outputs: [Tensor] = []
            for t in 0..<2 {
                state = cell(embedding(tokens.map { $0[t] }), state: state)
                outputs.append(state.h.l2Normalized())
            }
            let e = Tensor.concat(outputs).reshaped([2, 2, 4]).mean(axis: 1).l2Normalized()
            return Tensor.concat([e, predictor(e).sigmoid()])
        }
    }

    @Test func seededInitialisationIsReproducible() {
        func build() -> [[Float]] {
            var generator = SplitMix64(seed: 42)
            let cell = LSTMCell(inputSize: 8, hiddenSize: 16, generator: &generator)
            let mlp = MLP(sizes: [16, 10, 1], generator: &generator)
            return (cell.parameters + mlp.parameters).map(\.data)
        }
        let first = build()
        #expect(first == build())
        let bound = 1 / Float(16).squareRoot()
        #expect(first[0].allSatisfy { abs($0) <= bound } && first[0].contains { abs($0) > bound / 2 })
    }
}
