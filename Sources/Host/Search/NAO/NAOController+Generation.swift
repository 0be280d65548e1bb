import Autodiff

/// One architecture to improve, and how much cost weighs against accuracy while doing so.
public struct NAOSeed: Sendable, Equatable {
    /// The architecture's tokens.
    public var tokens: [Int]
    /// β ≥ 0 in the objective f = predicted accuracy − β · predicted cost (both normalised,
    /// see ``NAOLabelScale``): 0 seeks accuracy alone, larger values trade accuracy for
    /// cheaper architectures.
    public var beta: Double

    public init(tokens: [Int], beta: Double) {
        precondition(beta >= 0 && beta.isFinite, "NAOSeed: β \(beta) must be finite and ≥ 0")
        self.tokens = tokens
        self.beta = beta
    }
}

/// What ``NAOController/generate(from:count:maxStepSize:excluding:key:)`` proposes.
public struct NAOGeneration: Sendable, Equatable {
    /// New architectures' token sequences, in the order they appeared (by step size, then
    /// by seed).
    public var sequences: [[Int]]
    /// Their keys, as the `key` closure gave them.
    public var keys: [String]
    /// The last step size η tried.
    public var stepSize: Int
}

extension NAOController {
    /// Proposes up to `count` new architectures by NAO's gradient step.
    ///
    /// For each seed: its encoder outputs {hₜ}, the gradient of
    /// f = predicted accuracy − β · predicted cost with respect to them (through
    /// e = normalise(mean hₜ) and the predictor), then for η = 1, 2, … hₜ' = hₜ + η ∂f/∂hₜ,
    /// each hₜ' re-normalised and e' = normalise(mean hₜ') as the encoder does, decoded
    /// greedily under the space's mask. A decoded sequence is kept when `key` accepts it
    /// and its key is neither in `known` nor kept already. η rises until `count` are kept
    /// or η reaches `maxStepSize`.
    ///
    /// ```swift
    /// let generation = controller.generate(from: seeds, count: 20, excluding: evaluated) { tokens in
    ///     let cell = space.decode(tokens)
    ///     return space.isChanceLevel(cell) ? nil : space.canonical(cell)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - seeds: The architectures to start from, each with its β; usually the best
    ///     evaluated ones under several β.
    ///   - count: How many new architectures are wanted.
    ///   - maxStepSize: The largest η tried (NAO's cap is of the order of 100).
    ///   - known: Keys of architectures that are not new (already evaluated).
    ///   - key: The canonical key of a decoded sequence (isomorphic architectures share
    ///     one), or nil when the sequence must not be proposed (a chance-level cell).
    /// - Returns: At most `count` sequences; fewer when η ran out first.
    /// - Important: Do not call inside `Autodiff.withoutRecording`: the gradient needs the
    ///   graph.
    public func generate(from seeds: [NAOSeed], count: Int, maxStepSize: Int = 100, excluding known: Set<String>,
                         key: ([Int]) -> String?) -> NAOGeneration {
        var generation = NAOGeneration(sequences: [], keys: [], stepSize: 0)
        guard !seeds.isEmpty, count > 0 else { return generation }
        let (outputs, gradient, _) = objectiveGradient(seeds)
        var seen = known
        while generation.sequences.count < count && generation.stepSize < maxStepSize {
            generation.stepSize += 1
            let moved = step(outputs, gradient, by: Float(generation.stepSize))
            for tokens in decodeGreedy(outputs: moved.outputs, embedding: moved.embedding) {
                guard let name = key(tokens), seen.insert(name).inserted else { continue }
                generation.sequences.append(tokens)
                generation.keys.append(name)
                if generation.sequences.count == count { break }
            }
        }
        return generation
    }

    /// The seeds' encoder outputs `[B, T, H]` (a constant), ∂f/∂hₜ for each (same layout),
    /// and f itself, with f = accuracy head − β · cost head per seed.
    func objectiveGradient(_ seeds: [NAOSeed]) -> (outputs: Tensor, gradient: [Float], objective: [Double]) {
        for seed in seeds { checkTokens(seed.tokens) }
        precondition(Autodiff.isRecording, "NAOController.generate: called inside Autodiff.withoutRecording")
        let encoded = Autodiff.withoutRecording { encode(seeds.map(\.tokens)).outputs }
        let h = Tensor(encoded.data, shape: encoded.shape, requiresGrad: true)
        let terms = predictions(Self.summarise(h)) * Tensor(seeds.flatMap { [1, -Float($0.beta)] }, shape: [seeds.count, 2])
        terms.sum().backward()
        // The predictor's parameters received gradients too; training zeroes them anyway,
        // but leave nothing behind.
        predictor.zeroGrad()
        let values = terms.data
        return (encoded, h.grad, seeds.indices.map { Double(values[2 * $0] + values[2 * $0 + 1]) })
    }

    /// Encoder outputs moved by η·gradient, each hₜ re-normalised, and e recomputed.
    func step(_ outputs: Tensor, _ gradient: [Float], by stepSize: Float) -> (outputs: Tensor, embedding: Tensor) {
        Autodiff.withoutRecording {
            let moved = Tensor(zip(outputs.data, gradient).map { $0 + stepSize * $1 }, shape: outputs.shape).l2Normalized()
            return (moved, Self.summarise(moved))
        }
    }

    /// f = accuracy head − β · cost head at the seeds' encodings, and at the encodings after
    /// a step of η: the gradient step should raise it for small η.
    func objectiveBeforeAndAfterStep(_ seeds: [NAOSeed], stepSize: Float) -> (before: [Double], after: [Double]) {
        let (outputs, gradient, before) = objectiveGradient(seeds)
        let moved = step(outputs, gradient, by: stepSize)
        let values = Autodiff.withoutRecording { predictions(moved.embedding).data }
        return (before, seeds.indices.map { Double(values[2 * $0]) - seeds[$0].beta * Double(values[2 * $0 + 1]) })
    }
}
