import ArgumentParser
import JouleJSON
import PluginAPI
import Registry
import Reports

/// `joule models`: the installed cost models, what they estimate, and (with --gpu) whether
/// each can be used on that GPU.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List installed cost models; with --gpu, check that each can be created for that GPU.",
        discussion: """
            JSON output (--format json), schema_version 1:
              {"schema_version": 1, "gpu": id or null,
               "cost_models": [{"id", "qualified_id", "plugin", "version", "description",
                                "estimates": ["time", "power", ...],
                                "options": [{"key", "description", "default"}],
                                "network_terms": bool, "usable": bool or null, "problem": text or null}]}
            """)

    @OptionGroup var plugins: PluginOptions
    @OptionGroup var isolation: PluginIsolationOptions
    @OptionGroup var costing: CostingOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() throws {
        try reportingFailures {
            let registry = isolation.apply(to: try plugins.loadCheckedRegistry(), plugins)
            let gpu = try costing.gpu.map { name throws(RegistryError) in try registry.profile(named: name) }
            var entries = registry.costModels
            if let name = costing.costModel { entries = [try registry.costModel(named: name)] }
            let options = try costing.parsedCostOptions()

            // With a GPU, try to bind each model: that is what `estimate` will do first.
            let checks: [(CostModelEntry, String?)] = entries.map { entry in
                guard let gpu else { return (entry, nil) }
                do throws(CostModelError) {
                    _ = try entry.bind(to: gpu, options: options)
                    return (entry, nil)
                } catch {
                    return (entry, error.description)
                }
            }
            switch format {
            case .json:
                print(JSONWriter.render(.object([
                    ("schema_version", .integer(1)),
                    ("gpu", gpu.map { .string($0.id) } ?? .null),
                    ("cost_models", .array(checks.map { entry, problem in
                        .object([
                            ("id", .string(entry.id)),
                            ("qualified_id", .string(entry.qualifiedID)),
                            ("plugin", .string(entry.pluginName)),
                            ("version", .string(entry.provider.version)),
                            ("description", .string(entry.provider.description)),
                            ("estimates", .array(entry.provider.capabilities.names.map(JSON.string))),
                            ("options", .array(entry.provider.options.map {
                                .object([("key", .string($0.key)), ("description", .string($0.description)),
                                         ("default", $0.defaultValue.map(JSON.string) ?? .null)])
                            })),
                            ("network_terms", .bool(entry.provider.hasNetworkTerms)),
                            ("usable", gpu == nil ? .null : .bool(problem == nil)),
                            ("problem", problem.map(JSON.string) ?? .null),
                        ])
                    })),
                ])), terminator: "")
            case .table:
                if entries.isEmpty {
                    print("No cost models are installed. `joule plugins` shows what loaded and what was rejected.")
                    return
                }
                var table = TextTable([("COST MODEL", .left), ("VERSION", .left), ("ESTIMATES", .left),
                                       ("OPTIONS", .left), ("DESCRIPTION", .left)] + (gpu == nil ? [] : [("ON " + gpu!.id, .left)]))
                for (entry, problem) in checks {
                    var row = [entry.qualifiedID, entry.provider.version, entry.provider.capabilities.names.joined(separator: ","),
                               entry.provider.options.isEmpty ? "-" : entry.provider.options.map(\.key).joined(separator: ","),
                               entry.provider.description]
                    if gpu != nil { row.append(problem ?? "usable") }
                    table.append(row)
                }
                print(table.render(), terminator: "")
            }
        }
    }
}
