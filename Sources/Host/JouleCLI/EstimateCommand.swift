import ArgumentParser
import Estimation
import Fitting
import JouleJSON
import Network
import PluginAPI
import Registry
import Reports

/// `joule estimate`: what a network costs on a GPU, per layer and in total.
struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate the time, power and energy of a training step or an inference batch.",
        discussion: """
            SPEC is a network in Paleo's JSON format, or nb201:CELL for a NAS-Bench-201 network \
            (--classes, --input-size). Times come from the cost model; when the model gives no \
            power, power is derived from the GPU profile and labelled so.

            Examples:
              joule estimate Examples/nets/vgg16.json --gpu TITAN_X
              joule estimate Examples/nets/alex_v2.json --gpu K80 --batch 256 --ppp-comp 0.62 --ppp-comm 0.72
              joule estimate Examples/nets/alex_v2.json --gpu TITAN_X --workers 8 --network infiniband --scaling strong
              joule estimate Examples/nets/alex_v2_2gpu.json --gpu TITAN_X --parallel hybrid --hybrid-workers 2
              joule estimate Examples/nets/nin.json --gpu H100 --mode inference --per-layer --format json
              joule estimate nb201:CELL --gpu GTX_1080_TI --cost-model neuralpower --mode inference --batch 32
              joule estimate net.json --gpu MY_GPU --cost-model poly:my-gpu.json --mode inference
              joule estimate Examples/nets/vgg16.json --gpu A100 --batch 256 --epochs 90 --dataset-size 1281167 --grid-intensity france
              joule estimate Examples/nets/nin.json --gpu L4 --mode inference --batch 8 --requests 100000000
              joule estimate Examples/nets/vgg16.json --gpu A100 --report vgg16-a100.html
              joule estimate 'nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' --gpu TITAN_X --mode inference

            JSON output (--format json), schema_version 1: {"schema_version", "network", "gpu", \
            "cost_model", "mode", "batch", "params", "pipeline", "training": {"forward_seconds", \
            "backward_seconds", "update_seconds", "step_seconds", "forward_flops", \
            "backward_flops", "energy_joules", "average_power_watts"} (training) or \
            "inference": {"latency_seconds", "flops", "energy_joules", "energy_per_sample_joules", \
            "average_power_watts"}, "energy_provenance", "data_parallel" and \
            "communication_seconds": {"one_to_all", "tree", "butterfly", "butterfly_mixing"} \
            (with --workers), "reports" (model-parallel bounds, hybrid table), "coverage", \
            "layers": [{"name", "type", "output_shape", "forward_seconds", "backward_data_seconds", \
            "backward_filter_seconds", "forward_flops", "params", "energy_joules", "dead", \
            "costed_by"}] (with --per-layer), "run": {"kind": "training"|"serving", "epochs", \
            "dataset_size" | "requests", "batch", "steps", "seconds", "energy_joules", \
            "kilowatt_hours", "grid": {"name", "grams_co2e_per_kwh", "source"}, \
            "kilograms_co2e"} (with --epochs or --requests), "warnings", "provenance"}. CSV (--format csv): one \
            row per layer and a TOTAL row.
            """)

    enum Mode: String, ExpressibleByArgument, CaseIterable { case training, inference }
    enum Scaling: String, ExpressibleByArgument, CaseIterable { case weak, strong }
    enum Parallel: String, ExpressibleByArgument, CaseIterable { case data, model, hybrid }
    enum OnUnsupported: String, ExpressibleByArgument, CaseIterable { case fail, zero, fallback }
    enum EstimateFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @Argument(help: ArgumentHelp("The network: a Paleo JSON spec, or nb201:CELL.", valueName: "spec"))
    var spec: String

    @OptionGroup var specOptions: SpecOptions
    @OptionGroup var plugins: PluginOptions
    @OptionGroup var isolation: PluginIsolationOptions
    @OptionGroup var costing: CostingOptions

    @Option(help: "Samples per step on each device (default: the spec's Input batch).")
    var batch: Int64?
    @Option(help: "training (forward, backward, update) or inference (forward only).")
    var mode: Mode = .training
    @Option(name: .customLong("ppp-comp"), help: "Paleo's platform percent of peak for compute and memory, in (0, 1].")
    var pppComp: Double?
    @Option(name: .customLong("ppp-comm"), help: "Paleo's platform percent of peak for communication, in (0, 1].")
    var pppComm: Double?
    @Flag(help: "Overlap compute and memory within each layer (max instead of sum), as Paleo's --use_pipeline.")
    var pipeline = false
    @Option(help: "Data-parallel workers: adds the gradient-exchange time of each scheme.")
    var workers: Int64?
    @Option(help: "Network between workers: aws, ethernet, ethernet20, infiniband, pcie2, pcie3.")
    var network: String?
    @Option(help: "weak (each worker keeps the batch) or strong (the batch is split across workers).")
    var scaling: Scaling = .weak
    @Option(help: "data, model (model-parallel bounds of the spec's placement) or hybrid.")
    var parallel: Parallel = .data
    @Option(name: .customLong("hybrid-workers"), help: "Workers of the hybrid scheme.")
    var hybridWorkers: Int64?
    @Flag(name: .customLong("per-layer"), help: "Show every layer.")
    var perLayer = false
    @Option(name: .customLong("on-unsupported"), help: "When the model declines a layer: fail, zero (count it as zero) or fallback.")
    var onUnsupported: OnUnsupported = .fail
    @Option(name: .customLong("fallback-model"), help: "The cost model for layers the main one declines (with --on-unsupported fallback).")
    var fallbackModel: String?
    @Option(help: "Output format: table, json or csv.")
    var format: EstimateFormat = .table
    @OptionGroup var whole: RunOptions
    @Option(help: ArgumentHelp("Also write a self-contained HTML report (inline SVG, no scripts) to this file.", valueName: "file.html"))
    var report: String?

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        try specOptions.validate(spec: spec)
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
        if let hybridWorkers, hybridWorkers < 1 { throw ValidationError("--hybrid-workers must be at least 1") }
        if mode == .inference && (workers != nil || parallel != .data) {
            throw ValidationError("--workers and --parallel describe training; drop them or use --mode training")
        }
        if parallel != .hybrid && hybridWorkers != nil { throw ValidationError("--hybrid-workers needs --parallel hybrid") }
        if onUnsupported == .fallback && fallbackModel == nil {
            throw ValidationError("--on-unsupported fallback needs --fallback-model ID")
        }
        if fallbackModel != nil && onUnsupported != .fallback {
            throw ValidationError("--fallback-model applies with --on-unsupported fallback")
        }
        try whole.validate(isTraining: mode == .training)
        if whole.asksForRun && (workers != nil || parallel != .data) {
            throw ValidationError("--epochs and --requests count one device's steps; they do not combine with --workers or --parallel yet")
        }
        if network != nil && workers == nil && parallel != .hybrid {
            throw ValidationError("--network applies to data-parallel workers (--workers) or --parallel hybrid")
        }
    }

    func run() throws {
        try reportingFailures {
            let registry = isolation.apply(to: try plugins.loadCheckedRegistry(), plugins)
            let gpu = try costing.selectedProfile(registry)
            let (model, preset) = try costing.selectedModel(registry) { try CostingOptions.defaultModelID(registry) }

            let linkName = self.network ?? "ethernet"
            var network = try specOptions.read(spec)
            var notes: [String] = []
            if specOptions.pruneDead && SpecSource.isNB201(spec) {
                var full = specOptions
                full.pruneDead = false
                let left = try full.read(spec).layers.count - network.layers.count
                if left > 0 { notes.append("--prune-dead built only the cell's live edges, as a graph compiler runs it: \(left) layer\(left == 1 ? "" : "s") fewer than eager execution (no zero layers for none edges, no single-input sums)") }
            }
            var dataParallel: EstimateReport.DataParallelSettings?
            var stepBatch = batch ?? network.specBatch
            if let workers {
                let perWorker = scaling == .strong ? (stepBatch + workers - 1) / workers : stepBatch
                dataParallel = .init(workers: workers, network: linkName, scaling: scaling.rawValue,
                                     perWorkerBatch: perWorker, effectiveBatch: scaling == .strong ? stepBatch : stepBatch * workers)
                stepBatch = perWorker
            }
            if stepBatch != network.batch { network = network.withBatch(stepBatch) }
            if specOptions.pruneDead {
                let dead = network.deadLayers.count
                network = network.prunedOfDeadBranches()
                if dead > 0 { notes.append("--prune-dead left out \(dead) layer\(dead == 1 ? "" : "s") that feed no output") }
            }

            var options = try modelOptions(for: model)
            for (key, value) in preset { options[key] = value }
            let bound = try model.bind(to: gpu, options: options)
            let policy: EstimationPlan.CoveragePolicy
            var fallbackEntry: CostModelEntry?
            var used = [bound]
            switch onUnsupported {
            case .fail: policy = .fail
            case .zero: policy = .zero
            case .fallback:
                let entry = try registry.costModel(named: fallbackModel!)
                fallbackEntry = entry
                let other = try entry.bind(to: gpu, options: [:])
                used.append(other)
                policy = .fallback(other)
            }
            let plan = EstimationPlan(network: network, isTraining: mode == .training)
            let estimate = try plan.bind(bound, policy: policy).estimate(pipeline: pipeline)
            let run = whole.run(for: estimate)
            let report = EstimateReport(estimate: estimate, gpu: gpu, model: model, fallbackModel: fallbackEntry,
                                        dataParallel: dataParallel, includeLayers: perLayer, notes: notes, run: run,
                                        provenance: RunProvenance(models: used, options: options, registry: registry))
            if let path = self.report {
                try writeFileAtomically(HTMLReport(report).html, to: path)
            }
            switch format {
            case .table: print(report.table, terminator: "")
            case .json: print(JSONWriter.render(report.json), terminator: "")
            case .csv: print(report.csv, terminator: "")
            }
        }
    }

    /// The model's options from the flags; a flag the model has no option for is an error.
    private func modelOptions(for model: CostModelEntry) throws -> [String: String] {
        var options = try costing.parsedCostOptions()
        let accepted = Set(model.provider.options.map(\.key))
        func set(_ flag: String, _ key: String, _ value: String?, required: Bool = true) throws {
            guard let value else { return }
            guard accepted.contains(key) else {
                if !required { return }
                throw JouleFailure.badInput("\(flag) needs a cost model with a '\(key)' option; \(model.qualifiedID) has "
                                            + (accepted.isEmpty ? "none" : accepted.sorted().joined(separator: ", ")))
            }
            if let given = options[key], given != value {
                throw ValidationError("\(flag) \(value) contradicts --cost-option \(key)=\(given)")
            }
            options[key] = value
        }
        try set("--ppp-comp", "ppp_comp", pppComp.map { String($0) })
        try set("--ppp-comm", "ppp_comm", pppComm.map { String($0) })
        try set("--workers", "workers", workers.map { String($0) })
        try set("--network", "network", network)
        try set("--parallel", "parallel", parallel == .data ? nil : parallel.rawValue)
        try set("--hybrid-workers", "hybrid_workers", hybridWorkers.map { String($0) })
        // --pipeline overlaps the layer sums in the host; models that also overlap their own
        // tables (Paleo's hybrid scheme) get told.
        try set("--pipeline", "pipeline", pipeline ? "true" : nil, required: false)
        return options
    }
}
