import SeededRandom

/// y = x·W + b, for x `[…, inputSize]` (any leading axes).
///
/// W is stored `[inputSize, outputSize]` so the product needs no transpose. Both W and
/// b start uniform in ±1/√inputSize, PyTorch's default for `nn.Linear`.
public struct Linear: Layer {
    /// `[inputSize, outputSize]`.
    public let weight: Tensor
    /// `[outputSize]`, added to every row.
    public let bias: Tensor

    /// Creates a layer with seeded parameters (weight first, then bias, row-major).
    public init(inputSize: Int, outputSize: Int, generator: inout SplitMix64) {
        let bound = 1 / Float(inputSize).squareRoot()
        weight = Tensor(uniform: [inputSize, outputSize], bound: bound, generator: &generator)
        bias = Tensor(uniform: [outputSize], bound: bound, generator: &generator)
    }

    public var parameters: [Tensor] { [weight, bias] }

    /// x·W + b.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.matmul(weight) + bias }
}
