import Network
import SeededRandom

/// Neural Architecture Optimization with a cost term over any token-encoded search space
/// (NB201 cells, layer-wise variants of a network; DESIGN.md section 6): a random start,
/// then rounds of training the controller and evaluating the architectures its gradient
/// step proposes.
///
///     let rounds = try NAOSearch.run(driver: driver, seed: 1, rounds: 3, epochs: 1000,
///                                    seedArchitectures: 100, beta: 1, costLabelCount: 2000)
///     rounds.map(\.quality.accuracyTau)    // held-out Kendall τ of the accuracy head, per round
///
/// How the budget (accuracy evaluations) is spent:
///
/// 1. Initial sample: `initialSample` (default a third of the budget) random proposable
///    architectures, origin "nao initial".
/// 2. Cost labels: `costLabelCount` further random architectures are costed through the
///    driver's labeler for the predictor's cost head, and a held-out tenth as many (at
///    least 20) to score that head. Cost labels are cheap and do not count toward the
///    budget.
/// 3. Each round r = 1…`rounds`: the controller (one for the whole search, trained further
///    each round) trains for `epochs` on every evaluated architecture (accuracy where the
///    evaluation succeeded, and cost) and the cost-labelled ones. Seeds come from
///    ``frontSeeds(_:count:betaMax:)``: the evaluated architectures in order of
///    non-dominated rank, each stepping along ∇accuracy − β∇cost with β its place's slope
///    on its front (both normalised as the predictor's targets, see ``NAOLabelScale``), so
///    that every part of the front is pushed outward; under the driver's constraint
///    ``constrainedSeeds(_:points:constraint:count:betaMax:)`` puts admitted architectures
///    first. The generator decodes `poolFactor` new architectures per evaluation of the
///    round's share (`perRound`, default the rest of the budget split evenly over the
///    rounds); `neighbours` single changes of each evaluated front member join them
///    (acquisition by mutation, as BANANAS does it). Every candidate gets its exact cost
///    from the labeler and its accuracy from the predictor, and
///    ``improvementOrder(front:candidates:admissible:count:)`` picks the ones that add
///    most hypervolume to the evaluated front. Origins "nao round r" (decoded) and
///    "nao round r (neighbour)"; when the pool runs dry, random architectures fill the
///    share (origin "nao round r (random)").
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
    ///   - poolFactor: Candidates generated per evaluation of a round; the round evaluates
    ///     those that promise most for the front (``improvementOrder(front:candidates:admissible:count:)``).
    ///   - neighbours: Single-change neighbours of each evaluated front member added to a
    ///     round's pool.
    ///   - configuration: The controller's sizes and training settings.
    /// - Returns: One report per round that ran.
    /// - Throws: `SearchError` from the driver (a history of another search) or when the
    ///   cost model cannot cost a cell.
    @discardableResult
    public static func run<Space: NAOSearchSpace>(driver: SearchDriver<Space>, seed: UInt64, rounds: Int = 3, epochs: Int = 1000,
                           seedArchitectures: Int = 100, perRound: Int? = nil, beta: Double = 1, costLabelCount: Int = 2000,
                           initialSample: Int? = nil, costSamplesPerEpoch: Int? = nil, maxStepSize: Int = 100, poolFactor: Int = 1, neighbours: Int = 0,
                           configuration: NAOConfiguration = NAOConfiguration()) throws -> [NAORoundReport] {
        precondition(rounds >= 0 && epochs >= 0 && seedArchitectures > 0 && (perRound ?? 1) > 0 && beta >= 0 && costLabelCount >= 0 && poolFactor >= 1 && neighbours >= 0,
                     "NAOSearch.run: counts must be positive and β ≥ 0")
        var search = Run<Space>(driver: driver, seed: seed, configuration: configuration)

        // 1. Initial random sample.
        let initial = min(driver.budget, initialSample ?? max(1, driver.budget / 3))
        while driver.results.count < initial {
            guard try search.evaluateRandom(min(driver.batchSize, initial - driver.results.count), origin: "nao initial") > 0 else { return [] }
        }
        if driver.isDone { return [] }

        // 2. Cost labels, for training and held out.
        try search.labelCosts(training: costLabelCount, heldOut: max(20, costLabelCount / 10))

        // 3. Rounds, then 4. whatever is left.
        let share = perRound ?? max(1, (driver.budget - driver.results.count + max(rounds, 1) - 1) / max(rounds, 1))
        var reports: [NAORoundReport] = []
        var round = 0
        while !driver.isDone && round <= rounds {
            round += 1
            let final = round > rounds
            let wanted = final ? driver.budget - driver.results.count : min(share, driver.budget - driver.results.count)
            reports.append(try search.round(round, origin: final ? "nao final" : "nao round \(round)", evaluations: wanted,
                                            epochs: epochs, seeds: seedArchitectures, betaMax: beta,
                                            costSamplesPerEpoch: costSamplesPerEpoch, maxStepSize: maxStepSize,
                                            poolFactor: poolFactor, neighbours: neighbours))
            if reports.last!.generated + reports.last!.neighbours + reports.last!.random == 0 { break }
        }
        return reports
    }

    /// The round's seeds: evaluated architectures in order of non-dominated rank (the
    /// evaluated front first, then the front of the rest, …), each layer from cheap to
    /// accurate, each with the β of its place on its layer: the layer's local slope
    /// (accuracy gained per cost added, in the predictor's normalised units, between its
    /// two neighbours), capped at `betaMax`. The step ∇accuracy − β∇cost is then normal to
    /// the front at the seed, pushing it outward there; the layer's cheapest member steps
    /// with `betaMax` (toward cheaper) and its most accurate with 0 (toward more accurate);
    /// a layer of one point seeds both ways. With `betaMax` = 0 every seed steps for
    /// accuracy alone.
    ///
    /// - Parameter points: Normalised accuracy and cost of the evaluated architectures.
    /// - Returns: At most `count` (index into `points`, β) pairs.
    static func frontSeeds(_ points: [ParetoPoint], count: Int, betaMax: Double) -> [(index: Int, beta: Double)] {
        var seeds: [(index: Int, beta: Double)] = []
        for layer in Pareto.layers(points) {
            if layer.count == 1 {
                seeds.append((layer[0], 0))
                if betaMax > 0 { seeds.append((layer[0], betaMax)) }
            }
            for (position, index) in layer.enumerated() where layer.count > 1 {
                let beta: Double
                if position == 0 {
                    beta = betaMax
                } else if position == layer.count - 1 {
                    beta = 0
                } else {
                    let cheaper = points[layer[position - 1]], dearer = points[layer[position + 1]]
                    let slope = (dearer.accuracy - cheaper.accuracy) / max(dearer.cost - cheaper.cost, 1e-12)
                    beta = min(max(slope, 0), betaMax)
                }
                seeds.append((index, beta))
            }
            if seeds.count >= count { break }
        }
        return Array(seeds.prefix(count))
    }

    /// The order in which to evaluate generated candidates: greedily, the candidate whose
    /// point (predicted accuracy, exact cost, both normalised) adds the most hypervolume to
    /// the front of `front` and the candidates chosen before it; when none adds any, the
    /// one closest to the front (the smallest additive ε that would make it non-dominated).
    /// Candidates that break a cost limit (`admissible` false) come after all others.
    ///
    /// The hypervolume's reference point lies 0.1 below the lowest accuracy and 0.1 above
    /// the highest cost of all points, so every point counts.
    ///
    /// - Returns: At most `count` indices into `candidates`.
    static func improvementOrder(front: [ParetoPoint], candidates: [ParetoPoint], admissible: [Bool], count: Int) -> [Int] {
        let all = front + candidates
        guard !candidates.isEmpty, let lowest = all.map(\.accuracy).min(), let highest = all.map(\.cost).max() else { return [] }
        let reference = ParetoPoint(accuracy: lowest - 0.1, cost: highest + 0.1)
        var current = Pareto.front(front).map { front[$0] }
        var remaining = Array(candidates.indices)
        var order: [Int] = []
        while order.count < count && !remaining.isEmpty {
            let base = Pareto.hypervolume(current, reference: reference)
            var best: (position: Int, admissible: Bool, gain: Double, epsilon: Double)?
            for (position, index) in remaining.enumerated() {
                let point = candidates[index]
                let gain = Pareto.hypervolume(current + [point], reference: reference) - base
                // How far the point must move (more accurate and cheaper by ε) to escape domination.
                let epsilon = current.map { max(min($0.accuracy - point.accuracy, point.cost - $0.cost), 0) }.max() ?? 0
                let candidate = (position, admissible[index], gain, epsilon)
                if let current = best {
                    let better = candidate.1 != current.admissible ? candidate.1
                        : candidate.2 != current.gain ? candidate.2 > current.gain
                        : candidate.3 < current.epsilon
                    if !better { continue }
                }
                best = candidate
            }
            let chosen = remaining.remove(at: best!.position)
            order.append(chosen)
            current = Pareto.front(current + [candidates[chosen]]).map { (current + [candidates[chosen]])[$0] }
        }
        return order
    }

    /// Seeds under a constraint: the best admitted architectures (by accuracy, stepping
    /// with β = 0, under a cost limit; by cost, stepping with `betaMax`, under an accuracy
    /// limit) take half the seeds; the nearest to admission of the others a quarter, each
    /// stepping toward the limit it misses (β = `betaMax` toward cheaper, 0 toward more
    /// accurate); ``frontSeeds(_:count:betaMax:)`` fills the rest, so the front is still
    /// pushed where the constraint does not reach.
    static func constrainedSeeds(_ records: [EvaluationRecord], points: [ParetoPoint], constraint: SearchConstraint,
                                 count: Int, betaMax: Double) -> [(index: Int, beta: Double)] {
        let admitted = records.indices.filter { constraint.admits(records[$0]) }
        let others = records.indices.filter { !constraint.admits(records[$0]) }
        var seeds: [(index: Int, beta: Double)]
        if constraint.minAccuracy != nil {
            seeds = admitted.sorted { (points[$0].cost, $0) < (points[$1].cost, $1) }.prefix(count / 2).map { ($0, betaMax) }
        } else {
            seeds = admitted.sorted { (-points[$0].accuracy, $0) < (-points[$1].accuracy, $1) }.prefix(count / 2).map { ($0, 0) }
        }
        // The others, nearest first: under a cost limit the cheapest, else the most accurate.
        let nearest = constraint.limitsCost
            ? others.sorted { (points[$0].cost, $0) < (points[$1].cost, $1) }
            : others.sorted { (-points[$0].accuracy, $0) < (-points[$1].accuracy, $1) }
        seeds += nearest.prefix(count / 4).map { ($0, constraint.admitsCost(records[$0]) ? 0 : betaMax) }
        var taken = Set(seeds.map { "\($0.index) \($0.beta)" })
        for seed in frontSeeds(points, count: count, betaMax: betaMax) where seeds.count < count {
            if taken.insert("\(seed.index) \(seed.beta)").inserted { seeds.append(seed) }
        }
        return seeds
    }

    /// The state of one search: the driver, the random stream, the controller and the
    /// cost-labelled cells.
    struct Run<Space: NAOSearchSpace> {
        let driver: SearchDriver<Space>
        var generator: SplitMix64
        let controller: NAOController<Space.Tokens>
        var costCells: [(cell: Space.Architecture, key: String, cost: Double)] = []
        var heldOutCells: [(cell: Space.Architecture, key: String, cost: Double)] = []

        init(driver: SearchDriver<Space>, seed: UInt64, configuration: NAOConfiguration) {
            self.driver = driver
            generator = SplitMix64(seed: seed)
            controller = NAOController(space: driver.space.tokenSpace, configuration: configuration, seed: generator.next())
        }

        var space: Space { driver.space }

        /// Evaluates up to `count` random proposable architectures not evaluated before, as
        /// one batch; returns how many (0 when the space has run out).
        mutating func evaluateRandom(_ count: Int, origin: String) throws -> Int {
            let batch = driver.fresh(count) { driver.space.randomArchitecture(using: &generator) }
            return try driver.evaluate(batch, origin: origin).count
        }

        /// Costs distinct random connected cells through the labeler: `training` of them for
        /// the cost head, then `heldOut` others to score it.
        mutating func labelCosts(training: Int, heldOut: Int) throws {
            var keys = Set<String>()
            var cells: [(cell: Space.Architecture, key: String, cost: Double)] = []
            var misses = 0
            while cells.count < training + heldOut && misses < 10_000 {
                let cell = driver.space.randomArchitecture(using: &generator)
                let key = driver.space.canonicalKey(cell)
                guard keys.insert(key).inserted else {
                    misses += 1
                    continue
                }
                let cost = try driver.labeler.cost(of: try driver.space.network(cell), key: driver.space.describe(cell))
                cells.append((cell, key, driver.objective.value(cost)))
                driver.onLabel?(cells.count, training + heldOut)
            }
            costCells = Array(cells.prefix(training))
            heldOutCells = Array(cells.dropFirst(training))
        }

        /// The canonical key of a decoded sequence, nil for a chance-level cell.
        func key(_ tokens: [Int]) -> String? {
            let cell = space.decode(tokens)
            return space.isProposable(cell) ? space.canonicalKey(cell) : nil
        }

        /// Trains, generates and evaluates up to `evaluations` architectures.
        mutating func round(_ number: Int, origin: String, evaluations: Int, epochs: Int, seeds seedCount: Int,
                            betaMax: Double, costSamplesPerEpoch: Int?, maxStepSize: Int, poolFactor: Int, neighbours: Int) throws -> NAORoundReport {
            // Training set: every evaluated architecture, then the cost-labelled cells not evaluated.
            let evaluated = driver.results.map { record in
                (record: record, cell: driver.architectures[record.architecture]!)
            }
            let evaluatedKeys = Set(evaluated.map { driver.space.canonicalKey($0.cell) })
            var samples = evaluated.map { NAOSample(tokens: space.encode($0.cell), accuracy: $0.record.accuracy, cost: driver.cost($0.record)) }
            samples += costCells.filter { !evaluatedKeys.contains($0.key) }.map { NAOSample(tokens: space.encode($0.cell), cost: $0.cost) }
            let training = controller.train(samples, epochs: epochs, costOnlyPerEpoch: costSamplesPerEpoch) { finished in
                driver.onTraining?(finished, epochs)
            }

            // Seeds: the top evaluated architectures under each β.
            let scale = controller.scale
            let scored = evaluated.filter { $0.record.accuracy != nil }
            let points = scored.map { ParetoPoint(accuracy: scale.normalisedAccuracy($0.record.accuracy!),
                                                  cost: scale.normalisedCost(driver.cost($0.record))) }
            let picked = driver.constraint.isEmpty
                ? NAOSearch.frontSeeds(points, count: seedCount, betaMax: betaMax)
                : NAOSearch.constrainedSeeds(scored.map(\.record), points: points, constraint: driver.constraint,
                                             count: seedCount, betaMax: betaMax)
            let seeds = picked.map { seed in
                NAOSeed(tokens: space.encode(scored[seed.index].cell), beta: seed.beta)
            }

            // Generate a pool several times the round's share, cost it exactly (cost labels are
            // cheap), and evaluate first the candidates that promise most for the front:
            // predicted accuracy, exact cost. Random architectures fill what generation
            // cannot.
            let generation = controller.generate(from: seeds, count: evaluations * poolFactor, maxStepSize: maxStepSize,
                                                 excluding: evaluatedKeys) { key($0) }
            // Neighbours: `neighbours` single changes of each evaluated front member, scored
            // by the same predictor (an acquisition by mutation, as in BANANAS).
            // Without a constraint every scored architecture is admitted.
            let admitted = scored.indices.filter { driver.constraint.admits(scored[$0].record) }
            var sequences = generation.sequences
            var fromNeighbour = [Bool](repeating: false, count: sequences.count)
            if neighbours > 0 {
                var pooled = Set(generation.keys).union(evaluatedKeys)
                // Under a constraint, the admitted front's members (when there are any).
                let parents = admitted.isEmpty ? Pareto.front(points) : Pareto.front(admitted.map { points[$0] }).map { admitted[$0] }
                for index in parents {
                    for _ in 0..<neighbours {
                        let neighbour = space.mutate(scored[index].cell, using: &generator)
                        guard space.isProposable(neighbour), pooled.insert(space.canonicalKey(neighbour)).inserted else { continue }
                        sequences.append(space.encode(neighbour))
                        fromNeighbour.append(true)
                    }
                }
            }
            var candidates: [ParetoPoint] = []
            var admissible: [Bool] = []
            let predicted = controller.predict(sequences)
            for (tokens, prediction) in zip(sequences, predicted) {
                let architecture = space.decode(tokens)
                let cost = try driver.labeler.cost(of: try space.network(architecture), key: space.describe(architecture))
                candidates.append(ParetoPoint(accuracy: prediction.accuracy, cost: scale.normalisedCost(driver.objective.value(cost))))
                admissible.append(driver.constraint.admitsCost(energyJoules: cost.energyJoules, latencySeconds: cost.latencySeconds))
            }
            let front = admitted.map { points[$0] }
            let order = NAOSearch.improvementOrder(front: front, candidates: candidates, admissible: admissible, count: evaluations)
            let start = driver.results.count
            var generated = 0, neighboursEvaluated = 0, random = 0
            // Decoded candidates, then neighbours, each group in batches under its origin.
            for fromNeighbours in [false, true] {
                let proposals = order.filter { fromNeighbour[$0] == fromNeighbours }.map { space.decode(sequences[$0]) }
                for first in stride(from: 0, to: proposals.count, by: driver.batchSize) where !driver.isDone {
                    let added = try driver.evaluate(Array(proposals[first..<min(first + driver.batchSize, proposals.count)]),
                                                    origin: fromNeighbours ? origin + " (neighbour)" : origin).count
                    if fromNeighbours { neighboursEvaluated += added } else { generated += added }
                }
            }
            while generated + neighboursEvaluated + random < evaluations && !driver.isDone {
                let added = try evaluateRandom(min(driver.batchSize, evaluations - generated - neighboursEvaluated - random),
                                               origin: origin + " (random)")
                if added == 0 { break }
                random += added
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
                seeds: seeds.count, stepSize: generation.stepSize, generated: generated, neighbours: neighboursEvaluated,
                random: random)
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
    /// Architectures evaluated from the generator (decoded after the gradient step).
    public var generated: Int
    /// Architectures evaluated from the single-change neighbours of the evaluated front.
    public var neighbours: Int
    /// Random architectures evaluated because generation ran dry.
    public var random: Int
}

extension NAORoundReport {
    /// The reports as CSV (nao_rounds.csv): per round the labels trained on, the last
    /// epoch's losses, the held-out Kendall τ of each head with its count, and what the
    /// round evaluated.
    public static func csv(_ reports: [NAORoundReport]) -> String {
        var lines = ["round,accuracy_labels,cost_labels,epochs,prediction_loss,reconstruction_loss,accuracy_tau,accuracy_tau_n,cost_tau,cost_tau_n,seeds,step_size,generated,neighbours,random"]
        for r in reports {
            lines.append([String(r.round), String(r.accuracyLabels), String(r.costLabels), String(r.training.epochs),
                          String(r.training.predictionLoss), String(r.training.reconstructionLoss),
                          r.quality.accuracyTau.isNaN ? "" : String(r.quality.accuracyTau), String(r.quality.accuracyCount),
                          r.quality.costTau.isNaN ? "" : String(r.quality.costTau), String(r.quality.costCount),
                          String(r.seeds), String(r.stepSize), String(r.generated), String(r.neighbours), String(r.random)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
