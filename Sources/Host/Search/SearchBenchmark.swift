import Foundation
import Network

/// The search-quality comparison of issue 5: each algorithm at each budget over several
/// seeds, every run scored by the measured costs of what it evaluated (not by the cost
/// model it searched with) against the space's true front.
public struct SearchBenchmark {
    /// One algorithm's runner: it spends the driver's budget with the given seed.
    public typealias Algorithm = (name: String, run: (SearchDriver<NB201SearchSpace>, UInt64) throws -> Void)

    public struct Row: Sendable {
        public var algorithm: String
        public var budget: Int
        public var scores: [FrontScore]
        /// Wall-clock seconds of each run (the search only, not its scoring).
        public var seconds: [Double] = []

        public var meanGap: Double { mean(scores.map(\.gap)) }
        public var gapStandardDeviation: Double { standardDeviation(scores.map(\.gap)) }
        public var meanTrueFrontFound: Double { mean(scores.map { Double($0.trueFrontFound) }) }
        public var meanIGD: Double { mean(scores.map(\.igd)) }
        public var igdStandardDeviation: Double { standardDeviation(scores.map(\.igd)) }
        public var meanSeconds: Double { mean(seconds) }
    }

    public let quality: FrontQuality
    public let makeDriver: (_ budget: Int, _ history: HistoryLog) -> SearchDriver<NB201SearchSpace>

    public init(quality: FrontQuality, makeDriver: @escaping (Int, HistoryLog) -> SearchDriver<NB201SearchSpace>) {
        self.quality = quality
        self.makeDriver = makeDriver
    }

    /// Runs every algorithm at every budget for seeds 1…`seeds`, in a scratch folder.
    public func run(algorithms: [Algorithm], budgets: [Int], seeds: Int,
                    progress: ((Int, Int) -> Void)? = nil) throws -> [Row] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("joule-search-bench-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var rows: [Row] = []
        let total = algorithms.count * budgets.count * seeds
        var done = 0
        for algorithm in algorithms {
            for budget in budgets {
                var scores: [FrontScore] = []
                var seconds: [Double] = []
                for seed in 1...max(seeds, 1) {
                    let history = try HistoryLog(path: scratch.appendingPathComponent("h.csv").path, resume: false)
                    let driver = makeDriver(budget, history)
                    let started = Date()
                    try algorithm.run(driver, UInt64(seed))
                    seconds.append(Date().timeIntervalSince(started))
                    let cells = try driver.results.map { try NB201Cell(parsing: $0.architecture) }
                    scores.append(try quality.score(cells))
                    done += 1
                    progress?(done, total)
                }
                rows.append(Row(algorithm: algorithm.name, budget: budget, scores: scores, seconds: seconds))
            }
        }
        return rows
    }
}

private func mean(_ values: [Double]) -> Double {
    values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
}

private func standardDeviation(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let m = mean(values)
    return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
}
