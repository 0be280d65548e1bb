#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PluginAPI

/// The Paleo cost model bound to one device.
///
/// Per layer and direction it gives Paleo's compute and memory terms plus remote fetches
/// (in the forward and backward-data directions); per network, the weight update, the four
/// gradient-exchange schemes, and with `parallel=model` or `parallel=hybrid` Paleo's bounds
/// and hybrid table.
final class PaleoModel: DirectCostModel {
    static var hasNetworkTerms: Bool { true }

    enum Parallelism: String { case data, model, hybrid }

    let device: PaleoDevice
    let workers: Int64?
    let network: PaleoNetwork
    let parallelism: Parallelism
    let hybridWorkers: Int64
    let pipeline: Bool

    init(profile: HardwareProfile, options: [String: String]) throws {
        func fraction(_ key: String) throws -> Double {
            guard let text = options[key] else { return 1.0 }
            guard let value = Double(text), value > 0, value <= 1 else {
                throw PluginError.invalidArgument("option '\(key)' must be a number in (0, 1], got '\(text)'")
            }
            return value
        }
        func count(_ key: String) throws -> Int64? {
            guard let text = options[key] else { return nil }
            guard let value = Int64(text), value >= 1, value <= 1 << 20 else {
                throw PluginError.invalidArgument("option '\(key)' must be a positive integer, got '\(text)'")
            }
            return value
        }
        guard profile.clockHz > 0 else {
            throw PluginError.unsupported("Paleo floors every term at one clock cycle, and \(profile.id) has no clock_hz")
        }
        device = PaleoDevice(profile: profile, pppCompute: try fraction("ppp_comp"), pppCommunication: try fraction("ppp_comm"))
        workers = try count("workers")
        hybridWorkers = try count("hybrid_workers") ?? 1
        let networkName = options["network"] ?? "ethernet"
        guard let network = PaleoNetwork(rawValue: networkName) else {
            throw PluginError.invalidArgument("option 'network' must be one of \(PaleoNetwork.allCases.map(\.rawValue).joined(separator: ", ")), got '\(networkName)'")
        }
        self.network = network
        let parallelName = options["parallel"] ?? "data"
        guard let parallelism = Parallelism(rawValue: parallelName) else {
            throw PluginError.invalidArgument("option 'parallel' must be data, model or hybrid, got '\(parallelName)'")
        }
        self.parallelism = parallelism
        switch options["pipeline"] ?? "false" {
        case "true": pipeline = true
        case "false": pipeline = false
        case let other: throw PluginError.invalidArgument("option 'pipeline' must be true or false, got '\(other)'")
        }
    }

    func supports(_ layer: LayerView) -> LayerSupport {
        do {
            try PaleoLayer.check(layer.pointer)
            return .supported(quality: PaleoLayer.isModelled(layer.pointer) ? 100 : 10)
        } catch {
            return .declined(reason: error.reason)
        }
    }

    func estimate(_ layer: LayerView) throws -> Estimate {
        let (time, note) = try paleoTime(layer.pointer)
        return Estimate(timeSeconds: time.total * 1e-3, computeSeconds: time.compute * 1e-3,
                        memorySeconds: time.memory * 1e-3, flops: time.flops, memoryBytes: time.bytes, detail: note)
    }

    /// The same as `estimate(_:)`, written straight into the host's struct.
    @inline(__always)
    func estimate(_ layer: UnsafePointer<joule_layer>, into out: UnsafeMutablePointer<joule_estimate>) throws {
        let (time, note) = try paleoTime(layer)
        guard Int(out.pointee.struct_size) >= MemoryLayout<joule_estimate>.size, note == nil else {
            Estimate(timeSeconds: time.total * 1e-3, computeSeconds: time.compute * 1e-3, memorySeconds: time.memory * 1e-3,
                     flops: time.flops, memoryBytes: time.bytes, detail: note).write(into: out)
            return
        }
        out.pointee.flags = JOULE_ESTIMATE_TIME | JOULE_ESTIMATE_BREAKDOWN | JOULE_ESTIMATE_COUNTS
        out.pointee.time_seconds = time.total * 1e-3
        out.pointee.compute_seconds = time.compute * 1e-3
        out.pointee.memory_seconds = time.memory * 1e-3
        out.pointee.flops = time.flops
        out.pointee.memory_bytes = time.bytes
    }

    /// Many layer-passes: the loop lives here so that each pass is a direct, inlined call.
    func estimate(_ layers: UnsafePointer<UnsafePointer<joule_layer>?>, into out: UnsafePointer<UnsafeMutablePointer<joule_estimate>?>,
                  count: Int, failedIndex: inout Int) throws {
        try estimateEach(layers, into: out, count: count, failedIndex: &failedIndex)
    }

    /// Paleo's time (in milliseconds, as Paleo keeps it) for one layer-pass, remote
    /// fetches included in the forward and backward-data directions.
    @inline(__always)
    private func paleoTime(_ layer: UnsafePointer<joule_layer>) throws -> (PaleoTime, String?) {
        let direction = layer.pointee.direction
        guard let pass = PassDirection(rawValue: direction) else {
            throw PluginError.unsupported("unknown direction \(direction)")
        }
        do {
            var time = try PaleoLayer.time(layer, pass, on: device)
            var note: String?
            if pass == .forward || pass == .backwardData {
                let (fetch, fetchNote) = remoteFetch(layer, bandwidthGBs: nil)
                time = time + fetch
                note = fetchNote
            }
            return (time, note)
        } catch {
            throw PluginError.unsupported(error.reason)
        }
    }

    /// Paleo's `_estimate_remote_fetch`: reading inputs produced on another device.
    ///
    /// Device tags compare as Paleo compares them: an unplaced layer (Paleo's integer 0)
    /// differs from a layer placed on "0". Crossing a group of four devices halves the
    /// bandwidth, once more per such input. Paleo's data- and model-parallel paths fail on
    /// that halving (their bandwidth is None); Joule halves the device's memory bandwidth.
    @inline(__always)
    func remoteFetch(_ layer: UnsafePointer<joule_layer>, bandwidthGBs: Double?) -> (PaleoTime, String?) {
        // The common case, nothing placed: no fetch at all.
        if layer.pointee.device == nil && layer.pointee.input_devices == nil { return (.zero, nil) }
        return placedFetch(layer, bandwidthGBs: bandwidthGBs)
    }

    private func placedFetch(_ layer: UnsafePointer<joule_layer>, bandwidthGBs: Double?) -> (PaleoTime, String?) {
        let count = layer.pointee.input_count
        guard count > 0, let inputs = layer.pointee.inputs else { return (.zero, nil) }
        let current = layer.pointee.device
        let tags = layer.pointee.input_devices
        var fetch = 0.0, bytesMoved = 0.0
        var bandwidth = bandwidthGBs
        var note: String?
        func tag(_ i: Int) -> UnsafePointer<CChar>? { tags?[i] }
        func elements(_ shape: joule_shape) -> Double {
            var product = 1.0
            for i in 0..<Int(shape.rank) { product *= Double(dim(shape, i)) }
            return product
        }
        if count == 1 {
            if !sameDevice(current, tag(0)) {
                let bytes = elements(inputs[0]) * 4
                fetch += device.transferMilliseconds(bytes, bandwidthGBs: bandwidth)
                bytesMoved += bytes
            }
        } else {
            for i in 0..<Int(count) where !sameDevice(current, tag(i)) {
                if group(current) != group(tag(i)) {
                    if bandwidth == nil {
                        note = "a cross-group fetch outside hybrid mode, where Paleo's original code fails; Joule halves the device bandwidth"
                    }
                    bandwidth = (bandwidth ?? device.bandwidthGBs) / 2
                }
                let bytes = elements(inputs[i]) * 4
                fetch += device.transferMilliseconds(bytes, bandwidthGBs: bandwidth)
                bytesMoved += bytes
            }
        }
        var time = PaleoTime()
        time.memory = fetch
        time.total = fetch
        time.bytes = bytesMoved
        return (time, note)
    }

    private func sameDevice(_ a: UnsafePointer<CChar>?, _ b: UnsafePointer<CChar>?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let x?, let y?): strcmp(x, y) == 0
        default: false
        }
    }

    /// Paleo's `int(device) // 4`; an unplaced layer is device 0.
    private func group(_ tag: UnsafePointer<CChar>?) -> Int {
        guard let tag, let value = Int(String(cString: tag)) else { return 0 }
        return value >= 0 ? value / 4 : (value - 3) / 4
    }

    // MARK: - Network terms

    func estimateNetwork(_ network: NetworkView) throws -> [NetworkTerm] {
        let d = network.pointer.pointee
        var weightBytes = 0.0
        for i in 0..<Int(d.layer_count) {
            if let layer = d.layers?[i] { weightBytes += PaleoLayer.weightBytes(layer) }
        }
        var terms: [NetworkTerm] = []
        terms.reserveCapacity(16)
        let update = PaleoLayer.update(weightBytes, on: device)
        terms.append(NetworkTerm(name: "weight_update", kind: .additive, phase: .update, timeSeconds: update.total * 1e-3,
                                 computeSeconds: update.compute * 1e-3, memorySeconds: update.memory * 1e-3))
        if let workers {
            let schemes = PaleoCommunication(network: self.network, workers: workers, pppCommunication: device.pppCommunication)
            for (name, milliseconds) in schemes.allReduce(bytes: weightBytes) {
                terms.append(NetworkTerm(name: name, kind: .alternative, phase: .communication, timeSeconds: milliseconds * 1e-3))
            }
        }
        switch parallelism {
        case .data:
            break
        case .model:
            terms += try modelParallelBounds(network.layers, parents: network.parents)
        case .hybrid:
            terms += try hybridTerms(network.layers, parents: network.parents)
        }
        return terms
    }

    /// Forward and backward totals of each layer (fetch included), as Paleo's simulation
    /// sums them; `bandwidthGBs` overrides the fetch bandwidth (the hybrid path).
    private func layerTotals(_ layers: [LayerView], bandwidthGBs: Double?) throws -> (forward: [PaleoTime], backward: [PaleoTime]) {
        var forward: [PaleoTime] = [], backward: [PaleoTime] = []
        for layer in layers {
            let (fetch, _) = remoteFetch(layer.pointer, bandwidthGBs: bandwidthGBs)
            do {
                forward.append(try PaleoLayer.time(layer.pointer, .forward, on: device) + fetch)
                backward.append(try PaleoLayer.time(layer.pointer, .backwardData, on: device)
                                + PaleoLayer.time(layer.pointer, .backwardFilter, on: device) + fetch)
            } catch {
                throw PluginError.unsupported("layer \(layer.name): \(error.reason)")
            }
        }
        return (forward, backward)
    }

    private func structure(_ layers: [LayerView], parents: [[Int]]) throws -> [PaleoStructure] {
        guard let data = layers.firstIndex(where: { $0.operation == .input }) else {
            throw PluginError("the network has no Input layer to walk from")
        }
        var walker = PaleoGraphWalker(parents: parents)
        return walker.walk(from: data)
    }

    private func modelParallelBounds(_ layers: [LayerView], parents: [[Int]]) throws -> [NetworkTerm] {
        let nested = try structure(layers, parents: parents)
        let (forward, backward) = try layerTotals(layers, bandwidthGBs: nil)
        let forwardBounds = parallelBounds(nested, times: Dictionary(uniqueKeysWithValues: forward.enumerated().map { ($0.offset, $0.element.total) }))
        let backwardBounds = parallelBounds(nested, times: Dictionary(uniqueKeysWithValues: backward.enumerated().map { ($0.offset, $0.element.total) }))
        return [
            NetworkTerm(name: "model_parallel_forward_lower_bound", kind: .report, phase: .forward, timeSeconds: forwardBounds.lower * 1e-3),
            NetworkTerm(name: "model_parallel_forward_upper_bound", kind: .report, phase: .forward, timeSeconds: forwardBounds.upper * 1e-3),
            NetworkTerm(name: "model_parallel_backward_lower_bound", kind: .report, phase: .backward, timeSeconds: backwardBounds.lower * 1e-3),
            NetworkTerm(name: "model_parallel_backward_upper_bound", kind: .report, phase: .backward, timeSeconds: backwardBounds.upper * 1e-3),
        ]
    }

    /// Paleo's hybrid scheme ("one weird trick", Krizhevsky 2014): unplaced layers run data
    /// parallel on `hybrid_workers` workers and synchronise by tree all-reduce; placed layers
    /// run model parallel, pipelined across the workers' batches.
    private func hybridTerms(_ layers: [LayerView], parents: [[Int]]) throws -> [NetworkTerm] {
        let nested = try structure(layers, parents: parents)
        let networkGBs = network.gigabitsPerSecond / 8
        let (forward, backward) = try layerTotals(layers, bandwidthGBs: networkGBs)
        let dataParallel = layers.indices.filter { layers[$0].pointer.pointee.device == nil }
        let modelParallel = layers.indices.filter { layers[$0].pointer.pointee.device != nil }

        func sum(_ indices: [Int], _ times: [PaleoTime]) -> Double {
            indices.reduce(0.0) { $0 + (pipeline ? times[$1].lowerBound : times[$1].total) }
        }
        let dataWeights = dataParallel.reduce(0.0) { $0 + PaleoLayer.weightBytes(layers[$1].pointer) }
        let dataUpdate = PaleoLayer.update(dataWeights, on: device)
        let sync = PaleoCommunication(network: network, workers: hybridWorkers, pppCommunication: device.pppCommunication)
            .tree(bytes: dataWeights)
        let dataForward = sum(dataParallel, forward)
        let dataBackward = sum(dataParallel, backward)
        let dataApply = pipeline ? dataUpdate.lowerBound : dataUpdate.total

        let modelWeights = modelParallel.reduce(0.0) { $0 + PaleoLayer.weightBytes(layers[$1].pointer) }
        let modelUpdate = PaleoLayer.update(modelWeights, on: device)
        var modelForward = parallelBounds(nested, times: Dictionary(uniqueKeysWithValues: modelParallel.map { ($0, forward[$0].total) })).lower
        var modelBackward = parallelBounds(nested, times: Dictionary(uniqueKeysWithValues: modelParallel.map { ($0, backward[$0].total) })).lower
        if let first = modelParallel.first, let parent = parents[first].first {
            // The split layers' input, counted in elements as Paleo counts it, is fetched once
            // per extra worker; pipelining hides all but one fetch.
            let shape = layers[parent].pointer.pointee.output
            var elements = 1.0
            for i in 0..<Int(shape.rank) { elements *= Double(dim(shape, i)) }
            let fetch = elements / 1_073_741_824 / networkGBs * 1e3 * Double(hybridWorkers - 1)
            let w = Double(hybridWorkers)
            modelForward = (modelForward - fetch) * w + fetch
            modelBackward = (modelBackward - fetch) * w + fetch
        }
        return [
            NetworkTerm(name: "hybrid_data_parallel_forward", kind: .report, phase: .forward, timeSeconds: dataForward * 1e-3),
            NetworkTerm(name: "hybrid_data_parallel_backward", kind: .report, phase: .backward, timeSeconds: dataBackward * 1e-3),
            NetworkTerm(name: "hybrid_data_parallel_update", kind: .report, phase: .update, timeSeconds: dataApply * 1e-3),
            NetworkTerm(name: "hybrid_data_parallel_sync_tree", kind: .report, phase: .communication, timeSeconds: sync * 1e-3),
            NetworkTerm(name: "hybrid_model_parallel_forward", kind: .report, phase: .forward, timeSeconds: modelForward * 1e-3),
            NetworkTerm(name: "hybrid_model_parallel_backward", kind: .report, phase: .backward, timeSeconds: modelBackward * 1e-3),
            NetworkTerm(name: "hybrid_model_parallel_update", kind: .report, phase: .update, timeSeconds: modelUpdate.total * 1e-3),
        ]
    }
}

/// Paleo's gradient-exchange schemes (paleo/comm.py): times in milliseconds.
struct PaleoCommunication {
    let network: PaleoNetwork
    let workers: Int64
    let pppCommunication: Double

    /// ceil(log2 n), computed as Paleo computes it (with logarithms).
    var treeHeight: Double {
        (log(Double(workers)) / log(2.0)).rounded(.up)
    }

    /// One link: bytes over Gbit/s / 8 · 10^9 bytes per second.
    func link(_ bytes: Double) -> Double {
        let bytesPerSecond = network.gigabitsPerSecond / 8 * 1e9
        return bytes / bytesPerSecond * 1000 / pppCommunication
    }

    func tree(bytes: Double) -> Double { 2 * treeHeight * link(bytes) }

    /// Parameter server, tree, butterfly and butterfly mixing, in that order.
    func allReduce(bytes: Double) -> [(String, Double)] {
        [
            ("one_to_all", 2 * link(bytes * Double(workers - 1))),
            ("tree", tree(bytes: bytes)),
            ("butterfly", treeHeight * link(bytes)),
            ("butterfly_mixing", link(bytes)),
        ]
    }
}
