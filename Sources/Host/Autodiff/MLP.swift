import SeededRandom

/// Layers with an activation between them (none after the last, so the caller picks
/// the output's squashing: sigmoid for NAO's normalised accuracy, say).
public struct MLP: Layer {
    /// The nonlinearity between layers.
    public enum Activation: Sendable { case relu, tanh, sigmoid }

    /// The layers in order.
    public let layers: [Linear]
    public let activation: Activation

    /// - Parameters:
    ///   - sizes: Input size, hidden sizes, output size (at least two entries).
    ///   - activation: Applied after every layer but the last.
    ///   - generator: Initialises the layers in order.
    public init(sizes: [Int], activation: Activation = .relu, generator: inout SplitMix64) {
        precondition(sizes.count >= 2, "MLP: need an input and an output size, got \(sizes)")
        var layers: [Linear] = []
        for (input, output) in zip(sizes, sizes.dropFirst()) {
            layers.append(Linear(inputSize: input, outputSize: output, generator: &generator))
        }
        self.layers = layers
        self.activation = activation
    }

    public var parameters: [Tensor] { layers.flatMap(\.parameters) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 {
                switch activation {
                case .relu: h = h.relu()
                case .tanh: h = h.tanh()
                case .sigmoid: h = h.sigmoid()
                }
            }
        }
        return h
    }
}
