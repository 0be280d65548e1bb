import ArgumentParser
import Foundation
import Registry

/// `--isolate-plugins` and `--plugin-timeout`: accepted by the commands that run cost
/// models (estimate, compare, search, validate, bench, models, search-bench).
struct PluginIsolationOptions: ParsableArguments {
    @Flag(name: .customLong("isolate-plugins"),
          help: ArgumentHelp("Run cost-model calls in a helper process, so that a plugin that crashes or hangs fails the command with a message naming it instead of taking joule down.",
                             discussion: "Numbers are the same as without it, bit for bit; each bound model costs one helper process."))
    var isolatePlugins = false

    @Option(name: .customLong("plugin-timeout"),
            help: ArgumentHelp("With --isolate-plugins: seconds one cost-model call may take before its helper is killed (default \(formatted(PluginIsolation.defaultTimeoutSeconds))).",
                               valueName: "seconds"))
    var pluginTimeout: Double?

    func validate() throws {
        if let pluginTimeout {
            guard isolatePlugins else { throw ValidationError("--plugin-timeout applies with --isolate-plugins") }
            guard pluginTimeout.isFinite, pluginTimeout > 0 else {
                throw ValidationError("--plugin-timeout must be a positive number of seconds, got \(pluginTimeout)")
            }
        }
    }

    /// The registry whose cost models run where these options say: in process, or each
    /// instance in a `joule plugin-host` helper started from this very executable.
    func apply(to registry: PluginRegistry, _ plugins: PluginOptions) -> PluginRegistry {
        guard isolatePlugins else { return registry }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return registry.isolatingCostModels(PluginIsolation(
            executable: executable, arguments: [PluginHostCommand.configuration.commandName!],
            timeoutSeconds: pluginTimeout ?? PluginIsolation.defaultTimeoutSeconds,
            pluginPaths: plugins.pluginPaths, gpuFiles: plugins.gpuFiles, verbose: plugins.verbose))
    }
}

private func formatted(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
