import Estimation
import GPUProfileFormat
import Foundation
import JouleJSON
import PluginAPI
import Registry

/// One network estimated on several GPUs with one cost model, sorted by energy per
/// sample: which GPU does the job with the least energy, and which the fastest.
///
/// Energy per sample is the figure that compares fairly across GPUs at one batch size:
/// a GPU that draws twice the power but finishes in a third of the time wins.
public struct GPUComparison: Sendable {
    /// One GPU's estimate.
    public struct Row: Sendable {
        public var gpu: ProfileEntry
        public var estimate: NetworkEstimate
        /// The whole training run or serving lifetime on this GPU, when asked for.
        public var run: RunEnergy?

        public init(gpu: ProfileEntry, estimate: NetworkEstimate, run: RunEnergy? = nil) {
            self.gpu = gpu
            self.estimate = estimate
            self.run = run
        }

        /// Training step or inference latency.
        public var seconds: Double { estimate.stepSeconds }
        public var joules: Double { estimate.energy.joules }
        public var averageWatts: Double { estimate.energy.averageWatts }
        public var joulesPerSample: Double { estimate.batch > 0 ? joules / Double(estimate.batch) : .nan }
    }

    /// The rows, least energy per sample first (ties by profile id, so the order is stable).
    public let rows: [Row]
    public let model: CostModelEntry
    /// GPUs the model could not estimate, with the reason, in the order given.
    public let failures: [(gpu: String, reason: String)]
    /// Versions, plugins, every profile's fingerprint and the model files behind the rows.
    public let provenance: RunProvenance

    public init(rows: [Row], model: CostModelEntry, failures: [(gpu: String, reason: String)] = [], provenance: RunProvenance) {
        self.rows = rows.sorted { ($0.joulesPerSample, $0.gpu.id) < ($1.joulesPerSample, $1.gpu.id) }
        self.model = model
        self.failures = failures
        self.provenance = provenance
    }

    /// The row with the least energy per sample.
    public var mostEfficient: Row? { rows.first }
    /// The row with the shortest step (or latency); the first in energy order among equals.
    public var fastest: Row? { rows.min { $0.seconds < $1.seconds } }

    private var isTraining: Bool { rows.first?.estimate.isTraining ?? true }

    // MARK: - Table

    public var table: String {
        guard let first = rows.first else { return "" }
        let e = first.estimate
        var out = "\(e.networkName), \(isTraining ? "training step" : "inference"), batch \(e.batch), cost model \(model.qualifiedID) \(model.provider.version)\n"
        out += "sorted by energy per sample\n\n"
        let withRun = first.run != nil
        var columns: [(String, TextTable.Alignment)] = [("GPU", .left), (isTraining ? "STEP" : "LATENCY", .right), ("POWER", .right),
                                                        ("ENERGY", .right), ("PER SAMPLE", .right), ("VS BEST", .right)]
        if withRun { columns += [(isTraining ? "RUN" : "SERVING", .right), ("kWh", .right), ("kg CO2e", .right)] }
        var table = TextTable(columns + [("ENERGY FROM", .left)])
        for row in rows {
            var cells = [row.gpu.id, formatDuration(row.seconds), "\(formatNumber(row.averageWatts, significantDigits: 3)) W",
                         "\(formatNumber(row.joules)) J", Self.energy(row.joulesPerSample),
                         String(format: "%.2f×", row.joulesPerSample / first.joulesPerSample)]
            if let run = row.run {
                cells += ["\(formatNumber(run.seconds / 3600)) h", formatNumber(run.kilowattHours), formatNumber(run.kilogramsCO2e)]
            }
            table.append(cells + [row.estimate.energy.provenance.rawValue])
        }
        out += table.render()
        if let run = first.run {
            switch run.kind {
            case .training(let epochs, let datasetSize):
                out += "\nrun: \(epochs) epochs of \(groupedDigits(datasetSize)) samples = \(groupedDigits(run.steps)) steps on one GPU"
            case .serving(let requests):
                out += "\nserving: \(groupedDigits(requests)) requests = \(groupedDigits(run.steps)) batches on one GPU"
            }
            out += "; emissions at \(formatNumber(run.grid.gramsPerKilowattHour)) g CO2e/kWh (\(run.grid.name == "given" ? "given" : run.grid.name))\n"
        }
        if let best = mostEfficient, let fastest {
            out += "\nmost energy-efficient: \(best.gpu.id) (\(best.gpu.profile.name)), \(Self.energy(best.joulesPerSample)) per sample\n"
            out += "fastest: \(fastest.gpu.id) (\(fastest.gpu.profile.name)), \(formatDuration(fastest.seconds))"
            out += fastest.gpu.id == best.gpu.id ? "\n" : ", \(String(format: "%.2f", fastest.joulesPerSample / best.joulesPerSample))× the energy per sample\n"
        }
        let derived = rows.filter { $0.estimate.energy.provenance == .derived }
        if !derived.isEmpty {
            out += "derived energy: the model predicts time only; power comes from each GPU profile (idle + (TDP − idle) × utilisation)\n"
        }
        for failure in failures { out += "not compared: \(failure.gpu): \(failure.reason)\n" }
        return out
    }

    static func energy(_ joules: Double) -> String {
        joules >= 1 ? "\(formatNumber(joules)) J" : "\(formatNumber(joules * 1e3)) mJ"
    }

    // MARK: - JSON

    static func json(_ row: Row) -> JSON {
        let fields: [(String, JSON)] = [
            ("gpu", .string(row.gpu.id)), ("name", .string(row.gpu.profile.name)),
            ("seconds", .number(row.seconds)), ("average_power_watts", .number(row.averageWatts)),
            ("energy_joules", .number(row.joules)), ("energy_per_sample_joules", .number(row.joulesPerSample)),
            ("energy_provenance", .string(row.estimate.energy.provenance.rawValue)),
            ("profile_defined", .string(row.gpu.origin.description)),
            ("profile_numbers_hash", .string(row.gpu.profile.numbersHash)),
        ] + (row.run.map { [("run", EstimateReport.json($0))] } ?? [])
        return .object(fields)
    }

    /// `{"schema_version", "network", "mode", "batch", "cost_model", "gpus": [{"gpu", "name",
    /// "seconds", "average_power_watts", "energy_joules", "energy_per_sample_joules",
    /// "energy_provenance", "profile_defined", "profile_numbers_hash"}], "most_energy_efficient", "fastest",
    /// "not_compared": [{"gpu", "reason"}], "provenance"}`; numbers in SI units.
    public var json: JSON {
        let first = rows.first?.estimate
        return .object([
            ("schema_version", .integer(1)),
            ("network", first.map { .string($0.networkName) } ?? .null),
            ("mode", .string(isTraining ? "training" : "inference")),
            ("batch", first.map { .integer(Int($0.batch)) } ?? .null),
            ("cost_model", .string(model.qualifiedID)),
            ("gpus", .array(rows.map(Self.json))),
            ("most_energy_efficient", mostEfficient.map { .string($0.gpu.id) } ?? .null),
            ("fastest", fastest.map { .string($0.gpu.id) } ?? .null),
            ("not_compared", .array(failures.map { .object([("gpu", .string($0.gpu)), ("reason", .string($0.reason))]) })),
            ("provenance", provenance.json),
        ])
    }
}
