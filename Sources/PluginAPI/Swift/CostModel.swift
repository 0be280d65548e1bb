/// A cost model written in Swift.
///
/// Conform a type, describe it with `CostModelDefinition`, and list it in your
/// `PluginDefinition`; the PluginAPI builds the C vtable, boxes instances and turns thrown
/// errors into status codes. A minimal roofline model:
///
///     struct Roofline: CostModel {
///         let profile: HardwareProfile
///         init(profile: HardwareProfile, options: [String: String]) { self.profile = profile }
///         func supports(_ layer: LayerView) -> LayerSupport { .supported(quality: 10) }
///         func estimate(_ layer: LayerView) throws -> Estimate {
///             let compute = layer.flops / profile.peakFlops.fp32
///             let memory = (layer.inputBytes + layer.outputBytes + layer.weightBytes)
///                 / profile.memoryBandwidthBytesPerSecond
///             return Estimate(timeSeconds: max(compute, memory))
///         }
///     }
///
/// One instance serves one device. The host never calls one instance from two threads at
/// once, but may use different instances concurrently.
public protocol CostModel: SendableMetatype {
    /// Makes an instance for `profile`. Option keys were checked by the host against the
    /// definition's `options`; values are the model's to validate (throw
    /// `PluginError.invalidArgument`).
    init(profile: HardwareProfile, options: [String: String]) throws

    /// How well the model covers `layer`: `.supported(quality:)` with 1...100, or
    /// `.declined(reason:)` saying why.
    func supports(_ layer: LayerView) -> LayerSupport

    /// The estimate for one layer in one direction.
    func estimate(_ layer: LayerView) throws -> Estimate

    /// Whole-network terms (the weight update, gradient exchange, bounds). Only called when
    /// `hasNetworkTerms` is true.
    func estimateNetwork(_ network: NetworkView) throws -> [NetworkTerm]

    /// Whether the model has whole-network terms; `false` unless you say otherwise.
    static var hasNetworkTerms: Bool { get }

    /// What this instance costs with, as one JSON object (`describe_instance`, ABI 1.1):
    /// by convention `{"model_files": [{"path": …, "provenance": {…}}]}`, so that outputs
    /// can name the files and fits behind their numbers. `nil` (the default) says nothing.
    var instanceDescription: String? { get }
}

extension CostModel {
    public static var hasNetworkTerms: Bool { false }

    public var instanceDescription: String? { nil }

    public func estimateNetwork(_ network: NetworkView) throws -> [NetworkTerm] {
        throw PluginError.unsupported("this model has no network-level terms")
    }
}

/// A cost model that can write its answers straight into the host's structs.
///
/// For models that cost hundreds of layer-passes per estimate, building an `Estimate` for
/// each costs more than the model; the PluginAPI calls this method instead of
/// `estimate(_:)` whenever the host's struct is at least as large as this side's. Write
/// the `JOULE_ESTIMATE_*` flags for what you fill; the struct arrives zeroed.
public protocol DirectCostModel: CostModel {
    func estimate(_ layer: UnsafePointer<joule_layer>, into out: UnsafeMutablePointer<joule_estimate>) throws

    /// `count` layers at once (`estimate_layers`). The default calls the one-layer method
    /// for each; a model implements it to keep its whole loop in one specialised function.
    ///
    /// - Parameter failedIndex: set to the index being estimated when an error is thrown.
    func estimate(_ layers: UnsafePointer<UnsafePointer<joule_layer>?>, into out: UnsafePointer<UnsafeMutablePointer<joule_estimate>?>,
                  count: Int, failedIndex: inout Int) throws
}

extension DirectCostModel {
    public func estimate(_ layers: UnsafePointer<UnsafePointer<joule_layer>?>, into out: UnsafePointer<UnsafeMutablePointer<joule_estimate>?>,
                         count: Int, failedIndex: inout Int) throws {
        try estimateEach(layers, into: out, count: count, failedIndex: &failedIndex)
    }

    /// The loop behind `estimate(_:into:count:failedIndex:)`, for implementations to call:
    /// inlined into the model, it makes every per-layer call a direct one.
    @inline(__always)
    public func estimateEach(_ layers: UnsafePointer<UnsafePointer<joule_layer>?>, into out: UnsafePointer<UnsafeMutablePointer<joule_estimate>?>,
                             count: Int, failedIndex: inout Int) throws {
        let size = MemoryLayout<joule_estimate>.size
        for i in 0..<count {
            failedIndex = i
            guard let layer = layers[i], let estimate = out[i] else {
                throw PluginError.invalidArgument("estimate_layers: entry \(i) is NULL")
            }
            if Int(estimate.pointee.struct_size) >= size {
                try self.estimate(layer, into: estimate)
            } else {
                try self.estimate(LayerView(layer)).write(into: estimate)
            }
        }
    }
}

/// A cost model's answer to "can you cost this layer?".
public enum LayerSupport: Sendable, Equatable {
    /// Yes, with a quality from 1 (last resort) to 100 (the model's home ground).
    case supported(quality: Int)
    /// No, and why ("no power model for pooling layers").
    case declined(reason: String)
}

/// One option a cost model accepts (`joule_option_info`).
public struct OptionInfo: Sendable, Equatable {
    public var key: String
    /// One line, with the unit.
    public var description: String
    /// The value used when the option is absent, as text.
    public var defaultValue: String?

    public init(key: String, description: String, defaultValue: String? = nil) {
        self.key = key
        self.description = description
        self.defaultValue = defaultValue
    }
}

/// Describes a Swift cost model so the PluginAPI can publish it as a `joule_cost_model`.
public struct CostModelDefinition: Sendable {
    public var id: String
    public var version: String
    public var description: String
    public var capabilities: EstimateFlags
    public var options: [OptionInfo]
    let factory: @Sendable (HardwareProfile, [String: String]) throws -> any CostModel
    let hasNetworkTerms: Bool

    /// - Parameters:
    ///   - model: the conforming type; one instance is made per device.
    ///   - id: stable identifier, e.g. "paleo".
    ///   - capabilities: which of time, power, energy, breakdown the model fills.
    ///   - options: the option keys the model accepts.
    public init<Model: CostModel>(
        _ model: Model.Type, id: String, version: String, description: String,
        capabilities: EstimateFlags, options: [OptionInfo] = []
    ) {
        self.id = id
        self.version = version
        self.description = description
        self.capabilities = capabilities
        self.options = options
        self.factory = { try Model(profile: $0, options: $1) }
        self.hasNetworkTerms = Model.hasNetworkTerms
    }

    /// Builds the permanent descriptor.
    func makeDescriptor() -> UnsafePointer<joule_cost_model> {
        var d = joule_cost_model()
        d.struct_size = abiSize(of: joule_cost_model.self)
        d.capabilities = capabilities.rawValue
        d.id = Permanent.cString(id)
        d.version = Permanent.cString(version)
        d.description = Permanent.cString(description)
        d.plugin_data = Unmanaged.passRetained(FactoryBox(factory)).toOpaque()
        d.options = Permanent.array(options.map {
            joule_option_info(key: Permanent.cString($0.key), description: Permanent.cString($0.description),
                              default_value: Permanent.optionalCString($0.defaultValue))
        })
        d.option_count = UInt32(options.count)
        d.create = costModelCreate
        d.destroy = costModelDestroy
        d.supports = costModelSupports
        d.estimate_layer = costModelEstimateLayer
        d.estimate_network = hasNetworkTerms ? costModelEstimateNetwork : nil
        d.estimate_layers = costModelEstimateLayers
        d.describe_instance = costModelDescribeInstance
        return Permanent.value(d)
    }
}

/// What `plugin_data` of a Swift cost model points to.
private final class FactoryBox {
    let make: (HardwareProfile, [String: String]) throws -> any CostModel
    init(_ make: @escaping (HardwareProfile, [String: String]) throws -> any CostModel) { self.make = make }
}

/// What a `joule_cost_instance *` of a Swift cost model points to.
private final class InstanceBox {
    let model: any CostModel
    /// The same model when it writes straight into the host's structs.
    let direct: (any DirectCostModel)?
    /// C copies of network-term names, which the ABI says live as long as the instance.
    private var names: [String: UnsafeMutablePointer<CChar>] = [:]
    /// The C copy of the model's `instanceDescription`, made on first request; the ABI
    /// says it lives as long as the instance.
    private(set) lazy var description: UnsafePointer<CChar>? = model.instanceDescription.map { cName($0) }

    init(_ model: any CostModel) {
        self.model = model
        direct = model as? any DirectCostModel
    }

    /// The names handed out last time, in order: a model usually returns the same terms in
    /// the same order, and comparing strings is cheaper than hashing them.
    private var recent: [(String, UnsafeMutablePointer<CChar>)] = []

    func cName(_ name: String, at index: Int) -> UnsafePointer<CChar> {
        if index < recent.count, recent[index].0 == name { return UnsafePointer(recent[index].1) }
        let pointer = cName(name)
        if index < recent.count {
            recent[index] = (name, UnsafeMutablePointer(mutating: pointer))
        } else if index == recent.count {
            recent.append((name, UnsafeMutablePointer(mutating: pointer)))
        }
        return pointer
    }

    func cName(_ name: String) -> UnsafePointer<CChar> {
        if let existing = names[name] { return UnsafePointer(existing) }
        let utf8 = Array(name.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        buffer.initialize(from: utf8, count: utf8.count)
        names[name] = buffer
        return UnsafePointer(buffer)
    }

    deinit {
        for buffer in names.values { buffer.deallocate() }
    }
}

private func instanceBox(_ instance: OpaquePointer?) -> InstanceBox? {
    guard let instance else { return nil }
    return Unmanaged<InstanceBox>.fromOpaque(UnsafeRawPointer(instance)).takeUnretainedValue()
}

// The C entry points of every Swift cost model. They recover the Swift objects from the
// opaque pointers and let no Swift error escape.

private let costModelCreate: @convention(c) (
    UnsafePointer<joule_cost_model>?, UnsafePointer<joule_hardware_profile>?, UnsafePointer<joule_option>?,
    UInt32, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<joule_error>?
) -> joule_status = { model, profile, options, optionCount, out, error in
    guard let model, let box = model.pointee.plugin_data, let profile, let out else {
        error?.pointee.set("create: a required argument is NULL")
        return JOULE_INVALID_ARGUMENT
    }
    let factory = Unmanaged<FactoryBox>.fromOpaque(box).takeUnretainedValue()
    return withPluginErrors(error) {
        let hardware: HardwareProfile
        do { hardware = try HardwareProfile(descriptor: profile) } catch {
            throw PluginError.invalidArgument("hardware profile: \(error)")
        }
        var settings: [String: String] = [:]
        if let options {
            for i in 0..<Int(optionCount) {
                if let key = String(optionalCString: options[i].key) {
                    settings[key] = String(optionalCString: options[i].value) ?? ""
                }
            }
        }
        let instance = try factory.make(hardware, settings)
        out.pointee = OpaquePointer(Unmanaged.passRetained(InstanceBox(instance)).toOpaque())
    }
}

private let costModelDescribeInstance: @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>? = { instance in
    instanceBox(instance)?.description
}

private let costModelDestroy: @convention(c) (OpaquePointer?) -> Void = { instance in
    guard let instance else { return }
    Unmanaged<InstanceBox>.fromOpaque(UnsafeRawPointer(instance)).release()
}

private let costModelSupports: @convention(c) (
    OpaquePointer?, UnsafePointer<joule_layer>?, UnsafeMutablePointer<joule_error>?
) -> Int32 = { instance, layer, reason in
    guard let box = instanceBox(instance), let layer else { return 0 }
    switch box.model.supports(LayerView(layer)) {
    case .supported(let quality):
        return Int32(clamping: max(1, min(100, quality)))
    case .declined(let why):
        reason?.pointee.set(why)
        return 0
    }
}

private let costModelEstimateLayer: @convention(c) (
    OpaquePointer?, UnsafePointer<joule_layer>?, UnsafeMutablePointer<joule_estimate>?,
    UnsafeMutablePointer<joule_error>?
) -> joule_status = { instance, layer, out, error in
    guard let box = instanceBox(instance), let layer, let out else {
        error?.pointee.set("estimate_layer: a required argument is NULL")
        return JOULE_INVALID_ARGUMENT
    }
    return withPluginErrors(error) {
        try box.model.estimate(LayerView(layer)).write(into: out)
    }
}

private let costModelEstimateNetwork: @convention(c) (
    OpaquePointer?, UnsafePointer<joule_network>?, UnsafePointer<UnsafeMutablePointer<joule_network_term>?>?,
    UInt32, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<joule_error>?
) -> joule_status = { instance, network, terms, capacity, count, error in
    guard let box = instanceBox(instance), let network, let count else {
        error?.pointee.set("estimate_network: a required argument is NULL")
        return JOULE_INVALID_ARGUMENT
    }
    var computed: [NetworkTerm] = []
    let status = withPluginErrors(error) { computed = try box.model.estimateNetwork(NetworkView(network)) }
    guard status == JOULE_OK else { return status }
    count.pointee = UInt32(computed.count)
    guard computed.count <= Int(capacity) else { return JOULE_BUFFER_TOO_SMALL }
    for (i, term) in computed.enumerated() {
        guard let out = terms?[i] else {
            error?.pointee.set("estimate_network: terms[\(i)] is NULL")
            return JOULE_INVALID_ARGUMENT
        }
        term.write(into: out, name: box.cName(term.name, at: i))
    }
    return JOULE_OK
}

private let costModelEstimateLayers: @convention(c) (
    OpaquePointer?, UnsafePointer<UnsafePointer<joule_layer>?>?, UInt32,
    UnsafePointer<UnsafeMutablePointer<joule_estimate>?>?, UnsafeMutablePointer<UInt32>?, UnsafeMutablePointer<joule_error>?
) -> joule_status = { instance, layers, count, out, failedIndex, error in
    guard let box = instanceBox(instance), let layers, let out else {
        error?.pointee.set("estimate_layers: a required argument is NULL")
        return JOULE_INVALID_ARGUMENT
    }
    let size = MemoryLayout<joule_estimate>.size
    func entry(_ i: Int) -> (UnsafePointer<joule_layer>, UnsafeMutablePointer<joule_estimate>)? {
        guard let layer = layers[i], let estimate = out[i] else {
            failedIndex?.pointee = UInt32(i)
            error?.pointee.set("estimate_layers: entry \(i) is NULL")
            return nil
        }
        return (layer, estimate)
    }
    // The direct path unwraps the model once: copying the existential per layer would cost
    // more than some models.
    if let direct = box.direct {
        var failed = 0
        let status = withPluginErrors(error) {
            try direct.estimate(layers, into: out, count: Int(count), failedIndex: &failed)
        }
        if status != JOULE_OK { failedIndex?.pointee = UInt32(failed) }
        return status
    }
    let model = box.model
    for i in 0..<Int(count) {
        guard let (layer, estimate) = entry(i) else { return JOULE_INVALID_ARGUMENT }
        let status = withPluginErrors(error) { try model.estimate(LayerView(layer)).write(into: estimate) }
        if status != JOULE_OK {
            failedIndex?.pointee = UInt32(i)
            return status
        }
    }
    return JOULE_OK
}
