import Foundation

/// Weighted Lasso regression by coordinate descent: the sparse linear fit under
/// NeuralPower-style polynomial cost models.
///
/// A polynomial model of a layer's time or energy has hundreds of candidate terms (products
/// of its sizes up to some degree), far more than the measurements can pin down one by one.
/// The Lasso fits them all with a penalty on the sum of |coefficients|, which sets most of
/// them to exactly zero; cross-validation chooses how strong the penalty is. It minimises
///
///     (1/2n)·Σᵢ wᵢ·(yᵢ − xᵢ·β)² + λ·Σⱼ sⱼ·|βⱼ|
///
/// over β, where sⱼ = √(Σᵢ wᵢxᵢⱼ² / n) is column j's weighted RMS. Penalising sⱼ·|βⱼ|
/// rather than |βⱼ| makes the fit independent of the columns' units (a FLOP count and a byte
/// count are penalised alike); it is the same as scaling every column to unit RMS, fitting,
/// and scaling back, which is what happens inside. Columns are not centred and no intercept
/// is added: the caller's count columns play that part, and can be left unpenalised. A
/// column can be held non-negative, for terms that cannot lower a cost.
///
///     let problem = LassoProblem(rows: n, columns: p, design: x, target: y, weights: w)
///     var options = LassoOptions()
///     options.nonNegative = Array(repeating: true, count: p)
///     let folds = foldAssignment(count: n, folds: 10, seed: 1)
///     let cv = Lasso.crossValidate(problem, options: options, folds: folds) { predicted, measured in
///         ValidationScores(predicted: predicted, measured: measured).rmspe
///     }
///     let model = cv.path.coefficients[cv.oneStandardErrorIndex]
///
/// The solver works on XᵀWX and XᵀWy (`CrossProducts`), built once in O(n·p²); each
/// coordinate step is then O(p), independent of n. It follows the λ path from λ_max (where
/// every penalised coefficient is zero) downwards, each solve starting from the last one's
/// answer, as glmnet does (Friedman, Hastie & Tibshirani 2010, doi:10.18637/jss.v033.i01).
///
/// Deliberately not offered: the elastic net, standardisation with centring, and non-linear
/// losses. Cost models are sums of non-negative terms, and their zero must stay at zero.
public enum Lasso {
    /// The solutions for a path of λ values on all rows of `problem`.
    ///
    /// - Parameters:
    ///   - problem: the data.
    ///   - options: the path and stopping rule; `options.lambdaCount` values of λ.
    /// - Returns: λ_max, the λ values (largest first) and the coefficients at each.
    /// - Complexity: O(n·p²) for the cross-products, then O(p) per coordinate change.
    public static func path(_ problem: LassoProblem, options: LassoOptions = LassoOptions()) -> LassoPath {
        options.check(columns: problem.columns)
        return path(CrossProducts(problem), options, lambdas: nil, onFinish: nil)
    }

    /// The coefficients at one λ on all rows of `problem`, such as the λ cross-validation
    /// chose, in the columns' original units.
    ///
    /// The solve walks down the path's λ values above `lambda` first: warm starts reach a
    /// small λ in fewer sweeps than starting from zero. A solve that reaches
    /// `options.maxSweeps` returns its last iterate (`path` reports convergence per λ).
    ///
    /// - Parameter lambda: the penalty, ≥ 0, in the units of `LassoPath.lambdas`.
    /// - Returns: p coefficients.
    /// - Complexity: O(n·p²) for the cross-products, then O(p) per coordinate change.
    public static func fit(_ problem: LassoProblem, options: LassoOptions = LassoOptions(), lambda: Double) -> [Double] {
        options.check(columns: problem.columns)
        precondition(lambda >= 0 && !lambda.isNaN, "lambda must be ≥ 0, got \(lambda)")
        var solver = CoordinateDescent(CrossProducts(problem), options: options)
        _ = solver.solve(lambda: .infinity, tolerance: options.tolerance, maxSweeps: options.maxSweeps)
        let lambdaMax = solver.lambdaMax
        let steps = (lambdaMax > 0 ? options.lambdas(from: lambdaMax) : []).filter { $0 > lambda } + [lambda]
        for step in steps {
            _ = solver.solve(lambda: step, tolerance: options.tolerance, maxSweeps: options.maxSweeps)
        }
        return solver.coefficients
    }

    /// Walks a λ path on given cross-products; the path's λ values come from `lambdas`, or
    /// from this problem's own λ_max when nil. `onFinish` is called when the path is done.
    static func path(
        _ products: CrossProducts, _ options: LassoOptions, lambdas given: [Double]?,
        onFinish: (() -> Void)?
    ) -> LassoPath {
        var solver = CoordinateDescent(products, options: options)
        _ = solver.solve(lambda: .infinity, tolerance: options.tolerance, maxSweeps: options.maxSweeps)
        let lambdaMax = solver.lambdaMax
        // With λ_max = 0 no penalised coefficient can leave zero at any λ: every λ gives the
        // same answer, and a nominal scale of 1 keeps the path well defined.
        let lambdas = given ?? options.lambdas(from: lambdaMax > 0 ? lambdaMax : 1)
        var coefficients: [[Double]] = []
        var sweeps: [Int] = []
        var converged: [Bool] = []
        for lambda in lambdas {
            let result = solver.solve(lambda: lambda, tolerance: options.tolerance, maxSweeps: options.maxSweeps)
            coefficients.append(solver.coefficients)
            sweeps.append(result.sweeps)
            converged.append(result.converged)
        }
        onFinish?()
        return LassoPath(lambdaMax: lambdaMax, lambdas: lambdas, coefficients: coefficients,
                         scales: scales(of: solver), sweeps: sweeps, converged: converged)
    }

    /// sⱼ for every original column, 0 for those left out.
    private static func scales(of solver: CoordinateDescent) -> [Double] {
        var scales = [Double](repeating: 0, count: solver.columns)
        for (a, j) in solver.usable.enumerated() { scales[j] = solver.scale[a] }
        return scales
    }
}

/// The Lasso solutions along a path of λ values, largest λ first.
public struct LassoPath: Sendable {
    /// The smallest λ at which every penalised coefficient is zero on these rows (0 when no
    /// penalised column can enter at all).
    public let lambdaMax: Double
    /// The λ values, log-spaced from λ_max down to λ_max·`lambdaMinRatio` (or, in a
    /// cross-validation, those of the whole data set).
    public let lambdas: [Double]
    /// The coefficients at each λ: `lambdas.count` arrays of p values in the columns'
    /// original units, so that a prediction is Σⱼ xⱼ·βⱼ.
    public let coefficients: [[Double]]
    /// Each column's weighted RMS sⱼ, the weight of its penalty; 0 for all-zero columns.
    public let scales: [Double]
    /// Sweeps over the coefficients spent at each λ.
    public let sweeps: [Int]
    /// Whether each λ's solve met the tolerance within `maxSweeps`.
    public let converged: [Bool]
}
