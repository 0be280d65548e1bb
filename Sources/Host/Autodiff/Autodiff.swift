import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import SeededRandom

/// A small tensor library with reverse-mode automatic differentiation, for the search
/// engine's NAO controller: Float32 values in contiguous buffers, the handful of operations
/// an LSTM encoder, an MLP predictor and an attention decoder need, and Adam.
///
/// Every operation is a method on ``Tensor`` (or a static function for several inputs)
/// that computes its result and, next to it, the closure that pushes the result's gradient
/// back to its inputs. Layers (``Linear``, ``Embedding``, ``LSTMCell``, ``MLP``,
/// ``attention(query:keys:)``) are compositions of those operations and carry no
/// gradient code of their own.
///
///     var generator = SplitMix64(seed: 7)
///     let model = MLP(sizes: [2, 8, 1], activation: .tanh, generator: &generator)
///     let optimizer = Adam(parameters: model.parameters, learningRate: 0.05)
///     let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
///     let y = Tensor([0, 1, 1, 0], shape: [4, 1])
///     for _ in 0..<500 {
///         optimizer.zeroGrad()
///         let loss = Loss.meanSquaredError(model(x).sigmoid(), y)
///         loss.backward()
///         optimizer.step()
///     }
///
/// What is deliberately missing: general broadcasting (only a row repeated over leading
/// axes), ranks above 3, views (slices copy), and in-place ops. The controller's graphs
/// are a few thousand small nodes, so clarity wins over cleverness everywhere except
/// the matrix product (see `GEMM`).
public enum Autodiff {
    /// Whether operations currently record the graph. A task-local, so generation in one
    /// task does not switch recording off in another.
    @TaskLocal static var recording = true

    /// True unless the caller is inside ``withoutRecording(_:)``.
    public static var isRecording: Bool { recording }

    /// Runs `body` with graph recording off: results carry no inputs or backward closures,
    /// which saves memory and time during inference and generation (like `torch.no_grad`).
    ///
    /// - Parameter body: The computation to run.
    /// - Returns: Whatever `body` returns.
    public static func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        try $recording.withValue(false, operation: body)
    }

    /// Runs `body(i)` for every i in 0..<count, spread over the cores, and returns when all
    /// are done (like `DispatchQueue.concurrentPerform`).
    ///
    /// The iterations must write disjoint memory: nothing checks that, since they usually
    /// reach it through raw pointers. Inside them, ops that would split their own work over
    /// the cores (matrix products, ``Tensor/lstm(inputs:rows:hidden:cell:recurrentWeight:)``)
    /// run on the iteration's thread instead: the cores are busy already.
    ///
    /// - Parameters:
    ///   - count: The number of iterations.
    ///   - body: One iteration, given its index.
    public static func concurrentPerform(_ count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let shared = GEMM.UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                $insideConcurrentWork.withValue(true) { shared.value(index) }
            }
        }
    }

    /// True inside an iteration of ``concurrentPerform(_:_:)``.
    @TaskLocal static var insideConcurrentWork = false

    /// Tells the C allocator to keep the memory a training loop frees: call it before
    /// training. Process-wide; only glibc needs it, elsewhere it does nothing.
    ///
    /// Every training step builds and frees a graph of the same few megabytes. With
    /// glibc's defaults `free` hands the top of the heap back to the kernel once more than
    /// 128 KiB (adjusted upwards as large blocks come and go) lies free there, and blocks
    /// above a similar threshold are mapped and unmapped one by one, so the next step
    /// faults the same pages in again, each zeroed by the kernel: measured at a fifth of a
    /// step of the NAO controller. Raising both thresholds keeps up to 256 MiB of freed
    /// memory for reuse.
    public static func keepFreedMemory() {
        #if canImport(Glibc)
        _ = retainedMemory
        #endif
    }

    #if canImport(Glibc)
    /// Set once, on first use. `mallopt` is declared in `malloc.h`, which Swift's Glibc
    /// module leaves out, so it is looked up by name; the parameters are that header's
    /// M_TRIM_THRESHOLD (−1) and M_MMAP_THRESHOLD (−3).
    private static let retainedMemory: Void = {
        typealias MallocOption = @convention(c) (_ parameter: Int32, _ value: Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallocOption.self)
        _ = mallopt(-3, 64 << 20)
        _ = mallopt(-1, 256 << 20)
    }()
    #endif
}
