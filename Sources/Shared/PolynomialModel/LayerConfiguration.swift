import PluginAPI

/// The layer types that get their own runtime and power polynomials.
///
/// NeuralPower (Cai et al., ACML 2017) fits convolution, fully connected and pooling layers;
/// Joule adds element-wise, batch-norm, activation and concatenation layers, which the
/// original left at zero but which dominate small networks once each kernel launch counts.
public enum LayerCategory: String, CaseIterable, Sendable, Hashable, Comparable {
    case convolution
    case fullyConnected = "fully_connected"
    case pooling
    case elementwise
    case batchNorm = "batch_norm"
    case activation
    case concat

    /// The configuration variables a polynomial of this category is written in, in order.
    ///
    /// Spatial sizes are the side of a square with the same area (√(H·W)), kernels and
    /// strides likewise, so one variable stands for both axes as in NeuralPower's features.
    /// Every variable is positive, which keeps log2 terms finite.
    public var variables: [String] {
        switch self {
        case .convolution:
            ["batch", "in_channels", "out_channels", "input_size", "output_size", "kernel_size", "stride"]
        case .fullyConnected:
            ["batch", "in_features", "out_features"]
        case .pooling:
            ["batch", "channels", "input_size", "output_size", "kernel_size", "stride"]
        case .elementwise:
            ["batch", "channels", "size", "inputs"]
        case .batchNorm, .activation:
            ["batch", "channels", "size"]
        case .concat:
            ["batch", "out_channels", "size", "inputs"]
        }
    }

    /// The category of an operation; `nil` for operations no polynomial covers (softmax,
    /// dropout, reshape, LRN, upsampling, deconvolution, input).
    public init?(operation: LayerOperation) {
        switch operation {
        case .convolution: self = .convolution
        case .fullyConnected: self = .fullyConnected
        case .pooling: self = .pooling
        case .elementwise: self = .elementwise
        case .batchNorm: self = .batchNorm
        case .activation: self = .activation
        case .concat: self = .concat
        default: return nil
        }
    }

    /// "convolution layers", for messages.
    public var plural: String { rawValue.replacingOccurrences(of: "_", with: "-") + " layers" }

    public static func < (a: LayerCategory, b: LayerCategory) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One layer as the polynomials see it: its category, the values of the category's
/// configuration variables, and the two special terms of the runtime model.
public struct LayerConfiguration: Hashable, Sendable {
    public var category: LayerCategory
    /// Values of `category.variables`, in that order.
    public var values: [Double]
    /// FLOPs of the pass (a multiply-add is 2), as the host counts them.
    public var flops: Double
    /// Bytes read and written: activations in and out plus parameters.
    public var memoryBytes: Double

    public init(category: LayerCategory, values: [Double], flops: Double, memoryBytes: Double) {
        precondition(values.count == category.variables.count, "one value per variable of \(category)")
        self.category = category
        self.values = values
        self.flops = flops
        self.memoryBytes = memoryBytes
    }

    /// The value of a variable by name (`batch`, `in_channels`, …, `flops`, `memory_bytes`).
    public func value(of name: String) -> Double? {
        if name == "flops" { return flops }
        if name == "memory_bytes" { return memoryBytes }
        return category.variables.firstIndex(of: name).map { values[$0] }
    }

    /// The configuration of a layer the host described; `nil` when no category covers its
    /// operation.
    public init?(_ layer: LayerView) {
        guard let category = LayerCategory(operation: layer.operation) else { return nil }
        let inputs = layer.inputShapes
        let input = inputs.first ?? []
        let output = layer.outputShape
        let batch = Double(layer.batch)
        let kernel = (Double(layer.kernel.height) * Double(layer.kernel.width)).squareRoot()
        let stride = (Double(layer.stride.height) * Double(layer.stride.width)).squareRoot()
        let values: [Double]
        switch category {
        case .convolution:
            values = [batch, channels(input), channels(output), side(input), side(output), kernel, stride]
        case .fullyConnected:
            values = [batch, Double(input.dropFirst().reduce(1, *)), channels(output)]
        case .pooling:
            values = [batch, channels(input), side(input), side(output), kernel, stride]
        case .elementwise:
            values = [batch, channels(output), side(output), Double(max(inputs.count, 1))]
        case .batchNorm, .activation:
            values = [batch, channels(output), side(output)]
        case .concat:
            values = [batch, channels(output), side(output), Double(max(inputs.count, 1))]
        }
        self.init(category: category, values: values, flops: layer.flops,
                  memoryBytes: layer.inputBytes + layer.outputBytes + layer.weightBytes)
    }
}

/// Channels of an NHWC or `[N, D]` shape: its last dimension.
private func channels(_ shape: [Int64]) -> Double {
    Double(max(shape.last ?? 1, 1))
}

/// The side of the square with the spatial area of an NHWC shape; 1 for `[N, D]`.
private func side(_ shape: [Int64]) -> Double {
    guard shape.count == 4 else { return 1 }
    return (Double(shape[1]) * Double(shape[2])).squareRoot()
}
