import PluginAPI

/// A plugin that loaded, as `joule plugins` shows it.
public struct LoadedPlugin: Sendable, Equatable {
    /// What the plugin is made of.
    public enum Kind: String, Sendable, Equatable {
        /// A shared library exporting `joule_plugin_init`.
        case library
        /// A C library described by an FFI manifest and called through libffi.
        case ffiManifest = "ffi-manifest"
    }

    public var name: String
    public var version: String
    public var description: String
    /// The ABI version the plugin implements (packed).
    public var abiVersion: UInt32
    public var path: String
    public var kind: Kind
    /// The toolchain of a Swift plugin; `nil` for C and other languages.
    public var swiftToolchain: String?
    public var costModelIDs: [String]
    public var profileIDs: [String]
    public var profileLoaderIDs: [String]
}

/// A plugin that did not load, and why.
public struct RejectedPlugin: Sendable, Equatable {
    public var path: String
    public var reason: PluginRejection

    public init(path: String, reason: PluginRejection) {
        self.path = path
        self.reason = reason
    }
}

/// A reader of drop-in profile files published by a plugin.
struct ProfileLoaderEntry: @unchecked Sendable {
    let pluginName: String
    let id: String
    let description: String
    let fileSuffix: String
    let descriptor: UnsafePointer<joule_profile_loader>
}

/// Everything one plugin library or manifest contributed.
struct PluginContribution {
    var info: LoadedPlugin
    var costModels: [any CostModelProvider]
    var profiles: [ProfileEntry]
    var profileLoaders: [ProfileLoaderEntry]
}
