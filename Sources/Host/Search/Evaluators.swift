import Network

/// Where a search's accuracy labels come from.
///
/// An evaluator answers one question per candidate: how accurate is it? Answers are
/// expensive (a training run, in general), so a search's budget counts them. A failure is
/// an answer too: it is recorded with its reason and the search goes on, so `evaluate`
/// does not throw; problems with the evaluator itself (an unreadable table) are thrown
/// when it is made.
///
///     let evaluator = try AccuracySpec(parsing: "table:nb201_cifar10.csv").makeEvaluator()
///     evaluator.label                                   // "table:nb201_cifar10.csv:arch_str:cifar10_valid_acc"
///     evaluator.evaluate(Candidate(cell: cell)).accuracy   // 90.76933332
///
/// Implementations: `TableEvaluator` (`table:FILE[:ARCH_COLUMN:ACCURACY_COLUMN]`) and
/// `ProxyEvaluator` (`proxy:params|flops`). Implementations MUST be safe to call from several
/// threads at once.
public protocol AccuracyEvaluator: Sendable {
    /// Where the numbers come from, written into every output beside them: "table:FILE:ARCH:ACC",
    /// "proxy:params (parameter count; a proxy, not an accuracy)".
    var label: String { get }

    /// Whether the numbers are a proxy (a quantity that is not an accuracy, maximised in its
    /// place). Outputs MUST say so wherever they show such a number.
    var isProxy: Bool { get }

    /// The candidate's accuracy, or why there is none.
    func evaluate(_ candidate: Candidate) -> Evaluation

    /// Several candidates' accuracies, in order. The default evaluates one after the other;
    /// an evaluator that runs trials SHOULD run them in parallel.
    func evaluate(_ candidates: [Candidate]) -> [Evaluation]
}

extension AccuracyEvaluator {
    public func evaluate(_ candidates: [Candidate]) -> [Evaluation] {
        candidates.map { evaluate($0) }
    }
}

/// One architecture to evaluate: its key, its NB201 cell when it has one, and how to build
/// its network.
public struct Candidate: Sendable {
    /// The architecture's name in tables and outputs: the cell string for an NB201 cell, the
    /// space's canonical encoding otherwise.
    public var key: String
    /// The NB201 cell, for candidates of the `nb201` space.
    public var cell: NB201Cell?
    /// Builds the candidate's network (only evaluators that need it call this).
    public var network: @Sendable () throws -> Network

    /// A candidate that is not an NB201 cell.
    public init(key: String, network: @escaping @Sendable () throws -> Network) {
        self.key = key
        self.cell = nil
        self.network = network
    }

    /// An NB201 cell, built by `NB201Network.build(_:options:)` when asked.
    public init(cell: NB201Cell, options: NB201Options = NB201Options()) {
        self.key = cell.string
        self.cell = cell
        self.network = { try NB201Network.build(cell, options: options) }
    }
}

/// What an evaluator answered for one candidate: an accuracy, or the reason there is none.
public struct Evaluation: Sendable, Equatable, CustomStringConvertible {
    /// The accuracy (or proxy value) in the evaluator's units; nil when the evaluation failed.
    public var accuracy: Double?
    /// Why the evaluation failed; nil when it did not.
    public var failure: String?
    /// The evaluator's label, with a note when the number was not read as is (a mean of
    /// several rows, the row of an isomorphic cell).
    public var source: String

    /// A successful evaluation.
    public static func value(_ accuracy: Double, source: String) -> Evaluation {
        Evaluation(accuracy: accuracy, failure: nil, source: source)
    }

    /// A failed evaluation, recorded with its reason.
    public static func failed(_ reason: String, source: String) -> Evaluation {
        Evaluation(accuracy: nil, failure: reason, source: source)
    }

    public var description: String {
        if let accuracy { return "\(accuracy) from \(source)" }
        return "failed (\(failure ?? "no reason")) from \(source)"
    }
}
