import Foundation
import PluginAPI

/// How `--isolate-plugins` runs cost models: which executable serves them, how long one
/// call may take, and what the helper needs to find the same plugins and profiles.
///
/// Why a helper process: a plugin runs in Joule's address space, so a plugin that
/// dereferences NULL or loops for ever takes Joule down with it, and the user learns
/// nothing about which plugin, model or layer did it. A helper process that loads the same
/// plugins and serves the calls over a socket turns both into an ordinary error.
public struct PluginIsolation: Sendable, Equatable {
    /// The default time-out of one call, in seconds: far above any real estimate (a whole
    /// VGG-16 training step costs under a millisecond), well below a user's patience.
    public static let defaultTimeoutSeconds = 10.0

    /// The program that serves calls (the `joule` executable) and its arguments
    /// (`["plugin-host"]`).
    public var executable: String
    public var arguments: [String]
    /// Seconds one call (including starting the helper) may take before the helper is killed.
    public var timeoutSeconds: Double
    /// The `--plugin-path` and `--gpu-file` values, so that the helper loads what Joule
    /// loaded; the environment is inherited.
    public var pluginPaths: [String]
    public var gpuFiles: [String]
    /// Whether the helper prints informational messages from plugins.
    public var verbose: Bool

    public init(executable: String, arguments: [String], timeoutSeconds: Double = defaultTimeoutSeconds,
                pluginPaths: [String] = [], gpuFiles: [String] = [], verbose: Bool = false) {
        self.executable = executable
        self.arguments = arguments
        self.timeoutSeconds = timeoutSeconds
        self.pluginPaths = pluginPaths
        self.gpuFiles = gpuFiles
        self.verbose = verbose
    }
}

extension PluginRegistry {
    /// The same registry, with every cost model served by a helper process per instance.
    ///
    /// Plugins' `joule_plugin_init`, profiles and drop-in profile loaders still run in
    /// Joule: they ran while loading, before any option was read. What moves out is every
    /// call on a cost model: `create`, `supports`, `estimate_layer(s)`, `estimate_network`
    /// and `destroy`.
    public func isolatingCostModels(_ isolation: PluginIsolation) -> PluginRegistry {
        PluginRegistry(
            plugins: plugins, rejected: rejected,
            costModels: costModels.map {
                CostModelEntry(pluginName: $0.pluginName,
                               provider: IsolatedCostModel(wrapping: $0.provider, qualifiedID: $0.qualifiedID, isolation: isolation))
            },
            profiles: profiles, profileFileProblems: profileFileProblems, log: log)
    }
}

/// A cost model whose instances live in helper processes (`joule plugin-host`), one each.
///
/// Its description (id, options, capabilities) is the in-process model's, read when the
/// plugin loaded; only instances move out. The helper finds the model by its qualified id
/// and the profile by its id in a registry loaded from the same places, so it costs with
/// the same code and data, and answers cross as raw bit patterns: the isolated path gives
/// the numbers the in-process one gives, bit for bit.
final class IsolatedCostModel: CostModelProvider, @unchecked Sendable {
    let inner: any CostModelProvider
    let qualifiedID: String
    let isolation: PluginIsolation

    init(wrapping inner: any CostModelProvider, qualifiedID: String, isolation: PluginIsolation) {
        self.inner = inner
        self.qualifiedID = qualifiedID
        self.isolation = isolation
    }

    var id: String { inner.id }
    var version: String { inner.version }
    var description: String { inner.description }
    var capabilities: EstimateFlags { inner.capabilities }
    var options: [OptionInfo] { inner.options }
    var hasNetworkTerms: Bool { inner.hasNetworkTerms }

    func makeInstance(profile: ProfileEntry, options: [String: String]) throws(CostModelFailure) -> any CostModelInstance {
        let start = Start(isolation: isolation, model: qualifiedID, profile: profile.id, options: options)
        do throws(Start.Failure) {
            let (process, description) = try start.launch()
            return IsolatedCostInstance(process: process, start: start, instanceDescription: description)
        } catch {
            switch error {
            case .refused(let failure):
                // The plugin's own refusal, relayed: status and message as the plugin gave them.
                throw failure
            case .fault(let fault):
                throw CostModelFailure(status: JOULE_FAILED, message: "create \(fault)")
            }
        }
    }

    /// What it takes to start a helper serving one instance; kept to start a second one
    /// that finds which layer of a failed batch was at fault.
    struct Start {
        let isolation: PluginIsolation
        let model: String
        let profile: String
        let options: [String: String]

        enum Failure: Error {
            /// The plugin's `create` (or the helper's lookup of model and profile) said no.
            case refused(CostModelFailure)
            /// The helper crashed, hung or talked nonsense.
            case fault(PluginHostFault)
        }

        /// Starts a helper and waits until its instance exists; answers the helper and the
        /// instance's description.
        func launch() throws(Failure) -> (PluginHostProcess, String?) {
            let process: PluginHostProcess
            var hello = WireWriter(.hello)
            hello.bytes(PluginHostWire.magic)
            hello.u16(PluginHostWire.version)
            hello.array(isolation.pluginPaths) { $0.string($1) }
            hello.array(isolation.gpuFiles) { $0.string($1) }
            hello.bool(isolation.verbose)
            hello.string(model)
            hello.string(profile)
            let keys = options.keys.sorted()
            hello.array(keys) { writer, key in
                writer.string(key)
                writer.string(options[key]!)
            }
            var answer: (PluginHostMessage, WireReader)
            do throws(PluginHostFault) {
                // The Swift runtime's crash reporter would spend seconds printing a backtrace
                // of the helper before it dies; the user needs one line from Joule instead.
                process = try PluginHostProcess(executable: isolation.executable, arguments: isolation.arguments,
                                                environment: ["SWIFT_BACKTRACE": "enable=no"],
                                                timeout: isolation.timeoutSeconds)
                answer = try process.exchange(hello, call: "create")
            } catch {
                throw .fault(error)
            }
            switch answer.0 {
            case .ready:
                do throws(WireError) {
                    return (process, try answer.1.bool() ? try answer.1.string() : nil)
                } catch {
                    throw .fault(Self.garbled(process, error))
                }
            case .failed:
                let failure: CostModelFailure
                do throws(WireError) {
                    failure = try answer.1.failure()
                } catch {
                    throw .fault(Self.garbled(process, error))
                }
                process.shutDown()
                throw .refused(failure)
            default:
                throw .fault(Self.garbled(process, WireError("answer \(answer.0) to hello")))
            }
        }

        static func garbled(_ process: PluginHostProcess, _ error: WireError) -> PluginHostFault {
            let fault = PluginHostFault.broken("its answer does not parse: \(error)")
            process.fail(fault, call: "create")
            return fault
        }
    }
}

/// One instance in a helper process: each call becomes one message and one answer.
final class IsolatedCostInstance: CostModelInstance {
    private let process: PluginHostProcess
    private let start: IsolatedCostModel.Start
    /// The batch and network the helper holds, so a plan estimated again (a benchmark, a
    /// resumed search) sends only a request, not its layers. Weak: a new batch that reuses a
    /// freed one's address must not pass for it.
    private weak var heldBatch: LayerBatch?
    private weak var heldNetwork: PreparedNetwork?

    /// What the instance in the helper said it costs with, relayed.
    let instanceDescription: String?

    init(process: PluginHostProcess, start: IsolatedCostModel.Start, instanceDescription: String?) {
        self.process = process
        self.start = start
        self.instanceDescription = instanceDescription
    }

    deinit { process.shutDown() }

    /// The helper's process id (tests check that it was reaped).
    var helperProcessID: pid_t { process.pid }

    func support(for layer: LayerDescriptor) throws(CostModelFailure) -> LayerSupport {
        var request = WireWriter(.support)
        request.layer(layer)
        var (kind, reader) = try exchange(request, call: "supports")
        guard kind == .supportAnswer else { throw unexpected(kind, call: "supports") }
        do {
            let quality = try reader.i32(), reason = try reader.string()
            return quality > 0 ? .supported(quality: Int(quality)) : .declined(reason: reason)
        } catch {
            throw garbled(error, call: "supports")
        }
    }

    func estimate(_ layer: LayerDescriptor) throws(CostModelFailure) -> Estimate {
        var request = WireWriter(.estimateLayer)
        request.layer(layer)
        var (kind, reader) = try exchange(request, call: "estimate_layer")
        guard kind == .estimateAnswer else { throw unexpected(kind, call: "estimate_layer") }
        let answer: Result<Estimate, CostModelFailure>
        do throws(WireError) {
            answer = try reader.bool() ? .success(try reader.estimate()) : .failure(try reader.failure())
        } catch {
            throw garbled(error, call: "estimate_layer")
        }
        return try answer.get()
    }

    func estimateNetwork(_ network: PreparedNetwork) throws(CostModelFailure) -> [NetworkTerm] {
        var request: WireWriter
        if heldNetwork === network {
            request = WireWriter(.estimateSameNetwork)
        } else {
            request = WireWriter(.estimateNewNetwork)
            request.network(network.descriptor)
            heldNetwork = network
        }
        var (kind, reader) = try exchange(request, call: "estimate_network")
        guard kind == .networkAnswer else { throw unexpected(kind, call: "estimate_network") }
        let answer: Result<[NetworkTerm], CostModelFailure>
        do throws(WireError) {
            answer = try reader.bool()
                ? .success(try reader.array(elementSize: 8) { (r: inout WireReader) throws(WireError) in try r.term() })
                : .failure(try reader.failure())
        } catch {
            throw garbled(error, call: "estimate_network")
        }
        return try answer.get()
    }

    func estimate(_ batch: LayerBatch) throws(BatchFailure) {
        batch.resetResults()
        var request: WireWriter
        if heldBatch === batch {
            request = WireWriter(.estimateSameBatch)
        } else {
            request = WireWriter(.estimateNewBatch)
            request.array(batch.layers) { $0.layer($1) }
            heldBatch = batch
        }
        let answer: (PluginHostMessage, WireReader)
        do {
            answer = try process.exchange(request, call: "estimate_layers")
        } catch {
            throw BatchFailure(index: locate(error, in: batch), failure: failure(error, call: "estimate_layers"))
        }
        var (kind, reader) = answer
        var failed: (index: Int, failure: CostModelFailure)?
        do throws(WireError) {
            switch kind {
            case .batchAnswer:
                let count = try reader.count()
                guard count == batch.count else { throw WireError("\(count) estimates for \(batch.count) layers") }
                let results = batch.buffer.results
                for i in 0..<count { try reader.rawEstimate(into: results + i) }
            case .batchFailed:
                failed = (Int(try reader.u32()), try reader.failure())
            default:
                throw WireError("answer \(kind) to estimate_layers")
            }
        } catch {
            throw BatchFailure(index: nil, failure: garbled(error, call: "estimate_layers"))
        }
        if let failed {
            throw BatchFailure(index: min(failed.index, max(batch.count - 1, 0)), failure: failed.failure)
        }
    }

    // MARK: - Faults

    private func exchange(_ request: WireWriter, call: String) throws(CostModelFailure) -> (PluginHostMessage, WireReader) {
        do {
            return try process.exchange(request, call: call)
        } catch {
            throw failure(error, call: call)
        }
    }

    /// The fault as the plugin's failure, saying in which call it happened when that was an
    /// earlier call than this one.
    private func failure(_ fault: PluginHostFault, call: String) -> CostModelFailure {
        var message = fault.description
        if let (_, earlier) = process.fault, earlier != call { message += " (during an earlier \(earlier) call)" }
        return CostModelFailure(status: JOULE_FAILED, message: message)
    }

    private func unexpected(_ kind: PluginHostMessage, call: String) -> CostModelFailure {
        garbled(WireError("answer \(kind) to \(call)"), call: call)
    }

    private func garbled(_ error: WireError, call: String) -> CostModelFailure {
        let fault = PluginHostFault.broken("its answer does not parse: \(error)")
        process.fail(fault, call: call)
        return CostModelFailure(status: JOULE_FAILED, message: fault.description)
    }

    /// Which layer of `batch` made the helper crash or hang, found by asking a fresh helper
    /// about each layer in turn (`estimate_layer`, one call each, each with the time-out)
    /// until one fails the same way; nil when none does (the plugin fails only in its batch
    /// call) or the fault was not a crash or hang. The answers are thrown away: this only
    /// names the culprit, so the extra cost is paid only on the way to an error.
    private func locate(_ fault: PluginHostFault, in batch: LayerBatch) -> Int? {
        switch fault {
        case .crashed, .exited, .timedOut: break
        case .broken: return nil
        }
        // A fault left by an earlier call says nothing about this batch's layers.
        guard process.fault?.call == "estimate_layers" else { return nil }
        if batch.count == 1 { return 0 }
        guard let probe = try? start.launch().0 else { return nil }
        defer { probe.shutDown() }
        for (i, layer) in batch.layers.enumerated() {
            var request = WireWriter(.estimateLayer)
            request.layer(layer)
            do {
                _ = try probe.exchange(request, call: "estimate_layer")
            } catch {
                return i
            }
        }
        return nil
    }
}

extension WireWriter {
    mutating func bytes(_ value: [UInt8]) { for byte in value { u8(byte) } }

    mutating func array<T>(_ items: [T], _ write: (inout WireWriter, T) -> Void) {
        count(items.count)
        for item in items { write(&self, item) }
    }
}
