/// Something with trainable parameters: hand ``parameters`` to ``Adam`` and to
/// ``clipGradientNorm(_:maxNorm:)``.
public protocol Layer {
    /// Every trainable tensor, in a fixed order (the order parameters are saved in).
    var parameters: [Tensor] { get }
}

extension Layer {
    /// Zeroes the gradient of every parameter.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}
