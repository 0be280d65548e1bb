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
}
