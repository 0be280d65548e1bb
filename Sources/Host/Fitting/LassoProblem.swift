import Foundation

/// The data of a weighted Lasso fit: a design matrix, the target and a weight per row.
///
/// Row i says: the measured `target[i]` should be explained by `design` row i times the
/// coefficients. For a NeuralPower-style model the columns are the polynomial features of a
/// layer (products of its sizes) and count columns (1 for rows of one layer kind, 0
/// otherwise), which play the intercepts; `Lasso` adds none of its own.
///
///     // Three rows, two columns: y ≈ 2·x₁ + 1·x₂.
///     let problem = LassoProblem(rows: 3, columns: 2,
///                                design: [1, 1,   2, 1,   3, 1],
///                                target: [3, 5, 7])
///
/// Weights say how much each row counts; fitting relative error uses 1/yᵢ². They are used
/// as given in the objective (1/2n)·Σᵢ wᵢ(yᵢ − xᵢ·β)², so weights with mean 1 keep λ on the
/// same scale as an unweighted fit.
public struct LassoProblem: Sendable {
    /// The number of rows (measurements), n.
    public let rows: Int
    /// The number of columns (features), p.
    public let columns: Int
    /// The design matrix, row-major: entry (i, j) at `i * columns + j`. Finite.
    public let design: [Double]
    /// What each row should come to. Finite.
    public let target: [Double]
    /// Each row's weight, finite and not negative; a row of weight 0 is ignored.
    public let weights: [Double]

    /// - Parameters:
    ///   - rows: n, at least 1.
    ///   - columns: p, at least 1.
    ///   - design: n·p finite values, row-major.
    ///   - target: n finite values.
    ///   - weights: n finite values ≥ 0, or `nil` for all 1.
    /// - Precondition: the sizes and values are as stated; anything else is a programming
    ///   error (measurement tables check user input first) and traps.
    public init(rows: Int, columns: Int, design: [Double], target: [Double], weights: [Double]? = nil) {
        precondition(rows >= 1 && columns >= 1, "a Lasso problem needs at least one row and one column")
        precondition(design.count == rows * columns, "design has \(design.count) values for \(rows)×\(columns)")
        precondition(target.count == rows, "target has \(target.count) values for \(rows) rows")
        precondition(design.allSatisfy(\.isFinite), "design holds a value that is not finite")
        precondition(target.allSatisfy(\.isFinite), "target holds a value that is not finite")
        let weights = weights ?? [Double](repeating: 1, count: rows)
        precondition(weights.count == rows, "weights has \(weights.count) values for \(rows) rows")
        precondition(weights.allSatisfy { $0.isFinite && $0 >= 0 }, "a weight is negative or not finite")
        self.rows = rows
        self.columns = columns
        self.design = design
        self.target = target
        self.weights = weights
    }

    /// Row i's prediction for `coefficients` (p values in original units).
    public func predict(row: Int, coefficients: [Double]) -> Double {
        var sum = 0.0
        let base = row * columns
        for j in 0..<columns where coefficients[j] != 0 {
            sum += design[base + j] * coefficients[j]
        }
        return sum
    }
}

/// How `Lasso` fits: the λ path, the stopping rule, and per-column constraints.
///
/// The defaults follow glmnet's, which suit problems with more rows than columns: 100
/// values of λ from λ_max down to λ_max/10⁴.
public struct LassoOptions: Sendable {
    /// How many values of λ the path has, at least 1.
    public var lambdaCount: Int
    /// The smallest λ as a fraction of λ_max, in (0, 1].
    public var lambdaMinRatio: Double
    /// Convergence: a solve stops when a sweep changes no coefficient (in unit-RMS column
    /// scaling) by more than `tolerance` times the largest coefficient.
    public var tolerance: Double
    /// The most sweeps over the coefficients at one λ; a solve that reaches it is reported
    /// as not converged rather than looping on an ill-posed problem.
    public var maxSweeps: Int
    /// Columns whose coefficient must be ≥ 0 (a cost cannot fall as work grows); empty for
    /// none, otherwise one flag per column.
    public var nonNegative: [Bool]
    /// Columns that carry no penalty, such as count columns acting as intercepts; empty for
    /// none, otherwise one flag per column. They are fitted even at λ_max.
    public var unpenalised: [Bool]

    public init(
        lambdaCount: Int = 100, lambdaMinRatio: Double = 1e-4, tolerance: Double = 1e-7,
        maxSweeps: Int = 10_000, nonNegative: [Bool] = [], unpenalised: [Bool] = []
    ) {
        self.lambdaCount = lambdaCount
        self.lambdaMinRatio = lambdaMinRatio
        self.tolerance = tolerance
        self.maxSweeps = maxSweeps
        self.nonNegative = nonNegative
        self.unpenalised = unpenalised
    }

    /// Traps on options that cannot work with `columns` columns: a programming error.
    func check(columns: Int) {
        precondition(lambdaCount >= 1, "lambdaCount must be at least 1, got \(lambdaCount)")
        precondition(lambdaMinRatio > 0 && lambdaMinRatio <= 1, "lambdaMinRatio must be in (0, 1], got \(lambdaMinRatio)")
        precondition(tolerance > 0, "tolerance must be positive, got \(tolerance)")
        precondition(maxSweeps >= 1, "maxSweeps must be at least 1, got \(maxSweeps)")
        precondition(nonNegative.isEmpty || nonNegative.count == columns,
                     "nonNegative has \(nonNegative.count) flags for \(columns) columns")
        precondition(unpenalised.isEmpty || unpenalised.count == columns,
                     "unpenalised has \(unpenalised.count) flags for \(columns) columns")
    }

    /// The λ values for a path from `lambdaMax`: log-spaced, largest first.
    func lambdas(from lambdaMax: Double) -> [Double] {
        guard lambdaCount > 1 else { return [lambdaMax] }
        let step = Foundation.log(lambdaMinRatio) / Double(lambdaCount - 1)
        return (0..<lambdaCount).map { lambdaMax * Foundation.exp(step * Double($0)) }
    }
}
