import Foundation
import PluginAPI

/// What `joule plugins --verify PATH` found about one plugin file, check by check.
public struct PluginVerification: Sendable {
    /// One step of the verification.
    public struct Check: Sendable, Equatable {
        public enum Outcome: String, Sendable { case passed = "ok", failed = "problem", notChecked = "not checked" }
        public var outcome: Outcome
        public var text: String
    }

    public var path: String
    public var checks: [Check]
    /// What an FFI manifest declares (cost model ids); nil for a library, whose components
    /// only `joule_plugin_init` can tell.
    public var declared: LoadedPlugin?

    /// The failed checks' texts, one problem each.
    public var problems: [String] { checks.filter { $0.outcome == .failed }.map(\.text) }
}

/// Checks a plugin file as far as can be done without running the plugin.
///
/// For a library (`*.so`), in order, each step only when the ones before passed:
/// 1. the file and every directory above it are safe to load from (`FileSecurity`);
/// 2. it is an ELF file;
/// 3. it loads: `dlopen(RTLD_NOW | RTLD_LOCAL)` resolves every symbol it needs;
/// 4. it exports `joule_plugin_init`;
/// 5. the ABI negotiates: `joule_plugin_init` is called once with host ABI 0.0, a major
///    version no plugin implements, and no descriptor is read. A plugin following the
///    header answers `JOULE_ABI_MISMATCH` with the version it implements and does nothing
///    else; that version's major must be this Joule's.
///
/// Not checked, because only a full `joule_plugin_init` tells: the plugin's name and
/// components, its descriptors' struct sizes and strings, a Swift plugin's toolchain, and
/// whether `create` and the estimates work (`joule plugins --plugin-path PATH` and
/// `joule models --plugin-path PATH --gpu ID` do that). And not avoidable: step 3 runs the
/// library's ELF constructors (a Swift plugin's static initialisers), as any dlopen does,
/// which is why step 1 must pass first.
///
/// For an FFI manifest (`*.ffi.json`) nothing of the plugin runs but its library's
/// constructors, so the whole load is the check: the manifest parses and validates, its
/// library passes steps 1–3, every function it names exists and has a callable signature;
/// and what it declares is listed.
public enum PluginVerifier {
    /// The host ABI version of the probe: major 0, which no plugin implements.
    static let probeABI = packABIVersion(major: 0, minor: 0)

    public static func verify(_ path: String, log: PluginLog = PluginLog()) -> PluginVerification {
        var result = PluginVerification(path: path, checks: [], declared: nil)
        func pass(_ text: String) { result.checks.append(.init(outcome: .passed, text: text)) }
        func fail(_ text: String) { result.checks.append(.init(outcome: .failed, text: text)) }
        func stop(_ text: String) -> PluginVerification {
            fail(text)
            result.checks.append(.init(outcome: .notChecked, text: "the rest: it was not loaded, so nothing else is known"))
            return result
        }

        if path.hasSuffix(FFIManifest.suffix) {
            switch FFIPluginLoader.load(manifestPath: path) {
            case .failure(let rejection):
                return stop(rejection.description)
            case .success(let contribution):
                pass("permissions: the manifest, its library and every directory above them are safe to load from")
                pass("manifest: valid; its library loads and exports every function it names with a callable signature")
                result.declared = contribution.info
                return result
            }
        }

        if let problem = FileSecurity.check(path) { return stop("refused: \(problem)") }
        pass("permissions: the file and every directory above it are writable only by their owner, you or root")
        guard NativePluginLoader.hasELFHeader(path) else { return stop(PluginRejection.notSharedLibrary.description) }
        pass("format: an ELF file")
        dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return stop(PluginRejection.cannotOpen(dlerror().map { String(cString: $0) } ?? "dlopen failed").description)
        }
        pass("loads: dlopen resolved every symbol it needs")
        guard let symbol = dlsym(handle, JOULE_PLUGIN_ENTRY_SYMBOL) else {
            return stop(PluginRejection.missingEntrySymbol.description)
        }
        pass("entry: exports \(JOULE_PLUGIN_ENTRY_SYMBOL)")

        let initialize = unsafeBitCast(symbol, to: joule_plugin_init_fn.self)
        let host = HostServices.makeTable(source: URL(fileURLWithPath: path).lastPathComponent, log: log)
        var abi = probeABI
        var out: UnsafePointer<joule_plugin>?
        var error = ErrorBuffer()
        let status = error.withPointer { initialize(&abi, host, &out, $0) }
        switch status {
        case JOULE_ABI_MISMATCH where abi == probeABI:
            fail("ABI: joule_plugin_init refused host ABI 0.0 but did not write the version it implements into *inout_abi")
        case JOULE_ABI_MISMATCH where abi >> 16 != jouleABIVersion >> 16:
            fail(PluginRejection.abiMajorMismatch(plugin: abi, host: jouleABIVersion).description)
        case JOULE_ABI_MISMATCH:
            pass("ABI: implements \(describeABIVersion(abi)); this joule speaks \(describeABIVersion(jouleABIVersion))")
        case JOULE_OK:
            fail("ABI: joule_plugin_init accepted host ABI 0.0 and initialised itself; it must answer a different major "
                 + "version with JOULE_ABI_MISMATCH (joule_negotiate_abi does it)")
        default:
            let message = error.message
            fail("ABI: joule_plugin_init returned \(statusName(status)) to a negotiation without saying which ABI it implements"
                 + (message.isEmpty ? "" : ": \(message)"))
        }
        result.checks.append(.init(outcome: .notChecked, text: "components: only joule_plugin_init lists them, and --verify does not run it past the negotiation; `joule plugins --plugin-path \(path)` does"))
        return result
    }
}
