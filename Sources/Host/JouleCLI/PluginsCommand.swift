import ArgumentParser
import Foundation
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

            --verify PATH checks a plugin library or FFI manifest without loading the others \
            and without running the plugin beyond the ABI negotiation: the file's and its \
            directories' permissions, that it is ELF, that it loads (dlopen runs its \
            constructors), that it exports joule_plugin_init, and that joule_plugin_init, \
            offered host ABI 0.0, refuses it with JOULE_ABI_MISMATCH and a major version this \
            joule speaks. A library's components are not listed: only a full \
            joule_plugin_init says (plain `joule plugins --plugin-path PATH` runs it). An FFI \
            manifest is validated whole and its cost models listed. Each problem is one \
            `joule: error: PATH: …` line on standard error; any problem exits 65.
            """)

    @OptionGroup var plugins: PluginOptions
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table
    @Option(name: .customLong("verify"),
            help: ArgumentHelp("Check this plugin library or FFI manifest without running it past the ABI negotiation; repeatable.",
                               valueName: "path"))
    var verify: [String] = []

    func validate() throws {
        if !verify.isEmpty && format != .table { throw ValidationError("--verify prints text only; drop --format") }
    }

    func run() throws {
        if !verify.isEmpty { return try runVerify() }
        try reportingFailures {
            let registry = plugins.loadRegistry()
            try plugins.checkPluginFiles(registry)
            switch format {
            case .json: print(JSONWriter.render(Self.json(registry)), terminator: "")
            case .table: print(Self.table(registry), terminator: "")
            }
        }
    }

    /// `--verify`: each file's checks on standard output, each problem on standard error.
    private func runVerify() throws {
        var problems = 0
        for path in verify {
            let verification = PluginVerifier.verify(path)
            print(Self.text(verification), terminator: "")
            for problem in verification.problems {
                FileHandle.standardError.write(Data("joule: error: \(path): \(problem)\n".utf8))
                problems += 1
            }
        }
        if problems > 0 { throw ExitCode(65) }
    }

    static func text(_ verification: PluginVerification) -> String {
        var out = "\(verification.path)\n"
        for check in verification.checks {
            out += "  " + check.outcome.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0) + check.text + "\n"
        }
        if let declared = verification.declared {
            out += "  declares     plugin \(declared.name) \(declared.version) (\(declared.kind.rawValue)), cost models: "
                + (declared.costModelIDs.isEmpty ? "none" : declared.costModelIDs.joined(separator: ", ")) + "\n"
        }
        out += verification.problems.isEmpty ? "  verified: no problem found\n" : "  \(verification.problems.count) problem\(verification.problems.count == 1 ? "" : "s")\n"
        return out
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
