import Foundation
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
    /// Buffers reused across calls (an instance serves one thread at a time).
    private let scratch = CallScratch()

    init(model: UnsafePointer<joule_cost_model>, instance: OpaquePointer) {
        self.model = model
        self.instance = instance
    }

    deinit {
        model.pointee.destroy(instance)
    }

    var instanceDescription: String? {
        // A 1.0 plugin's descriptor ends before the field.
        guard abiHasField(\joule_cost_model.describe_instance, structSize: model.pointee.struct_size),
              let describe = model.pointee.describe_instance else { return nil }
        return String(optionalCString: describe(instance))
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
        while true {
            let capacity = scratch.termCapacity
            scratch.resetTerms()
            var count: UInt32 = 0
            let status = estimateNetwork(instance, network.pointer, scratch.termPointers, UInt32(capacity), &count, scratch.error)
            if status == JOULE_BUFFER_TOO_SMALL, Int(count) > capacity, count <= 100_000 {
                scratch.growTerms(to: Int(count))
                continue
            }
            guard status == JOULE_OK else { throw CostModelFailure(status: status, message: scratch.errorMessage) }
            guard Int(count) <= capacity else {
                throw CostModelFailure(status: JOULE_FAILED, message: "estimate_network reported \(count) terms for \(capacity) slots")
            }
            var terms: [NetworkTerm] = []
            terms.reserveCapacity(Int(count))
            for i in 0..<Int(count) {
                guard let term = scratch.term(i) else {
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
        scratch.clearError()
        if let estimateLayers = model.pointee.estimate_layers {
            var failed: UInt32 = 0
            let status = estimateLayers(instance, batch.layerPointers, UInt32(batch.count), batch.resultPointers, &failed, scratch.error)
            guard status == JOULE_OK else {
                throw BatchFailure(index: Int(min(failed, UInt32(max(batch.count - 1, 0)))),
                                   failure: CostModelFailure(status: status, message: scratch.errorMessage))
            }
            return
        }
        for i in 0..<batch.count {
            let status = model.pointee.estimate_layer(instance, batch.layerPointers[i], batch.resultPointers[i], scratch.error)
            guard status == JOULE_OK else {
                throw BatchFailure(index: i, failure: CostModelFailure(status: status, message: scratch.errorMessage))
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

/// Buffers a native instance lends to its plugin on every call: an error message buffer and
/// network terms. Allocated once, because repeated estimates must not allocate.
final class CallScratch {
    static let errorCapacity = 1024
    let error: UnsafeMutablePointer<joule_error>
    private let message: UnsafeMutablePointer<CChar>
    private(set) var termCapacity = 0
    private(set) var termPointers: UnsafeMutablePointer<UnsafeMutablePointer<joule_network_term>?>
    private var terms: UnsafeMutablePointer<joule_network_term>
    /// Decoded term names by position, with the plugin's pointer: a model usually returns
    /// the same terms in the same order each call.
    private var names: [(pointer: UnsafePointer<CChar>, name: String)] = []

    init() {
        message = .allocate(capacity: Self.errorCapacity)
        message.initialize(repeating: 0, count: Self.errorCapacity)
        error = .allocate(capacity: 1)
        error.initialize(to: joule_error(message: message, capacity: Self.errorCapacity))
        termPointers = .allocate(capacity: 1)
        terms = .allocate(capacity: 1)
        growTerms(to: 16)
    }

    func clearError() { message.pointee = 0 }

    var errorMessage: String {
        message[Self.errorCapacity - 1] = 0
        return String(cString: message)
    }

    func growTerms(to capacity: Int) {
        termPointers.deallocate()
        terms.deallocate()
        termCapacity = capacity
        terms = .allocate(capacity: capacity)
        terms.initialize(repeating: joule_network_term(), count: capacity)
        termPointers = .allocate(capacity: capacity)
        for i in 0..<capacity { termPointers[i] = terms + i }
    }

    func resetTerms() {
        clearError()
        let size = abiSize(of: joule_network_term.self)
        for i in 0..<termCapacity {
            terms[i] = joule_network_term()
            terms[i].struct_size = size
        }
    }

    /// Term `i` as the plugin filled it; `nil` when it breaks the ABI (no name, unknown kind).
    func term(_ i: Int) -> NetworkTerm? {
        guard let namePointer = terms[i].name else { return nil }
        let name: String
        // The pointer stays valid, but a plugin may rewrite the text: reuse the decoded
        // string only while the pointer and the bytes still match.
        if i < names.count, names[i].pointer == namePointer,
           names[i].name.utf8.elementsEqual(UnsafeBufferPointer(start: UnsafeRawPointer(namePointer).assumingMemoryBound(to: UInt8.self),
                                                                count: strlen(namePointer))) {
            name = names[i].name
        } else {
            name = String(cString: namePointer)
            if i < names.count { names[i] = (namePointer, name) } else if i == names.count { names.append((namePointer, name)) }
        }
        return NetworkTerm(terms + i, name: name)
    }

    deinit {
        message.deallocate()
        error.deallocate()
        termPointers.deallocate()
        terms.deallocate()
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
