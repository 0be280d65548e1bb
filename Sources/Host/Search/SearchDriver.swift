import Fitting
import Network
import SeededRandom

/// Evaluates architectures for a search: accuracy from the evaluator (what the budget
/// counts), cost from the labeler, every result appended to the history before the search
/// moves on.
///
/// Resuming replays: an algorithm is deterministic given its seed and the results it sees,
/// so a resumed search runs again from the start, and each proposal that is already in the
/// history is answered from it instead of being evaluated. The trajectory is the one the
/// killed search was on, and no completed evaluation is paid for twice.
public final class SearchDriver<Space: SearchSpace>: @unchecked Sendable {
    public let space: Space
    public let labeler: CostLabeler
    public let objective: SearchObjective
    public let budget: Int
    public let evaluator: any AccuracyEvaluator
    let costSource: String
    let history: HistoryLog
    /// Records of this run, in the order the algorithm asked for them.
    public private(set) var results: [EvaluationRecord] = []
    /// The architecture behind each record, by its description.
    public private(set) var architectures: [String: Space.Architecture] = [:]
    /// Limits the search prefers to meet (none by default); see ``SearchConstraint``.
    public var constraint = SearchConstraint()
    /// Architectures per evaluation batch where an algorithm's proposals do not depend on
    /// the results in between (random search, NAO's samples and rounds): set it to the
    /// evaluator's parallelism. The same seed gives the same search for any batch size.
    public var batchSize = 1
    /// Called after each record (from the history or new), for progress output.
    public var onRecord: ((EvaluationRecord) -> Void)?
    /// Called as an algorithm labels architectures with their cost in bulk (NAO's cost
    /// head), with how many of how many are done, for progress output.
    public var onLabel: ((_ done: Int, _ total: Int) -> Void)?
    /// Called after each epoch of training a model between evaluations (NAO's
    /// controller), with how many of how many epochs are done, for progress output.
    public var onTraining: ((_ epochs: Int, _ of: Int) -> Void)?
    private var seen: [String: EvaluationRecord] = [:]
    private let replay: [EvaluationRecord]

    public init(space: Space, labeler: CostLabeler, objective: SearchObjective, budget: Int,
                evaluator: any AccuracyEvaluator, costSource: String, history: HistoryLog) {
        self.space = space
        self.labeler = labeler
        self.objective = objective
        self.budget = budget
        self.evaluator = evaluator
        self.costSource = costSource
        self.history = history
        replay = history.records
    }

    /// Whether the budget of accuracy evaluations is spent.
    public var isDone: Bool { results.count >= budget }

    /// Whether an architecture (or one isomorphic to it) was evaluated in this run.
    public func hasEvaluated(_ architecture: Space.Architecture) -> Bool {
        seen[space.canonicalKey(architecture)] != nil
    }

    /// Evaluates an architecture the run has not seen, or answers from the history when
    /// resuming.
    ///
    /// - Throws: `SearchError` when the history holds another architecture at this place
    ///   (it belongs to another search), or when the cost model cannot cost the network.
    @discardableResult
    public func evaluate(_ architecture: Space.Architecture, origin: String) throws -> EvaluationRecord {
        let key = space.canonicalKey(architecture)
        if let known = seen[key] { return known }
        return try evaluate([architecture], origin: origin, limitedByBudget: false)[0]
    }

    /// Evaluates several architectures as one batch, which an evaluator that runs trials
    /// runs in parallel (`--jobs`), and records them in the order given. Architectures seen
    /// before (or twice in the batch) are skipped, and the batch stops where the budget
    /// does. Records come from the history where a resumed search has them, so a batch
    /// replays exactly like the same architectures evaluated one by one.
    ///
    /// A kill loses at most the batch in flight: records reach the history when their
    /// batch is done, so callers keep batches about as large as the evaluator's parallelism
    /// (``batchSize``).
    ///
    /// - Returns: The records added to ``results``, in order.
    /// - Throws: As ``evaluate(_:origin:)``.
    @discardableResult
    public func evaluate(_ batch: [Space.Architecture], origin: String) throws -> [EvaluationRecord] {
        try evaluate(batch, origin: origin, limitedByBudget: true)
    }

    private func evaluate(_ batch: [Space.Architecture], origin: String, limitedByBudget: Bool) throws -> [EvaluationRecord] {
        var added: [EvaluationRecord] = []
        var pending: [(architecture: Space.Architecture, key: String, name: String, network: Network, cost: ArchitectureCost)] = []
        var pendingKeys = Set<String>()
        for architecture in batch where !limitedByBudget || results.count + pending.count < budget {
            let key = space.canonicalKey(architecture)
            guard seen[key] == nil, !pendingKeys.contains(key) else { continue }
            let name = space.describe(architecture)
            let index = results.count + pending.count
            if index < replay.count {
                // The history is a prefix of the run, so nothing is pending before a replayed entry.
                guard replay[index].architecture == name else {
                    throw SearchError("\(history.path): entry \(index) is \(replay[index].architecture), but this search proposes \(name) there: "
                                      + "the history belongs to a search with other settings (seed, space, algorithm, evaluator); start without --resume or use another --out")
                }
                added.append(record(replay[index], key: key, architecture: architecture))
                continue
            }
            let network = try space.network(architecture)
            pending.append((architecture, key, name, network, try labeler.cost(of: network, key: name)))
            pendingKeys.insert(key)
        }
        guard !pending.isEmpty else { return added }
        let evaluations = evaluator.evaluate(pending.map { space.candidate($0.architecture, network: $0.network) })
        for (item, evaluation) in zip(pending, evaluations) {
            let record = EvaluationRecord(
                index: results.count, architecture: item.name, accuracy: evaluation.accuracy, accuracySource: evaluation.source,
                failure: evaluation.failure, energyJoules: item.cost.energyJoules, latencySeconds: item.cost.latencySeconds,
                params: item.cost.params, flops: item.cost.flops, costSource: costSource, origin: origin)
            try history.append(record)
            added.append(self.record(record, key: item.key, architecture: item.architecture))
        }
        return added
    }

    /// Adds a record to the run.
    private func record(_ record: EvaluationRecord, key: String, architecture: Space.Architecture) -> EvaluationRecord {
        seen[key] = record
        results.append(record)
        architectures[record.architecture] = architecture
        onRecord?(record)
        return record
    }

    /// Distinct architectures not evaluated before, drawn by `draw`, at most `count` and no
    /// more than the budget has room for; fewer when `draw` keeps repeating itself (a small
    /// space running out).
    public func fresh(_ count: Int, draw: () -> Space.Architecture) -> [Space.Architecture] {
        var batch: [Space.Architecture] = []
        var keys = Set<String>()
        var misses = 0
        while batch.count < min(count, budget - results.count) && misses < 100_000 {
            let architecture = draw()
            let key = space.canonicalKey(architecture)
            if seen[key] != nil || !keys.insert(key).inserted {
                misses += 1
                continue
            }
            batch.append(architecture)
        }
        return batch
    }

    /// The cost the search minimises, of a record.
    public func cost(_ record: EvaluationRecord) -> Double {
        objective == .energy ? record.energyJoules : record.latencySeconds
    }
}

/// Random search: uniformly random architectures not evaluated before, until the budget is
/// spent. The baseline every other algorithm must beat.
public enum RandomSearch {
    public static func run<Space: SearchSpace>(_ driver: SearchDriver<Space>, seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        while !driver.isDone {
            // Draws do not depend on results, so batches of any size give the same sequence.
            let batch = driver.fresh(driver.batchSize) { driver.space.randomArchitecture(using: &generator) }
            // A small space can run out of new architectures.
            if batch.isEmpty { break }
            try driver.evaluate(batch, origin: "random")
        }
    }
}

/// Regularised (ageing) evolution (Real et al., AAAI 2019) for two objectives: a random
/// population, then repeatedly a tournament among a random sample of it, a mutation of the
/// winner, and the oldest member retired.
///
/// With two objectives the tournament's winner is drawn from the sample's members that no
/// other member dominates (higher accuracy and lower cost); failed evaluations never win,
/// and under the driver's constraint only admitted members win when there are any.
public enum RegularisedEvolution {
    public static func run<Space: SearchSpace>(_ driver: SearchDriver<Space>, seed: UInt64,
                                               population populationSize: Int = 20, sample: Int = 5) throws {
        // The sizes do not depend on the budget, so that a resumed search given a larger
        // budget replays the same trajectory.
        var generator = SplitMix64(seed: seed)
        var population: [(Space.Architecture, EvaluationRecord)] = []
        var misses = 0
        while !driver.isDone && population.count < populationSize {
            let candidate = driver.space.randomArchitecture(using: &generator)
            if driver.hasEvaluated(candidate) {
                misses += 1
                if misses > 100_000 { return }
                continue
            }
            population.append((candidate, try driver.evaluate(candidate, origin: "evolution (initial)")))
        }
        while !driver.isDone {
            // A child is one mutation of a tournament winner. When every mutation tried
            // is known (isomorphic cells count as known), another tournament picks another
            // parent; a random architecture is the last resort.
            var child: Space.Architecture?
            var origin = "evolution"
            tournaments: for _ in 0..<20 {
                let contestants = (0..<min(sample, population.count)).map { _ in
                    population[Int(generator.uniform(below: UInt64(population.count)))]
                }
                let parent = winner(contestants, driver: driver, using: &generator)
                for _ in 0..<30 {
                    let mutated = driver.space.mutate(parent, using: &generator)
                    if !driver.hasEvaluated(mutated) {
                        child = mutated
                        break tournaments
                    }
                }
            }
            if child == nil {
                origin = "evolution (random restart)"
                for _ in 0..<100_000 {
                    let candidate = driver.space.randomArchitecture(using: &generator)
                    if !driver.hasEvaluated(candidate) {
                        child = candidate
                        break
                    }
                }
            }
            guard let child else { return }
            population.append((child, try driver.evaluate(child, origin: origin)))
            population.removeFirst()
        }
    }

    /// A non-dominated contestant, chosen at random among equals.
    static func winner<Space: SearchSpace>(_ contestants: [(Space.Architecture, EvaluationRecord)], driver: SearchDriver<Space>,
                                           using generator: inout SplitMix64) -> Space.Architecture {
        var scored = contestants.filter { $0.1.accuracy != nil }
        // Under a constraint, admitted contestants beat the others.
        if scored.contains(where: { driver.constraint.admits($0.1) }) {
            scored = scored.filter { driver.constraint.admits($0.1) }
        }
        guard !scored.isEmpty else { return contestants[Int(generator.uniform(below: UInt64(contestants.count)))].0 }
        let front = scored.filter { a in
            !scored.contains { b in
                let (aa, ab) = (a.1.accuracy!, b.1.accuracy!)
                let (ca, cb) = (driver.cost(a.1), driver.cost(b.1))
                return ab >= aa && cb <= ca && (ab > aa || cb < ca)
            }
        }
        return front[Int(generator.uniform(below: UInt64(front.count)))].0
    }
}
