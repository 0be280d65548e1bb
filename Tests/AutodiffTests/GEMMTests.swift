import SeededRandom
import Testing
@testable import Autodiff

/// The three kernel products against a Float64 triple loop, at sizes that leave
/// remainders against the 8-lane SIMD width, the 4-row tile and the cache blocks
/// (k > 128, n > 512), on one thread and with the parallel path forced on.
@Suite struct GEMMTests {
    static let sizes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (7, 5, 13), (3, 17, 9), (4, 8, 8), (13, 31, 130), (9, 520, 33), (5, 9, 600),
    ]

    enum Form: CaseIterable { case ab, atb, abt }

    /// Reference C = op(A)·op(B) with A `[m, k]` (stored `[k, m]` for AᵀB) and B
    /// `[k, n]` (stored `[n, k]` for ABᵀ), summed in Float64.
    func naive(_ form: Form, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ b: [Float]) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                for p in 0..<k {
                    let x = form == .atb ? a[p * m + i] : a[i * k + p]
                    let y = form == .abt ? b[j * k + p] : b[p * n + j]
                    c[i * n + j] += Double(x) * Double(y)
                }
            }
        }
        return c
    }

    func kernel(_ form: Form, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ b: [Float], _ c0: [Float],
                parallel: Bool) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                    switch form {
                    case .ab: GEMM.multiply(m: m, n: n, k: k, a: a, rowStride: k, depthStride: 1, b: b, c: c, parallel: parallel)
                    case .atb: GEMM.multiply(m: m, n: n, k: k, a: a, rowStride: 1, depthStride: m, b: b, c: c, parallel: parallel)
                    case .abt: GEMM.multiplyTransposed(m: m, n: n, k: k, a: a, b: b, c: c, parallel: parallel)
                    }
                }
            }
        }
        return c
    }

    @Test(arguments: Form.allCases)
    func matchesNaiveProduct(form: Form) {
        var generator = SplitMix64(seed: 3)
        for (m, n, k) in Self.sizes {
            let a = (0..<m * k).map { _ in generator.nextFloat(bound: 1) }
            let b = (0..<k * n).map { _ in generator.nextFloat(bound: 1) }
            let c0 = (0..<m * n).map { _ in generator.nextFloat(bound: 1) }   // kernels accumulate
            let expected = zip(naive(form, m, n, k, a, b), c0).map { $0 + Double($1) }
            let serial = kernel(form, m, n, k, a, b, c0, parallel: false)
            let threaded = kernel(form, m, n, k, a, b, c0, parallel: true)
            // Float32 sums of k products of values in ±1: error grows like √k·2⁻²⁴.
            let worst = zip(serial, expected).map { abs(Double($0) - $1) }.max()!
            #expect(worst < 1e-5 * Double(k).squareRoot() + 1e-6, "\(form) \(m)×\(k)·\(k)×\(n): error \(worst)")
            #expect(serial == threaded, "\(form) \(m)×\(k)·\(k)×\(n): threads changed the bits")
        }
    }

    @Test func matmulOpUsesTheRightProducts() {
        // [[1, 2], [3, 4]]·[[5, 6], [7, 8]] and the same with the second transposed.
        let a = Tensor([1, 2, 3, 4], shape: [2, 2]), b = Tensor([5, 6, 7, 8], shape: [2, 2])
        #expect(a.matmul(b).data == [19, 22, 43, 50])
        #expect(a.matmul(b, transposeB: true).data == [17, 23, 39, 53])
        let batched = Tensor([1, 2, 3, 4, 1, 0, 0, 1], shape: [2, 2, 2])
        #expect(batched.matmul(b).shape == [2, 2, 2])
        #expect(batched.matmul(b).data == [19, 22, 43, 50, 5, 6, 7, 8])
        let perBatch = batched.matmul(Tensor([5, 6, 7, 8, 2, 0, 0, 2], shape: [2, 2, 2]))
        #expect(perBatch.data == [19, 22, 43, 50, 2, 0, 0, 2])
    }
}
