import Foundation
import JouleJSON
import PluginAPI
import Registry

/// Where an output's numbers came from, recorded in every JSON output and report.
///
/// A number is only as good as what produced it: the same network costs differently under
/// another plugin version, a drop-in profile that reuses an id, or a model file refitted on
/// other measurements. So each output names the Joule version and plugin ABI, every plugin
/// it used (version and file), the cost model and its options, each GPU profile with a
/// fingerprint of its numbers, and the model files behind the numbers with their fit
/// provenance, as the cost model describes its instance (`describe_instance`, ABI 1.1).
public struct RunProvenance: Sendable {
    /// The provenance object: `{"joule_version", "plugin_abi", "plugins": [{"name",
    /// "version", "abi", "kind", "path"}], "cost_model": {"id", "version", "plugin",
    /// "options"}, "fallback_model", "gpu_profile" (one GPU) or "gpu_profiles" (several):
    /// {"id", "defined", "numbers_hash"}, "model_files": [{"path", …, "provenance",
    /// "used_for"}], "problems" (only when a model's description could not be read)}`.
    public let json: JSON
    /// The same, as an HTML paragraph for a report's footer: versions, plugins, profiles
    /// with their fingerprints, and each model file with where its data came from and when
    /// it was fitted.
    public let htmlFooter: String

    /// - Parameters:
    ///   - models: every bound model used (primary first, then one per further GPU and any
    ///     fallback); the profiles are taken from them.
    ///   - options: the cost-model options in effect.
    ///   - registry: where the plugins' versions and files are looked up.
    /// A profile as outputs name it: `{"id", "defined", "numbers_hash"}`.
    public static func json(_ profile: ProfileEntry) -> JSON {
        .object([("id", .string(profile.id)), ("defined", .string(profile.origin.description)),
                 ("numbers_hash", .string(profile.profile.numbersHash))])
    }

    public init(models: [BoundCostModel], options: [String: String], registry: PluginRegistry) {
        let sources = Sources(models: models, options: options, plugins: registry.plugins)
        json = sources.json
        htmlFooter = sources.htmlFooter
    }
}

/// What a ``RunProvenance`` is made from, gathered once (bound models are not sendable
/// values; the provenance is).
private struct Sources {
    let models: [BoundCostModel]
    let options: [String: String]
    /// The plugins that provided a model or profile used here, in the order first used.
    let usedPlugins: [LoadedPlugin]
    /// The distinct profiles, in the order first used.
    let profiles: [ProfileEntry]
    /// The model files the bound instances describe, each once (by path), with the GPUs
    /// it served.
    let modelFiles: [JSON]
    /// The instances whose description could not be read.
    let problems: [String]

    init(models: [BoundCostModel], options: [String: String], plugins: [LoadedPlugin]) {
        self.models = models
        self.options = options
        var names: [String] = []
        func use(_ name: String) { if !names.contains(name) { names.append(name) } }
        for bound in models {
            use(bound.entry.pluginName)
            switch bound.profile.origin {
            // A drop-in file names the plugin whose loader read it.
            case .plugin(let name), .file(_, let name): use(name)
            }
        }
        usedPlugins = names.compactMap { name in plugins.first { $0.name == name } }
        var seen = Set<String>()
        profiles = models.map(\.profile).filter { seen.insert($0.id + "\u{0}" + $0.origin.description).inserted }
        (modelFiles, problems) = Self.modelFiles(models)
    }

    static func modelFiles(_ models: [BoundCostModel]) -> (files: [JSON], problems: [String]) {
        var order: [String] = []
        var files: [String: (fields: [(String, JSON)], gpus: [String])] = [:]
        var problems: [String] = []
        for bound in models {
            guard let text = bound.instanceDescription else { continue }
            let where_ = "\(bound.entry.qualifiedID) on \(bound.profile.id)"
            guard let node = try? JSONParser.parse(text), case .object(let members) = node.plain else {
                problems.append("\(where_) described its instance with text that is not a JSON object")
                continue
            }
            guard let listed = members.first(where: { $0.0 == "model_files" })?.1 else { continue }
            guard case .array(let items) = listed else {
                problems.append("\(where_): model_files is not an array")
                continue
            }
            for item in items {
                guard case .object(let fields) = item, case .string(let path)? = fields.first(where: { $0.0 == "path" })?.1 else {
                    problems.append("\(where_): a model_files entry has no path")
                    continue
                }
                if files[path] == nil {
                    order.append(path)
                    files[path] = (fields, [])
                }
                if !files[path]!.gpus.contains(bound.profile.id) { files[path]!.gpus.append(bound.profile.id) }
            }
        }
        let json: [JSON] = order.map { path in
            let entry = files[path]!
            return .object(entry.fields + [("used_for", .array(entry.gpus.map(JSON.string)))])
        }
        return (json, problems)
    }

    var json: JSON {
        var fields: [(String, JSON)] = [
            ("joule_version", .string(JouleVersion.string)),
            ("plugin_abi", .string(describeABIVersion(jouleABIVersion))),
            ("plugins", .array(usedPlugins.map { plugin in
                .object([("name", .string(plugin.name)), ("version", .string(plugin.version)),
                         ("abi", .string(describeABIVersion(plugin.abiVersion))), ("kind", .string(plugin.kind.rawValue)),
                         ("path", .string(plugin.path))])
            })),
        ]
        if let primary = models.first {
            fields.append(("cost_model", .object([
                ("id", .string(primary.entry.qualifiedID)), ("version", .string(primary.entry.provider.version)),
                ("plugin", .string(primary.entry.pluginName)),
                ("options", .object(options.keys.sorted().map { ($0, .string(options[$0]!)) })),
            ])))
            let others = Set(models.dropFirst().map(\.entry.qualifiedID)).subtracting([primary.entry.qualifiedID]).sorted()
            fields.append(("fallback_model", others.first.map(JSON.string) ?? .null))
        }
        if profiles.count == 1 {
            fields.append(("gpu_profile", RunProvenance.json(profiles[0])))
        } else {
            fields.append(("gpu_profiles", .array(profiles.map(RunProvenance.json))))
        }
        fields.append(("model_files", .array(modelFiles)))
        if !problems.isEmpty { fields.append(("problems", .array(problems.map(JSON.string)))) }
        return .object(fields)
    }

    var htmlFooter: String {
        let escape = HTMLText.escape
        var parts = ["Joule \(escape(JouleVersion.string)), plugin ABI \(escape(describeABIVersion(jouleABIVersion)))"]
        parts.append("plugins " + usedPlugins.map { "\(escape($0.name)) \(escape($0.version)) (\(escape($0.path)))" }.joined(separator: ", "))
        if let primary = models.first {
            let options = options.keys.sorted().map { "\($0)=\(self.options[$0]!)" }
            parts.append("cost model \(escape(primary.entry.qualifiedID)) \(escape(primary.entry.provider.version))"
                         + (options.isEmpty ? "" : " with " + escape(options.joined(separator: ", "))))
        }
        parts.append("GPU profile " + profiles.map { "\(escape($0.id)) \(escape($0.origin.description)), numbers \(escape($0.profile.numbersHash))" }
            .joined(separator: "; "))
        for file in modelFiles {
            guard case .object(let fields) = file else { continue }
            func text(_ key: String, in members: [(String, JSON)]) -> String? {
                if case .string(let value)? = members.first(where: { $0.0 == key })?.1 { return value }
                return nil
            }
            var line = "model file \(escape(text("path", in: fields) ?? "?"))"
            if case .object(let provenance)? = fields.first(where: { $0.0 == "provenance" })?.1 {
                let facts = [("fitted", text("fit_date", in: provenance)), ("on", text("data_source", in: provenance)),
                             ("by Joule", text("joule_version", in: provenance))]
                    .compactMap { label, value in value.map { "\(label) \(escape($0))" } }
                if !facts.isEmpty { line += " (" + facts.joined(separator: ", ") + ")" }
            }
            parts.append(line)
        }
        return "<p class=\"footer\">" + parts.joined(separator: "; ") + ".</p>\n"
    }
}
