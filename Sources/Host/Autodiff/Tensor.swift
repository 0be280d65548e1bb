import SeededRandom

/// An array of Float32 values with a shape, and a node in the graph that reverse-mode
/// differentiation walks back through.
///
/// Values are stored contiguously in row-major order: for shape `[B, T, H]`, element
/// `(b, t, h)` is at `(b * T + t) * H + h`. Ranks 1 to 3 are supported; a scalar is
/// shape `[1]`. Ops that act "along the last axis" (softmax, concat, L2-normalise) view
/// any tensor as `rowCount` rows of `lastDimension` values.
///
/// A tensor is a class because it is a graph node with an identity: the loss must find
/// the very parameter objects the optimiser updates. The values themselves (``data``,
/// ``grad``) are Swift arrays, so reading them hands out an independent copy-on-write
/// snapshot.
///
///     let w = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)   // a parameter
///     let x = Tensor([1, 1], shape: [1, 2])                              // a constant
///     let loss = x.matmul(w).tanh().sum()
///     loss.backward()
///     w.grad                                                           // ∂loss/∂w
///
/// Gradients accumulate (`+=`) so a tensor used twice receives both contributions; call
/// ``zeroGrad()`` (or ``Adam/zeroGrad()``) between steps.
public final class Tensor {
    /// The pullback of one op: reads `output.grad` and adds into each input's `grad`.
    /// It receives its tensors as arguments and must capture none, so that the graph is
    /// held only through ``inputs`` and can be freed iteratively (see `deinit`).
    typealias Backward = (_ output: Tensor, _ inputs: [Tensor]) -> Void

    /// The extent of each axis, outermost first.
    public let shape: [Int]
    /// The values, row-major. Only the optimiser and ``assign(_:)`` change them.
    public internal(set) var data: [Float]
    /// ∂(the scalar ``backward()`` started from)/∂(each value); empty for tensors that
    /// need no gradient.
    public internal(set) var grad: [Float]
    /// True for parameters and for results computed from them while recording.
    public let requiresGrad: Bool
    /// The op that made this tensor ("matmul", "tanh", …; "parameter" or "constant" for
    /// leaves), for graph dumps and error messages.
    public let op: String
    /// The tensors this one was computed from; empty for leaves and unrecorded results.
    var inputs: [Tensor]
    let pullback: Backward?

    /// Creates a leaf tensor.
    ///
    /// - Parameters:
    ///   - data: The values in row-major order; `data.count` must equal the product of
    ///     `shape`.
    ///   - shape: One to three positive extents.
    ///   - requiresGrad: True for a trainable parameter (its ``grad`` starts at zero).
    public convenience init(_ data: [Float], shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, data: data, op: requiresGrad ? "parameter" : "constant",
                  requiresGrad: requiresGrad, inputs: [], pullback: nil)
    }

    /// Creates a tensor of zeros (a parameter if `requiresGrad`).
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init([Float](repeating: 0, count: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    /// Creates a parameter filled uniformly from [-bound, bound), drawn in row-major order.
    /// With `bound = 1/√fan_in` this is PyTorch's default for `Linear` and `LSTM`.
    public convenience init(uniform shape: [Int], bound: Float, generator: inout SplitMix64) {
        let values = (0..<shape.reduce(1, *)).map { _ in generator.nextFloat(bound: bound) }
        self.init(values, shape: shape, requiresGrad: true)
    }

    init(shape: [Int], data: [Float], op: String, requiresGrad: Bool, inputs: [Tensor], pullback: Backward?) {
        precondition((1...3).contains(shape.count) && shape.allSatisfy { $0 > 0 },
                     "Tensor: shape \(shape) must have rank 1-3 and positive extents")
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: \(data.count) values do not fill shape \(shape)")
        self.shape = shape
        self.data = data
        self.grad = requiresGrad && inputs.isEmpty ? [Float](repeating: 0, count: data.count) : []
        self.requiresGrad = requiresGrad
        self.op = op
        self.inputs = inputs
        self.pullback = pullback
    }

    /// Frees the graph above this node without recursion: an unrolled LSTM is thousands
    /// of nodes deep, and releasing it node-by-node through nested deinits could exhaust
    /// a secondary thread's stack.
    deinit {
        var pending: [Tensor] = []
        swap(&pending, &inputs)
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.inputs)
                node.inputs = []
            }
        }
    }

    /// The number of values.
    public var count: Int { data.count }
    /// The number of axes (1-3).
    public var rank: Int { shape.count }
    /// The extent of the last axis, the one rows run along.
    public var lastDimension: Int { shape[shape.count - 1] }
    /// The number of rows when viewed as `[rowCount, lastDimension]`.
    public var rowCount: Int { data.count / lastDimension }

    /// The single value of a one-element tensor (a loss, say).
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: shape \(shape) holds \(count) values")
        return data[0]
    }

    /// Replaces the values (loading saved weights, say); the count must not change.
    ///
    /// The values are copied into the tensor's own storage, which therefore stays unshared
    /// (an optimiser step that follows writes it in place).
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "Tensor.assign: \(values.count) values for shape \(shape)")
        data.withUnsafeMutableBufferPointer { data in
            values.withUnsafeBufferPointer { data.baseAddress!.update(from: $0.baseAddress!, count: values.count) }
        }
    }

    /// Adds `values` into ``grad``: gradients computed elsewhere, such as by a copy of a
    /// model that worked on part of a batch on another thread. A no-op for tensors that
    /// need no gradient.
    public func addGrad(_ values: [Float]) {
        precondition(values.count == count, "Tensor.addGrad: \(values.count) values for shape \(shape)")
        accumulateGrad { g in for i in g.indices { g[i] += values[i] } }
    }

    /// Sets ``grad`` to zeros (a no-op for tensors that need no gradient).
    public func zeroGrad() {
        guard requiresGrad else { return }
        if grad.count == count {
            grad.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }   // in place: no new allocation per step
        } else {
            grad = [Float](repeating: 0, count: count)
        }
    }

    /// Lets a pullback add into this tensor's gradient; skipped for constants.
    @inline(__always)
    func accumulateGrad(_ body: (inout [Float]) -> Void) {
        if requiresGrad { body(&grad) }
    }

    /// Wraps an op's result, recording `inputs` and `pullback` only when the graph is
    /// being recorded and some input needs a gradient.
    static func result(_ op: String, _ shape: [Int], _ data: [Float], _ inputs: [Tensor],
                       _ pullback: @escaping Backward) -> Tensor {
        let record = Autodiff.recording && inputs.contains { $0.requiresGrad }
        return Tensor(shape: shape, data: data, op: op, requiresGrad: record,
                      inputs: record ? inputs : [], pullback: record ? pullback : nil)
    }
}

extension Tensor: CustomStringConvertible {
    /// The op and shape, e.g. `matmul[4, 96]`.
    public var description: String { "\(op)\(shape)" }
}
