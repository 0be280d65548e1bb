import Autodiff
import Fitting
import SeededRandom

/// The Neural Architecture Optimization controller (Luo et al., NeurIPS 2018) with a second
/// predictor head for cost: an encoder that maps an architecture's tokens into a continuous
/// space, a predictor that scores points of that space, and a decoder that maps points
/// back to architectures. Moving an architecture's encoding along the predictor's gradient
/// and decoding it proposes a better one (`NAOController+Generation.swift`).
///
///     let space = NB201Space()
///     let controller = NAOController(space: space, seed: 1)
///     controller.train(samples, epochs: 1000)   // NAOSamples: tokens with accuracy and/or cost
///     controller.predict([space.encode(cell)])  // [NAOPrediction(accuracy: 0.93, cost: 0.41)], both in [0, 1]
///     controller.quality(on: heldOut)           // Kendall τ of each head
///     let seeds = best.map { NAOSeed(tokens: space.encode($0), beta: 0.5) }
///     controller.generate(from: seeds, count: 50, excluding: evaluatedKeys) { tokens in
///         space.isChanceLevel(space.decode(tokens)) ? nil : space.canonical(space.decode(tokens))
///     }
///
/// Architecture (DESIGN.md section 6), with E = `embeddingSize`, H = `hiddenSize`, T the
/// space's `length` and V its `vocabularySize`:
///
/// - Encoder: token embedding (V × E) → one LSTM layer (H) over the T tokens; each output
///   hₜ is L2-normalised, and the architecture's embedding is e = normalise(mean over t
///   of hₜ).
/// - Predictor: an MLP on e (H → 200 → 200 by default, ReLU) whose last layer has two
///   outputs, i.e. two linear heads on a shared trunk, each through a sigmoid: column 0
///   predicts the normalised accuracy, column 1 the normalised log cost (see
///   ``NAOLabelScale``).
/// - Decoder: its own token embedding → one LSTM layer (H) whose state starts at
///   h₀ = c₀ = e (both from the encoder, so a moved e steers the whole decoding) → dot
///   attention over {hₜ} (Luong: context = Σ softmax(h·hₜ) hₜ) → tanh(Linear(concat(context,
///   h))) → Linear to V logits, to which the space's mask adds −10⁹ for forbidden tokens
///   (in training as in decoding). Training uses teacher forcing: step 0 reads the start
///   token, step t the target's token t − 1. Generation decodes greedily.
/// - Loss: λ·(MSE of the accuracy head + MSE of the cost head) + (1 − λ)·NLL of the
///   decoder, λ = 0.8. Each MSE averages over the batch rows that carry that label, so the
///   accuracy head learns only from architectures with an accuracy and the cost head from
///   every architecture with a cost; the NLL averages over all T steps of all rows.
/// - Training: Adam (lr 10⁻³, L2 weight decay 10⁻⁴), gradient norm clipped at 5, batches
///   of `batchSize` in an order reshuffled every epoch; with `augmentation` each sample is
///   replaced, every epoch, by a random member of its equivalence class
///   (`TokenSpace.equivalentSequences(of:)`).
///
/// Determinism: the seed fixes the initial weights; the same generator, continued, draws
/// every shuffle and augmentation. The same seed and the same calls with the same samples
/// therefore give the same weights and the same generated architectures, on any machine
/// with the same core count (the matrix kernels are bit-identical serial or threaded).
///
/// A controller is not thread-safe: one task at a time may train or generate.
public final class NAOController<Space: TokenSpace> {
    public let space: Space
    public let configuration: NAOConfiguration
    /// How the last ``train(_:epochs:costOnlyPerEpoch:)`` normalised its labels, which the predictor's outputs
    /// are in. Empty (no ranges) before the first training.
    public private(set) var scale = NAOLabelScale()

    let encoderEmbedding: Embedding
    let encoderCell: LSTMCell
    let predictor: MLP
    let decoderEmbedding: Embedding
    let decoderCell: LSTMCell
    /// Luong's combination layer: concat(context, h) `[B, 2H]` → `[B, H]`, then tanh.
    let combine: Linear
    /// `[B, H]` → V logits.
    let output: Linear
    let optimizer: Adam
    /// Continues the seed's sequence after initialisation: shuffles and augmentation.
    private var generator: SplitMix64
    /// A second set of layers for the second half of each training batch (see
    /// ``accumulateGradients(_:_:)``), made on first use; its own initial weights are
    /// overwritten before each use.
    private lazy var replica = NAOController(space: space, configuration: configuration, seed: 0)
    /// Per position, `[V]`: 0 for allowed tokens, −10⁹ for forbidden ones.
    let maskBias: [Tensor]
    /// The same for all positions, `[T, V]`.
    let maskTable: Tensor
    let allowed: [[Bool]]

    /// Every trainable tensor: encoder, predictor, decoder, in that order.
    public var parameters: [Tensor] {
        encoderEmbedding.parameters + encoderCell.parameters + predictor.parameters
            + decoderEmbedding.parameters + decoderCell.parameters + combine.parameters + output.parameters
    }

    /// Creates a controller with seeded weights.
    ///
    /// - Parameters:
    ///   - space: The token space; its mask must allow at least one token at every position
    ///     and never the start token.
    ///   - configuration: Sizes and training settings.
    ///   - seed: Fixes the weights (drawn in the order of ``parameters``) and every later
    ///     random draw.
    public init(space: Space, configuration: NAOConfiguration = NAOConfiguration(), seed: UInt64) {
        let (e, h, v) = (configuration.embeddingSize, configuration.hiddenSize, space.vocabularySize)
        precondition(e > 0 && h > 0 && configuration.batchSize > 0 && space.length > 0,
                     "NAOController: sizes must be positive (embedding \(e), hidden \(h), batch \(configuration.batchSize))")
        precondition((0...1).contains(configuration.predictionWeight), "NAOController: λ \(configuration.predictionWeight) outside [0, 1]")
        var allowed: [[Bool]] = []
        for position in 0..<space.length {
            let mask = space.mask(at: position)
            precondition(mask.count == v && mask.contains(true) && !mask[space.startToken],
                         "NAOController: the mask at step \(position) must have \(v) entries, allow some token and never the start token")
            allowed.append(mask)
        }
        self.space = space
        self.configuration = configuration
        self.allowed = allowed
        maskBias = allowed.map { mask in Tensor(mask.map { $0 ? 0 : -1e9 }, shape: [v]) }
        maskTable = Tensor(maskBias.flatMap(\.data), shape: [space.length, v])
        var g = SplitMix64(seed: seed)
        encoderEmbedding = Embedding(count: v, dimension: e, generator: &g)
        encoderCell = LSTMCell(inputSize: e, hiddenSize: h, generator: &g)
        predictor = MLP(sizes: [h] + configuration.predictorHiddenSizes + [2], activation: .relu, generator: &g)
        decoderEmbedding = Embedding(count: v, dimension: e, generator: &g)
        decoderCell = LSTMCell(inputSize: e, hiddenSize: h, generator: &g)
        combine = Linear(inputSize: 2 * h, outputSize: h, generator: &g)
        output = Linear(inputSize: h, outputSize: v, generator: &g)
        generator = g
        let parameters = encoderEmbedding.parameters + encoderCell.parameters + predictor.parameters
            + decoderEmbedding.parameters + decoderCell.parameters + combine.parameters + output.parameters
        optimizer = Adam(parameters: parameters, learningRate: configuration.learningRate,
                         weightDecay: configuration.weightDecay, decayMode: .l2)
    }

    // MARK: - Forward passes

    /// The encoder: per-step outputs {hₜ} `[B, T, H]` (each L2-normalised) and the
    /// architecture embedding e `[B, H]`.
    func encode(_ sequences: [[Int]]) -> (outputs: Tensor, embedding: Tensor) {
        let state = encoderCell.zeroState(batch: sequences.count)
        let outputs = encoderCell(tokens: sequences.flatMap { $0 }, embedding: encoderEmbedding, state: state).l2Normalized()
        return (outputs, Self.summarise(outputs))
    }

    /// e = normalise(mean over t of hₜ), from outputs `[B, T, H]`.
    static func summarise(_ outputs: Tensor) -> Tensor {
        outputs.mean(axis: 1).l2Normalized()
    }

    /// The predictor on embeddings `[B, H]`: `[B, 2]`, sigmoid outputs, column 0 the
    /// normalised accuracy and column 1 the normalised log cost.
    func predictions(_ embedding: Tensor) -> Tensor {
        predictor(embedding).sigmoid()
    }

    /// One decoder step: masked logits `[B, V]` and the new state.
    func decoderStep(_ ids: [Int], position: Int, state: (h: Tensor, c: Tensor),
                     keys: Tensor) -> (logits: Tensor, state: (h: Tensor, c: Tensor)) {
        let next = decoderCell(decoderEmbedding(ids), state: state)
        let context = attention(query: next.h, keys: keys).context
        let combined = combine(Tensor.concat([context, next.h])).tanh()
        return (output(combined) + maskBias[position], next)
    }

    /// Teacher-forced log-probabilities of `targets`, `[B·T, V]`, row b·T + t for token t of
    /// sequence b.
    ///
    /// The same function as T calls of ``decoderStep(_:position:state:keys:)``: attention
    /// does not feed back into the LSTM's input, so with the inputs known the LSTM runs over
    /// the whole sequence first (one fused op), and attention, the combine layer and the
    /// output layer then take all T steps at once.
    func reconstructionLogProbabilities(_ targets: [[Int]], outputs: Tensor, embedding: Tensor) -> Tensor {
        let (b, t, v) = (targets.count, space.length, space.vocabularySize)
        let inputs = targets.flatMap { [space.startToken] + $0.dropLast() }
        let states = decoderCell(tokens: inputs, embedding: decoderEmbedding, state: (embedding, embedding))
        let context = attention(query: states, keys: outputs).context
        let combined = combine(Tensor.concat([context, states])).tanh()
        return (output(combined) + maskTable).reshaped([b * t, v]).logSoftmax()
    }

    /// Greedy decoding from encoder outputs and embeddings: at each step the allowed token
    /// with the highest logit (the lowest id among equals) is emitted and fed back.
    func decodeGreedy(outputs: Tensor, embedding: Tensor) -> [[Int]] {
        Autodiff.withoutRecording {
            let (b, v) = (embedding.shape[0], space.vocabularySize)
            var state = (h: embedding, c: embedding)
            var ids = [Int](repeating: space.startToken, count: b)
            var sequences = [[Int]](repeating: [], count: b)
            for position in 0..<space.length {
                let step = decoderStep(ids, position: position, state: state, keys: outputs)
                state = step.state
                let logits = step.logits.data
                for row in 0..<b {
                    var best = -1
                    for token in 0..<v where allowed[position][token] {
                        if best < 0 || logits[row * v + token] > logits[row * v + best] { best = token }
                    }
                    ids[row] = best
                    sequences[row].append(best)
                }
            }
            return sequences
        }
    }

    // MARK: - Training

    /// Trains on `samples` for `epochs` passes, continuing from the current weights and
    /// optimiser state.
    ///
    /// First the label scale is set from these samples (``scale``): accuracies by min–max,
    /// costs by min–max of their logarithm. Then each epoch shuffles the samples, optionally
    /// replaces each by a random equivalent, and takes one Adam step per batch on
    /// λ·(MSE accuracy + MSE cost) + (1 − λ)·NLL.
    ///
    /// Cost labels are cheap, so a search may hold many times more architectures with only
    /// a cost than with an accuracy; `costOnlyPerEpoch` then bounds an epoch's work: every
    /// sample with an accuracy, plus that many of the others drawn afresh each epoch.
    ///
    /// - Parameters:
    ///   - samples: Token sequences of the space's length, each with an accuracy, a cost
    ///     (positive), both or neither (then it trains only the decoder).
    ///   - epochs: Passes over the samples (NAO uses about 1000).
    ///   - costOnlyPerEpoch: How many samples without an accuracy each epoch uses; nil
    ///     for all of them.
    /// - Returns: The mean losses of the last epoch.
    /// - Complexity: O(epochs × samples per epoch × T × (E·H + H² + T·H)) time.
    @discardableResult
    public func train(_ samples: [NAOSample], epochs: Int, costOnlyPerEpoch: Int? = nil,
                      onEpoch: (_ finished: Int) -> Void = { _ in }) -> NAOTrainingReport {
        precondition(!samples.isEmpty && epochs >= 0, "NAOController.train: need samples and epochs ≥ 0")
        precondition((costOnlyPerEpoch ?? 0) >= 0, "NAOController.train: costOnlyPerEpoch must be ≥ 0")
        for sample in samples { checkTokens(sample.tokens) }
        precondition(samples.allSatisfy { ($0.cost ?? 1) > 0 && ($0.cost ?? 1).isFinite && ($0.accuracy ?? 0).isFinite },
                     "NAOController.train: costs must be positive and labels finite")
        scale = NAOLabelScale(samples)
        Autodiff.keepFreedMemory()
        let rows = samples.map { sample in
            TrainingRow(sequences: configuration.augmentation ? space.equivalentSequences(of: sample.tokens) : [sample.tokens],
                        accuracy: sample.accuracy.map { Float(scale.normalisedAccuracy($0)) },
                        cost: sample.cost.map { Float(scale.normalisedCost($0)) })
        }
        let withAccuracy = rows.indices.filter { rows[$0].accuracy != nil }
        let costOnly = rows.indices.filter { rows[$0].accuracy == nil }
        let subsample = costOnlyPerEpoch.map { $0 < costOnly.count } ?? false
        var report = NAOTrainingReport(epochs: epochs, steps: 0, samples: subsample ? withAccuracy.count + costOnlyPerEpoch! : rows.count,
                                       predictionLoss: .nan, reconstructionLoss: .nan)
        for epoch in 0..<epochs {
            defer { onEpoch(epoch + 1) }
            var order: [Int]
            if subsample {
                let drawn = withAccuracy + shuffledIndices(costOnly.count).prefix(costOnlyPerEpoch!).map { costOnly[$0] }
                order = shuffledIndices(drawn.count).map { drawn[$0] }
            } else {
                order = shuffledIndices(rows.count)
            }
            var predictionSum = 0.0, reconstructionSum = 0.0, batches = 0
            for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
                let batch = order[start..<min(start + configuration.batchSize, order.count)].map { rows[$0] }
                let sequences = batch.map { row in
                    row.sequences.count == 1 ? row.sequences[0] : row.sequences[Int(generator.uniform(below: UInt64(row.sequences.count)))]
                }
                optimizer.zeroGrad()
                let (prediction, reconstruction) = accumulateGradients(sequences, batch)
                clipGradientNorm(parameters, maxNorm: configuration.gradientClip)
                optimizer.step()
                predictionSum += Double(prediction)
                reconstructionSum += Double(reconstruction)
                batches += 1
                report.steps += 1
            }
            report.predictionLoss = predictionSum / Double(batches)
            report.reconstructionLoss = reconstructionSum / Double(batches)
        }
        return report
    }

    struct TrainingRow {
        /// The sample's sequence, or all of its equivalents when augmenting.
        var sequences: [[Int]]
        /// Normalised labels.
        var accuracy: Float?, cost: Float?
    }

    /// What a batch's loss is normalised by: its rows with an accuracy, with a cost, and all
    /// of them.
    struct LossNormalisation {
        var accuracyRows: Int, costRows: Int, rows: Int

        init(_ rows: [TrainingRow]) {
            accuracyRows = rows.filter { $0.accuracy != nil }.count
            costRows = rows.filter { $0.cost != nil }.count
            self.rows = rows.count
        }
    }

    /// The joint loss of one batch, and its two parts' values.
    ///
    /// - Parameter whole: The normalisation of the batch these rows are part of (all of it
    ///   when nil): the loss is then these rows' share of the batch's, and the shares of
    ///   the parts of a batch add up to its loss.
    func loss(_ sequences: [[Int]], _ rows: [TrainingRow], of whole: LossNormalisation? = nil)
        -> (total: Tensor, prediction: Float, reconstruction: Float) {
        let b = sequences.count, whole = whole ?? LossNormalisation(rows)
        let (outputs, embedding) = encode(sequences)
        var target = [Float](repeating: 0, count: 2 * b), weight = target
        for (r, row) in rows.enumerated() {
            if let accuracy = row.accuracy {
                target[2 * r] = accuracy
                weight[2 * r] = 1 / Float(whole.accuracyRows)
            }
            if let cost = row.cost {
                target[2 * r + 1] = cost
                weight[2 * r + 1] = 1 / Float(whole.costRows)
            }
        }
        let difference = predictions(embedding) - Tensor(target, shape: [b, 2])
        let prediction = (difference * difference * Tensor(weight, shape: [b, 2])).sum()
        let logp = reconstructionLogProbabilities(sequences, outputs: outputs, embedding: embedding)
        // The NLL's mean over these rows' tokens, as a share of the mean over the batch's.
        let share = Float(b) / Float(whole.rows)
        let reconstruction = share * Loss.negativeLogLikelihood(logProbabilities: logp, targets: sequences.flatMap { $0 })
        let lambda = configuration.predictionWeight
        return (lambda * prediction + (1 - lambda) * reconstruction, prediction.scalar, reconstruction.scalar)
    }

    /// Batches of at least this many rows are split in two (see
    /// ``accumulateGradients(_:_:)``); below it the copies and the synchronisation cost
    /// more than the second core saves.
    static var minimumSplitRows: Int { 32 }

    /// Runs the forward and backward passes of one batch, adding the loss's gradient into
    /// every parameter's `grad`, and returns the loss's two parts.
    ///
    /// A batch of at least ``minimumSplitRows`` rows is cut in two halves. This controller
    /// takes the first; ``replica``, given this controller's current weights, takes the
    /// second, on another core; then the replica's gradients are added to this
    /// controller's. Each half's loss is its share of the batch's (see
    /// ``loss(_:_:of:)``), so the sum is the batch's gradient. The cut depends only on the
    /// batch, never on the number of cores, so neither do the results.
    func accumulateGradients(_ sequences: [[Int]], _ rows: [TrainingRow]) -> (prediction: Float, reconstruction: Float) {
        guard rows.count >= Self.minimumSplitRows else {
            let (total, prediction, reconstruction) = loss(sequences, rows)
            total.backward()
            return (prediction, reconstruction)
        }
        let replica = self.replica
        for (copy, original) in zip(replica.parameters, parameters) {
            copy.assign(original.data)
            copy.zeroGrad()
        }
        let whole = LossNormalisation(rows), half = rows.count / 2
        let parts = [(self, 0..<half), (replica, half..<rows.count)]
        var values = [(prediction: Float, reconstruction: Float)](repeating: (0, 0), count: 2)
        values.withUnsafeMutableBufferPointer { values in
            // Each part writes only its own controller's graph and gradients and its own
            // slot of `values`.
            Autodiff.concurrentPerform(2) { part in
                let (controller, range) = parts[part]
                let (total, prediction, reconstruction) = controller.loss(Array(sequences[range]), Array(rows[range]), of: whole)
                total.backward()
                values[part] = (prediction, reconstruction)
            }
        }
        for (original, copy) in zip(parameters, replica.parameters) { original.addGrad(copy.grad) }
        return (values[0].prediction + values[1].prediction, values[0].reconstruction + values[1].reconstruction)
    }

    /// A shuffle of 0..<count drawn from the controller's generator.
    private func shuffledIndices(_ count: Int) -> [Int] {
        generator.shuffledIndices(count)
    }

    func checkTokens(_ tokens: [Int]) {
        precondition(tokens.count == space.length && tokens.allSatisfy { (0..<space.vocabularySize).contains($0) },
                     "NAOController: \(tokens) is not a sequence of \(space.length) tokens below \(space.vocabularySize)")
    }

    // MARK: - Inference

    /// The predictor's outputs for each sequence, in [0, 1]: normalised accuracy and
    /// normalised log cost on the scale of the last training (``scale`` converts back).
    ///
    /// - Complexity: O(sequences × T × (E·H + H²)); batches of 512, no graph recorded.
    public func predict(_ sequences: [[Int]]) -> [NAOPrediction] {
        for tokens in sequences { checkTokens(tokens) }
        return Autodiff.withoutRecording {
            var result: [NAOPrediction] = []
            for start in stride(from: 0, to: sequences.count, by: 512) {
                let chunk = Array(sequences[start..<min(start + 512, sequences.count)])
                let values = predictions(encode(chunk).embedding).data
                for r in chunk.indices { result.append(NAOPrediction(accuracy: Double(values[2 * r]), cost: Double(values[2 * r + 1]))) }
            }
            return result
        }
    }

    /// What the decoder makes of each sequence's own encoding (greedy, masked): an
    /// autoencoder that works returns its input.
    public func reconstruct(_ sequences: [[Int]]) -> [[Int]] {
        for tokens in sequences { checkTokens(tokens) }
        return Autodiff.withoutRecording {
            var result: [[Int]] = []
            for start in stride(from: 0, to: sequences.count, by: 512) {
                let (outputs, embedding) = encode(Array(sequences[start..<min(start + 512, sequences.count)]))
                result += decodeGreedy(outputs: outputs, embedding: embedding)
            }
            return result
        }
    }

    /// How well each head orders `samples` it did not learn from: Kendall's τ-b between the
    /// accuracy head and the samples' accuracies, and between the cost head and their costs
    /// (the normalisation is monotone, so τ is that of the raw labels).
    ///
    /// - Returns: Each τ with the number of samples it is over; NaN where fewer than two
    ///   samples carry the label or either side is constant.
    public func quality(on samples: [NAOSample]) -> NAOPredictorQuality {
        let predicted = predict(samples.map(\.tokens))
        let withAccuracy = samples.indices.filter { samples[$0].accuracy != nil }
        let withCost = samples.indices.filter { samples[$0].cost != nil }
        return NAOPredictorQuality(
            accuracyTau: ValidationScores.kendallTauB(withAccuracy.map { predicted[$0].accuracy }, withAccuracy.map { samples[$0].accuracy! }),
            accuracyCount: withAccuracy.count,
            costTau: ValidationScores.kendallTauB(withCost.map { predicted[$0].cost }, withCost.map { samples[$0].cost! }),
            costCount: withCost.count)
    }
}

/// One architecture to learn from: its tokens and whichever labels it has.
public struct NAOSample: Sendable, Equatable {
    /// The architecture's tokens: the space's `length` of them, each below its `vocabularySize`.
    public var tokens: [Int]
    /// Accuracy in the evaluator's units (percent for NB201 tables); nil when not evaluated
    /// or the evaluation failed.
    public var accuracy: Double?
    /// Cost in joules or seconds (positive); nil when unknown.
    public var cost: Double?

    public init(tokens: [Int], accuracy: Double? = nil, cost: Double? = nil) {
        self.tokens = tokens
        self.accuracy = accuracy
        self.cost = cost
    }
}

/// The predictor's two outputs for one architecture, each in [0, 1] on the
/// ``NAOLabelScale`` of the last training.
public struct NAOPrediction: Sendable, Equatable {
    /// Normalised accuracy: higher is better.
    public var accuracy: Double
    /// Normalised log cost: lower is cheaper.
    public var cost: Double
}

/// The mean losses of a training's last epoch.
public struct NAOTrainingReport: Sendable, Equatable {
    /// Epochs run.
    public var epochs: Int
    /// Adam steps taken.
    public var steps: Int
    /// Samples per epoch.
    public var samples: Int
    /// MSE of the accuracy head plus MSE of the cost head (NaN when no epoch ran).
    public var predictionLoss: Double
    /// The decoder's NLL per token (NaN when no epoch ran).
    public var reconstructionLoss: Double

    /// Field by field, NaN equal to NaN.
    public static func == (a: Self, b: Self) -> Bool {
        a.epochs == b.epochs && a.steps == b.steps && a.samples == b.samples
            && sameValue(a.predictionLoss, b.predictionLoss) && sameValue(a.reconstructionLoss, b.reconstructionLoss)
    }
}

/// Equality for numbers that may be NaN (an undefined τ, a loss of no epoch).
func sameValue(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }

/// Kendall's τ-b of each predictor head on held-out architectures.
public struct NAOPredictorQuality: Sendable, Equatable {
    /// τ-b between the accuracy head and measured accuracies (NaN when undefined).
    public var accuracyTau: Double
    /// Architectures with an accuracy that τ is over.
    public var accuracyCount: Int
    /// τ-b between the cost head and costs (NaN when undefined).
    public var costTau: Double
    /// Architectures with a cost that τ is over.
    public var costCount: Int

    public init(accuracyTau: Double, accuracyCount: Int, costTau: Double, costCount: Int) {
        self.accuracyTau = accuracyTau
        self.accuracyCount = accuracyCount
        self.costTau = costTau
        self.costCount = costCount
    }

    /// Equal when both counts match and each τ matches (NaN equals NaN).
    public static func == (a: Self, b: Self) -> Bool {
        a.accuracyCount == b.accuracyCount && a.costCount == b.costCount
            && sameValue(a.accuracyTau, b.accuracyTau) && sameValue(a.costTau, b.costTau)
    }
}
