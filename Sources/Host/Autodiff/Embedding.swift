import SeededRandom

/// A table of `count` learned vectors of `dimension` values, looked up by integer id.
///
/// Entries start uniform in ±√3, which has unit variance like PyTorch's `N(0, 1)`
/// default for `nn.Embedding`.
public struct Embedding: Layer {
    /// `[count, dimension]`.
    public let table: Tensor

    /// Creates a seeded table.
    public init(count: Int, dimension: Int, generator: inout SplitMix64) {
        table = Tensor(uniform: [count, dimension], bound: Float(3).squareRoot(), generator: &generator)
    }

    public var parameters: [Tensor] { [table] }

    /// The rows for `ids`, shape `[ids.count, dimension]`; gradients add into those rows.
    public func callAsFunction(_ ids: [Int]) -> Tensor { table.gather(rows: ids) }
}
