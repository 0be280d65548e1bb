import Foundation
import SeededRandom
import Testing
@testable import Autodiff

/// Throughput of the matmul kernels against a naive triple loop in the same process.
/// It prints figures and asserts nothing about time; it runs only when asked, in an
/// optimised build (debug figures mean nothing):
///
///     AUTODIFF_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing \
///         --filter GEMMBenchmarkTests
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AUTODIFF_BENCHMARK"] != nil))
struct GEMMBenchmarkTests {
    @Test func throughput() {
        var generator = SplitMix64(seed: 1)
        for (m, n, k) in [(100, 384, 96), (512, 512, 512), (64, 64, 64), (128, 128, 128), (32, 384, 96)] {
            let a = (0..<m * k).map { _ in generator.nextFloat(bound: 1) }
            let b = (0..<k * n).map { _ in generator.nextFloat(bound: 1) }
            var c = [Float](repeating: 0, count: m * n)
            let flops = 2 * Double(m * n * k)
            let naive = Self.seconds(repetitions: max(1, Int(1e7 / flops))) {
                c.withUnsafeMutableBufferPointer { c in
                    for i in 0..<m {
                        for j in 0..<n {
                            var s: Float = 0
                            for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                            c[i * n + j] = s
                        }
                    }
                }
            }
            var line = "\(m)×\(k)·\(k)×\(n): naive \(Self.rate(flops, naive))"
            for (form, parallel) in [("AB", false), ("AB", nil), ("AᵀB", nil), ("ABᵀ", nil)] as [(String, Bool?)] {
                let time = Self.seconds(repetitions: max(1, Int(2e8 / flops))) {
                    Tensor.gemm(1, m, n, k, a, 0, form == "AᵀB", b, 0, form == "ABᵀ", &c, 0, parallel: parallel)
                }
                line += " | \(form)\(parallel == false ? " 1 thread" : "") \(Self.rate(flops, time)) (×\(Int(naive / time)))"
            }
            print(line)
        }
    }

    static func seconds(repetitions: Int, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repetitions { body() }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repetitions))
        }
        return best
    }

    static func rate(_ flops: Double, _ seconds: Double) -> String {
        String(Double(Int(flops / seconds / 1e7)) / 100) + " GFLOP/s"
    }
}
