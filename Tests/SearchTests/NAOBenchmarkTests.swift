import Foundation
import SeededRandom
import Testing
@testable import Search

/// Training throughput of the full-size NAO controller (embedding 32, LSTMs of 96,
/// predictor 200 → 200, batch 100, augmentation on) on 500 NB201 cells, and the time of one
/// generation from 100 seeds. It prints figures and asserts nothing about time; it runs
/// only when asked, in an optimised build (debug figures mean nothing):
///
///     NAO_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --filter NAOBenchmarkTests
@Suite(.enabled(if: ProcessInfo.processInfo.environment["NAO_BENCHMARK"] != nil))
struct NAOBenchmarkTests {
    @Test func trainingThroughput() {
        let space = NB201Space()
        var generator = SplitMix64(seed: 1)
        var samples: [NAOSample] = []
        var keys = Set<String>()
        while samples.count < 500 {
            let cell = space.randomCell(using: &generator)
            guard !space.isChanceLevel(cell), keys.insert(space.canonical(cell)).inserted else { continue }
            samples.append(NAOSample(tokens: space.encode(cell), accuracy: 80 + 10 * Double(generator.nextFloat()),
                                     cost: 1 + Double(generator.nextFloat())))
        }
        let controller = NAOController(space: space, configuration: NAOConfiguration(), seed: 1)
        controller.train(samples, epochs: 1)                       // warm-up (class tables, allocations)
        let epochs = 20
        let start = Date()
        controller.train(samples, epochs: epochs)
        let seconds = Date().timeIntervalSince(start)
        let rate = Double(epochs * samples.count) / seconds
        print(String(format: "NAO training: %d samples × %d epochs in %.2f s = %.0f samples/s; 1000 epochs ≈ %.0f s",
                     samples.count, epochs, seconds, rate, 1000 * Double(samples.count) / rate))

        let seeds = samples.prefix(100).map { NAOSeed(tokens: $0.tokens, beta: 0.5) }
        let generationStart = Date()
        let generation = controller.generate(from: seeds, count: 100, maxStepSize: 100, excluding: keys) { tokens in
            let cell = space.decode(tokens)
            return space.isChanceLevel(cell) ? nil : space.canonical(cell)
        }
        print(String(format: "NAO generation: %d new from 100 seeds, η up to %d, in %.2f s",
                     generation.sequences.count, generation.stepSize, Date().timeIntervalSince(generationStart)))
    }
}

/// The split that lets training use a second core (`NAOController.accumulateGradients`): a
/// batch cut in two halves, the second on a replica, gives the whole batch's loss and
/// gradient. Not a benchmark, so it always runs.
@Suite struct NAOSplitBatchTests {
    @Test func halvesOnTheReplicaAddUpToTheWholeBatch() {
        let space = NB201Space()
        let configuration = NAOConfiguration(embeddingSize: 8, hiddenSize: 16, predictorHiddenSizes: [16, 16], batchSize: 40)
        var generator = SplitMix64(seed: 3)
        var samples: [NAOSample] = []
        for i in 0..<40 {
            // Some rows without an accuracy, some without a cost.
            let accuracy: Double? = i % 3 == 0 ? nil : 80 + Double(i % 7)
            let cost: Double? = i % 5 == 0 ? nil : 1 + Double(i % 4)
            samples.append(NAOSample(tokens: space.encode(space.randomCell(using: &generator)), accuracy: accuracy, cost: cost))
        }
        func controller() -> NAOController<NB201Space> {
            let controller = NAOController(space: space, configuration: configuration, seed: 8)
            controller.train(samples, epochs: 0)        // sets the label scale only
            return controller
        }
        let whole = controller(), split = controller()
        let rows = samples.map { sample in
            NAOController<NB201Space>.TrainingRow(sequences: [sample.tokens],
                                                  accuracy: sample.accuracy.map { Float(whole.scale.normalisedAccuracy($0)) },
                                                  cost: sample.cost.map { Float(whole.scale.normalisedCost($0)) })
        }
        let sequences = samples.map(\.tokens)
        #expect(rows.count >= NAOController<NB201Space>.minimumSplitRows)
        let loss = whole.loss(sequences, rows)
        loss.total.backward()
        let parts = split.accumulateGradients(sequences, rows)
        #expect(abs(parts.prediction - loss.prediction) < 1e-6 && abs(parts.reconstruction - loss.reconstruction) < 1e-5)
        for (a, b) in zip(whole.parameters, split.parameters) {
            let scale = a.grad.map(abs).max()! + 1e-3
            #expect(zip(a.grad, b.grad).allSatisfy { abs($0 - $1) <= 1e-4 * scale }, "\(a.shape)")
        }
    }
}
