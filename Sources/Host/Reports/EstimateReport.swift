import Estimation
import GPUProfileFormat
import Foundation
import JouleJSON
import PluginAPI
import Registry

/// An estimate with the context a reader needs (which GPU, which model, which settings),
/// rendered as a table, JSON (schema version 1) or CSV.
public struct EstimateReport: Sendable {
    public var estimate: NetworkEstimate
    public var gpu: ProfileEntry
    public var model: CostModelEntry
    public var fallbackModel: CostModelEntry?
    /// Data-parallel settings, when the user gave --workers.
    public var dataParallel: DataParallelSettings?
    public var includeLayers: Bool
    /// Notes the command adds (settings it derived, say).
    public var notes: [String]
    /// The whole training run or serving lifetime, when the user asked for one.
    public var run: RunEnergy?
    /// Versions, plugins, profile fingerprint and model files behind the numbers.
    public var provenance: RunProvenance

    public struct DataParallelSettings: Sendable {
        public var workers: Int64
        public var network: String
        public var scaling: String
        /// Samples per worker per step.
        public var perWorkerBatch: Int64
        /// Samples per step over all workers.
        public var effectiveBatch: Int64

        public init(workers: Int64, network: String, scaling: String, perWorkerBatch: Int64, effectiveBatch: Int64) {
            self.workers = workers
            self.network = network
            self.scaling = scaling
            self.perWorkerBatch = perWorkerBatch
            self.effectiveBatch = effectiveBatch
        }
    }

    public init(estimate: NetworkEstimate, gpu: ProfileEntry, model: CostModelEntry, fallbackModel: CostModelEntry? = nil,
                dataParallel: DataParallelSettings? = nil, includeLayers: Bool, notes: [String] = [], run: RunEnergy? = nil,
                provenance: RunProvenance) {
        self.estimate = estimate
        self.gpu = gpu
        self.model = model
        self.fallbackModel = fallbackModel
        self.dataParallel = dataParallel
        self.includeLayers = includeLayers
        self.notes = notes
        self.run = run
        self.provenance = provenance
    }

    // MARK: - JSON

    /// The JSON document; its schema is documented in the README and versioned by
    /// `schema_version`.
    public var json: JSON {
        let e = estimate
        var document: [(String, JSON)] = [
            ("schema_version", .integer(1)),
            ("network", .string(e.networkName)),
            ("gpu", .string(gpu.id)),
            ("cost_model", .string(model.qualifiedID)),
            ("mode", .string(e.isTraining ? "training" : "inference")),
            ("batch", .integer(e.batch)),
            ("params", .integer(e.params)),
            ("pipeline", .bool(e.pipeline)),
        ]
        if e.isTraining {
            document.append(("training", .object([
                ("forward_seconds", .number(e.forwardSeconds)),
                ("backward_seconds", .number(e.backwardSeconds)),
                ("update_seconds", .number(e.updateSeconds)),
                ("step_seconds", .number(e.stepSeconds)),
                ("forward_flops", .number(e.forwardFlops)),
                ("backward_flops", .number(e.backwardFlops)),
                ("energy_joules", .number(e.energy.joules)),
                ("average_power_watts", .number(e.energy.averageWatts)),
            ])))
        } else {
            document.append(("inference", .object([
                ("latency_seconds", .number(e.forwardSeconds)),
                ("flops", .number(e.forwardFlops)),
                ("energy_joules", .number(e.energy.joules)),
                ("energy_per_sample_joules", .number(e.batch > 0 ? e.energy.joules / Double(e.batch) : 0)),
                ("average_power_watts", .number(e.energy.averageWatts)),
            ])))
        }
        if let run { document.append(("run", Self.json(run))) }
        document.append(("energy_provenance", .object([
            ("kind", .string(e.energy.provenance.rawValue)), ("method", .string(e.energy.method)),
        ])))
        if let dataParallel {
            document.append(("data_parallel", .object([
                ("workers", .integer(dataParallel.workers)), ("network", .string(dataParallel.network)),
                ("scaling", .string(dataParallel.scaling)), ("per_worker_batch", .integer(dataParallel.perWorkerBatch)),
                ("effective_batch", .integer(dataParallel.effectiveBatch)),
            ])))
        }
        if !e.communication.isEmpty {
            document.append(("communication_seconds", .object(e.communication.map { ($0.scheme, .number($0.seconds)) })))
        }
        if !e.reports.isEmpty {
            document.append(("reports", .object(e.reports.map { ($0.name, .number($0.timeSeconds ?? 0)) })))
        }
        document.append(("coverage", .object([
            ("flops_share", .number(e.coverage.flopsShare)),
            ("bytes_share", .number(e.coverage.bytesShare)),
            ("declined_layers", .array(e.coverage.declined.map { .object([("layer", .string($0.layer)), ("reason", .string($0.reason))]) })),
            ("zero_time_layers", .array(e.coverage.zeroTimeLayers.map(JSON.string))),
        ])))
        if includeLayers {
            document.append(("layers", .array(e.layers.map { layer in
                var fields: [(String, JSON)] = [
                    ("name", .string(layer.name)),
                    ("type", .string(layer.typeName)),
                    ("output_shape", .array(layer.outputShape.map { JSON.integer($0) })),
                    ("forward_seconds", .number(layer.forwardSeconds)),
                ]
                if e.isTraining {
                    fields.append(("backward_data_seconds", .number(layer.backwardDataSeconds)))
                    fields.append(("backward_filter_seconds", .number(layer.backwardFilterSeconds)))
                }
                fields += [
                    ("forward_flops", .number(layer.forwardFlops)),
                    ("params", .integer(layer.params)),
                    ("energy_joules", .number(layer.energyJoules)),
                    ("dead", .bool(layer.isDead)),
                    ("costed_by", layer.costedBy.map(JSON.string) ?? .null),
                ]
                return .object(fields)
            })))
        }
        document.append(("warnings", .array((notes + e.warnings).map(JSON.string))))
        document.append(("provenance", provenance.json))
        return .object(document)
    }

    // MARK: - CSV

    /// One row per layer, then a `TOTAL` row. Columns: layer, type, output_shape,
    /// forward_seconds, backward_data_seconds, backward_filter_seconds, forward_flops,
    /// params, energy_joules. Numbers are SI and written in full precision.
    public var csv: String {
        var lines = ["layer,type,output_shape,forward_seconds,backward_data_seconds,backward_filter_seconds,forward_flops,params,energy_joules"]
        let layers = estimate.layers  // built from the raw results on each access
        for layer in layers {
            lines.append([
                csvField(layer.name), csvField(layer.typeName), layer.outputShape.map(String.init).joined(separator: "x"),
                "\(layer.forwardSeconds)", "\(layer.backwardDataSeconds)", "\(layer.backwardFilterSeconds)",
                "\(layer.forwardFlops)", "\(layer.params)", "\(layer.energyJoules)",
            ].joined(separator: ","))
        }
        let e = estimate
        lines.append(["TOTAL", "", "", "\(e.forwardSeconds)",
                      "\(layers.reduce(0.0) { $0 + $1.backwardDataSeconds })",
                      "\(layers.reduce(0.0) { $0 + $1.backwardFilterSeconds })",
                      "\(e.forwardFlops)", "\(e.params)", "\(e.energy.joules)"].joined(separator: ","))
        return lines.joined(separator: "\n") + "\n"
    }

    private func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    // MARK: - Table

    /// The human summary (and the per-layer table when asked).
    public var table: String {
        let e = estimate
        var out = "\(e.networkName) on \(gpu.id) (\(gpu.profile.name)), cost model \(model.qualifiedID) \(model.provider.version)\n"
        out += "\(e.isTraining ? "training" : "inference"), batch \(e.batch), \(grouped(e.params)) parameters"
        out += e.pipeline ? ", compute and memory overlapped (--pipeline)\n\n" : "\n\n"
        var rows = TextTable([("", .left), ("TIME", .right), ("FLOPs", .right)])
        if e.isTraining {
            rows.append(["forward", milliseconds(e.forwardSeconds), flops(e.forwardFlops)])
            rows.append(["backward", milliseconds(e.backwardSeconds), flops(e.backwardFlops)])
            rows.append(["weight update", milliseconds(e.updateSeconds), ""])
            rows.append(["training step", milliseconds(e.stepSeconds), flops(e.forwardFlops + e.backwardFlops)])
        } else {
            rows.append(["inference (latency)", milliseconds(e.forwardSeconds), flops(e.forwardFlops)])
        }
        out += rows.render()
        out += "\nenergy per \(e.isTraining ? "step" : "batch"): \(formatNumber(e.energy.joules)) J, average \(formatNumber(e.energy.averageWatts, significantDigits: 3)) W"
        if !e.isTraining, e.batch > 0 { out += ", \(formatNumber(e.energy.joules / Double(e.batch))) J per sample" }
        out += "\n  (\(e.energy.provenance.rawValue): \(e.energy.method))\n"
        if let run { out += "\n" + Self.text(run) }
        if let dataParallel, !e.communication.isEmpty {
            out += "\ngradient exchange per step, \(dataParallel.workers) workers over \(dataParallel.network), "
                + "\(dataParallel.scaling) scaling (\(dataParallel.perWorkerBatch) samples per worker, \(dataParallel.effectiveBatch) per step):\n"
            var comm = TextTable([("SCHEME", .left), ("TIME", .right), ("STEP + EXCHANGE", .right)])
            for (scheme, seconds) in e.communication {
                comm.append([scheme, milliseconds(seconds), milliseconds(e.stepSeconds + seconds)])
            }
            out += comm.render()
        }
        if !e.reports.isEmpty {
            out += "\n"
            var reports = TextTable([("REPORTED BY THE MODEL", .left), ("TIME", .right)])
            for term in e.reports { reports.append([term.name, milliseconds(term.timeSeconds ?? 0)]) }
            out += reports.render()
        }
        if includeLayers {
            out += "\n"
            var columns: [(String, TextTable.Alignment)] = [("LAYER", .left), ("TYPE", .left), ("OUTPUT", .left), ("FWD ms", .right)]
            if e.isTraining { columns += [("BWD DATA ms", .right), ("BWD FILTER ms", .right)] }
            columns += [("FWD GFLOP", .right), ("PARAMS", .right), ("ENERGY J", .right)]
            var layers = TextTable(columns)
            for layer in e.layers {
                var row = [layer.name + (layer.isDead ? " (dead)" : ""), layer.typeName,
                           layer.outputShape.map(String.init).joined(separator: "x"), formatNumber(layer.forwardSeconds * 1e3)]
                if e.isTraining {
                    row += [formatNumber(layer.backwardDataSeconds * 1e3), formatNumber(layer.backwardFilterSeconds * 1e3)]
                }
                row += [formatNumber(layer.forwardFlops / 1e9), grouped(layer.params), formatNumber(layer.energyJoules)]
                layers.append(row)
            }
            out += layers.render()
        }
        let warnings = notes + e.warnings
        if !warnings.isEmpty {
            out += "\n" + warnings.map { "note: \($0)" }.joined(separator: "\n") + "\n"
        }
        return out
    }

    // MARK: - Whole run

    /// `{"kind", "epochs", "dataset_size" | "requests", "batch", "steps", "seconds",
    /// "energy_joules", "kilowatt_hours", "grid": {"name", "grams_co2e_per_kwh", "source"},
    /// "kilograms_co2e"}`.
    static func json(_ run: RunEnergy) -> JSON {
        var fields: [(String, JSON)]
        switch run.kind {
        case .training(let epochs, let datasetSize):
            fields = [("kind", .string("training")), ("epochs", .integer(epochs)), ("dataset_size", .integer(datasetSize))]
        case .serving(let requests):
            fields = [("kind", .string("serving")), ("requests", .integer(requests))]
        }
        fields += [
            ("batch", .integer(run.batch)), ("steps", .integer(run.steps)), ("seconds", .number(run.seconds)),
            ("energy_joules", .number(run.joules)), ("kilowatt_hours", .number(run.kilowattHours)),
            ("grid", .object([("name", .string(run.grid.name)), ("grams_co2e_per_kwh", .number(run.grid.gramsPerKilowattHour)),
                              ("source", .string(run.grid.source))])),
            ("kilograms_co2e", .number(run.kilogramsCO2e)),
        ]
        return .object(fields)
    }

    /// Two lines: the run's size, time and energy; its emissions and where the intensity
    /// comes from.
    static func text(_ run: RunEnergy) -> String {
        let hours = run.seconds / 3600
        let duration = hours >= 1 ? "\(formatNumber(hours)) h" : "\(formatNumber(run.seconds / 60)) min"
        var out: String
        switch run.kind {
        case .training(let epochs, let datasetSize):
            out = "training run: \(epochs) epoch\(epochs == 1 ? "" : "s") of \(groupedDigits(datasetSize)) samples at batch \(run.batch) = "
                + "\(groupedDigits(run.steps)) steps, \(duration), \(formatNumber(run.kilowattHours)) kWh\n"
        case .serving(let requests):
            out = "serving: \(groupedDigits(requests)) requests in batches of \(run.batch) = \(groupedDigits(run.steps)) batches, "
                + "\(duration) of GPU time, \(formatNumber(run.kilowattHours)) kWh\n"
        }
        out += "emissions: \(formatNumber(run.kilogramsCO2e)) kg CO2e at \(formatNumber(run.grid.gramsPerKilowattHour)) g/kWh "
            + "(\(run.grid.name == "given" ? "given" : "\(run.grid.name): \(run.grid.source)"))\n"
        return out
    }

    private func milliseconds(_ seconds: Double) -> String { formatDuration(seconds) }

    private func flops(_ value: Double) -> String {
        if value >= 1e12 { return "\(formatNumber(value / 1e12)) TFLOP" }
        if value >= 1e9 { return "\(formatNumber(value / 1e9)) GFLOP" }
        return "\(formatNumber(value / 1e6)) MFLOP"
    }

    private func grouped(_ value: Int64) -> String { groupedDigits(value) }
}

/// 1234567 → "1,234,567".
func groupedDigits(_ value: Int64) -> String {
    let digits = Array(String(value))
    var out = ""
    for (i, digit) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(digit)
    }
    return out
}
