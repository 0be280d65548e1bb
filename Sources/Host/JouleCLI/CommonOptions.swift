import ArgumentParser
import Foundation
import Registry
import Reports

/// Where to find plugins and drop-in profiles: accepted by every command.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"),
            help: ArgumentHelp("A plugin library, FFI manifest (*.ffi.json) or directory of them; repeatable.", valueName: "path"))
    var pluginPaths: [String] = []

    @Option(name: .customLong("gpu-file"),
            help: ArgumentHelp("A drop-in GPU profile file or directory of them; repeatable. Overrides built-ins with the same id.",
                               valueName: "path"))
    var gpuFiles: [String] = []

    @Flag(name: .customLong("verbose"), help: "Also print informational messages from plugins and the loader.")
    var verbose = false

    /// Loads the registry these options describe.
    func loadRegistry() -> PluginRegistry {
        let log = PluginLog(threshold: verbose ? .info : .warning)
        return PluginRegistry.load(.standard(pluginPaths: pluginPaths, gpuFiles: gpuFiles, log: log))
    }

    /// The registry, after checking the plugin and profile files the user named.
    func loadCheckedRegistry() throws -> PluginRegistry {
        let registry = loadRegistry()
        try checkPluginFiles(registry)
        try checkProfileFiles(registry)
        return registry
    }

    /// Fails when a path the user named with --plugin-path could not be used: a missing
    /// path, or a library or manifest named directly that was rejected. Going on without it
    /// would cost with another model than the user meant, or list plugins as if all was
    /// well. Rejected files inside a named directory are only listed (`joule plugins`), as
    /// one bad file must not stop the others from loading.
    func checkPluginFiles(_ registry: PluginRegistry) throws {
        let named = Set(pluginPaths)
        let refused = registry.rejected.filter { named.contains($0.path) }
        if !refused.isEmpty {
            throw JouleFailure.badInput(refused.map { "\($0.path): \($0.reason)" }.joined(separator: "\n"))
        }
    }

    /// Fails when a file the user named with --gpu-file could not be used; warns about
    /// broken files found in the environment's or the user's profile directories.
    func checkProfileFiles(_ registry: PluginRegistry) throws {
        let named = registry.profileFileProblems.filter { $0.origin == .commandLine }
        for problem in registry.profileFileProblems where problem.origin != .commandLine {
            warn("GPU profile \(problem)")
        }
        if !named.isEmpty {
            throw JouleFailure.badInput(named.map(\.description).joined(separator: "\n"))
        }
    }
}

/// Which device and cost model to cost with: accepted by commands that produce numbers.
struct CostingOptions: ParsableArguments {
    @Option(name: .customLong("gpu"), help: ArgumentHelp("GPU profile id or alias (see `joule gpus`).", valueName: "id"))
    var gpu: String?

    @Option(name: .customLong("cost-model"),
            help: ArgumentHelp("Cost model id, or plugin/id when two plugins share an id (see `joule models`).", valueName: "id"))
    var costModel: String?

    @Option(name: .customLong("cost-option"),
            help: ArgumentHelp("A cost-model option as key=value; repeatable.", valueName: "key=value"))
    var costOptions: [String] = []

    /// The profile --gpu names; an error when it is missing or unknown.
    func selectedProfile(_ registry: PluginRegistry) throws -> ProfileEntry {
        guard let gpu else { throw JouleFailure.badInput("choose a GPU with --gpu ID (`joule gpus` lists them)") }
        return try registry.profile(named: gpu)
    }

    /// The cost model the flags choose, and the options the choice itself implies:
    /// `poly:FILE` is the NeuralPower plugin's model with `model=FILE`.
    func selectedModel(_ registry: PluginRegistry, default fallback: () throws -> String) throws -> (CostModelEntry, [String: String]) {
        try Self.selectedModel(costModel, registry, default: fallback)
    }

    /// Paleo when installed, else the first installed model: what `estimate` and `compare`
    /// use without --cost-model.
    static func defaultModelID(_ registry: PluginRegistry) throws -> String {
        if let paleo = registry.costModels.first(where: { $0.id == "paleo" }) { return paleo.qualifiedID }
        guard let first = registry.costModels.first else {
            throw JouleFailure.badInput("no cost model is installed (see `joule plugins`)")
        }
        return first.qualifiedID
    }

    /// ``selectedModel(_:default:)`` for a command that takes --cost-model without --gpu.
    static func selectedModel(_ costModel: String?, _ registry: PluginRegistry,
                              default fallback: () throws -> String) throws -> (CostModelEntry, [String: String]) {
        let name = try costModel ?? fallback()
        guard name.hasPrefix("poly:") else { return (try registry.costModel(named: name), [:]) }
        let path = String(name.dropFirst(5))
        guard !path.isEmpty else { throw ValidationError("--cost-model poly: needs a model file, as in poly:my-gpu.json") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw JouleFailure.badInput("\(path): no such model file (from --cost-model \(name))")
        }
        let entry: CostModelEntry
        do {
            entry = try registry.costModel(named: "neuralpower")
        } catch {
            throw JouleFailure.badInput("--cost-model poly:FILE needs the NeuralPower plugin (joule.neuralpower), which is not installed: \(error)")
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return (entry, ["model": absolute])
    }

    /// The --cost-option values as a dictionary.
    func parsedCostOptions() throws -> [String: String] {
        try Self.parsedCostOptions(costOptions)
    }

    /// ``parsedCostOptions()`` for a command that takes --cost-option without --gpu.
    static func parsedCostOptions(_ costOptions: [String]) throws -> [String: String] {
        var options: [String: String] = [:]
        for item in costOptions {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--cost-option expects key=value, got '\(item)'")
            }
            let key = String(item[..<equals])
            if options[key] != nil { throw ValidationError("--cost-option \(key) is given twice") }
            options[key] = String(item[item.index(after: equals)...])
        }
        return options
    }
}

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Writes one warning line to standard error.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("joule: warning: \(message)\n".utf8))
}
