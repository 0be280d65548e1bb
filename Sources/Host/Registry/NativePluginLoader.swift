import Foundation
import PluginAPI

/// Loads one plugin library: checks the file, opens it, negotiates the ABI and reads the
/// descriptor, rejecting the library with a reason at the first thing wrong.
///
/// Libraries are opened with `RTLD_NOW | RTLD_LOCAL`: unresolved symbols fail at load
/// time rather than mid-estimate, and one plugin's symbols never satisfy another's.
/// They are never closed (the ABI promises descriptors live until exit).
enum NativePluginLoader {
    static func load(path: String, log: PluginLog, hostToolchain: String = SwiftToolchain.current)
        -> Result<PluginContribution, PluginRejection>
    {
        if let problem = FileSecurity.check(path) { return .failure(.unsafeFile(problem)) }
        guard hasELFHeader(path) else { return .failure(.notSharedLibrary) }

        dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            return .failure(.cannotOpen(reason))
        }
        guard let symbol = dlsym(handle, JOULE_PLUGIN_ENTRY_SYMBOL) else {
            return .failure(.missingEntrySymbol)
        }
        let initialize = unsafeBitCast(symbol, to: joule_plugin_init_fn.self)

        let host = HostServices.makeTable(source: URL(fileURLWithPath: path).lastPathComponent, log: log)
        var abi = jouleABIVersion
        var out: UnsafePointer<joule_plugin>?
        var error = ErrorBuffer()
        let status = error.withPointer { initialize(&abi, host, &out, $0) }

        if status == JOULE_ABI_MISMATCH || (status == JOULE_OK && abi >> 16 != jouleABIVersion >> 16) {
            return .failure(.abiMajorMismatch(plugin: abi, host: jouleABIVersion))
        }
        guard status == JOULE_OK else {
            return .failure(.initFailed(status: status, message: error.message))
        }
        guard let out else {
            return .failure(.invalidDescriptor(DescriptorError(field: "out_plugin", problem: "is NULL after JOULE_OK")))
        }
        do {
            return .success(try read(out, path: path, hostToolchain: hostToolchain))
        } catch let rejection {
            return .failure(rejection)
        }
    }

    /// True when the file starts with the ELF magic number.
    static func hasELFHeader(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data([0x7F, 0x45, 0x4C, 0x46])
    }

    /// Reads and checks a plugin descriptor.
    static func read(
        _ pointer: UnsafePointer<joule_plugin>, path: String, hostToolchain: String
    ) throws(PluginRejection) -> PluginContribution {
        let d = pointer.pointee
        func invalid(_ field: String, _ problem: String) -> PluginRejection {
            .invalidDescriptor(DescriptorError(field: field, problem: problem))
        }
        guard Int(d.struct_size) >= 80 else {
            throw invalid("struct_size", "is \(d.struct_size), smaller than the 80 bytes of ABI 1.0")
        }
        guard d.abi_version >> 16 == jouleABIVersion >> 16 else {
            throw .abiMajorMismatch(plugin: d.abi_version, host: jouleABIVersion)
        }
        // The toolchain check comes first: a mismatched Swift plugin's data is not to be trusted.
        let toolchain = String(optionalCString: d.swift_toolchain)
        if let toolchain, toolchain != hostToolchain {
            throw .swiftToolchainMismatch(plugin: toolchain, host: hostToolchain)
        }
        guard let name = String(optionalCString: d.name) else { throw invalid("name", "is NULL") }
        guard isValidComponentID(name) else { throw invalid("name", "\"\(name)\" must be letters, digits, '_', '-' or '.'") }
        guard let version = String(optionalCString: d.version) else { throw invalid("version", "is NULL") }
        guard let description = String(optionalCString: d.description) else { throw invalid("description", "is NULL") }

        var costModels: [any CostModelProvider] = []
        for (i, model) in try pointers(d.cost_models, count: d.cost_model_count, field: "cost_models").enumerated() {
            do throws(DescriptorError) {
                let provider = try NativeCostModel(descriptor: model, field: "cost_models[\(i)]")
                if costModels.contains(where: { $0.id == provider.id }) {
                    throw DescriptorError(field: "cost_models[\(i)].id", problem: "\"\(provider.id)\" appears twice in this plugin")
                }
                costModels.append(provider)
            } catch {
                throw .invalidDescriptor(error)
            }
        }

        var profiles: [ProfileEntry] = []
        for (i, descriptor) in try pointers(d.profiles, count: d.profile_count, field: "profiles").enumerated() {
            do throws(DescriptorError) {
                let profile = try HardwareProfile(descriptor: descriptor, field: "profiles[\(i)]")
                guard isValidComponentID(profile.id) else {
                    throw DescriptorError(field: "profiles[\(i)].id", problem: "\"\(profile.id)\" must be letters, digits, '_', '-' or '.'")
                }
                if profiles.contains(where: { $0.id == profile.id }) {
                    throw DescriptorError(field: "profiles[\(i)].id", problem: "\"\(profile.id)\" appears twice in this plugin")
                }
                profiles.append(ProfileEntry(profile: profile, descriptor: descriptor, origin: .plugin(name: name)))
            } catch {
                throw .invalidDescriptor(error)
            }
        }

        var loaders: [ProfileLoaderEntry] = []
        for (i, loader) in try pointers(d.profile_loaders, count: d.profile_loader_count, field: "profile_loaders").enumerated() {
            let l = loader.pointee
            let field = "profile_loaders[\(i)]"
            guard Int(l.struct_size) >= 48 else { throw invalid("\(field).struct_size", "is \(l.struct_size), smaller than the 48 bytes of ABI 1.0") }
            guard let id = String(optionalCString: l.id) else { throw invalid("\(field).id", "is NULL") }
            guard let text = String(optionalCString: l.description) else { throw invalid("\(field).description", "is NULL") }
            guard let suffix = String(optionalCString: l.file_suffix), !suffix.isEmpty else {
                throw invalid("\(field).file_suffix", "is NULL or empty")
            }
            guard l.load_file != nil else { throw invalid("\(field).load_file", "is NULL") }
            loaders.append(ProfileLoaderEntry(pluginName: name, id: id, description: text, fileSuffix: suffix, descriptor: loader))
        }

        let info = LoadedPlugin(
            name: name, version: version, description: description, abiVersion: d.abi_version, path: path,
            kind: .library, swiftToolchain: toolchain, costModelIDs: costModels.map(\.id),
            profileIDs: profiles.map(\.id), profileLoaderIDs: loaders.map(\.id))
        return PluginContribution(info: info, costModels: costModels, profiles: profiles, profileLoaders: loaders)
    }

    /// Reads an array of `count` non-NULL pointers.
    private static func pointers<T>(
        _ array: UnsafePointer<UnsafePointer<T>?>?, count: UInt32, field: String
    ) throws(PluginRejection) -> [UnsafePointer<T>] {
        guard count > 0 else { return [] }
        guard count <= 100_000 else {
            throw .invalidDescriptor(DescriptorError(field: field, problem: "count \(count) is implausibly large"))
        }
        guard let array else {
            throw .invalidDescriptor(DescriptorError(field: field, problem: "is NULL but its count is \(count)"))
        }
        var result: [UnsafePointer<T>] = []
        for i in 0..<Int(count) {
            guard let element = array[i] else {
                throw .invalidDescriptor(DescriptorError(field: "\(field)[\(i)]", problem: "is NULL"))
            }
            result.append(element)
        }
        return result
    }
}
