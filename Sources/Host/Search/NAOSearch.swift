import Network
import SeededRandom

/// Neural Architecture Optimization with a cost term over the NB201 cell space
/// (DESIGN.md section 6): a random start, then rounds of training the controller and
/// evaluating the architectures its gradient step proposes.
///
///     let rounds = try NAOSearch.run(driver: driver, seed: 1, rounds: 3, epochs: 1000,
///                                    seedArchitectures: 100, beta: 1, costLabelCount: 2000)
///     rounds.map(\.quality.accuracyTau)    // held-out Kendall τ of the accuracy head, per round
///
/// How the budget (accuracy evaluations) is spent:
///
/// 1. Initial sample: `initialSample` (default a third of the budget) random connected
///    cells, origin "nao initial".
/// 2. Cost labels: `costLabelCount` further random connected cells are costed through the
///    driver's labeler for the predictor's cost head, and a held-out tenth as many (at
///    least 20) to score that head. Cost labels are cheap and do not count toward the
///    budget.
/// 3. Each round r = 1…`rounds`: the controller (one for the whole search, trained further
///    each round) trains for `epochs` on every evaluated architecture (accuracy where the
///    evaluation succeeded, and cost) and the cost-labelled cells. Seeds are the best
///    evaluated architectures under accuracy − β·cost (both normalised as the predictor's
///    targets, see ``NAOLabelScale``) for each β of the sweep 0, βmax/3, 2βmax/3, βmax
///    (`seedArchitectures`/4 per β; one architecture may seed under several β, each time
///    stepping along its own β's gradient). The generator's new architectures are
///    evaluated, origin "nao round r", until the round's share (`perRound`, default the
///    rest of the budget split evenly over the rounds) is spent; when generation runs dry,
///    random cells fill the share (origin "nao round r (random)").
/// 4. Any budget left (a `perRound` too small for it) is spent the same way by a final
///    round, number `rounds` + 1, origin "nao final".
///
/// Predictor quality, per round, on architectures the round's training did not see: τ of
/// the accuracy head over the architectures evaluated in that round (they are evaluated
/// after training), τ of the cost head over the held-out cost-labelled cells.
///
/// Determinism and resuming: every choice depends only on `seed`, the settings and the
/// records the driver returns, which replay identically from a history; so a resumed search
/// proposes the same architectures in the same order. The budget's split depends on the
/// budget, so a resumed search MUST be given the same budget.
public enum NAOSearch {
    /// Runs the search until the driver's budget is spent (or the space runs out of new
    /// architectures).
    ///
    /// - Parameters:
    ///   - driver: Evaluates, records and replays; its budget counts accuracy evaluations.
    ///   - seed: Fixes every random choice and the controller's weights.
    ///   - rounds: Train-and-generate rounds after the initial sample (NAO uses 3).
    ///   - epochs: Training epochs per round (NAO uses about 1000).
    ///   - seedArchitectures: K, the number of (architecture, β) seeds per round.
    ///   - perRound: Evaluations per round; nil splits what the initial sample leaves evenly.
    ///   - beta: βmax ≥ 0 of the sweep; 0 searches for accuracy alone.
    ///   - costLabelCount: Random cells whose cost trains the cost head.
    ///   - initialSample: Random evaluations before the first round; nil for a third of the
    ///     budget.
    ///   - costSamplesPerEpoch: Cost-only cells per training epoch (drawn afresh each
    ///     epoch); nil for all of them. Bounds the training time when `costLabelCount` is
    ///     large.
    ///   - maxStepSize: The largest η the generator tries.
    ///   - configuration: The controller's sizes and training settings.
    /// - Returns: One report per round that ran.
    /// - Throws: `SearchError` from the driver (a history of another search) or when the
    ///   cost model cannot cost a cell.
    @discardableResult
    public static func run(driver: SearchDriver<NB201SearchSpace>, seed: UInt64, rounds: Int = 3, epochs: Int = 1000,
                           seedArchitectures: Int = 100, perRound: Int? = nil, beta: Double = 1, costLabelCount: Int = 2000,
                           initialSample: Int? = nil, costSamplesPerEpoch: Int? = nil, maxStepSize: Int = 100,
                           configuration: NAOConfiguration = NAOConfiguration()) throws -> [NAORoundReport] {
        precondition(rounds >= 0 && epochs >= 0 && seedArchitectures > 0 && (perRound ?? 1) > 0 && beta >= 0 && costLabelCount >= 0,
                     "NAOSearch.run: counts must be positive and β ≥ 0")
        var search = Run(driver: driver, seed: seed, configuration: configuration)

        // 1. Initial random sample.
        let initial = min(driver.budget, initialSample ?? max(1, driver.budget / 3))
        while driver.results.count < initial {
            guard try search.evaluateRandom(origin: "nao initial") else { return [] }
        }
        if driver.isDone { return [] }

        // 2. Cost labels, for training and held out.
        try search.labelCosts(training: costLabelCount, heldOut: max(20, costLabelCount / 10))

        // 3. Rounds, then 4. whatever is left.
        let share = perRound ?? max(1, (driver.budget - driver.results.count + max(rounds, 1) - 1) / max(rounds, 1))
        var reports: [NAORoundReport] = []
        let betas = beta > 0 ? (0..<4).map { beta * Double($0) / 3 } : [0]
        var round = 0
        while !driver.isDone && round <= rounds {
            round += 1
            let final = round > rounds
            let wanted = final ? driver.budget - driver.results.count : min(share, driver.budget - driver.results.count)
            reports.append(try search.round(round, origin: final ? "nao final" : "nao round \(round)", evaluations: wanted,
                                            epochs: epochs, seeds: seedArchitectures, betas: betas,
                                            costSamplesPerEpoch: costSamplesPerEpoch, maxStepSize: maxStepSize))
            if reports.last!.generated + reports.last!.random == 0 { break }
        }
        return reports
    }

    /// The state of one search: the driver, the random stream, the controller and the
    /// cost-labelled cells.
    struct Run {
        let driver: SearchDriver<NB201SearchSpace>
        var generator: SplitMix64
        let controller: NAOController<NB201Space>
        var costCells: [(cell: NB201Cell, key: String, cost: Double)] = []
        var heldOutCells: [(cell: NB201Cell, key: String, cost: Double)] = []

        init(driver: SearchDriver<NB201SearchSpace>, seed: UInt64, configuration: NAOConfiguration) {
            self.driver = driver
            generator = SplitMix64(seed: seed)
            controller = NAOController(space: driver.space.space, configuration: configuration, seed: generator.next())
        }

        var space: NB201Space { driver.space.space }

        /// Evaluates a random connected cell not evaluated before; false when none is found.
        mutating func evaluateRandom(origin: String) throws -> Bool {
            for _ in 0..<100_000 {
                let cell = driver.space.randomArchitecture(using: &generator)
                if !driver.hasEvaluated(cell) {
                    try driver.evaluate(cell, origin: origin)
                    return true
                }
            }
            return false
        }

        /// Costs distinct random connected cells through the labeler: `training` of them for
        /// the cost head, then `heldOut` others to score it.
        mutating func labelCosts(training: Int, heldOut: Int) throws {
            var keys = Set<String>()
            var cells: [(cell: NB201Cell, key: String, cost: Double)] = []
            var misses = 0
            while cells.count < training + heldOut && misses < 10_000 {
                let cell = driver.space.randomArchitecture(using: &generator)
                let key = driver.space.canonicalKey(cell)
                guard keys.insert(key).inserted else {
                    misses += 1
                    continue
                }
                let cost = try driver.labeler.cost(of: try driver.space.network(cell), key: key)
                cells.append((cell, key, driver.objective.value(cost)))
            }
            costCells = Array(cells.prefix(training))
            heldOutCells = Array(cells.dropFirst(training))
        }

        /// The canonical key of a decoded sequence, nil for a chance-level cell.
        func key(_ tokens: [Int]) -> String? {
            let cell = space.decode(tokens)
            return space.isChanceLevel(cell) ? nil : driver.space.canonicalKey(cell)
        }

        /// Trains, generates and evaluates up to `evaluations` architectures.
        mutating func round(_ number: Int, origin: String, evaluations: Int, epochs: Int, seeds seedCount: Int,
                            betas: [Double], costSamplesPerEpoch: Int?, maxStepSize: Int) throws -> NAORoundReport {
            // Training set: every evaluated architecture, then the cost-labelled cells not evaluated.
            let evaluated = driver.results.map { record in
                (record: record, cell: driver.architectures[record.architecture]!)
            }
            let evaluatedKeys = Set(evaluated.map { driver.space.canonicalKey($0.cell) })
            var samples = evaluated.map { NAOSample(tokens: space.encode($0.cell), accuracy: $0.record.accuracy, cost: driver.cost($0.record)) }
            samples += costCells.filter { !evaluatedKeys.contains($0.key) }.map { NAOSample(tokens: space.encode($0.cell), cost: $0.cost) }
            let training = controller.train(samples, epochs: epochs, costOnlyPerEpoch: costSamplesPerEpoch)

            // Seeds: the top evaluated architectures under each β.
            let scale = controller.scale
            let scored = evaluated.filter { $0.record.accuracy != nil }
            var seeds: [NAOSeed] = []
            let perBeta = (seedCount + betas.count - 1) / betas.count
            let accuracies = scored.map { scale.normalisedAccuracy($0.record.accuracy!) }
            let costs = scored.map { scale.normalisedCost(driver.cost($0.record)) }
            for beta in betas {
                let score = zip(accuracies, costs).map { accuracy, cost in accuracy - beta * cost }
                // Best first; equal scores in the order evaluated.
                let ranked = scored.indices.sorted { a, b in score[a] > score[b] || (score[a] == score[b] && a < b) }
                seeds += ranked.prefix(perBeta).map { NAOSeed(tokens: space.encode(scored[$0].cell), beta: beta) }
            }

            // Generate and evaluate; random cells where generation runs dry.
            let generation = controller.generate(from: Array(seeds.prefix(seedCount)), count: evaluations, maxStepSize: maxStepSize,
                                                 excluding: evaluatedKeys) { key($0) }
            let start = driver.results.count
            var generated = 0, random = 0
            for tokens in generation.sequences where !driver.isDone {
                try driver.evaluate(space.decode(tokens), origin: origin)
                generated += 1
            }
            while generated + random < evaluations && !driver.isDone {
                guard try evaluateRandom(origin: origin + " (random)") else { break }
                random += 1
            }

            // Held-out quality: this round's new evaluations, and held-out cost cells the
            // training did not contain.
            let fresh = driver.results[start...].map { record in
                NAOSample(tokens: space.encode(driver.architectures[record.architecture]!), accuracy: record.accuracy)
            }
            let accuracyQuality = controller.quality(on: fresh)
            let heldOut = heldOutCells.filter { !evaluatedKeys.contains($0.key) }
            let costQuality = controller.quality(on: heldOut.map { NAOSample(tokens: space.encode($0.cell), cost: $0.cost) })
            return NAORoundReport(
                round: number, accuracyLabels: scored.count, costLabels: samples.count, training: training,
                quality: NAOPredictorQuality(accuracyTau: accuracyQuality.accuracyTau, accuracyCount: accuracyQuality.accuracyCount,
                                             costTau: costQuality.costTau, costCount: costQuality.costCount),
                seeds: min(seeds.count, seedCount), stepSize: generation.stepSize, generated: generated, random: random)
        }
    }
}

/// What one NAO round did.
public struct NAORoundReport: Sendable, Equatable {
    /// 1…rounds; rounds + 1 for the final round that spends a leftover budget.
    public var round: Int
    /// Evaluated architectures with an accuracy that the controller trained on.
    public var accuracyLabels: Int
    /// Architectures with a cost that the controller trained on (evaluated and cost-labelled).
    public var costLabels: Int
    /// The round's training: epochs, steps, and the last epoch's losses.
    public var training: NAOTrainingReport
    /// Held-out Kendall τ: the accuracy head over this round's new evaluations, the cost head
    /// over held-out cost-labelled cells.
    public var quality: NAOPredictorQuality
    /// (architecture, β) seeds the generator started from.
    public var seeds: Int
    /// The last step size η the generator tried.
    public var stepSize: Int
    /// Architectures evaluated from the generator.
    public var generated: Int
    /// Random architectures evaluated because generation ran dry.
    public var random: Int
}
