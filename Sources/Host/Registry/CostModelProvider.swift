import PluginAPI

/// A cost model as the host sees it, whatever it is made of: a `joule_cost_model` vtable
/// from a plugin library, or C functions described by an FFI manifest.
public protocol CostModelProvider: Sendable {
    var id: String { get }
    var version: String { get }
    var description: String { get }
    /// What the model can fill: time, power, energy, breakdown.
    var capabilities: EstimateFlags { get }
    /// The options `create` accepts.
    var options: [OptionInfo] { get }
    /// Whether the model adds whole-network terms (gradient exchange and the like).
    var hasNetworkTerms: Bool { get }

    /// Makes an instance bound to one device. Option keys were already checked.
    func makeInstance(profile: ProfileEntry, options: [String: String]) throws(CostModelFailure) -> any CostModelInstance
}

/// One instance of a cost model, bound to one device. Not thread-safe: give each thread
/// its own.
public protocol CostModelInstance: AnyObject {
    /// How well the model covers `layer`. In-process instances never fail here; an
    /// isolated one fails when its helper process crashed or hung.
    func support(for layer: LayerDescriptor) throws(CostModelFailure) -> LayerSupport
    /// The raw estimate, not yet checked.
    func estimate(_ layer: LayerDescriptor) throws(CostModelFailure) -> Estimate
    /// The raw network-level terms; only called when the provider has network terms.
    func estimateNetwork(_ network: PreparedNetwork) throws(CostModelFailure) -> [NetworkTerm]
    /// Raw estimates of every layer of `batch`, written into its results.
    ///
    /// - Throws: the failure and the index of the layer that failed.
    func estimate(_ batch: LayerBatch) throws(BatchFailure)
    /// What the instance costs with, as the model describes it (`describe_instance`, ABI
    /// 1.1): one JSON object's text, or nil when the model says nothing.
    var instanceDescription: String? { get }
}

extension CostModelInstance {
    public var instanceDescription: String? { nil }
}

/// A failed batch call: which layer, and what the model said.
public struct BatchFailure: Error, Sendable, Equatable {
    /// The layer at fault; nil when no single layer could be named (an isolated plugin that
    /// crashed in a batch call but not when asked about each layer alone).
    public var index: Int?
    public var failure: CostModelFailure
}

/// What a cost model said when a call failed: its status and message, before the host
/// adds which plugin, model and layer it was.
public struct CostModelFailure: Error, Sendable, Equatable {
    public var status: Int32
    public var message: String

    public init(status: Int32, message: String) {
        self.status = status
        self.message = message
    }
}
