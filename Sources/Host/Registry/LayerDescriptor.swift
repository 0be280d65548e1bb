import PluginAPI

/// One layer in one direction, as the host describes it to cost models: the Swift value
/// behind the `joule_layer` the ABI passes.
///
/// The network reader fills these from a spec (shapes inferred, FLOPs and bytes counted);
/// `withCDescriptor` lends it to C for the duration of one call.
public struct LayerDescriptor: Sendable, Equatable {
    /// Height and width of a window, stride or dilation.
    public struct Extent: Sendable, Equatable {
        public var height: Int64
        public var width: Int64
        public init(height: Int64, width: Int64) {
            self.height = height
            self.width = width
        }
        public static let one = Extent(height: 1, width: 1)
        public static let zero = Extent(height: 0, width: 0)
    }

    /// Padding on each side, in elements; may be negative (Paleo's SAME rule).
    public struct Padding: Sendable, Equatable {
        public var top: Int64, bottom: Int64, left: Int64, right: Int64
        public init(top: Int64 = 0, bottom: Int64 = 0, left: Int64 = 0, right: Int64 = 0) {
            self.top = top
            self.bottom = bottom
            self.left = left
            self.right = right
        }
    }

    public var name: String
    public var typeName: String
    public var operation: LayerOperation
    /// `JOULE_POOL_*`, `JOULE_ELEMENTWISE_*` or `JOULE_ACTIVATION_*`; 0 otherwise.
    public var variant: UInt32
    public var direction: PassDirection
    public var flags: LayerFlags
    public var precision: Precision
    public var batch: Int64
    /// NHWC (or [N, D]) shapes of the inputs, one per parent.
    public var inputShapes: [[Int64]]
    public var outputShape: [Int64]
    public var paddingMode: PaddingMode
    public var kernel: Extent
    public var stride: Extent
    public var padding: Padding
    public var dilation: Extent
    public var groups: Int64
    public var params: Int64
    /// FLOPs of this direction.
    public var flops: Double
    public var inputBytes: Double
    public var outputBytes: Double
    public var weightBytes: Double
    /// Model-parallel placement (Paleo's `@k`); `nil` for the default device.
    public var device: String?
    /// Placement of each input's producer, parallel to `inputShapes`.
    public var inputDevices: [String?]
    /// The batch written in the spec, which `batch` may override.
    public var specBatch: Int64

    public init(
        name: String, typeName: String, operation: LayerOperation, variant: UInt32 = 0,
        direction: PassDirection = .forward, flags: LayerFlags = [], precision: Precision = .fp32,
        batch: Int64, inputShapes: [[Int64]], outputShape: [Int64], paddingMode: PaddingMode = .valid,
        kernel: Extent = .zero, stride: Extent = .one, padding: Padding = Padding(), dilation: Extent = .one,
        groups: Int64 = 1, params: Int64 = 0, flops: Double = 0, inputBytes: Double = 0,
        outputBytes: Double = 0, weightBytes: Double = 0, device: String? = nil, inputDevices: [String?]? = nil,
        specBatch: Int64? = nil
    ) {
        self.name = name
        self.typeName = typeName
        self.operation = operation
        self.variant = variant
        self.direction = direction
        self.flags = flags
        self.precision = precision
        self.batch = batch
        self.inputShapes = inputShapes
        self.outputShape = outputShape
        self.paddingMode = paddingMode
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.params = params
        self.flops = flops
        self.inputBytes = inputBytes
        self.outputBytes = outputBytes
        self.weightBytes = weightBytes
        self.device = device
        self.inputDevices = inputDevices ?? Array(repeating: nil, count: inputShapes.count)
        self.specBatch = specBatch ?? batch
    }

    /// Lends the layer to C as a `joule_layer` valid only inside `body`.
    public func withCDescriptor<R>(_ body: (UnsafePointer<joule_layer>) throws -> R) rethrows -> R {
        let arena = CArena()
        return try withExtendedLifetime(arena) {
            try withUnsafePointer(to: makeCDescriptor(in: arena)) { try body($0) }
        }
    }

    /// A `joule_layer` whose strings and arrays live as long as `arena`.
    ///
    /// Shapes of more than `JOULE_MAX_RANK` dimensions are truncated; the network reader
    /// never produces them.
    func makeCDescriptor(in arena: CArena) -> joule_layer {
        let shapes = inputShapes.map { joule_shape(dimensions: Array($0.prefix(Int(JOULE_MAX_RANK)))) ?? joule_shape() }
        var d = joule_layer()
        d.struct_size = abiSize(of: joule_layer.self)
        d.op = operation.rawValue
        d.variant = variant
        d.direction = direction.rawValue
        d.flags = flags.rawValue
        d.precision = precision.rawValue
        d.name = arena.cString(name)
        d.type_name = arena.cString(typeName)
        d.batch = batch
        d.input_count = UInt32(shapes.count)
        d.padding_mode = paddingMode.rawValue
        d.inputs = arena.array(shapes)
        d.output = joule_shape(dimensions: Array(outputShape.prefix(Int(JOULE_MAX_RANK)))) ?? joule_shape()
        d.kernel = (kernel.height, kernel.width)
        d.stride = (stride.height, stride.width)
        d.padding = (padding.top, padding.bottom, padding.left, padding.right)
        d.dilation = (dilation.height, dilation.width)
        d.groups = groups
        d.params = params
        d.flops = flops
        d.input_bytes = inputBytes
        d.output_bytes = outputBytes
        d.weight_bytes = weightBytes
        d.device = device.map { arena.cString($0) }
        d.input_devices = inputDevices.contains { $0 != nil }
            ? arena.array(inputDevices.map { $0.map { arena.cString($0) } }) : nil
        d.spec_batch = specBatch
        return d
    }
}

/// A whole network as the host describes it for network-level terms (`joule_network`).
public struct NetworkDescriptor: Sendable, Equatable {
    public var name: String
    public var isTraining: Bool
    public var batch: Int64
    public var precision: Precision
    /// Forward-direction layers, in topological order.
    public var layers: [LayerDescriptor]
    public var params: Int64
    public var weightBytes: Double
    /// The parents of each layer, as indices into `layers`.
    public var parents: [[Int]]

    public init(name: String, isTraining: Bool, batch: Int64, precision: Precision = .fp32,
                layers: [LayerDescriptor], params: Int64, weightBytes: Double, parents: [[Int]]? = nil) {
        self.name = name
        self.isTraining = isTraining
        self.batch = batch
        self.precision = precision
        self.layers = layers
        self.params = params
        self.weightBytes = weightBytes
        self.parents = parents ?? Array(repeating: [], count: layers.count)
    }

}

/// A network lent to C once and used for many calls (its C structs are built once).
public final class PreparedNetwork {
    public let descriptor: NetworkDescriptor
    private let arena = CArena()
    let pointer: UnsafePointer<joule_network>

    public init(_ descriptor: NetworkDescriptor) {
        self.descriptor = descriptor
        let arena = self.arena
        let layerPointers = descriptor.layers.map { Optional(UnsafePointer(arena.value($0.makeCDescriptor(in: arena)))) }
        var d = joule_network()
        d.struct_size = abiSize(of: joule_network.self)
        d.mode = UInt32(descriptor.isTraining ? JOULE_MODE_TRAINING : JOULE_MODE_INFERENCE)
        d.name = arena.cString(descriptor.name)
        d.batch = descriptor.batch
        d.layer_count = UInt32(layerPointers.count)
        d.precision = descriptor.precision.rawValue
        d.layers = arena.array(layerPointers)
        d.params = descriptor.params
        d.weight_bytes = descriptor.weightBytes
        var offsets: [UInt32] = [0]
        var indices: [UInt32] = []
        for i in descriptor.layers.indices {
            indices += (i < descriptor.parents.count ? descriptor.parents[i] : []).map { UInt32($0) }
            offsets.append(UInt32(indices.count))
        }
        d.parent_offsets = arena.array(offsets)
        d.parent_indices = arena.array(indices)
        pointer = UnsafePointer(arena.value(d))
    }
}

/// Memory lent to C for the length of one call, freed all at once.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        buffer.initialize(from: utf8, count: utf8.count)
        allocations.append(UnsafeMutableRawPointer(buffer))
        return UnsafePointer(buffer)
    }

    func array<T>(_ items: [T]) -> UnsafePointer<T>? {
        guard !items.isEmpty else { return nil }
        let buffer = UnsafeMutablePointer<T>.allocate(capacity: items.count)
        buffer.initialize(from: items, count: items.count)
        allocations.append(UnsafeMutableRawPointer(buffer))
        return UnsafePointer(buffer)
    }

    func value<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let buffer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        buffer.initialize(to: value)
        allocations.append(UnsafeMutableRawPointer(buffer))
        return buffer
    }

    deinit {
        // Everything stored here is a trivial C value: deallocation is all it needs.
        for pointer in allocations { pointer.deallocate() }
    }
}

/// Layers lent to C once and estimated many times: the host's fast path.
///
/// Building a `joule_layer` allocates (names, shapes); an estimate of a whole training
/// step asks about hundreds of layer-directions, so the C structs are built once here.
/// Results land in an `EstimateBuffer` that is reused while nobody else holds it and
/// replaced when someone does (copy on write), so a caller may keep the results of one call
/// while making the next. Not thread-safe: one batch per thread.
public final class LayerBatch {
    public let layers: [LayerDescriptor]
    private let arena = CArena()
    let layerPointers: UnsafeMutablePointer<UnsafePointer<joule_layer>?>
    let resultPointers: UnsafeMutablePointer<UnsafeMutablePointer<joule_estimate>?>
    /// The results of the last call.
    public private(set) var buffer: EstimateBuffer

    public init(_ layers: [LayerDescriptor]) {
        self.layers = layers
        let count = max(layers.count, 1)
        layerPointers = .allocate(capacity: count)
        resultPointers = .allocate(capacity: count)
        buffer = EstimateBuffer(count: layers.count)
        // One contiguous array of structs, walked in order by the model: cache-friendly.
        let structs = arena.array(layers.map { $0.makeCDescriptor(in: arena) })
        for i in layers.indices { layerPointers[i] = structs.map { $0 + i } }
        pointAtBuffer()
    }

    public var count: Int { layers.count }

    private func pointAtBuffer() {
        for i in 0..<layers.count { resultPointers[i] = buffer.results + i }
    }

    /// Readies the results for a call: a fresh buffer if the last one is still held
    /// elsewhere, then every result zeroed with its `struct_size` and detail buffer set.
    func resetResults() {
        if !isKnownUniquelyReferenced(&buffer) {
            buffer = EstimateBuffer(count: layers.count)
            pointAtBuffer()
        }
        buffer.reset()
    }

    /// The estimate of layer `i` after the last call.
    public func result(_ i: Int) -> Estimate {
        buffer.estimate(i)
    }

    deinit {
        layerPointers.deallocate()
        resultPointers.deallocate()
    }
}

/// The raw `joule_estimate`s of one batch call, with a detail buffer for each.
public final class EstimateBuffer: @unchecked Sendable {
    /// Bytes of detail text each estimate may carry.
    static let detailCapacity = 256
    public let count: Int
    /// The raw results, for reading only; valid as long as the buffer.
    public let results: UnsafeMutablePointer<joule_estimate>
    private let details: UnsafeMutablePointer<CChar>
    /// The results as `reset` leaves them: zeroed, with size and detail buffer set.
    private let empty: UnsafeMutablePointer<joule_estimate>

    init(count: Int) {
        self.count = count
        results = .allocate(capacity: max(count, 1))
        details = .allocate(capacity: max(count, 1) * Self.detailCapacity)
        empty = .allocate(capacity: max(count, 1))
        details.initialize(repeating: 0, count: max(count, 1) * Self.detailCapacity)
        let size = abiSize(of: joule_estimate.self)
        for i in 0..<max(count, 1) {
            empty[i] = joule_estimate(
                struct_size: size, flags: 0, time_seconds: 0, power_watts: 0, energy_joules: 0, compute_seconds: 0,
                memory_seconds: 0, detail: details + i * Self.detailCapacity, detail_capacity: Self.detailCapacity,
                flops: 0, memory_bytes: 0)
        }
        results.initialize(from: empty, count: max(count, 1))
    }

    /// Zeroes every result (the ABI promises zeroed structs) and sets what the host owns,
    /// by copying a prepared image of the empty results in one block. A detail buffer is
    /// cleared only when the last call flagged it, so its memory is not touched otherwise.
    func reset() {
        if mayHoldDetail {
            for i in 0..<count where results[i].flags & JOULE_ESTIMATE_DETAIL != 0 {
                details[i * Self.detailCapacity] = 0
            }
        }
        mayHoldDetail = true
        UnsafeMutableRawPointer(results).copyMemory(from: empty, byteCount: count * MemoryLayout<joule_estimate>.stride)
    }

    /// False once a pass over the results (the host's check) found no detail flagged, so
    /// that the next `reset` can skip looking.
    var mayHoldDetail = true

    /// Result `i` as an `Estimate`.
    public func estimate(_ i: Int) -> Estimate { Estimate(results + i) }

    deinit {
        results.deallocate()
        details.deallocate()
        empty.deallocate()
    }
}
