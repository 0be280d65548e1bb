import ArgumentParser
import JouleJSON
import PluginAPI
import Registry
import Reports

/// `joule plugins`: what loaded, what each provides, and why anything was rejected.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List loaded plugins with their cost models and GPU profiles, and rejected ones with the reason.",
        discussion: """
            A library or FFI manifest named directly by --plugin-path that cannot be loaded is an \
            error (exit 65) with the reason; rejected files in a directory are listed instead.

            JSON output (--format json), schema_version 1:
              {"schema_version": 1,
               "plugins": [{"name", "version", "description", "abi", "kind", "path",
                            "swift_toolchain", "cost_models": [ids], "profiles": [ids],
                            "profile_loaders": [ids]}],
               "rejected": [{"path", "reason"}]}
            """)

    @OptionGroup var plugins: PluginOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func run() throws {
        try reportingFailures {
            let registry = plugins.loadRegistry()
            try plugins.checkPluginFiles(registry)
            switch format {
            case .json: print(JSONWriter.render(Self.json(registry)), terminator: "")
            case .table: print(Self.table(registry), terminator: "")
            }
        }
    }

    static func json(_ registry: PluginRegistry) -> JSON {
        .object([
            ("schema_version", .integer(1)),
            ("plugins", .array(registry.plugins.map { plugin in
                .object([
                    ("name", .string(plugin.name)),
                    ("version", .string(plugin.version)),
                    ("description", .string(plugin.description)),
                    ("abi", .string(describeABIVersion(plugin.abiVersion))),
                    ("kind", .string(plugin.kind.rawValue)),
                    ("path", .string(plugin.path)),
                    ("swift_toolchain", plugin.swiftToolchain.map(JSON.string) ?? .null),
                    ("cost_models", .array(plugin.costModelIDs.map(JSON.string))),
                    ("profiles", .array(plugin.profileIDs.map(JSON.string))),
                    ("profile_loaders", .array(plugin.profileLoaderIDs.map(JSON.string))),
                ])
            })),
            ("rejected", .array(registry.rejected.map {
                .object([("path", .string($0.path)), ("reason", .string($0.reason.description))])
            })),
        ])
    }

    static func table(_ registry: PluginRegistry) -> String {
        var table = TextTable([("PLUGIN", .left), ("VERSION", .left), ("ABI", .left), ("KIND", .left),
                               ("COST MODELS", .left), ("PROFILES", .right), ("PATH", .left)])
        for plugin in registry.plugins {
            table.append([plugin.name, plugin.version, describeABIVersion(plugin.abiVersion), plugin.kind.rawValue,
                          plugin.costModelIDs.isEmpty ? "-" : plugin.costModelIDs.joined(separator: ","),
                          String(plugin.profileIDs.count), plugin.path])
        }
        var out = registry.plugins.isEmpty ? "No plugins loaded.\n" : table.render()
        if !registry.rejected.isEmpty {
            out += "\nRejected:\n"
            for rejection in registry.rejected {
                out += "  \(rejection.path)\n    \(rejection.reason)\n"
            }
        }
        return out
    }
}
