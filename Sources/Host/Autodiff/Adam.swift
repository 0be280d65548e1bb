import Dispatch

/// Adam (Kingma & Ba 2015, arXiv:1412.6980) with bias correction and optional weight
/// decay.
///
/// Per parameter value p with gradient g, at step t = 1, 2, …:
///
///     g ← g + λ·p                       (.l2 only: decay joins the gradient, like
///                                        torch.optim.Adam(weight_decay=λ), which NAO uses)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///     p ← p − lr·λ·p                    (.decoupled only, before the update: AdamW)
///
/// The default is `.l2`, to match the NAO reference implementation.
public final class Adam {
    /// How weight decay enters the update.
    public enum WeightDecay: Sendable {
        /// λ·p added to the gradient (PyTorch `Adam(weight_decay=λ)`).
        case l2
        /// p shrunk by lr·λ·p apart from the adaptive step (PyTorch `AdamW`).
        case decoupled
    }

    /// The tensors updated, in the order given.
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public let weightDecay: Float
    public let decayMode: WeightDecay
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// m and v of every parameter value, the parameters one after another (parameter i's
    /// from `offsets[i]`).
    private var firstMoment: [Float], secondMoment: [Float]
    private let offsets: [Int]

    /// - Parameters:
    ///   - parameters: The tensors to train: leaves created with `requiresGrad: true`.
    ///   - learningRate: The step size lr.
    ///   - beta1, beta2: Decay rates of the moment estimates.
    ///   - epsilon: Added to the denominator so a zero second moment does not divide by 0.
    ///   - weightDecay: λ, zero for none.
    ///   - decayMode: ``WeightDecay/l2`` (default) or ``WeightDecay/decoupled``.
    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decayMode: WeightDecay = .l2) {
        precondition(parameters.allSatisfy { $0.requiresGrad && $0.pullback == nil },
                     "Adam: every parameter must be a leaf tensor that requires a gradient")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decayMode = decayMode
        offsets = parameters.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        firstMoment = [Float](repeating: 0, count: offsets.last!)
        secondMoment = firstMoment
    }

    /// Zeroes every parameter's gradient; call before each forward pass.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    /// Applies one update from the parameters' current gradients.
    ///
    /// Parameters are updated concurrently, eight values at a time; each value's
    /// arithmetic is the same as one at a time (there are no fused operations), so the
    /// result does not depend on the number of cores.
    /// - Complexity: O(total parameter count).
    public func step() {
        stepCount += 1
        let correction1 = 1 - pow(beta1, stepCount), correction2 = 1 - pow(beta2, stepCount)
        let l2 = decayMode == .l2 ? weightDecay : 0
        let shrink = decayMode == .decoupled ? 1 - learningRate * weightDecay : 1
        let (beta1, beta2, epsilon, learningRate, parameters, offsets) = (beta1, beta2, epsilon, learningRate, parameters, offsets)
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                let (m, v) = (m.baseAddress!, v.baseAddress!)
                Autodiff.concurrentPerform(parameters.count) { index in
                    let parameter = parameters[index], count = parameter.count
                    let (m, v) = (m + offsets[index], v + offsets[index])
                    parameter.grad.withUnsafeBufferPointer { g in
                        parameter.data.withUnsafeMutableBufferPointer { p in
                            let (g, p) = (g.baseAddress!, p.baseAddress!)
                            for i in stride(from: 0, to: count, by: 8) {
                                let n = min(8, count - i)
                                let gi = SIMD8(loading: g + i, count: n) + l2 * SIMD8(loading: p + i, count: n)
                                let mi = beta1 * SIMD8(loading: m + i, count: n) + (1 - beta1) * gi
                                let vi = beta2 * SIMD8(loading: v + i, count: n) + (1 - beta2) * gi * gi
                                let mHat = mi / correction1, vHat = vi / correction2
                                let pi = SIMD8(loading: p + i, count: n) * shrink - learningRate * mHat / (vHat.squareRoot() + epsilon)
                                mi.store(to: m + i, count: n)
                                vi.store(to: v + i, count: n)
                                pi.store(to: p + i, count: n)
                            }
                        }
                    }
                }
            }
        }
    }

    private func pow(_ x: Float, _ n: Int) -> Float { (0..<n).reduce(1) { r, _ in r * x } }
}

/// Scales all gradients together so that their joint Euclidean norm is at most
/// `maxNorm` (like `torch.nn.utils.clip_grad_norm_`, but exact: no ε in the divisor).
///
/// - Parameters:
///   - parameters: The tensors whose ``Tensor/grad`` is rescaled.
///   - maxNorm: The largest norm allowed; NAO uses 5.
/// - Returns: The norm before clipping, for logging.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    // Each parameter's sum of squares on some core, then their total in order: the same
    // on any number of cores.
    var squares = [Double](repeating: 0, count: parameters.count)
    squares.withUnsafeMutableBufferPointer { squares in
        let squares = squares.baseAddress!
        Autodiff.concurrentPerform(parameters.count) { index in
            squares[index] = parameters[index].grad.withUnsafeBufferPointer { g in
                g.reduce(0) { $0 + Double($1) * Double($1) }
            }
        }
    }
    let norm = Float(squares.reduce(0, +).squareRoot())
    if norm > maxNorm {
        let scale = maxNorm / norm
        Autodiff.concurrentPerform(parameters.count) { index in
            parameters[index].accumulateGrad { g in
                g.withUnsafeMutableBufferPointer { g in for i in g.indices { g[i] *= scale } }
            }
        }
    }
    return norm
}
