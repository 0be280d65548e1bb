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
struct PaleoModel: CostModel {
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
            let paleo = try PaleoLayer(layer.pointer)
            return .supported(quality: paleo.isModelled ? 100 : 10)
        } catch {
            return .declined(reason: error.reason)
        }
    }

    func estimate(_ layer: LayerView) throws -> Estimate {
        let paleo: PaleoLayer
        let direction = layer.pointer.pointee.direction
        guard let pass = PassDirection(rawValue: direction) else {
            throw PluginError.unsupported("unknown direction \(direction)")
        }
        do {
            paleo = try PaleoLayer(layer.pointer)
            var time = try paleo.time(pass, on: device)
            var detail: String?
            if pass == .forward || pass == .backwardData {
                let (fetch, note) = remoteFetch(layer.pointer, bandwidthGBs: nil)
                time = time + fetch
                detail = note
            }
            return Estimate(timeSeconds: time.total * 1e-3, computeSeconds: time.compute * 1e-3,
                            memorySeconds: time.memory * 1e-3, flops: time.flops, memoryBytes: time.bytes, detail: detail)
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
    func remoteFetch(_ layer: UnsafePointer<joule_layer>, bandwidthGBs: Double?) -> (PaleoTime, String?) {
        let l = layer.pointee
        guard l.input_count > 0, let inputs = l.inputs else { return (.zero, nil) }
        let current = l.device
        var fetch = 0.0, bytesMoved = 0.0
        var bandwidth = bandwidthGBs
        var note: String?
        func tag(_ i: Int) -> UnsafePointer<CChar>? { l.input_devices?[i] }
        func elements(_ shape: joule_shape) -> Double {
            var product = 1.0
            for i in 0..<Int(shape.rank) { product *= Double(dim(shape, i)) }
            return product
        }
        if l.input_count == 1 {
            if !sameDevice(current, tag(0)) {
                let bytes = elements(inputs[0]) * 4
                fetch += device.memoryMilliseconds(bytes, bandwidthGBs: bandwidth, ppp: device.pppCommunication)
                bytesMoved += bytes
            }
        } else {
            for i in 0..<Int(l.input_count) where !sameDevice(current, tag(i)) {
                if group(current) != group(tag(i)) {
                    if bandwidth == nil {
                        note = "a cross-group fetch outside hybrid mode, where Paleo's original code fails; Joule halves the device bandwidth"
                    }
                    bandwidth = (bandwidth ?? device.bandwidthGBs) / 2
                }
                let bytes = elements(inputs[i]) * 4
                fetch += device.memoryMilliseconds(bytes, bandwidthGBs: bandwidth, ppp: device.pppCommunication)
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
        let layers = network.layers
        var paleoLayers: [PaleoLayer] = []
        paleoLayers.reserveCapacity(layers.count)
        for layer in layers {
            do { paleoLayers.append(try PaleoLayer(layer.pointer)) } catch {
                throw PluginError.unsupported("layer \(layer.name): \(error.reason)")
            }
        }
        let weightBytes = paleoLayers.reduce(0.0) { $0 + $1.weightBytes }
        var terms: [NetworkTerm] = []
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
            terms += try modelParallelBounds(layers, paleoLayers, parents: network.parents)
        case .hybrid:
            terms += try hybridTerms(layers, paleoLayers, parents: network.parents)
        }
        return terms
    }

    /// Forward and backward totals of each layer (fetch included), as Paleo's simulation
    /// sums them; `bandwidthGBs` overrides the fetch bandwidth (the hybrid path).
    private func layerTotals(
        _ layers: [LayerView], _ paleoLayers: [PaleoLayer], bandwidthGBs: Double?
    ) throws -> (forward: [PaleoTime], backward: [PaleoTime]) {
        var forward: [PaleoTime] = [], backward: [PaleoTime] = []
        for (layer, paleo) in zip(layers, paleoLayers) {
            let (fetch, _) = remoteFetch(layer.pointer, bandwidthGBs: bandwidthGBs)
            do {
                forward.append(try paleo.time(.forward, on: device) + fetch)
                backward.append(try paleo.time(.backwardData, on: device) + paleo.time(.backwardFilter, on: device) + fetch)
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

    private func modelParallelBounds(_ layers: [LayerView], _ paleoLayers: [PaleoLayer], parents: [[Int]]) throws -> [NetworkTerm] {
        let nested = try structure(layers, parents: parents)
        let (forward, backward) = try layerTotals(layers, paleoLayers, bandwidthGBs: nil)
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
    private func hybridTerms(_ layers: [LayerView], _ paleoLayers: [PaleoLayer], parents: [[Int]]) throws -> [NetworkTerm] {
        let nested = try structure(layers, parents: parents)
        let networkGBs = network.gigabitsPerSecond / 8
        let (forward, backward) = try layerTotals(layers, paleoLayers, bandwidthGBs: networkGBs)
        let dataParallel = layers.indices.filter { layers[$0].pointer.pointee.device == nil }
        let modelParallel = layers.indices.filter { layers[$0].pointer.pointee.device != nil }

        func sum(_ indices: [Int], _ times: [PaleoTime]) -> Double {
            indices.reduce(0.0) { $0 + (pipeline ? times[$1].lowerBound : times[$1].total) }
        }
        let dataWeights = dataParallel.reduce(0.0) { $0 + paleoLayers[$1].weightBytes }
        let dataUpdate = PaleoLayer.update(dataWeights, on: device)
        let sync = PaleoCommunication(network: network, workers: hybridWorkers, pppCommunication: device.pppCommunication)
            .tree(bytes: dataWeights)
        let dataForward = sum(dataParallel, forward)
        let dataBackward = sum(dataParallel, backward)
        let dataApply = pipeline ? dataUpdate.lowerBound : dataUpdate.total

        let modelWeights = modelParallel.reduce(0.0) { $0 + paleoLayers[$1].weightBytes }
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
