import ArgumentParser
import Estimation
import Fitting
import JouleJSON
import Network
import Registry
import Reports

/// `joule compare`: one network on several GPUs with one cost model, sorted by energy per
/// sample, naming the most energy-efficient GPU and the fastest.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a network's time, power and energy across GPUs.",
        discussion: """
            Estimates SPEC on every GPU of --gpus with one cost model (Paleo unless \
            --cost-model says otherwise) and prints them sorted by energy per sample, with \
            each GPU's energy relative to the best. A GPU the model cannot estimate (a \
            polynomial model fitted on another GPU, say) is listed as not compared, with the \
            reason; the command fails only when no GPU could be compared.

            Examples:
              joule compare Examples/nets/vgg16.json --gpus TITAN_X,K80,P100,V100,A100,H100_SXM
              joule compare Examples/nets/nin.json --gpus A100,H100_SXM,L4 --mode inference --batch 64
              joule compare Examples/nets/vgg16.json --gpus all --format json
              joule compare Examples/nets/vgg16.json --gpus A100,H100,L4 --batch 256 --epochs 90 --dataset-size 1281167

            JSON output (--format json), schema_version 1: {"schema_version", "network", \
            "mode", "batch", "cost_model", "gpus": [{"gpu", "name", "seconds", \
            "average_power_watts", "energy_joules", "energy_per_sample_joules", \
            "energy_provenance", "profile_defined", "profile_numbers_hash", "run" (with --epochs or \
            --requests, as joule estimate writes it)}], "most_energy_efficient", "fastest", \
            "not_compared": [{"gpu", "reason"}], "provenance"}.
            """)

    @Argument(help: ArgumentHelp("The network: a Paleo JSON spec, or nb201:CELL.", valueName: "spec"))
    var spec: String

    @Option(help: ArgumentHelp("Comma-separated GPU profile ids or aliases, or 'all' (see `joule gpus`).", valueName: "ids"))
    var gpus: String

    @Option(name: .customLong("cost-model"),
            help: ArgumentHelp("Cost model id, or plugin/id when two plugins share an id (see `joule models`).", valueName: "id"))
    var costModel: String?

    @Option(name: .customLong("cost-option"), help: ArgumentHelp("A cost-model option as key=value; repeatable.", valueName: "key=value"))
    var costOptions: [String] = []

    @OptionGroup var specOptions: SpecOptions
    @OptionGroup var plugins: PluginOptions
    @OptionGroup var isolation: PluginIsolationOptions

    @Option(help: "Samples per step (default: the spec's Input batch).")
    var batch: Int64?
    @Option(help: "training (forward, backward, update) or inference (forward only).")
    var mode: EstimateCommand.Mode = .training
    @Option(help: "Output format: table or json.")
    var format: OutputFormat = .table
    @OptionGroup var whole: RunOptions
    @Option(help: ArgumentHelp("Also write a self-contained HTML report (inline SVG, no scripts) to this file.", valueName: "file.html"))
    var report: String?

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        try specOptions.validate(spec: spec)
        try whole.validate(isTraining: mode == .training)
        let ids = gpuList
        if ids.isEmpty { throw ValidationError("--gpus needs at least one GPU id, as in --gpus TITAN_X,V100") }
        if let repeated = Dictionary(grouping: ids, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("--gpus names \(repeated) twice")
        }
    }

    private var gpuList: [String] {
        gpus.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        try reportingFailures {
            let registry = isolation.apply(to: try plugins.loadCheckedRegistry(), plugins)
            let (model, preset) = try CostingOptions.selectedModel(costModel, registry) { try CostingOptions.defaultModelID(registry) }
            var options = try CostingOptions.parsedCostOptions(costOptions)
            for (key, value) in preset { options[key] = value }
            // Unknown ids are the user's typo: fail before estimating anything.
            let profiles: [ProfileEntry] = gpuList == ["all"]
                ? registry.profiles
                : try gpuList.map { id in
                    do { return try registry.profile(named: id) } catch { throw JouleFailure.badInput("--gpus: \(error)") }
                }
            var network = try specOptions.read(spec)
            if let batch, batch != network.batch { network = network.withBatch(batch) }
            if specOptions.pruneDead { network = network.prunedOfDeadBranches() }
            let plan = EstimationPlan(network: network, isTraining: mode == .training)

            var rows: [GPUComparison.Row] = []
            var used: [BoundCostModel] = []
            var failures: [(gpu: String, reason: String)] = []
            for profile in profiles {
                do {
                    let bound = try model.bind(to: profile, options: options)
                    let estimate = try plan.bind(bound, policy: .fail).estimate(pipeline: false)
                    rows.append(.init(gpu: profile, estimate: estimate, run: whole.run(for: estimate)))
                    used.append(bound)
                } catch {
                    failures.append((profile.id, "\(error)"))
                }
            }
            let comparison = GPUComparison(rows: rows, model: model, failures: failures,
                                           provenance: RunProvenance(models: used, options: options, registry: registry))
            guard !rows.isEmpty else {
                throw JouleFailure.badInput("\(model.qualifiedID) could not estimate \(spec) on any of the GPUs: "
                                            + failures.map { "\($0.gpu): \($0.reason)" }.joined(separator: "; "))
            }
            if let path = report {
                try writeFileAtomically(CompareReport(comparison).html, to: path)
            }
            switch format {
            case .table: print(comparison.table, terminator: "")
            case .json: print(JSONWriter.render(comparison.json), terminator: "")
            }
        }
    }
}
