import Foundation
import Fitting
import JouleTestSupport
import Network
import SeededRandom
import Testing
import Autodiff
@testable import Search

/// The NAO controller on NB201 cells labelled with NAS-Bench-201's CIFAR-10 accuracies:
/// reconstruction, held-out ranking, the gradient step, generation and determinism.
///
/// Debug builds run the autodiff core some 30× slower than release, so these tests use a
/// small controller (embedding 8, LSTMs of 16, predictor 16 → 16) with a larger learning
/// rate (0.01) and 100 epochs; the architecture and the training loop are the real ones.
/// (At 0.02 this small controller's reconstruction swings between 100 % and 45 % from one
/// ten epochs to the next: Adam overshoots. At 0.01 it climbs to 91–100 % by epoch 80.)
@Suite(.serialized) struct NAOControllerTests {
    static let space = NB201Space()
    static let table: TableEvaluator = try! TableEvaluator(
        file: PackageLayout.sharedData.appendingPathComponent("nb201/nb201_cifar10.csv").path)
    static let small = NAOConfiguration(embeddingSize: 8, hiddenSize: 16, predictorHiddenSizes: [16, 16],
                                        learningRate: 0.01, batchSize: 20, augmentation: false)

    /// A made-up cost that grows with the convolutions on the cell's edges, standing in for
    /// a cost model: 1 + 9·(3×3 convolutions) + (1×1 convolutions).
    static func syntheticCost(_ cell: NB201Cell) -> Double {
        1 + 9 * Double(cell.edges.filter { $0 == .conv3x3 }.count) + Double(cell.edges.filter { $0 == .conv1x1 }.count)
    }

    /// `count` distinct (by `nb201` class) connected cells with table accuracy and synthetic cost.
    static func labelled(_ count: Int, seed: UInt64, excluding: Set<String> = []) -> [NAOSample] {
        var generator = SplitMix64(seed: seed)
        var keys = excluding
        var samples: [NAOSample] = []
        while samples.count < count {
            let cell = space.randomCell(using: &generator)
            guard !space.isChanceLevel(cell), keys.insert(space.canonical(cell)).inserted else { continue }
            samples.append(NAOSample(tokens: space.encode(cell), accuracy: table.evaluate(Candidate(cell: cell)).accuracy!,
                                     cost: syntheticCost(cell)))
        }
        return samples
    }

    static func key(_ tokens: [Int]) -> String? {
        let cell = space.decode(tokens)
        return space.isChanceLevel(cell) ? nil : space.canonical(cell)
    }

    /// 100 training cells, and a controller trained on them once for the tests that follow.
    static let training = labelled(100, seed: 11)
    nonisolated(unsafe) static let trained: NAOController<NB201Space> = {
        let controller = NAOController(space: space, configuration: small, seed: 4)
        controller.train(training, epochs: 100)
        return controller
    }()

    @Test func theDecoderReconstructsItsTrainingCells() {
        let tokens = Self.training.map(\.tokens)
        let decoded = Self.trained.reconstruct(tokens)
        let exact = Double(zip(decoded, tokens).filter { $0 == $1 }.count) / Double(tokens.count)
        #expect(exact > 0.9, "\(exact) of the training cells decode exactly")
        #expect(decoded.allSatisfy { $0.count == 6 && $0.allSatisfy { (0..<5).contains($0) } })
    }

    @Test func bothHeadsRankHeldOutCells() {
        let known = Set(Self.training.map { Self.space.canonical(Self.space.decode($0.tokens)) })
        let heldOut = Self.labelled(300, seed: 12, excluding: known)
        let quality = Self.trained.quality(on: heldOut)
        #expect(quality.accuracyCount == 300 && quality.costCount == 300)
        #expect(quality.accuracyTau > 0.3, "accuracy head τ \(quality.accuracyTau)")
        #expect(quality.costTau > 0.5, "cost head τ \(quality.costTau)")
    }

    @Test func theGradientStepRaisesThePredictedObjective() {
        let seeds = Self.training.prefix(20).enumerated().map { i, sample in NAOSeed(tokens: sample.tokens, beta: i.isMultiple(of: 2) ? 0 : 0.5) }
        let (before, after) = Self.trained.objectiveBeforeAndAfterStep(seeds, stepSize: 0.05)
        for i in seeds.indices {
            #expect(after[i] > before[i], "seed \(i) (β \(seeds[i].beta)): f \(before[i]) → \(after[i])")
        }
        // Before the step, f is what predict() says.
        let predicted = Self.trained.predict(seeds.map(\.tokens))
        for i in seeds.indices {
            #expect(abs(before[i] - (predicted[i].accuracy - seeds[i].beta * predicted[i].cost)) < 1e-6)
        }
    }

    @Test func generationProposesNewConnectedDistinctCells() {
        let known = Set(Self.training.map { Self.space.canonical(Self.space.decode($0.tokens)) })
        let best = Self.training.indices.sorted { Self.training[$0].accuracy! > Self.training[$1].accuracy! }.prefix(10)
        let seeds = best.flatMap { [NAOSeed(tokens: Self.training[$0].tokens, beta: 0), NAOSeed(tokens: Self.training[$0].tokens, beta: 0.5)] }
        let generation = Self.trained.generate(from: seeds, count: 15, maxStepSize: 50, excluding: known, key: Self.key)
        #expect(generation.sequences.count == 15, "η reached \(generation.stepSize)")
        #expect(Set(generation.keys).count == generation.keys.count)
        for (tokens, key) in zip(generation.sequences, generation.keys) {
            let cell = Self.space.decode(tokens)
            #expect(!Self.space.isChanceLevel(cell))
            #expect(!known.contains(key) && key == Self.space.canonical(cell))
        }
        // Generation changes nothing: asking again gives the same proposals.
        #expect(Self.trained.generate(from: seeds, count: 15, maxStepSize: 50, excluding: known, key: Self.key) == generation)
        // With every result of the first call known, the next ones are others.
        let more = Self.trained.generate(from: seeds, count: 5, maxStepSize: 50, excluding: known.union(generation.keys), key: Self.key)
        #expect(Set(more.keys).isDisjoint(with: generation.keys))
    }

    @Test func theSameSeedGivesTheSameWeightsAndProposals() {
        let samples = Array(Self.training.prefix(30))
        func run(seed: UInt64) -> ([[Float]], NAOGeneration, NAOTrainingReport) {
            var configuration = Self.small
            configuration.augmentation = true
            let controller = NAOController(space: Self.space, configuration: configuration, seed: seed)
            let report = controller.train(samples, epochs: 3)
            let seeds = samples.prefix(5).map { NAOSeed(tokens: $0.tokens, beta: 0.3) }
            return (controller.parameters.map(\.data),
                    controller.generate(from: seeds, count: 5, maxStepSize: 30, excluding: [], key: Self.key), report)
        }
        let first = run(seed: 9), second = run(seed: 9), other = run(seed: 10)
        #expect(first.0 == second.0 && first.1 == second.1 && first.2 == second.2)
        #expect(first.0 != other.0)
        #expect(first.2.steps == 6 && first.2.samples == 30)
    }

    /// The prediction term is MSE(accuracy head) over the rows with an accuracy plus
    /// MSE(cost head) over the rows with a cost; rows without a label add nothing.
    @Test func eachHeadIsTrainedOnlyOnTheRowsThatCarryItsLabel() {
        let controller = NAOController(space: Self.space, configuration: Self.small, seed: 2)
        let samples = Array(Self.training.prefix(6))
        controller.train(samples, epochs: 0)        // sets the label scale only
        let scale = controller.scale
        let rows = samples.enumerated().map { i, sample in
            NAOController<NB201Space>.TrainingRow(
                sequences: [sample.tokens],
                accuracy: i < 2 ? Float(scale.normalisedAccuracy(sample.accuracy!)) : nil,   // two with an accuracy
                cost: i == 5 ? nil : Float(scale.normalisedCost(sample.cost!)))              // five with a cost
        }
        let predicted = controller.predict(samples.map(\.tokens))
        var accuracyError = 0.0, costError = 0.0
        for (row, p) in zip(rows, predicted) {
            if let a = row.accuracy { accuracyError += (p.accuracy - Double(a)) * (p.accuracy - Double(a)) / 2 }
            if let c = row.cost { costError += (p.cost - Double(c)) * (p.cost - Double(c)) / 5 }
        }
        let loss = controller.loss(samples.map(\.tokens), rows)
        #expect(abs(Double(loss.prediction) - (accuracyError + costError)) < 1e-5)
        #expect(abs(loss.total.scalar - (0.8 * loss.prediction + 0.2 * loss.reconstruction)) < 1e-5)
        // A uniform decoder would score ln 5 per token (the start token is masked out).
        #expect(abs(Double(loss.reconstruction) - log(5.0)) < 0.5)
    }

    @Test func labelsAreScaledByRankAndLogCost() {
        let scale = NAOLabelScale([NAOSample(tokens: [], accuracy: 60, cost: 1), NAOSample(tokens: [], accuracy: 90, cost: 100),
                                   NAOSample(tokens: [], cost: 10)])
        #expect(scale.accuracy == 60...90)
        #expect(scale.normalisedAccuracy(75) == 0.5)
        #expect(abs(scale.normalisedCost(10) - 0.5) < 1e-12 && scale.normalisedCost(1) == 0 && scale.normalisedCost(100) == 1)
        #expect(NAOLabelScale([NAOSample(tokens: [], cost: 3)]).normalisedCost(3) == 0.5)
        #expect(NAOLabelScale().normalisedAccuracy(42) == 0.5)
        // Ranks: one poor network does not squeeze the others. Positions 0…3 of 35, 85, 88,
        // 91 map to 0, 1/3, 2/3, 1; 86.5 lies halfway between positions 1 and 2; ties take
        // the middle of their run (85, 85 at positions 1 and 2 of 80, 85, 85, 90).
        let ranks = NAOLabelScale([35, 91, 85, 88].map { NAOSample(tokens: [], accuracy: $0) })
        #expect(ranks.normalisedAccuracy(35) == 0 && ranks.normalisedAccuracy(91) == 1)
        #expect(abs(ranks.normalisedAccuracy(85) - 1.0 / 3) < 1e-12 && abs(ranks.normalisedAccuracy(88) - 2.0 / 3) < 1e-12)
        #expect(abs(ranks.normalisedAccuracy(86.5) - 0.5) < 1e-12)
        #expect(ranks.normalisedAccuracy(20) == 0 && ranks.normalisedAccuracy(95) == 1)
        let ties = NAOLabelScale([80, 85, 85, 90].map { NAOSample(tokens: [], accuracy: $0) })
        #expect(ties.normalisedAccuracy(85) == 0.5)
    }

    @Test func nb201SequencesAugmentWithinTheirClass() throws {
        let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|")
        let tokens = Self.space.encode(cell)
        let alternatives = Self.space.equivalentSequences(of: tokens)
        #expect(alternatives.contains(tokens) && alternatives.count == Self.space.equivalents(cell).count && alternatives.count > 1)
        #expect(Set(alternatives.map { Self.space.canonical(Self.space.decode($0)) }) == [Self.space.canonical(cell)])
        #expect(Self.space.length == 6 && Self.space.vocabularySize == 6 && Self.space.startToken == 5)
    }
}

/// The teacher-forced decoder runs the LSTM over whole sequences and attends over all
/// steps at once; greedy decoding takes one step at a time. Both must be the same function,
/// or training teaches a decoder that generation does not use.
@Suite struct NAOTeacherForcingTests {
    @Test func batchedTeacherForcingEqualsStepByStepDecoding() {
        let space = NB201Space()
        let controller = NAOController(space: space, configuration: NAOControllerTests.small, seed: 9)
        var generator = SplitMix64(seed: 3)
        let targets = (0..<5).map { _ in space.encode(space.randomCell(using: &generator)) }
        let (outputs, embedding) = controller.encode(targets)
        let batched = controller.reconstructionLogProbabilities(targets, outputs: outputs, embedding: embedding).data
        var state = (h: embedding, c: embedding)
        let (b, t, v) = (targets.count, space.length, space.vocabularySize)
        for position in 0..<t {
            let ids = position == 0 ? [Int](repeating: space.startToken, count: b) : targets.map { $0[position - 1] }
            let step = controller.decoderStep(ids, position: position, state: state, keys: outputs)
            let logp = step.logits.logSoftmax().data
            for row in 0..<b {
                for token in 0..<v where logp[row * v + token] > -1e6 {
                    let other = batched[(row * t + position) * v + token]
                    #expect(abs(logp[row * v + token] - other) < 1e-4, "row \(row) step \(position) token \(token): \(logp[row * v + token]) vs \(other)")
                }
            }
            state = step.state
        }
    }

    /// The backward passes of both forms agree, and with finite differences.
    @Test func batchedTeacherForcingHasTheStepByStepGradient() {
        let space = NB201Space()
        let controller = NAOController(space: space, configuration: NAOControllerTests.small, seed: 9)
        var generator = SplitMix64(seed: 3)
        let targets = (0..<5).map { _ in space.encode(space.randomCell(using: &generator)) }
        let (b, t, v) = (targets.count, space.length, space.vocabularySize)
        func gradients(_ loss: () -> Tensor) -> [[Float]] {
            for p in controller.parameters { p.zeroGrad() }
            loss().backward()
            return controller.parameters.map(\.grad)
        }
        let batched = gradients {
            let (outputs, embedding) = controller.encode(targets)
            let logp = controller.reconstructionLogProbabilities(targets, outputs: outputs, embedding: embedding)
            return Loss.negativeLogLikelihood(logProbabilities: logp, targets: targets.flatMap { $0 })
        }
        let stepwise = gradients {
            let (outputs, embedding) = controller.encode(targets)
            var state = (h: embedding, c: embedding)
            var logits: [Tensor] = []
            for position in 0..<t {
                let ids = position == 0 ? [Int](repeating: space.startToken, count: b) : targets.map { $0[position - 1] }
                let step = controller.decoderStep(ids, position: position, state: state, keys: outputs)
                logits.append(step.logits)
                state = step.state
            }
            // concat joins the steps' [B, V] along the last axis: row b·T + t after the reshape.
            let logp = Tensor.concat(logits).reshaped([b * t, v]).logSoftmax()
            return Loss.negativeLogLikelihood(logProbabilities: logp, targets: targets.flatMap { $0 })
        }
        func lossValue() -> Float {
            Autodiff.withoutRecording {
                let (outputs, embedding) = controller.encode(targets)
                let logp = controller.reconstructionLogProbabilities(targets, outputs: outputs, embedding: embedding)
                return Loss.negativeLogLikelihood(logProbabilities: logp, targets: targets.flatMap { $0 }).scalar
            }
        }
        // And both agree with finite differences (central, step 10⁻², in Float).
        for (i, j) in [(14, 0), (14, 7), (12, 3), (2, 5), (10, 9)] {
            let p = controller.parameters[i], x = p.data
            var up = x; up[j] += 1e-2; p.assign(up); let fUp = lossValue()
            var down = x; down[j] -= 1e-2; p.assign(down); let fDown = lossValue()
            p.assign(x)
            let difference = (fUp - fDown) / 2e-2
            #expect(abs(difference - batched[i][j]) < 0.02 * abs(difference) + 1e-5,
                    "parameter \(i)[\(j)]: finite difference \(difference), backward \(batched[i][j])")
        }
        for (i, (x, y)) in zip(batched, stepwise).enumerated() {
            let scale = max(1e-3, y.map(abs).max() ?? 0)
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(worst / scale < 1e-3, "parameter \(i) \(controller.parameters[i].shape): \(worst) of \(scale)")
        }
    }
}
