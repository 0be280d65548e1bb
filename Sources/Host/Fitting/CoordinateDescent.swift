import Foundation

/// One Lasso problem in unit-RMS coordinates, solved by cyclic coordinate descent on the
/// Gram (covariance) form; the engine under `Lasso`.
///
/// Columns are divided by their weighted RMS sⱼ = √(Σᵢ wᵢxᵢⱼ² / n), so the penalty
/// λ·Σ|βⱼ|·sⱼ becomes the plain λ·Σ|γⱼ| on γⱼ = sⱼβⱼ and every column's Gram diagonal is 1.
/// Scaling without centring keeps zeros zero, so count columns still act as intercepts and
/// an all-zero column stays out of the problem (β = 0) instead of dividing by zero.
///
/// The state is γ and the residual correlations rⱼ = cⱼ − (Gγ)ⱼ, where G = ZᵀWZ/n and
/// c = ZᵀWy/n: minus the gradient of the loss. Coordinate j's exact minimiser is then the
/// soft-threshold of rⱼ + γⱼ, and a change Δ in γⱼ updates r by −Δ·G[j, ·]: O(p) per changed
/// coefficient, never touching the n rows (Friedman, Hastie & Tibshirani 2010,
/// doi:10.18637/jss.v033.i01, section 2.2).
struct CoordinateDescent {
    /// The original columns' count.
    let columns: Int
    /// The original index of each column in the problem (those with a non-zero sum of squares).
    let usable: [Int]
    /// sⱼ of each usable column.
    let scale: [Double]
    /// G, q×q row-major with unit diagonal, q = usable.count.
    private let gram: [Double]
    private let penalised: [Bool]
    private let nonNegative: [Bool]
    /// The coefficients γ in scaled units, one per usable column.
    private(set) var gamma: [Double]
    /// rⱼ = cⱼ − (Gγ)ⱼ, kept current through every update.
    private(set) var residual: [Double]

    /// Scales `products` and starts from γ = 0.
    init(_ products: CrossProducts, options: LassoOptions) {
        precondition(products.rows > 0, "a Lasso solve needs at least one row")
        let p = products.columns
        let n = Double(products.rows)
        columns = p
        let usable = (0..<p).filter { products.gram[$0 * p + $0] > 0 }
        let q = usable.count
        let scale = usable.map { (products.gram[$0 * p + $0] / n).squareRoot() }
        self.usable = usable
        self.scale = scale
        var gram = [Double](repeating: 0, count: q * q)
        for a in 0..<q {
            let rowBase = usable[a] * p
            for b in 0..<q {
                gram[a * q + b] = products.gram[rowBase + usable[b]] / (n * scale[a] * scale[b])
            }
            gram[a * q + a] = 1  // exactly, so the update rⱼ + γⱼ is exact
        }
        self.gram = gram
        penalised = usable.map { options.unpenalised.isEmpty || !options.unpenalised[$0] }
        nonNegative = usable.map { !options.nonNegative.isEmpty && options.nonNegative[$0] }
        gamma = [Double](repeating: 0, count: q)
        residual = (0..<q).map { products.moment[usable[$0]] / (n * scale[$0]) }
    }

    /// The smallest λ at which every penalised coefficient is zero, given the current fit of
    /// the unpenalised ones (call after `solve(lambda: .infinity, …)`): the largest
    /// correlation that a penalised column could still act on. A non-negative column can
    /// only act on a positive one. Zero when no penalised column can move at all.
    var lambdaMax: Double {
        var largest = 0.0
        for a in residual.indices where penalised[a] {
            largest = max(largest, nonNegative[a] ? max(residual[a], 0) : abs(residual[a]))
        }
        return largest
    }

    /// The coefficients in original units, p values, zero for the columns left out.
    var coefficients: [Double] {
        var beta = [Double](repeating: 0, count: columns)
        for (a, j) in usable.enumerated() { beta[j] = gamma[a] / scale[a] }
        return beta
    }

    /// Minimises the scaled objective at `lambda`, starting from the current γ (a warm start).
    ///
    /// A full sweep over all coordinates finds the active set (the non-zero coefficients);
    /// sweeps over only that set follow until they settle, then a full sweep checks that no
    /// other coefficient wants to enter. Converged means a full sweep changed no γⱼ by more
    /// than `tolerance` times the largest |γ|.
    ///
    /// - Parameter lambda: the penalty, ≥ 0; `.infinity` fits the unpenalised columns alone.
    /// - Returns: the sweeps used and whether the solve converged within `maxSweeps`.
    mutating func solve(lambda: Double, tolerance: Double, maxSweeps: Int) -> (sweeps: Int, converged: Bool) {
        let all = Array(0..<usable.count)
        var sweeps = 0
        while sweeps < maxSweeps {
            let change = sweep(all, lambda: lambda)
            sweeps += 1
            if settled(change, tolerance: tolerance) { return (sweeps, true) }
            let active = all.filter { gamma[$0] != 0 }
            while sweeps < maxSweeps {
                let change = sweep(active, lambda: lambda)
                sweeps += 1
                if settled(change, tolerance: tolerance) { break }
            }
        }
        return (sweeps, false)
    }

    /// Whether the largest change of a sweep is negligible next to the coefficients.
    private func settled(_ change: Double, tolerance: Double) -> Bool {
        if change == 0 { return true }
        let largest = gamma.reduce(0) { max($0, abs($1)) }
        return change <= tolerance * largest
    }

    /// One pass of exact coordinate minimisations over `indices`; returns the largest |Δγⱼ|.
    private mutating func sweep(_ indices: [Int], lambda: Double) -> Double {
        let q = usable.count
        var largestChange = 0.0
        gram.withUnsafeBufferPointer { gram in
            gamma.withUnsafeMutableBufferPointer { gamma in
                residual.withUnsafeMutableBufferPointer { residual in
                    for j in indices {
                        let old = gamma[j]
                        let u = residual[j] + old
                        var new: Double
                        if penalised[j] {
                            new = u > lambda ? u - lambda : (u < -lambda ? u + lambda : 0)
                        } else {
                            new = u
                        }
                        if nonNegative[j] && new < 0 { new = 0 }
                        guard new != old else { continue }
                        let delta = new - old
                        gamma[j] = new
                        let row = gram.baseAddress! + j * q
                        for k in 0..<q { residual[k] -= delta * row[k] }
                        largestChange = max(largestChange, abs(delta))
                    }
                }
            }
        }
        return largestChange
    }
}
