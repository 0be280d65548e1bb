import Foundation

/// Element-wise arithmetic and activations.
///
/// Binary ops accept `b` of the same shape as `a`, or of `a`'s trailing axes (a bias
/// `[N]` over `[B, N]`, a `[T, H]` table over `[B, T, H]`): `b` then repeats over
/// `a`'s leading axes and its gradient is the sum over those repeats.
extension Tensor {
    static func checkBroadcast(_ a: Tensor, _ b: Tensor, _ op: String) {
        precondition(b.rank <= a.rank && Array(a.shape.suffix(b.rank)) == b.shape,
                     "Tensor.\(op): cannot repeat shape \(b.shape) over \(a.shape)")
    }

    /// Element-wise sum, `b` repeating over `a`'s leading axes if smaller.
    /// - Complexity: O(a.count).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        checkBroadcast(a, b, "add")
        let n = b.count
        var y = a.data
        let bv = b.data
        for r in stride(from: 0, to: y.count, by: n) {
            for j in 0..<n { y[r + j] += bv[j] }
        }
        return result("add", a.shape, y, [a, b]) { out, inputs in
            let g = out.grad
            inputs[0].accumulateGrad { ga in for i in ga.indices { ga[i] += g[i] } }
            inputs[1].accumulateGrad { gb in
                for r in stride(from: 0, to: g.count, by: n) {
                    for j in 0..<n { gb[j] += g[r + j] }
                }
            }
        }
    }

    /// Element-wise product, `b` repeating over `a`'s leading axes if smaller.
    /// - Complexity: O(a.count).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        checkBroadcast(a, b, "multiply")
        let n = b.count
        var y = a.data
        let bv = b.data
        for r in stride(from: 0, to: y.count, by: n) {
            for j in 0..<n { y[r + j] *= bv[j] }
        }
        return result("multiply", a.shape, y, [a, b]) { out, inputs in
            let g = out.grad, av = inputs[0].data, bv = inputs[1].data
            inputs[0].accumulateGrad { ga in
                for r in stride(from: 0, to: g.count, by: n) {
                    for j in 0..<n { ga[r + j] += g[r + j] * bv[j] }
                }
            }
            inputs[1].accumulateGrad { gb in
                for r in stride(from: 0, to: g.count, by: n) {
                    for j in 0..<n { gb[j] += g[r + j] * av[r + j] }
                }
            }
        }
    }

    /// Every element times the constant `s`.
    /// - Complexity: O(a.count).
    public static func * (a: Tensor, s: Float) -> Tensor {
        result("scale", a.shape, a.data.map { $0 * s }, [a]) { out, inputs in
            let g = out.grad
            inputs[0].accumulateGrad { ga in for i in ga.indices { ga[i] += g[i] * s } }
        }
    }

    /// Every element times the constant `s`.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }

    /// Negation: `a × (−1)`.
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// Difference: `a + (−b)`, with `b` repeating as in `+`.
    public static func - (a: Tensor, b: Tensor) -> Tensor { a + -b }

    /// Applies `f` to each element; `derivative(x, y)` is f′(x) given also y = f(x).
    func map(_ op: String, _ f: (Float) -> Float,
             derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        Tensor.result(op, shape, data.map(f), [self]) { out, inputs in
            let g = out.grad, x = inputs[0].data, y = out.data
            inputs[0].accumulateGrad { gx in
                for i in gx.indices { gx[i] += g[i] * derivative(x[i], y[i]) }
            }
        }
    }

    /// Hyperbolic tangent; tanh′ = 1 − tanh².
    /// - Complexity: O(count).
    public func tanh() -> Tensor {
        map("tanh", { Foundation.tanh($0) }) { _, y in 1 - y * y }
    }

    /// Logistic sigmoid 1/(1 + e⁻ˣ); σ′ = σ(1 − σ). Saturates to exactly 0 or 1 for
    /// large |x| without producing NaN.
    /// - Complexity: O(count).
    public func sigmoid() -> Tensor {
        map("sigmoid", { 1 / (1 + Foundation.exp(-$0)) }) { _, y in y * (1 - y) }
    }

    /// max(x, 0); its derivative at 0 is taken to be 0.
    /// - Complexity: O(count).
    public func relu() -> Tensor {
        map("relu", { Swift.max($0, 0) }) { x, _ in x > 0 ? 1 : 0 }
    }
}
