import Foundation
import PluginAPI

/// The helper side of `--isolate-plugins`: serves one cost-model instance to the Joule
/// that started it (`joule plugin-host`), over the socket on descriptor 3, until Joule
/// closes it.
///
/// It loads the registry from the places the hello names, binds the model to the profile,
/// and answers each request with the instance's raw answer: the checks (NaN, negative
/// time…) stay in Joule, so they are the same code on both paths. If the plugin crashes or
/// hangs, this process dies or is killed; that is the point.
public enum PluginHostServer {
    /// Serves until Joule closes the socket; returns the exit status.
    ///
    /// - Parameter descriptor: the socket (3 when started by `PluginHostProcess`).
    public static func serve(descriptor: Int32 = 3) -> Int32 {
        var core = rlimit(rlim_cur: 0, rlim_max: 0)
        // A crash here is expected and reported by Joule; a core file would only litter.
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &core)
        watchParent()
        let channel = Channel(descriptor: descriptor)
        guard var hello = channel.read(), hello.kind == .hello else { return 64 }
        let instance: any CostModelInstance
        do {
            instance = try start(&hello.reader)
        } catch .setup(let failure) {
            var answer = WireWriter(.failed)
            answer.failure(failure)
            return channel.write(answer) ? 0 : 74
        } catch {
            complain("\(error)")
            return 64
        }
        // The instance's description (ABI 1.1) rides on the answer, for outputs' provenance.
        var ready = WireWriter(.ready)
        let description = instance.instanceDescription
        ready.bool(description != nil)
        if let description { ready.string(description) }
        guard channel.write(ready) else { return 74 }
        var session = Session(instance: instance)
        while var request = channel.read() {
            do {
                guard channel.write(try session.answer(request.kind, &request.reader)) else { return 74 }
            } catch {
                complain("a request does not parse: \(error)")
                return 64
            }
        }
        return 0
    }

    private static func complain(_ text: String) {
        FileHandle.standardError.write(Data("joule plugin-host: \(text)\n".utf8))
    }

    private enum StartError: Error {
        case setup(CostModelFailure)
        case wire(WireError)
    }

    /// Reads the hello, loads the registry and makes the instance.
    private static func start(_ reader: inout WireReader) throws(StartError) -> any CostModelInstance {
        let pluginPaths: [String], gpuFiles: [String], verbose: Bool, model: String, profile: String
        var options: [String: String] = [:]
        do throws(WireError) {
            guard try reader.bytes(PluginHostWire.magic.count) == PluginHostWire.magic else { throw WireError("not a Joule plugin-host hello") }
            let version = try reader.u16()
            guard version == PluginHostWire.version else {
                throw WireError("protocol version \(version); this helper speaks \(PluginHostWire.version)")
            }
            pluginPaths = try reader.array { (r: inout WireReader) throws(WireError) in try r.string() }
            gpuFiles = try reader.array { (r: inout WireReader) throws(WireError) in try r.string() }
            verbose = try reader.bool()
            model = try reader.string()
            profile = try reader.string()
            for (key, value) in try reader.array(elementSize: 8, { (r: inout WireReader) throws(WireError) in (try r.string(), try r.string()) }) {
                options[key] = value
            }
        } catch {
            throw .wire(error)
        }
        let log = PluginLog(threshold: verbose ? .info : .warning)
        let registry = PluginRegistry.load(.standard(pluginPaths: pluginPaths, gpuFiles: gpuFiles, log: log))
        do {
            let entry = try registry.costModel(named: model)
            let device = try registry.profile(named: profile)
            guard device.id == profile else { throw RegistryError.unknownProfile(profile, suggestion: nil, fileProblems: []) }
            return try entry.provider.makeInstance(profile: device, options: options)
        } catch let failure as CostModelFailure {
            throw .setup(failure)
        } catch {
            throw .setup(CostModelFailure(status: JOULE_FAILED, message: "the plugin host does not find what Joule loaded: \(error)"))
        }
    }

    /// Exits when Joule does: a helper stuck in a plugin's endless loop would otherwise
    /// outlive a Joule that was killed before its time-out fired.
    private static func watchParent() {
        let parent = getppid()
        Thread.detachNewThread {
            while getppid() == parent { sleep(1) }
            _exit(70)
        }
    }

    /// The instance and what Joule sent it to keep.
    private struct Session {
        let instance: any CostModelInstance
        var batch: LayerBatch?
        var network: PreparedNetwork?

        mutating func answer(_ kind: PluginHostMessage, _ reader: inout WireReader) throws(WireError) -> WireWriter {
            switch kind {
            case .support:
                let layer = try reader.layer()
                var answer = WireWriter(.supportAnswer)
                // Native and FFI instances answer `supports` without failing.
                switch (try? instance.support(for: layer)) ?? .declined(reason: "the model failed to answer") {
                case .supported(let quality):
                    answer.i32(Int32(clamping: max(quality, 1)))
                    answer.string("")
                case .declined(let reason):
                    answer.i32(0)
                    answer.string(reason)
                }
                return answer
            case .estimateLayer:
                let layer = try reader.layer()
                var answer = WireWriter(.estimateAnswer)
                do {
                    let estimate = try instance.estimate(layer)
                    answer.bool(true)
                    answer.estimate(estimate)
                } catch {
                    answer.bool(false)
                    answer.failure(error)
                }
                return answer
            case .estimateNewBatch, .estimateSameBatch:
                if kind == .estimateNewBatch {
                    batch = LayerBatch(try reader.array(elementSize: 8) { (r: inout WireReader) throws(WireError) in try r.layer() })
                }
                guard let batch else { throw WireError("estimateSameBatch before any batch") }
                do {
                    try instance.estimate(batch)
                } catch {
                    var answer = WireWriter(.batchFailed)
                    answer.u32(UInt32(error.index ?? 0))
                    answer.failure(error.failure)
                    return answer
                }
                var answer = WireWriter(.batchAnswer)
                answer.count(batch.count)
                let results = batch.buffer.results
                for i in 0..<batch.count { answer.rawEstimate(results + i) }
                return answer
            case .estimateNewNetwork, .estimateSameNetwork:
                if kind == .estimateNewNetwork { network = PreparedNetwork(try reader.network()) }
                guard let network else { throw WireError("estimateSameNetwork before any network") }
                var answer = WireWriter(.networkAnswer)
                do {
                    let terms = try instance.estimateNetwork(network)
                    answer.bool(true)
                    answer.array(terms) { $0.term($1) }
                } catch {
                    answer.bool(false)
                    answer.failure(error)
                }
                return answer
            default:
                throw WireError("unexpected request \(kind)")
            }
        }
    }

    /// Framed messages on a blocking socket.
    private struct Channel {
        let descriptor: Int32

        /// The next message; nil at the end of the stream (Joule is done) or on a read error.
        func read() -> (kind: PluginHostMessage, reader: WireReader)? {
            guard let header = receive(4) else { return nil }
            let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
            guard length >= 1, length <= PluginHostWire.maximumPayload, let payload = receive(length),
                  let kind = PluginHostMessage(rawValue: payload[0]) else { return nil }
            return (kind, WireReader(payload: Array(payload[1...])))
        }

        func write(_ message: WireWriter) -> Bool {
            let bytes = message.framed
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                if n > 0 { sent += n } else if n < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }

        private func receive(_ count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + got, count - got, 0) }
                if n > 0 { got += n } else if n < 0 && errno == EINTR { continue } else { return nil }
            }
            return bytes
        }
    }
}
