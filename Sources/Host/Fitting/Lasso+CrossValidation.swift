import Foundation

extension Lasso {
    /// Chooses λ by k-fold cross-validation: fits the path without each fold, scores the
    /// held-out fold at every λ, and averages.
    ///
    /// Every fold uses the λ values of the whole data set, so fold errors line up by index.
    /// The cross-products are built once, fold by fold, in one pass over the data; each
    /// fold's training products are the total less its own (see `CrossProducts`), so k folds
    /// cost one O(n·p²) build rather than k. The folds' paths and the whole-data path are
    /// solved in parallel.
    ///
    /// - Parameters:
    ///   - problem: the data.
    ///   - options: the path and stopping rule.
    ///   - folds: each row's fold number (≥ 0), e.g. from `foldAssignment(count:folds:seed:)`;
    ///     at least two folds must hold rows. Numbers with no rows are ignored.
    ///   - error: scores a fold's predictions against its targets, lower being better (e.g.
    ///     RMSPE). Called concurrently from several threads. Row weights are not passed; fold
    ///     errors are averaged unweighted, as the folds are about equally large.
    ///   - progress: told (paths solved, total) as each fold's path and then the whole data's
    ///     path finish, serially but from any thread; total is the number of folds + 1.
    /// - Returns: the error curve, the best and one-standard-error choices of λ, and the path
    ///   on all rows, whose coefficients at those indices are the models to use.
    /// - Complexity: O(n·p²) for the cross-products, then the k + 1 path solves, then
    ///   O(n·nonzeros) per λ for the held-out predictions.
    public static func crossValidate(
        _ problem: LassoProblem, options: LassoOptions = LassoOptions(), folds: [Int],
        error: @escaping @Sendable (_ predicted: [Double], _ measured: [Double]) -> Double,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) -> CrossValidation {
        options.check(columns: problem.columns)
        precondition(folds.count == problem.rows, "\(folds.count) fold numbers for \(problem.rows) rows")
        precondition(folds.allSatisfy { $0 >= 0 }, "a fold number is negative")
        var rowsByFold: [Int: [Int]] = [:]
        for (row, fold) in folds.enumerated() { rowsByFold[fold, default: []].append(row) }
        let foldRows = rowsByFold.keys.sorted().map { rowsByFold[$0]! }
        precondition(foldRows.count >= 2, "cross-validation needs rows in at least two folds")
        let k = foldRows.count

        let heldOut = foldRows.map { CrossProducts(problem, rows: $0) }
        let allRows = heldOut.dropFirst().reduce(heldOut[0], +)

        // The λ grid comes from all rows, so that every fold is scored at the same λ values.
        var probe = CoordinateDescent(allRows, options: options)
        _ = probe.solve(lambda: .infinity, tolerance: options.tolerance, maxSweeps: options.maxSweeps)
        let lambdaMax = probe.lambdaMax
        let lambdas = options.lambdas(from: lambdaMax > 0 ? lambdaMax : 1)

        let results = Slots<[Double]>(count: k)
        let fullPath = Slots<LassoPath>(count: 1)
        let counter = ProgressCounter(total: k + 1, report: progress)
        DispatchQueue.concurrentPerform(iterations: k + 1) { task in
            let onFinish = { counter.step() }
            if task == k {
                fullPath[0] = path(allRows, options, lambdas: lambdas, onFinish: onFinish)
                return
            }
            let foldPath = path(allRows - heldOut[task], options, lambdas: lambdas, onFinish: onFinish)
            let rows = foldRows[task]
            let measured = rows.map { problem.target[$0] }
            results[task] = foldPath.coefficients.map { beta in
                error(rows.map { problem.predict(row: $0, coefficients: beta) }, measured)
            }
        }

        let foldErrors = (0..<k).map { results[$0]! }
        var mean: [Double] = [], standardError: [Double] = []
        for index in lambdas.indices {
            let values = foldErrors.map { $0[index] }
            let average = values.reduce(0, +) / Double(k)
            let variance = values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(k - 1)
            mean.append(average)
            standardError.append((variance / Double(k)).squareRoot())
        }
        let best = mean.indices.filter { mean[$0].isFinite }.min { mean[$0] < mean[$1] } ?? 0
        let bound = mean[best] + standardError[best]
        let oneSE = mean.indices.first { $0 <= best && mean[$0] <= bound } ?? best
        return CrossValidation(
            lambdas: lambdas, meanError: mean, standardError: standardError, foldErrors: foldErrors,
            bestIndex: best, oneStandardErrorIndex: oneSE, path: fullPath[0]!)
    }
}

/// What cross-validating a Lasso path found: the held-out error at each λ and which λ to use.
public struct CrossValidation: Sendable {
    /// The λ values, largest first, those of the whole data set.
    public let lambdas: [Double]
    /// The held-out error at each λ, averaged over the folds.
    public let meanError: [Double]
    /// The standard error of that mean: the folds' standard deviation over √k.
    public let standardError: [Double]
    /// Each fold's held-out error at each λ: `foldErrors[fold][λ index]`, folds in
    /// ascending order of their numbers.
    public let foldErrors: [[Double]]
    /// The λ with the smallest mean error (non-finite means are passed over).
    public let bestIndex: Int
    /// The largest λ whose mean error is within one standard error of the best: the
    /// sparsest model the data cannot tell from the best, and the usual choice, since the
    /// best λ tends to keep terms that fit noise.
    public let oneStandardErrorIndex: Int
    /// The path fitted on all rows at `lambdas`; `path.coefficients[bestIndex]` and
    /// `path.coefficients[oneStandardErrorIndex]` are the final models.
    public let path: LassoPath
}

/// Results written by concurrent tasks, one slot each, read after they finish.
private final class Slots<Value>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Value? {
        get { lock.withLock { values[index] } }
        set { lock.withLock { values[index] = newValue } }
    }
}

/// Counts finished steps across threads and reports them one at a time.
private final class ProgressCounter: @unchecked Sendable {
    private let total: Int
    private let report: (@Sendable (Int, Int) -> Void)?
    private var done = 0
    private let lock = NSLock()

    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    func step() {
        guard let report else { return }
        lock.withLock {
            done += 1
            report(done, total)
        }
    }
}
