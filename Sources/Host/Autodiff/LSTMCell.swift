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
}
