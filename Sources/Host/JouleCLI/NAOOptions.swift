import ArgumentParser
import JouleJSON
import Search

/// The NAO controller's settings: accepted by `joule search` and `joule search-bench`, so
/// a benchmarked configuration is exactly one a user can run.
struct NAOOptions: ParsableArguments {
    @Option(help: "nao: train-and-generate rounds after the initial random sample.")
    var rounds: Int = 3
    @Option(help: "nao: controller training epochs per round.")
    var epochs: Int = 100
    @Option(help: "nao: the largest weight of the cost term in the generation objective (accuracy − β · normalised log cost); each seed steps with its place's slope on the evaluated front, up to β.")
    var beta: Double = 1
    @Option(name: .customLong("cost-labels"), help: "nao: architectures costed by the cost model (not evaluated) to train the predictor's cost head.")
    var costLabels: Int = 2000
    @Option(name: .customLong("cost-per-epoch"), help: "nao: cost-labelled architectures drawn afresh for each training epoch (bounds the training time).")
    var costPerEpoch: Int = 200
    @Option(help: "nao: candidates generated per evaluation; each round evaluates those that promise most for the front.")
    var pool: Int = 4
    @Option(help: ArgumentHelp("nao: random architectures evaluated before the first round (default: a third of the budget).", valueName: "n"))
    var initial: Int?
    @Option(help: "nao: single-change neighbours of each evaluated front member added to a round's candidates, scored by the same predictor.")
    var neighbours: Int = 8

    func validate() throws {
        if rounds < 1 { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if !(beta >= 0 && beta.isFinite) { throw ValidationError("--beta must be a finite number ≥ 0, got \(beta)") }
        if costLabels < 0 { throw ValidationError("--cost-labels must be ≥ 0, got \(costLabels)") }
        if costPerEpoch < 1 { throw ValidationError("--cost-per-epoch must be at least 1, got \(costPerEpoch)") }
        if pool < 1 { throw ValidationError("--pool must be at least 1, got \(pool)") }
        if neighbours < 0 { throw ValidationError("--neighbours must be ≥ 0, got \(neighbours)") }
        if let initial, initial < 1 { throw ValidationError("--initial must be at least 1, got \(initial)") }
    }

    /// Runs NAO with these settings until the driver's budget is spent.
    @discardableResult
    func run<Space: NAOSearchSpace>(_ driver: SearchDriver<Space>, seed: UInt64) throws -> [NAORoundReport] {
        try NAOSearch.run(driver: driver, seed: seed, rounds: rounds, epochs: epochs, beta: beta, costLabelCount: costLabels,
                          initialSample: initial, costSamplesPerEpoch: costPerEpoch, poolFactor: pool, neighbours: neighbours)
    }

    /// The settings as search.json records them.
    var json: JSON {
        .object([("rounds", .integer(rounds)), ("epochs", .integer(epochs)), ("beta", .number(beta)),
                 ("cost_labels", .integer(costLabels)), ("cost_per_epoch", .integer(costPerEpoch)), ("pool", .integer(pool)),
                 ("initial", initial.map(JSON.integer) ?? .null), ("neighbours", .integer(neighbours))])
    }
}
