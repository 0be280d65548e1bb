import PluginAPI

/// Why the host did not load a plugin library or manifest.
///
/// Every case reads as a sentence that tells the user what to do. A rejected plugin never
/// stops the others from loading.
public enum PluginRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with an ELF header.
    case notSharedLibrary
    /// `dlopen` failed (missing dependency, wrong architecture, unresolved symbol…).
    case cannotOpen(String)
    /// The library does not export `joule_plugin_init`.
    case missingEntrySymbol
    /// Different major ABI versions.
    case abiMajorMismatch(plugin: UInt32, host: UInt32)
    /// `joule_plugin_init` returned a failure status.
    case initFailed(status: Int32, message: String)
    /// The file or its directory is unsafe to load from.
    case unsafeFile(FileSecurity.Problem)
    /// A Swift plugin built by another Swift toolchain than the host's.
    case swiftToolchainMismatch(plugin: String, host: String)
    /// The plugin's descriptor breaks an ABI rule.
    case invalidDescriptor(DescriptorError)
    /// Another plugin with the same name is already loaded.
    case duplicatePlugin(name: String, loadedFrom: String)
    /// An FFI manifest is malformed or names something unusable.
    case invalidManifest(String)

    public var description: String {
        switch self {
        case .notSharedLibrary:
            return "not a shared library (no ELF header)"
        case .cannotOpen(let reason):
            return "cannot be loaded: \(reason)"
        case .missingEntrySymbol:
            return "no entry symbol: the library does not export `joule_plugin_init` (is it a Joule plugin? declare it with JOULE_PLUGIN_EXPORT)"
        case .abiMajorMismatch(let plugin, let host):
            let advice = plugin >> 16 > host >> 16 ? "upgrade Joule" : "rebuild the plugin against this Joule's joule_plugin.h"
            return "ABI major version mismatch: plugin implements \(describeABIVersion(plugin)), host speaks \(describeABIVersion(host)); \(advice)"
        case .initFailed(let status, let message):
            let text = message.isEmpty ? "(no message)" : message
            return "joule_plugin_init failed with status \(status) (\(statusName(status))): \(text)"
        case .unsafeFile(let problem):
            return "refused: \(problem)"
        case .swiftToolchainMismatch(let plugin, let host):
            return "Swift plugin built by another toolchain (\(plugin)); this joule was built by \(host), and Swift has no stable ABI on Linux: rebuild the plugin with the same toolchain"
        case .invalidDescriptor(let error):
            return "invalid plugin descriptor: \(error)"
        case .duplicatePlugin(let name, let path):
            return "a plugin named \"\(name)\" is already loaded from \(path)"
        case .invalidManifest(let reason):
            return "invalid FFI manifest: \(reason)"
        }
    }
}

/// The symbolic name of a `joule_status`.
public func statusName(_ status: Int32) -> String {
    switch status {
    case JOULE_OK: "JOULE_OK"
    case JOULE_FAILED: "JOULE_FAILED"
    case JOULE_ABI_MISMATCH: "JOULE_ABI_MISMATCH"
    case JOULE_INVALID_ARGUMENT: "JOULE_INVALID_ARGUMENT"
    case JOULE_UNSUPPORTED: "JOULE_UNSUPPORTED"
    case JOULE_OUT_OF_MEMORY: "JOULE_OUT_OF_MEMORY"
    default: "unknown status"
    }
}
