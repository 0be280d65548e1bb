import PolynomialModel

/// Fits per-category layer polynomials to measurements, NeuralPower's way: Lasso over the
/// candidate terms, with the degree and the penalty chosen by k-fold cross-validation.
///
/// A sample is a list of layers and one measured total. A per-layer measurement is a
/// sample of one layer; a whole-network measurement is a sample of all the network's
/// layers, and because the network's time is the sum of its layers' polynomials, its
/// design row is the sum of its layers' term values: the fit stays linear.
///
/// Residuals are relative ((measured − predicted) / measured): the data spans orders of
/// magnitude and the quality that matters, RMSPE, is relative too. There is no separate
/// intercept: each category's constant term (a kernel launch per layer) is a column like
/// any other, so the fitted model still sums over layers.
public struct PolynomialFitter: Sendable {
    /// Runtime polynomials (seconds) or power polynomials (watts).
    public enum Target: String, Sendable {
        case runtime, power

        func terms(_ category: LayerCategory, degree: Int) -> [PolynomialTerm] {
            self == .runtime ? TermSet.runtime(category, degree: degree) : TermSet.power(category, degree: degree)
        }

        /// The degrees NeuralPower searches: runtime up to 3, power up to 2.
        public var degrees: [Int] { self == .runtime ? [1, 2, 3] : [1, 2] }
    }

    public struct Settings: Sendable {
        /// The degrees to try: the lowest whose cross-validated error is within one standard
        /// error of the best one's wins.
        public var degrees: [Int]
        public var folds: Int
        public var seed: UInt64
        /// Share of the samples used for fitting; the rest are held out and scored.
        public var trainFraction: Double
        public var lambdaCount: Int
        /// Take the largest λ whose cross-validated error is within one standard error of
        /// the best (a sparser model the data cannot tell apart from the best) instead of
        /// the best λ itself.
        public var oneStandardErrorRule: Bool
        /// Leave each category's intercept, FLOPs and memory-bytes terms out of the penalty, so
        /// that the fit explains what it can as launch overhead plus work over throughput
        /// (terms that mean the same on any network) and adds configuration terms only
        /// where they pay for themselves.
        public var physicalTermsUnpenalised: Bool = true

        public init(degrees: [Int], folds: Int = 10, seed: UInt64 = 1, trainFraction: Double = 0.8, lambdaCount: Int = 60,
                    oneStandardErrorRule: Bool = false) {
            self.oneStandardErrorRule = oneStandardErrorRule
            self.degrees = degrees
            self.folds = folds
            self.seed = seed
            self.trainFraction = trainFraction
            self.lambdaCount = lambdaCount
        }
    }

    /// What a fit found.
    public struct Result: Sendable {
        public var polynomials: [LayerCategory: LayerPolynomial]
        public var degree: Int
        public var lambda: Double
        /// Mean held-out-fold RMSPE at the chosen degree and λ (a fraction).
        public var crossValidatedRMSPE: Double
        /// Cross-validated RMSPE of the best λ of each degree tried.
        public var rmspeByDegree: [(degree: Int, rmspe: Double)]
        public var nonZeroTerms: Int
        public var candidateTerms: Int
        public var trainSamples: Int
        /// Scores on the held-out samples; nil when every sample was used for fitting.
        public var heldOut: ValidationScores?
        /// Which samples were held out (indices into the input).
        public var heldOutSamples: [Int]

    }

    public let target: Target
    public let settings: Settings

    public init(target: Target, settings: Settings) {
        self.target = target
        self.settings = settings
    }

    /// Fits the polynomials.
    ///
    /// - Parameters:
    ///   - samples: the layers of each sample.
    ///   - measured: each sample's measured total, positive, in seconds or watts.
    ///   - progress: called with (steps done, steps in all) as the cross-validation runs.
    /// - Throws: `FitError` when there are too few samples for the folds.
    public func fit(samples: [[LayerConfiguration]], measured: [Double],
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws(FitError) -> Result {
        precondition(samples.count == measured.count)
        let order = shuffledIndices(count: samples.count, seed: settings.seed)
        let trainCount = settings.trainFraction >= 1 ? samples.count : Int((Double(samples.count) * settings.trainFraction).rounded())
        let train = Array(order.prefix(trainCount)).sorted()
        let test = Array(order.dropFirst(trainCount)).sorted()
        guard train.count >= 2 * settings.folds else {
            throw FitError("\(train.count) samples to fit on are too few for \(settings.folds)-fold cross-validation "
                           + "(need at least \(2 * settings.folds)); add measurements, lower --folds or raise --train-fraction")
        }
        let categories = Array(Set(train.flatMap { samples[$0].map(\.category) })).sorted()
        let heldOutOnly = Set(test.flatMap { samples[$0].map(\.category) }).subtracting(categories)
        if let missing = heldOutOnly.min() {
            throw FitError("no row to fit on has \(missing.plural) (they are all among the held-out rows); "
                           + "raise --train-fraction or add measurements of them")
        }
        let folds = foldAssignment(count: train.count, folds: settings.folds, seed: settings.seed &+ 1)
        let y = train.map { measured[$0] }
        let weights = y.map { 1 / ($0 * $0) }

        var candidates: [(degree: Int, design: Design, cv: CrossValidation, options: LassoOptions)] = []
        var byDegree: [(Int, Double)] = []
        let total = settings.degrees.count * (settings.folds + 1)
        for (step, degree) in settings.degrees.enumerated() {
            let design = Design(categories: categories, target: target, degree: degree, samples: train.map { samples[$0] })
            let problem = LassoProblem(rows: train.count, columns: design.columns.count, design: design.matrix, target: y, weights: weights)
            var options = LassoOptions(lambdaCount: settings.lambdaCount)
            if settings.physicalTermsUnpenalised {
                options.unpenalised = design.columns.map(\.isPhysical)
            }
            if target == .runtime {
                // Every runtime term is a product of positive quantities; with non-negative
                // coefficients no layer is ever predicted to take negative time, and none
                // gets faster as a feature grows, on the fitted data or far from it.
                options.nonNegative = Array(repeating: true, count: design.columns.count)
            }
            let cv = Lasso.crossValidate(problem, options: options, folds: folds, error: Self.rmspe) { done, _ in
                progress?(step * (settings.folds + 1) + done, total)
            }
            byDegree.append((degree, cv.meanError[cv.bestIndex]))
            candidates.append((degree, design, cv, options))
        }
        // The lowest degree whose error is within one standard error of the best degree's:
        // a higher degree must earn its extra terms, which transfer worse to new networks.
        guard let lowest = candidates.min(by: { $0.cv.meanError[$0.cv.bestIndex] < $1.cv.meanError[$1.cv.bestIndex] }) else {
            throw FitError("no degree to try")
        }
        let threshold = lowest.cv.meanError[lowest.cv.bestIndex] + lowest.cv.standardError[lowest.cv.bestIndex]
        let best = candidates.first { $0.cv.meanError[$0.cv.bestIndex] <= threshold } ?? lowest
        let chosen = settings.oneStandardErrorRule ? best.cv.oneStandardErrorIndex : best.cv.bestIndex
        let lambda = best.cv.lambdas[chosen]
        // The path the cross-validation ran on all the training rows holds the final model.
        let coefficients = best.cv.path.coefficients[chosen]

        progress?(total, total)

        var polynomials: [LayerCategory: LayerPolynomial] = [:]
        for category in categories {
            let layers = train.flatMap { samples[$0] }.filter { $0.category == category }
            var terms: [PolynomialTerm] = []
            var values: [Double] = []
            for (column, term) in best.design.columns.enumerated() where term.category == category && coefficients[column] != 0 {
                terms.append(term)
                values.append(coefficients[column])
            }
            polynomials[category] = LayerPolynomial(terms: terms, coefficients: values,
                                                    ranges: LayerPolynomial.ranges(of: layers, category: category))
        }
        var heldOut: ValidationScores?
        if !test.isEmpty {
            let predicted = test.map { i in samples[i].reduce(0.0) { $0 + (polynomials[$1.category]?.evaluate($1) ?? 0) } }
            heldOut = ValidationScores(predicted: predicted, measured: test.map { measured[$0] })
        }
        return Result(
            polynomials: polynomials, degree: best.degree, lambda: lambda,
            crossValidatedRMSPE: best.cv.meanError[chosen], rmspeByDegree: byDegree,
            nonZeroTerms: coefficients.filter { $0 != 0 }.count, candidateTerms: best.design.columns.count,
            trainSamples: train.count, heldOut: heldOut, heldOutSamples: test)
    }

    static func rmspe(_ predicted: [Double], _ measured: [Double]) -> Double {
        var sum = 0.0
        for (p, m) in zip(predicted, measured) {
            let r = (p - m) / m
            sum += r * r
        }
        return (sum / Double(max(measured.count, 1))).squareRoot()
    }
}

/// The design matrix of a fit: one column per candidate term that the data can tell apart.
struct Design {
    /// The terms behind the columns.
    var columns: [PolynomialTerm]
    /// Row-major, samples × columns.
    var matrix: [Double]

    init(categories: [LayerCategory], target: PolynomialFitter.Target, degree: Int, samples: [[LayerConfiguration]]) {
        let candidates = categories.flatMap { target.terms($0, degree: degree) }
        var offset: [LayerCategory: Int] = [:]
        var position = 0
        for category in categories {
            offset[category] = position
            position += target.terms(category, degree: degree).count
        }
        // Networks repeat a few layer configurations many times: evaluate each once.
        var cache: [LayerConfiguration: [Double]] = [:]
        var full = [Double](repeating: 0, count: samples.count * candidates.count)
        for (row, layers) in samples.enumerated() {
            let base = row * candidates.count
            for layer in layers {
                let values: [Double]
                if let cached = cache[layer] {
                    values = cached
                } else {
                    values = target.terms(layer.category, degree: degree).map { $0.value(layer) }
                    cache[layer] = values
                }
                let start = base + offset[layer.category]!
                for (k, v) in values.enumerated() { full[start + k] += v }
            }
        }
        // Keep one column of each set that differ only by a constant factor (in NB201, say,
        // every layer's `batch` column is the count column times the batch): the data cannot
        // tell them apart, and the lowest-degree one reads best.
        var kept: [Int] = []
        var seen: Set<[Int64]> = []
        let n = samples.count
        for column in candidates.indices {
            var norm = 0.0
            for row in 0..<n { norm += full[row * candidates.count + column] * full[row * candidates.count + column] }
            guard norm > 0, norm.isFinite else { continue }
            let scale = 1 / norm.squareRoot()
            var key: [Int64] = []
            key.reserveCapacity(n)
            for row in 0..<n { key.append(Int64((full[row * candidates.count + column] * scale * 1e9).rounded())) }
            if seen.insert(key).inserted { kept.append(column) }
        }
        columns = kept.map { candidates[$0] }
        var matrix = [Double](repeating: 0, count: n * kept.count)
        for row in 0..<n {
            for (j, column) in kept.enumerated() { matrix[row * kept.count + j] = full[row * candidates.count + column] }
        }
        self.matrix = matrix
    }
}

extension PolynomialTerm {
    /// The intercept, FLOPs and memory bytes: terms with the same meaning on any network.
    var isPhysical: Bool {
        isIntercept || factors.allSatisfy { $0.quantity == .flops || $0.quantity == .memoryBytes }
    }
}

/// Why a fit could not be made.
public struct FitError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
