import SeededRandom

/// One step of a long short-term memory cell (Hochreiter & Schmidhuber 1997), in
/// PyTorch's gate order and equations:
///
///     z = [x, h]·W + b             one matmul for all four gates, [B, 4H]
///     i, f, g, o = σ(z₀), σ(z₁), tanh(z₂), σ(z₃)   (column slices of width H)
///     c′ = f ⊙ c + i ⊙ g
///     h′ = o ⊙ tanh(c′)
///
/// W is `[inputSize + hiddenSize, 4·hiddenSize]`, the input and recurrent weights
/// stacked, so a step costs one product instead of eight. PyTorch keeps two biases
/// (b_ih + b_hh); one is equivalent. Parameters start uniform in ±1/√hiddenSize, as in
/// `nn.LSTM`.
///
/// A single step (``callAsFunction(_:state:)``) is a composition of basic ops. A whole
/// sequence (``callAsFunction(sequence:state:)``, ``callAsFunction(tokens:embedding:state:)``)
/// is one product for the inputs of all steps and one fused op for the recurrence,
/// ``Tensor/lstm(inputs:rows:hidden:cell:recurrentWeight:)``: the same equations, several
/// times faster to train.
public struct LSTMCell: Layer {
    public let inputSize: Int, hiddenSize: Int
    /// `[inputSize + hiddenSize, 4·hiddenSize]`, gate columns in the order i, f, g, o.
    public let weight: Tensor
    /// `[4·hiddenSize]`.
    public let bias: Tensor

    /// Creates a cell with seeded parameters (weight first, then bias).
    public init(inputSize: Int, hiddenSize: Int, generator: inout SplitMix64) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let bound = 1 / Float(hiddenSize).squareRoot()
        weight = Tensor(uniform: [inputSize + hiddenSize, 4 * hiddenSize], bound: bound, generator: &generator)
        bias = Tensor(uniform: [4 * hiddenSize], bound: bound, generator: &generator)
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// Zero state for a batch: `(h, c)`, each `[batch, hiddenSize]`.
    public func zeroState(batch: Int) -> (h: Tensor, c: Tensor) {
        (Tensor(zeros: [batch, hiddenSize]), Tensor(zeros: [batch, hiddenSize]))
    }

    /// One step.
    /// - Parameters:
    ///   - x: `[B, inputSize]`.
    ///   - state: The previous `(h, c)`, each `[B, hiddenSize]`.
    /// - Returns: The new `(h, c)`.
    public func callAsFunction(_ x: Tensor, state: (h: Tensor, c: Tensor)) -> (h: Tensor, c: Tensor) {
        let z = Tensor.concat([x, state.h]).matmul(weight) + bias
        let hs = hiddenSize
        let i = z.slice(columns: 0..<hs).sigmoid()
        let f = z.slice(columns: hs..<2 * hs).sigmoid()
        let g = z.slice(columns: 2 * hs..<3 * hs).tanh()
        let o = z.slice(columns: 3 * hs..<4 * hs).sigmoid()
        let c = f * state.c + i * g
        return (o * c.tanh(), c)
    }

    /// Every step of a sequence whose inputs are all known in advance (an encoder, or a
    /// teacher-forced decoder): the input products of all steps as one matmul, then the
    /// recurrence as one fused op.
    /// - Parameters:
    ///   - x: `[B, T, inputSize]`.
    ///   - state: `(h, c)` before the first step, each `[B, hiddenSize]`.
    /// - Returns: h after each step, `[B, T, hiddenSize]`.
    public func callAsFunction(sequence x: Tensor, state: (h: Tensor, c: Tensor)) -> Tensor {
        precondition(x.rank == 3 && x.lastDimension == inputSize, "LSTMCell: input \(x.shape) is not [B, T, \(inputSize)]")
        let inputs = (x.matmul(inputWeight) + bias).reshaped([x.shape[0] * x.shape[1], 4 * hiddenSize])
        return Tensor.lstm(inputs: inputs, rows: Array(0..<inputs.shape[0]), hidden: state.h, cell: state.c,
                           recurrentWeight: recurrentWeight)
    }

    /// Every step of sequences of tokens looked up in `embedding`: the same function as
    /// ``callAsFunction(sequence:state:)`` on `embedding(tokens)`, but the table is folded
    /// into the input weights first (table·Wₓ + b is `[count, 4·hiddenSize]`), so each
    /// step's input product becomes a row lookup. Cheaper whenever the table has fewer
    /// rows than there are tokens (NAO: 6 rows against B·T = 600 tokens).
    /// - Parameters:
    ///   - tokens: B·T ids, sequence by sequence (`[b·T + t]` is step t of sequence b).
    ///   - embedding: A table of `inputSize`-wide vectors.
    ///   - state: `(h, c)` before the first step, each `[B, hiddenSize]`.
    /// - Returns: h after each step, `[B, T, hiddenSize]`.
    public func callAsFunction(tokens: [Int], embedding: Embedding, state: (h: Tensor, c: Tensor)) -> Tensor {
        precondition(embedding.table.lastDimension == inputSize,
                     "LSTMCell: embeddings of width \(embedding.table.lastDimension) for input size \(inputSize)")
        return Tensor.lstm(inputs: embedding.table.matmul(inputWeight) + bias, rows: tokens, hidden: state.h, cell: state.c,
                           recurrentWeight: recurrentWeight)
    }

    /// Wₓ, the first `inputSize` rows of ``weight``; gradients flow back into them.
    var inputWeight: Tensor { weight.gather(rows: Array(0..<inputSize)) }
    /// Wₕ, the last `hiddenSize` rows of ``weight``; gradients flow back into them.
    var recurrentWeight: Tensor { weight.gather(rows: Array(inputSize..<inputSize + hiddenSize)) }
}
