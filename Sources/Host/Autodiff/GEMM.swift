import Dispatch
import Foundation

/// The matrix-product kernels behind ``Tensor/matmul(_:transposeB:)`` and its pullback,
/// on raw row-major Float32 buffers. Every kernel accumulates (C += …), which is what a
/// pullback wants and costs a forward pass only a zeroed output.
///
/// Two kernels cover the three products a matmul and its gradient need:
/// - `multiply`: C += A·B with B row-major `[k, n]`; A is read through two strides, so
///   the same code does A·B (A `[m, k]`) and Aᵀ·B (A stored `[k, m]`) without
///   materialising a transpose. Its inner loop runs along C's and B's contiguous rows in
///   `SIMD8<Float>` lanes for 4 rows of C at a time, over cache blocks of k and n.
/// - `multiplyTransposed`: C += A·Bᵀ with A `[m, k]`, B `[n, k]`: dot products of
///   contiguous rows, in SIMD8 lanes, 4 rows of B per row of A.
///
/// Both split C's rows over the cores with `DispatchQueue.concurrentPerform` once the
/// product has at least `parallelThreshold` multiply-adds. Each element's arithmetic is
/// the same whichever rows share a block, so serial and parallel results are
/// bit-identical.
///
/// The package builds for baseline x86-64, so a `SIMD8<Float>` is two SSE registers:
/// about 31 GFLOP/s per core here. Built with `-Xswiftc -target-cpu -Xswiftc haswell`
/// (AVX2) the same code measured 49.
enum GEMM {
    /// Multiply-adds below which a product stays on one thread. Measured (release build,
    /// 2 shared cores): two threads lose at 64³ (17 → 14 GFLOP/s) and at 32×96·96×384,
    /// break even near 128³ (31 → 34) and win from 100×96·96×384 (31 → 42-47) upwards.
    static let parallelThreshold = 1 << 21
    /// Depth (k) and width (n) of the cache block of B that the row loop streams over:
    /// 128 × 512 floats = 256 KiB, which fits a typical L2 cache.
    static let depthBlock = 128, widthBlock = 512

    /// C[m×n] += A·B, where A[i, p] = a[i·rowStride + p·depthStride] and B is `[k, n]`.
    /// - Parameter parallel: Forces the threaded path on or off; `nil` decides by size.
    static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
                         b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, parallel: Bool? = nil) {
        forEachRowBlock(m: m, work: m * n * k, parallel: parallel) { rows in
            var p0 = 0
            while p0 < k {
                let p1 = min(p0 + depthBlock, k)
                var j0 = 0
                while j0 < n {
                    let j1 = min(j0 + widthBlock, n)
                    var i = rows.lowerBound
                    while i + 4 <= rows.upperBound {
                        tile4(i, j0..<j1, p0..<p1, n, a, rowStride, depthStride, b, c)
                        i += 4
                    }
                    while i < rows.upperBound {
                        tile1(i, j0..<j1, p0..<p1, n, a, rowStride, depthStride, b, c)
                        i += 1
                    }
                    j0 = j1
                }
                p0 = p1
            }
        }
    }

    /// Rows i..<i+4 of C, columns `cols`, depth `depth`: 4 rows × 8 lanes of C stay in
    /// registers while B's rows stream past; leftover columns go one at a time.
    @inline(__always)
    static func tile4(_ i: Int, _ cols: Range<Int>, _ depth: Range<Int>, _ n: Int, _ a: UnsafePointer<Float>,
                      _ rs: Int, _ ds: Int, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        let a0 = a + i * rs, a1 = a0 + rs, a2 = a1 + rs, a3 = a2 + rs
        let c0 = c + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n
        // B's row and A's column advance by pointer steps: index products in the inner loop
        // would each carry an overflow check.
        var j = cols.lowerBound
        while j + 8 <= cols.upperBound {
            var s0 = load(c0 + j), s1 = load(c1 + j), s2 = load(c2 + j), s3 = load(c3 + j)
            var bp = b + (depth.lowerBound &* n &+ j), q = depth.lowerBound &* ds
            for _ in depth {
                let bv = load(bp)
                s0 += bv * a0[q]
                s1 += bv * a1[q]
                s2 += bv * a2[q]
                s3 += bv * a3[q]
                bp += n
                q &+= ds
            }
            store(s0, c0 + j); store(s1, c1 + j); store(s2, c2 + j); store(s3, c3 + j)
            j += 8
        }
        for jj in j..<cols.upperBound {
            var s0 = c0[jj], s1 = c1[jj], s2 = c2[jj], s3 = c3[jj]
            var bp = b + (depth.lowerBound &* n &+ jj), q = depth.lowerBound &* ds
            for _ in depth {
                let bv = bp.pointee
                s0 += bv * a0[q]
                s1 += bv * a1[q]
                s2 += bv * a2[q]
                s3 += bv * a3[q]
                bp += n
                q &+= ds
            }
            c0[jj] = s0; c1[jj] = s1; c2[jj] = s2; c3[jj] = s3
        }
    }

    /// One row of C, as ``tile4`` (the same per-element arithmetic, hence the same bits).
    @inline(__always)
    static func tile1(_ i: Int, _ cols: Range<Int>, _ depth: Range<Int>, _ n: Int, _ a: UnsafePointer<Float>,
                      _ rs: Int, _ ds: Int, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        let a0 = a + i * rs, c0 = c + i * n
        var j = cols.lowerBound
        while j + 8 <= cols.upperBound {
            var s0 = load(c0 + j)
            var bp = b + (depth.lowerBound &* n &+ j), q = depth.lowerBound &* ds
            for _ in depth {
                s0 += load(bp) * a0[q]
                bp += n
                q &+= ds
            }
            store(s0, c0 + j)
            j += 8
        }
        for jj in j..<cols.upperBound {
            var s0 = c0[jj]
            var bp = b + (depth.lowerBound &* n &+ jj), q = depth.lowerBound &* ds
            for _ in depth {
                s0 += bp.pointee * a0[q]
                bp += n
                q &+= ds
            }
            c0[jj] = s0
        }
    }

    /// C[m×n] += A·Bᵀ with A `[m, k]` and B `[n, k]`: C[i, j] is the dot product of row i
    /// of A and row j of B. B is walked in blocks of rows that stay in cache while every
    /// row of A passes.
    /// - Parameter parallel: Forces the threaded path on or off; `nil` decides by size.
    static func multiplyTransposed(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                   c: UnsafeMutablePointer<Float>, parallel: Bool? = nil) {
        let rowsOfB = max(4, (64 * 1024) / max(1, k)) & ~3
        forEachRowBlock(m: m, work: m * n * k, parallel: parallel) { rows in
            var j0 = 0
            while j0 < n {
                let j1 = min(j0 + rowsOfB, n)
                for i in rows {
                    let ai = a + i * k, ci = c + i * n
                    var j = j0
                    while j + 4 <= j1 {
                        let b0 = b + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k
                        var s0 = SIMD8<Float>(), s1 = s0, s2 = s0, s3 = s0
                        var p = 0
                        while p + 8 <= k {
                            let av = load(ai + p)
                            s0 += av * load(b0 + p)
                            s1 += av * load(b1 + p)
                            s2 += av * load(b2 + p)
                            s3 += av * load(b3 + p)
                            p += 8
                        }
                        var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
                        while p < k {
                            t0 += ai[p] * b0[p]; t1 += ai[p] * b1[p]; t2 += ai[p] * b2[p]; t3 += ai[p] * b3[p]
                            p += 1
                        }
                        ci[j] += t0; ci[j + 1] += t1; ci[j + 2] += t2; ci[j + 3] += t3
                        j += 4
                    }
                    while j < j1 {
                        let b0 = b + j * k
                        var s0 = SIMD8<Float>()
                        var p = 0
                        while p + 8 <= k { s0 += load(ai + p) * load(b0 + p); p += 8 }
                        var t0 = s0.sum()
                        while p < k { t0 += ai[p] * b0[p]; p += 1 }
                        ci[j] += t0
                        j += 1
                    }
                }
                j0 = j1
            }
        }
    }

    /// Runs `body` over C's rows: at once, or split into one block per core (row counts
    /// rounded to the 4-row tile) when the product is big enough or `parallel` forces it.
    /// Read once: on Linux `activeProcessorCount` reads cgroup files, which cost more than a
    /// small product (attention makes one per batch row).
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Work already spread over the cores (inside ``Autodiff/concurrentPerform(_:_:)``)
    /// is not split again.
    static func forEachRowBlock(m: Int, work: Int, parallel: Bool?, _ body: (Range<Int>) -> Void) {
        let threaded = parallel ?? (work >= parallelThreshold && cores > 1 && m >= 8 && !Autodiff.insideConcurrentWork)
        guard threaded, m > 1 else { return body(0..<m) }
        let blocks = min(m, max(2, cores))
        let even = (m + blocks - 1) / blocks
        let perBlock = even > 4 ? (even + 3) & ~3 : even
        // The blocks write disjoint rows of C.
        Autodiff.concurrentPerform((m + perBlock - 1) / perBlock) { t in
            body(t * perBlock..<min(m, (t + 1) * perBlock))
        }
    }

    struct UncheckedSendable<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load(UnsafePointer(p)) }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
