import JouleTestSupport
import Registry
@testable import Search

/// Counts the evaluations that reach a table, to prove a resumed search repeats none.
final class CountingEvaluator: AccuracyEvaluator, @unchecked Sendable {
    let inner: TableEvaluator
    var calls = 0
    init(_ inner: TableEvaluator) { self.inner = inner }
    var label: String { inner.label }
    var isProxy: Bool { inner.isProxy }
    func evaluate(_ candidate: Candidate) -> Evaluation {
        calls += 1
        return inner.evaluate(candidate)
    }
}

/// A driver over NB201 with Paleo latencies on the GTX 1080 Ti at batch 32, recording to `path`.
func makeTestDriver(_ path: String, budget: Int, resume: Bool, evaluator: any AccuracyEvaluator) throws
    -> SearchDriver<NB201SearchSpace>
{
    let registry = loadTestRegistry(bundled: true)
    let model = try registry.costModel(named: "paleo").bind(to: try registry.profile(named: "GTX_1080_TI"))
    return SearchDriver(
        space: NB201SearchSpace(), labeler: CostLabeler(model: model, isTraining: false, batch: 32), objective: .latency,
        budget: budget, evaluator: evaluator, costSource: "joule.paleo/paleo on GTX_1080_TI",
        history: try HistoryLog(path: path, resume: resume))
}
