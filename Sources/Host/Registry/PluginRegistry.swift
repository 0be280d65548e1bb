import Foundation
import JouleJSON
import PluginAPI

/// Everything the host loaded: plugins, the cost models and hardware profiles they
/// provide, drop-in profiles, and what was rejected and why.
///
///     let registry = PluginRegistry.load(RegistryConfiguration.standard(...))
///     let gpu = try registry.profile(named: "h100")        // ids and aliases, any case
///     let model = try registry.costModel(named: "paleo")   // or "joule.paleo/paleo"
///     let bound = try model.bind(to: gpu)
///
/// Loading never throws: each library or file that fails is recorded with its reason and
/// the rest load. The registry is immutable once loaded.
public final class PluginRegistry: Sendable {
    public let plugins: [LoadedPlugin]
    public let rejected: [RejectedPlugin]
    /// Cost models in load order; a bare id resolves to the first with that id.
    public let costModels: [CostModelEntry]
    /// Profiles, drop-ins first, then built-ins; ids are unique.
    public let profiles: [ProfileEntry]
    public let profileFileProblems: [ProfileFileProblem]
    public let log: PluginLog

    init(plugins: [LoadedPlugin], rejected: [RejectedPlugin], costModels: [CostModelEntry],
         profiles: [ProfileEntry], profileFileProblems: [ProfileFileProblem], log: PluginLog) {
        self.plugins = plugins
        self.rejected = rejected
        self.costModels = costModels
        self.profiles = profiles
        self.profileFileProblems = profileFileProblems
        self.log = log
    }

    /// Loads every plugin on the search path, then every drop-in profile file.
    public static func load(_ configuration: RegistryConfiguration) -> PluginRegistry {
        var loader = RegistryLoader(configuration: configuration)
        return loader.run()
    }

    // MARK: - Lookup

    /// The cost model called `name`: a bare id (`paleo`) or a qualified one
    /// (`joule.paleo/paleo`), matched exactly.
    public func costModel(named name: String) throws(RegistryError) -> CostModelEntry {
        if let match = costModels.first(where: { $0.qualifiedID == name }) { return match }
        if let match = costModels.first(where: { $0.id == name }) { return match }
        throw .unknownCostModel(name, available: costModels.map(\.qualifiedID))
    }

    /// The profile whose id or alias is `name`, ignoring case.
    public func profile(named name: String) throws(RegistryError) -> ProfileEntry {
        let key = name.lowercased()
        if let match = profiles.first(where: { $0.id.lowercased() == key }) { return match }
        let byAlias = profiles.filter { $0.profile.aliases.contains { $0.lowercased() == key } }
        if byAlias.count == 1 { return byAlias[0] }
        if byAlias.count > 1 { throw .ambiguousProfile(name, candidates: byAlias.map(\.id)) }
        let names = profiles.flatMap { [$0.id] + $0.profile.aliases }
        let suggestion = ProfileNameSuggestion.closest(name, names)
        let problems = profileFileProblems.map(\.description)
        throw .unknownProfile(name, suggestion: suggestion, fileProblems: problems)
    }
}

/// What the host loads and from where.
public struct RegistryConfiguration: Sendable {
    public var searchPath: PluginSearchPath
    public var profileFiles: ProfileFileSearch
    public var log: PluginLog
    /// The toolchain Swift plugins must have been built with (the host's own).
    public var swiftToolchain: String

    public init(searchPath: PluginSearchPath, profileFiles: ProfileFileSearch, log: PluginLog = PluginLog(),
                swiftToolchain: String = SwiftToolchain.current) {
        self.searchPath = searchPath
        self.profileFiles = profileFiles
        self.log = log
        self.swiftToolchain = swiftToolchain
    }

    /// The standard places for this process: executable directory, environment, flags.
    public static func standard(
        pluginPaths: [String] = [], gpuFiles: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment, log: PluginLog = PluginLog()
    ) -> RegistryConfiguration {
        RegistryConfiguration(
            searchPath: .standard(executableDirectory: PluginSearchPath.executableDirectory,
                                  environment: environment, commandLine: pluginPaths),
            profileFiles: .standard(environment: environment, commandLine: gpuFiles),
            log: log)
    }
}

/// Why a name did not resolve.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCostModel(String, available: [String])
    case unknownProfile(String, suggestion: String?, fileProblems: [String])
    case ambiguousProfile(String, candidates: [String])

    public var description: String {
        switch self {
        case .unknownCostModel(let name, let available):
            if available.isEmpty {
                return "unknown cost model '\(name)': no cost model is installed (see `joule plugins`)"
            }
            return "unknown cost model '\(name)'; available: \(available.joined(separator: ", "))"
        case .unknownProfile(let name, let suggestion, let fileProblems):
            var text = "unknown GPU '\(name)'"
            if let suggestion { text += "; did you mean '\(suggestion)'?" }
            text += " (`joule gpus` lists them)"
            if !fileProblems.isEmpty {
                text += "; these profile files were rejected: " + fileProblems.joined(separator: "; ")
            }
            return text
        case .ambiguousProfile(let name, let candidates):
            return "GPU name '\(name)' is an alias of several profiles: \(candidates.joined(separator: ", ")); use an id"
        }
    }
}

/// "Did you mean" for profile names, which match without regard to case.
enum ProfileNameSuggestion {
    static func closest(_ word: String, _ candidates: [String]) -> String? {
        let lowered = Dictionary(candidates.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        return JSONObjectReader.closest(to: word.lowercased(), in: Array(lowered.keys), maximumDistance: 3).flatMap { lowered[$0] }
    }
}

/// The loading procedure, step by step.
private struct RegistryLoader {
    let configuration: RegistryConfiguration
    var plugins: [LoadedPlugin] = []
    var rejected: [RejectedPlugin] = []
    var costModels: [CostModelEntry] = []
    var builtInProfiles: [ProfileEntry] = []
    var loaders: [ProfileLoaderEntry] = []
    var seenFiles: Set<String> = []

    init(configuration: RegistryConfiguration) {
        self.configuration = configuration
    }

    mutating func run() -> PluginRegistry {
        for entry in configuration.searchPath.entries {
            for candidate in candidates(in: entry) { load(candidate) }
        }
        var problems: [ProfileFileProblem] = []
        let dropIns = loadProfileFiles(&problems)
        // Drop-ins override built-ins with the same id.
        var profiles = dropIns
        for var builtIn in builtInProfiles {
            if let index = profiles.firstIndex(where: { $0.id.lowercased() == builtIn.id.lowercased() }) {
                if profiles[index].overrides == nil { profiles[index].overrides = builtIn.origin }
                continue
            }
            builtIn.overrides = nil
            profiles.append(builtIn)
        }
        return PluginRegistry(plugins: plugins, rejected: rejected, costModels: costModels, profiles: profiles,
                              profileFileProblems: problems, log: configuration.log)
    }

    /// The plugin files an entry of the search path stands for.
    mutating func candidates(in entry: PluginSearchPath.Entry) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: entry.path, isDirectory: &isDirectory) else {
            // The executable's directory always exists; other entries were named by the user.
            rejected.append(RejectedPlugin(path: entry.path, reason: .cannotOpen("no such file or directory (from \(entry.origin.rawValue))")))
            return []
        }
        guard isDirectory.boolValue else { return [entry.path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: entry.path)) ?? []
        return names.sorted()
            .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".so") || $0.hasSuffix(FFIManifest.suffix)) }
            .map { "\(entry.path)/\($0)" }
            .filter { path in
                guard let problem = FileSecurity.checkContained(path, in: entry.path) else { return true }
                rejected.append(RejectedPlugin(path: path, reason: .unsafeFile(problem)))
                return false
            }
    }

    mutating func load(_ path: String) {
        let canonical = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard seenFiles.insert(canonical).inserted else { return }
        let outcome = path.hasSuffix(FFIManifest.suffix)
            ? FFIPluginLoader.load(manifestPath: path)
            : NativePluginLoader.load(path: path, log: configuration.log, hostToolchain: configuration.swiftToolchain)
        switch outcome {
        case .failure(let reason):
            rejected.append(RejectedPlugin(path: path, reason: reason))
        case .success(let contribution):
            if let first = plugins.first(where: { $0.name == contribution.info.name }) {
                rejected.append(RejectedPlugin(path: path, reason: .duplicatePlugin(name: first.name, loadedFrom: first.path)))
                return
            }
            plugins.append(contribution.info)
            for provider in contribution.costModels {
                let entry = CostModelEntry(pluginName: contribution.info.name, provider: provider)
                if let earlier = costModels.first(where: { $0.id == entry.id }) {
                    configuration.log.log(.info, source: contribution.info.name,
                                          "cost model id '\(entry.id)' is also provided by \(earlier.pluginName); "
                                              + "'\(entry.id)' means \(earlier.qualifiedID), use \(entry.qualifiedID) for this one")
                }
                costModels.append(entry)
            }
            for profile in contribution.profiles {
                if let earlier = builtInProfiles.first(where: { $0.id.lowercased() == profile.id.lowercased() }) {
                    configuration.log.log(.warning, source: contribution.info.name,
                                          "profile '\(profile.id)' is already \(earlier.origin); this copy is ignored")
                    continue
                }
                builtInProfiles.append(profile)
            }
            loaders += contribution.profileLoaders
        }
    }

    /// Reads drop-in profile files through the plugins' loaders.
    mutating func loadProfileFiles(_ problems: inout [ProfileFileProblem]) -> [ProfileEntry] {
        var entries: [ProfileEntry] = []
        for source in configuration.profileFiles.entries {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
                if source.origin != .userConfiguration {
                    problems.append(ProfileFileProblem(path: source.path, origin: source.origin,
                                                       message: "no such file or directory (from \(source.origin.rawValue))"))
                }
                continue
            }
            let files: [String]
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: source.path)) ?? []
                files = names.sorted().filter { name in !name.hasPrefix(".") && loader(for: name) != nil }
                    .map { "\(source.path)/\($0)" }
            } else {
                files = [source.path]
            }
            for file in files {
                switch loadProfileFile(file) {
                case .failure(let failure):
                    problems.append(ProfileFileProblem(path: file, origin: source.origin, message: failure.text))
                case .success(let entry):
                    if let earlier = entries.first(where: { $0.id.lowercased() == entry.id.lowercased() }) {
                        problems.append(ProfileFileProblem(
                            path: file, origin: source.origin,
                            message: "field 'id': profile '\(entry.id)' is already defined by \(earlier.origin); this file is ignored"))
                        continue
                    }
                    entries.append(entry)
                }
            }
        }
        return entries
    }

    func loader(for fileName: String) -> ProfileLoaderEntry? {
        loaders.filter { fileName.hasSuffix($0.fileSuffix) }.max { $0.fileSuffix.count < $1.fileSuffix.count }
    }

    func loadProfileFile(_ path: String) -> Result<ProfileEntry, FailureMessage> {
        guard let loader = loader(for: URL(fileURLWithPath: path).lastPathComponent) else {
            let suffixes = loaders.map(\.fileSuffix)
            return .failure(FailureMessage(suffixes.isEmpty
                ? "no plugin reads profile files (is the GPU profiles plugin installed? see `joule plugins`)"
                : "no profile loader reads this kind of file; known suffixes: \(suffixes.joined(separator: ", "))"))
        }
        var error = ErrorBuffer()
        var out: UnsafePointer<joule_hardware_profile>?
        let status = path.withCString { cPath in
            error.withPointer { loader.descriptor.pointee.load_file(loader.descriptor, cPath, &out, $0) }
        }
        guard status == JOULE_OK else {
            let message = error.message
            return .failure(FailureMessage(message.isEmpty ? "the \(loader.pluginName) loader failed with \(statusName(status))" : message))
        }
        guard let out else { return .failure(FailureMessage("the \(loader.pluginName) loader returned JOULE_OK but no profile")) }
        do {
            let profile = try HardwareProfile(descriptor: out)
            return .success(ProfileEntry(profile: profile, descriptor: out, origin: .file(path: path, loader: loader.pluginName)))
        } catch {
            return .failure(FailureMessage("the \(loader.pluginName) loader produced an invalid profile: \(error)"))
        }
    }
}
