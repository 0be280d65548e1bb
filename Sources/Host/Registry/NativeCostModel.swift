import PluginAPI

/// A cost model published by a plugin library through a `joule_cost_model` vtable.
final class NativeCostModel: CostModelProvider, @unchecked Sendable {
    // The descriptor is plugin-owned and immutable until exit, so sharing it is safe.
    let descriptor: UnsafePointer<joule_cost_model>
    let id: String
    let version: String
    let description: String
    let capabilities: EstimateFlags
    let options: [OptionInfo]
    let hasNetworkTerms: Bool

    /// Reads and checks a descriptor; `field` names it in errors ("cost_models[0]").
    init(descriptor: UnsafePointer<joule_cost_model>, field: String) throws(DescriptorError) {
        let d = descriptor.pointee
        guard Int(d.struct_size) >= 104 else {
            throw DescriptorError(field: "\(field).struct_size", problem: "is \(d.struct_size), smaller than the 104 bytes of ABI 1.0")
        }
        func string(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(DescriptorError) -> String {
            guard let value = String(optionalCString: pointer) else {
                throw DescriptorError(field: "\(field).\(name)", problem: "is NULL")
            }
            return value
        }
        id = try string(d.id, "id")
        guard isValidComponentID(id) else {
            throw DescriptorError(field: "\(field).id", problem: "\"\(id)\" must be letters, digits, '_', '-' or '.'")
        }
        version = try string(d.version, "version")
        description = try string(d.description, "description")
        for (name, present) in [("create", d.create != nil), ("destroy", d.destroy != nil),
                                ("supports", d.supports != nil), ("estimate_layer", d.estimate_layer != nil)] where !present {
            throw DescriptorError(field: "\(field).\(name)", problem: "is NULL; only estimate_network may be")
        }
        var options: [OptionInfo] = []
        if d.option_count > 0 {
            guard let array = d.options else {
                throw DescriptorError(field: "\(field).options", problem: "is NULL but option_count is \(d.option_count)")
            }
            for i in 0..<Int(min(d.option_count, 1024)) {
                let key = try string(array[i].key, "options[\(i)].key")
                let text = try string(array[i].description, "options[\(i)].description")
                options.append(OptionInfo(key: key, description: text, defaultValue: String(optionalCString: array[i].default_value)))
            }
        }
        self.descriptor = descriptor
        self.capabilities = EstimateFlags(rawValue: d.capabilities)
        self.options = options
        self.hasNetworkTerms = d.estimate_network != nil
    }

    func makeInstance(profile: ProfileEntry, options: [String: String]) throws(CostModelFailure) -> any CostModelInstance {
        let keys = options.keys.sorted()
        var error = ErrorBuffer()
        var instance: OpaquePointer?
        let status: Int32 = keys.withCStrings { keyPointers in
            keys.map { options[$0]! }.withCStrings { valuePointers in
                let pairs = zip(keyPointers, valuePointers).map { joule_option(key: $0, value: $1) }
                return pairs.withUnsafeBufferPointer { buffer in
                    error.withPointer { errorPointer in
                        descriptor.pointee.create(descriptor, profile.descriptor, buffer.baseAddress,
                                                  UInt32(pairs.count), &instance, errorPointer)
                    }
                }
            }
        }
        guard status == JOULE_OK else { throw CostModelFailure(status: status, message: error.message) }
        guard let instance else {
            throw CostModelFailure(status: JOULE_FAILED, message: "create returned JOULE_OK but no instance")
        }
        return NativeCostInstance(model: descriptor, instance: instance)
    }
}

/// An instance made by a vtable's `create`; `destroy` runs when the host lets go of it.
final class NativeCostInstance: CostModelInstance {
    let model: UnsafePointer<joule_cost_model>
    let instance: OpaquePointer

    init(model: UnsafePointer<joule_cost_model>, instance: OpaquePointer) {
        self.model = model
        self.instance = instance
    }

    deinit {
        model.pointee.destroy(instance)
    }

    func support(for layer: LayerDescriptor) -> LayerSupport {
        var reason = ErrorBuffer()
        let score = layer.withCDescriptor { pointer in
            reason.withPointer { model.pointee.supports(instance, pointer, $0) }
        }
        if score <= 0 {
            let why = reason.message
            return .declined(reason: why.isEmpty ? "the model declined the layer without saying why" : why)
        }
        return .supported(quality: Int(min(score, 100)))
    }

    func estimate(_ layer: LayerDescriptor) throws(CostModelFailure) -> Estimate {
        try call { out, error in
            layer.withCDescriptor { model.pointee.estimate_layer(instance, $0, out, error) }
        }
    }

    func estimateNetwork(_ network: PreparedNetwork) throws(CostModelFailure) -> [NetworkTerm] {
        guard let estimateNetwork = model.pointee.estimate_network else {
            throw CostModelFailure(status: JOULE_UNSUPPORTED, message: "the model has no network-level terms")
        }
        var capacity = 32
        while true {
            var error = ErrorBuffer()
            var storage = [joule_network_term](repeating: joule_network_term(), count: capacity)
            for i in storage.indices { storage[i].struct_size = abiSize(of: joule_network_term.self) }
            var count: UInt32 = 0
            let status: Int32 = storage.withUnsafeMutableBufferPointer { buffer in
                let pointers = (0..<capacity).map { Optional(buffer.baseAddress! + $0) }
                return pointers.withUnsafeBufferPointer { termPointers in
                    error.withPointer { estimateNetwork(instance, network.pointer, termPointers.baseAddress, UInt32(capacity), &count, $0) }
                }
            }
            if status == JOULE_BUFFER_TOO_SMALL, Int(count) > capacity, count <= 100_000 {
                capacity = Int(count)
                continue
            }
            guard status == JOULE_OK else { throw CostModelFailure(status: status, message: error.message) }
            guard Int(count) <= capacity else {
                throw CostModelFailure(status: JOULE_FAILED, message: "estimate_network reported \(count) terms for \(capacity) slots")
            }
            var terms: [NetworkTerm] = []
            for i in 0..<Int(count) {
                guard let term = storage.withUnsafeBufferPointer({ NetworkTerm($0.baseAddress! + i) }) else {
                    throw CostModelFailure(status: JOULE_FAILED,
                                           message: "estimate_network term \(i) has no name or an unknown kind or phase")
                }
                terms.append(term)
            }
            return terms
        }
    }

    func estimate(_ batch: LayerBatch) throws(BatchFailure) {
        batch.resetResults()
        if let estimateLayers = model.pointee.estimate_layers {
            var error = ErrorBuffer()
            var failed: UInt32 = 0
            let status = error.withPointer {
                estimateLayers(instance, batch.layerPointers, UInt32(batch.count), batch.resultPointers, &failed, $0)
            }
            guard status == JOULE_OK else {
                throw BatchFailure(index: Int(min(failed, UInt32(max(batch.count - 1, 0)))),
                                   failure: CostModelFailure(status: status, message: error.message))
            }
            return
        }
        for i in 0..<batch.count {
            var error = ErrorBuffer()
            let status = error.withPointer { model.pointee.estimate_layer(instance, batch.layerPointers[i], batch.resultPointers[i], $0) }
            guard status == JOULE_OK else {
                throw BatchFailure(index: i, failure: CostModelFailure(status: status, message: error.message))
            }
        }
    }

    /// Runs one estimate call with a fresh output struct and error buffer.
    private func call(
        _ body: (UnsafeMutablePointer<joule_estimate>, UnsafeMutablePointer<joule_error>) -> Int32
    ) throws(CostModelFailure) -> Estimate {
        var error = ErrorBuffer()
        var detail = [CChar](repeating: 0, count: 512)
        let (status, estimate): (Int32, Estimate) = detail.withUnsafeMutableBufferPointer { detailBuffer in
            var out = joule_estimate()
            out.struct_size = abiSize(of: joule_estimate.self)
            out.detail = detailBuffer.baseAddress
            out.detail_capacity = detailBuffer.count
            let status = error.withPointer { body(&out, $0) }
            return (status, withUnsafePointer(to: out) { Estimate($0) })
        }
        guard status == JOULE_OK else { throw CostModelFailure(status: status, message: error.message) }
        return estimate
    }
}

/// A caller-owned `joule_error` buffer.
struct ErrorBuffer {
    private var storage = [CChar](repeating: 0, count: 1024)

    mutating func withPointer<R>(_ body: (UnsafeMutablePointer<joule_error>) -> R) -> R {
        storage.withUnsafeMutableBufferPointer { buffer in
            var error = joule_error(message: buffer.baseAddress, capacity: buffer.count)
            return body(&error)
        }
    }

    /// The message written, or "" when none; always NUL-terminated because the buffer's
    /// last byte is forced to 0 before reading.
    var message: String {
        var copy = storage
        copy[copy.count - 1] = 0
        return copy.withUnsafeBufferPointer { String(optionalCString: $0.baseAddress) ?? "" }
    }
}

extension Array where Element == String {
    /// Lends the strings to C as an array of pointers valid inside `body`.
    func withCStrings<R>(_ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let arena = CArena()
        let pointers = map { Optional(arena.cString($0)) }
        return withExtendedLifetime(arena) { body(pointers) }
    }
}

/// Letters, digits, `_`, `-` and `.`; not empty.
func isValidComponentID(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x5F || byte == 0x2D || byte == 0x2E
    }
}
