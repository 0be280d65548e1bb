/// Everything a Swift plugin provides, and the one call its entry point makes.
///
/// A whole Swift plugin:
///
///     import PluginAPI
///
///     let plugin = PluginDefinition(
///         name: "example.roofline", version: "1.0.0",
///         description: "Roofline time model",
///         costModels: [CostModelDefinition(Roofline.self, id: "roofline", version: "1.0.0",
///                                          description: "max(compute, memory) time",
///                                          capabilities: [.time])])
///
///     @_cdecl("joule_plugin_init")
///     public func joulePluginInit(
///         _ abi: UnsafeMutablePointer<UInt32>?, _ host: UnsafePointer<joule_host_api>?,
///         _ out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?,
///         _ error: UnsafeMutablePointer<joule_error>?
///     ) -> joule_status {
///         plugin.initialize(abi: abi, host: host, out: out, error: error)
///     }
///
/// `initialize` negotiates the ABI version, records the Swift toolchain (the host refuses
/// a Swift plugin built by another one), and builds descriptors that live until exit.
public struct PluginDefinition: Sendable {
    public var name: String
    public var version: String
    public var description: String
    public var costModels: [CostModelDefinition]
    public var profiles: [HardwareProfile]
    public var profileLoaders: [ProfileLoaderDefinition]

    public init(
        name: String, version: String, description: String,
        costModels: [CostModelDefinition] = [], profiles: [HardwareProfile] = [],
        profileLoaders: [ProfileLoaderDefinition] = []
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.costModels = costModels
        self.profiles = profiles
        self.profileLoaders = profileLoaders
    }

    /// The body of `joule_plugin_init`: see joule_plugin.h for the contract.
    public func initialize(
        abi: UnsafeMutablePointer<UInt32>?, host: UnsafePointer<joule_host_api>?,
        out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?, error: UnsafeMutablePointer<joule_error>?
    ) -> joule_status {
        guard let abi, let out else {
            error?.pointee.set("joule_plugin_init: inout_abi and out_plugin must not be NULL")
            return JOULE_INVALID_ARGUMENT
        }
        let hostVersion = abi.pointee
        abi.pointee = jouleABIVersion
        guard hostVersion >> 16 == jouleABIVersion >> 16 else {
            error?.pointee.set("plugin implements ABI \(describeABIVersion(jouleABIVersion)), host speaks \(describeABIVersion(hostVersion))")
            return JOULE_ABI_MISMATCH
        }
        out.pointee = makeDescriptor()
        return JOULE_OK
    }

    /// Builds the permanent plugin descriptor.
    public func makeDescriptor() -> UnsafePointer<joule_plugin> {
        var d = joule_plugin()
        d.struct_size = abiSize(of: joule_plugin.self)
        d.abi_version = jouleABIVersion
        d.name = Permanent.cString(name)
        d.version = Permanent.cString(version)
        d.description = Permanent.cString(description)
        d.swift_toolchain = Permanent.cString(SwiftToolchain.current)
        d.cost_model_count = UInt32(costModels.count)
        d.cost_models = Permanent.array(costModels.map { Optional($0.makeDescriptor()) })
        d.profile_count = UInt32(profiles.count)
        d.profiles = Permanent.array(profiles.map { Optional($0.makeDescriptor()) })
        d.profile_loader_count = UInt32(profileLoaders.count)
        d.profile_loaders = Permanent.array(profileLoaders.map { Optional($0.makeDescriptor()) })
        return Permanent.value(d)
    }
}

/// The host's services, as a plugin sees them.
public struct PluginHost: @unchecked Sendable {
    public let pointer: UnsafePointer<joule_host_api>

    public init(_ pointer: UnsafePointer<joule_host_api>) {
        self.pointer = pointer
    }

    /// Log severities (`JOULE_LOG_*`).
    public enum LogLevel: Int32, Sendable {
        case debug = 0, info = 1, warning = 2, error = 3
    }

    /// Writes `message` to the host's log, attributed to this plugin.
    public func log(_ level: LogLevel, _ message: String) {
        guard abiHasField(\joule_host_api.log, structSize: pointer.pointee.struct_size),
              let log = pointer.pointee.log else { return }
        message.withCString { log(pointer, level.rawValue, $0) }
    }

    /// The host's version string.
    public var hostVersion: String {
        String(optionalCString: pointer.pointee.host_version) ?? "unknown"
    }
}
