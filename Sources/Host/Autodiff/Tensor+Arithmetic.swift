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

    /// Applies `f` to each element; `derivative(x, y)` is f′(x) given also y = f(x). Both
    /// take eight values at a time (a shorter last vector is padded with zeros), so their
    /// arithmetic runs in SIMD lanes and the closures are called once per eight values.
    func map(_ op: String, _ f: (SIMD8<Float>) -> SIMD8<Float>,
             derivative: @escaping (_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float>) -> Tensor {
        let n = count
        var y = [Float](repeating: 0, count: n)
        data.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                for i in stride(from: 0, to: n, by: 8) {
                    f(SIMD8(loading: x.baseAddress! + i, count: min(8, n - i))).store(to: y.baseAddress! + i, count: min(8, n - i))
                }
            }
        }
        return Tensor.result(op, shape, y, [self]) { out, inputs in
            inputs[0].accumulateGrad { gx in
                withBaseAddresses([out.grad, inputs[0].data, out.data]) { read in
                    gx.withUnsafeMutableBufferPointer { gx in
                        for i in stride(from: 0, to: n, by: 8) {
                            let lanes = min(8, n - i), gx = gx.baseAddress! + i
                            let x = SIMD8(loading: read[1] + i, count: lanes), y = SIMD8(loading: read[2] + i, count: lanes)
                            let d = SIMD8(loading: read[0] + i, count: lanes) * derivative(x, y)
                            (SIMD8(loading: gx, count: lanes) + d).store(to: gx, count: lanes)
                        }
                    }
                }
            }
        }
    }

    /// Hyperbolic tangent, computed as 2σ(2x) − 1 (see `SIMD8.tanh`); tanh′ = 1 − tanh².
    /// - Complexity: O(count).
    public func tanh() -> Tensor {
        map("tanh", SIMD8.tanh) { _, y in 1 - y * y }
    }

    /// Logistic sigmoid 1/(1 + e⁻ˣ); σ′ = σ(1 − σ). Saturates to exactly 0 or 1 for
    /// large |x| without producing NaN.
    /// - Complexity: O(count).
    public func sigmoid() -> Tensor {
        map("sigmoid", SIMD8.sigmoid) { _, y in y * (1 - y) }
    }

    /// max(x, 0); its derivative at 0 is taken to be 0.
    /// - Complexity: O(count).
    public func relu() -> Tensor {
        map("relu", { $0.replacing(with: 0, where: $0 .< 0) }) { x, _ in SIMD8(repeating: 1).replacing(with: 0, where: x .<= 0) }
    }
}

/// The activations eight lanes at a time, for ``Tensor/sigmoid()``, ``Tensor/tanh()`` and
/// the fused LSTM (``Tensor/lstm(inputs:rows:hidden:cell:recurrentWeight:)``), with eˣ
/// from Cephes' `expf` polynomial (S. L. Moshier) instead of a library call per value.
extension SIMD8 where Scalar == Float {
    /// eˣ within 2 ulp. Inputs are clamped to [−87.3, 88.3], so every result is finite and
    /// normal (1.2·10⁻³⁸ to 2.2·10³⁸).
    ///
    /// x = n·ln 2 + r with n = round(x·log₂e) and |r| ≤ ½ln 2; eʳ is a degree-7 polynomial
    /// and 2ⁿ is n + 127 written into the exponent bits.
    @inline(__always)
    static func exp(_ x: Self) -> Self {
        // (`clamped` would be a call per vector.)
        let x = x.replacing(with: -87.3, where: x .< -87.3).replacing(with: 88.3, where: x .> 88.3)
        // Adding 1.5·2²³ rounds x·log₂e to an integer and leaves it in the low bits.
        let shift = Self(repeating: 12_582_912)
        let t = x * 1.442_695_04 + shift
        let n = t - shift
        // r = x − n·ln 2, ln 2 in two parts so that n·0.693359375 is exact.
        let r = x - n * 0.693_359_375 + n * 2.121_944_40e-4
        var p = 1.987_569_150_0e-4 * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let bits = unsafeBitCast(t, to: SIMD8<UInt32>.self) &- unsafeBitCast(shift, to: SIMD8<UInt32>.self)
        let twoToN = unsafeBitCast((bits &+ 127) &<< 23, to: Self.self)
        return (p * (r * r) + r + 1) * twoToN
    }

    /// 1/(1 + e⁻ˣ): exactly 0 below x = −88 (where σ < 10⁻³⁸) and exactly 1 above
    /// x ≈ 17, never NaN.
    @inline(__always)
    static func sigmoid(_ x: Self) -> Self { (1 / (1 + exp(-x))).replacing(with: 0, where: x .< -88) }

    /// tanh as 2σ(2x) − 1: one exp instead of glibc's `tanhf`, which costs about ten times
    /// as much; within 3·10⁻⁷ of tanh, and exactly ±1 where it saturates.
    @inline(__always)
    static func tanh(_ x: Self) -> Self { 2 * sigmoid(2 * x) - 1 }

    /// The first `count` (at most 8) values at `p`, the other lanes 0: loops over rows
    /// whose length is not a multiple of 8 end with one such partial vector.
    @inline(__always)
    init(loading p: UnsafePointer<Float>, count: Int) {
        if count == 8 {
            self = UnsafeRawPointer(p).loadUnaligned(as: Self.self)
        } else {
            self.init()
            for i in 0..<count { self[i] = p[i] }
        }
    }

    @inline(__always)
    init(loading p: UnsafeMutablePointer<Float>, count: Int) { self.init(loading: UnsafePointer(p), count: count) }

    /// Writes the first `count` (at most 8) lanes to `p`.
    @inline(__always)
    func store(to p: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 { return UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
        for i in 0..<count { p[i] = self[i] }
    }
}

/// Runs `body` with the base addresses of the arrays' storage, in order (for loops that
/// read several arrays through pointers).
func withBaseAddresses<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
    func nest(_ index: Int, _ collected: [UnsafePointer<Float>]) -> R {
        guard index < arrays.count else { return body(collected) }
        return arrays[index].withUnsafeBufferPointer { nest(index + 1, collected + [$0.baseAddress!]) }
    }
    return nest(0, [])
}
