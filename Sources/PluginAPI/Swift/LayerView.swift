/// A read-only Swift view of the `joule_layer` the host passed to a cost model.
///
/// Valid only during the call it was passed to, like the descriptor itself: copy out what
/// you keep. Shapes are the forward pass's; `flops` and the byte counts are for `direction`.
public struct LayerView {
    /// The host's descriptor.
    public let pointer: UnsafePointer<joule_layer>

    public init(_ pointer: UnsafePointer<joule_layer>) {
        self.pointer = pointer
    }

    private var d: joule_layer { pointer.pointee }

    public var operation: LayerOperation { LayerOperation(rawValue: d.op) }
    /// `JOULE_POOL_*`, `JOULE_ELEMENTWISE_*` or `JOULE_ACTIVATION_*` for those ops.
    public var variant: UInt32 { d.variant }
    /// `nil` for a direction this side does not know.
    public var direction: PassDirection? { PassDirection(rawValue: d.direction) }
    public var flags: LayerFlags { LayerFlags(rawValue: d.flags) }
    public var precision: Precision? { Precision(rawValue: d.precision) }
    public var name: String { String(optionalCString: d.name) ?? "" }
    public var typeName: String { String(optionalCString: d.type_name) ?? "" }
    public var batch: Int64 { d.batch }
    public var paddingMode: PaddingMode? { PaddingMode(rawValue: d.padding_mode) }

    /// Input shapes, one per parent.
    public var inputShapes: [[Int64]] {
        guard d.input_count > 0, let inputs = d.inputs else { return [] }
        return (0..<Int(d.input_count)).map { inputs[$0].dimensions }
    }

    public var outputShape: [Int64] { d.output.dimensions }
    /// (height, width) of the window.
    public var kernel: (height: Int64, width: Int64) { (d.kernel.0, d.kernel.1) }
    public var stride: (height: Int64, width: Int64) { (d.stride.0, d.stride.1) }
    public var padding: (top: Int64, bottom: Int64, left: Int64, right: Int64) {
        (d.padding.0, d.padding.1, d.padding.2, d.padding.3)
    }
    public var dilation: (height: Int64, width: Int64) { (d.dilation.0, d.dilation.1) }
    public var groups: Int64 { d.groups }
    public var params: Int64 { d.params }
    public var flops: Double { d.flops }
    public var inputBytes: Double { d.input_bytes }
    public var outputBytes: Double { d.output_bytes }
    public var weightBytes: Double { d.weight_bytes }
    /// The device tag of a model-parallel placement; `nil` for the default device.
    public var device: String? { String(optionalCString: d.device) }
    /// The device tags of each input's producer; `nil` entries for the default device.
    public var inputDevices: [String?] {
        guard d.input_count > 0 else { return [] }
        guard let devices = d.input_devices else { return Array(repeating: nil, count: Int(d.input_count)) }
        return (0..<Int(d.input_count)).map { String(optionalCString: devices[$0]) }
    }
    /// The batch written in the spec.
    public var specBatch: Int64 { d.spec_batch }
}

/// A read-only Swift view of the `joule_network` passed to `estimate_network`.
public struct NetworkView {
    public let pointer: UnsafePointer<joule_network>

    public init(_ pointer: UnsafePointer<joule_network>) {
        self.pointer = pointer
    }

    private var d: joule_network { pointer.pointee }

    public var name: String { String(optionalCString: d.name) ?? "" }
    public var isTraining: Bool { d.mode == UInt32(JOULE_MODE_TRAINING) }
    public var batch: Int64 { d.batch }
    public var precision: Precision? { Precision(rawValue: d.precision) }
    public var params: Int64 { d.params }
    public var weightBytes: Double { d.weight_bytes }

    /// The forward-direction layers, in topological order.
    public var layers: [LayerView] {
        guard d.layer_count > 0, let layers = d.layers else { return [] }
        return (0..<Int(d.layer_count)).compactMap { layers[$0].map(LayerView.init) }
    }

    /// The parents of each layer, as indices into `layers`.
    public var parents: [[Int]] {
        guard d.layer_count > 0, let offsets = d.parent_offsets, let indices = d.parent_indices else {
            return Array(repeating: [], count: Int(d.layer_count))
        }
        return (0..<Int(d.layer_count)).map { i in
            (Int(offsets[i])..<Int(offsets[i + 1])).map { Int(indices[$0]) }
        }
    }
}

extension joule_shape {
    /// The dimensions in use (`dims[0..<rank]`), clamped to `JOULE_MAX_RANK`.
    public var dimensions: [Int64] {
        let rank = min(Int(self.rank), Int(JOULE_MAX_RANK))
        return withUnsafeBytes(of: dims) { raw in
            Array(raw.bindMemory(to: Int64.self).prefix(rank))
        }
    }

    /// A shape holding `dimensions`; `nil` when there are more than `JOULE_MAX_RANK`.
    public init?(dimensions: [Int64]) {
        guard dimensions.count <= Int(JOULE_MAX_RANK) else { return nil }
        self.init()
        rank = UInt32(dimensions.count)
        withUnsafeMutableBytes(of: &dims) { raw in
            let out = raw.bindMemory(to: Int64.self)
            for (i, value) in dimensions.enumerated() { out[i] = value }
        }
    }
}
