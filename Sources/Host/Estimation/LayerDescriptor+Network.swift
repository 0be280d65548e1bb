import Network
import PluginAPI
import Registry

extension LayerDescriptor {
    /// How the host describes `layer` of `network` to cost models, for one pass.
    ///
    /// - Parameters:
    ///   - index: the layer's index in `network.layers`.
    ///   - pass: which pass; FLOPs and bytes are the host's counts for it.
    public init(layer index: Int, of network: Network, pass: PassDirection) {
        let layer = network.layers[index]
        let features = layer.features(for: Pass(pass))
        var descriptor = LayerDescriptor(
            name: layer.name, typeName: layer.typeName, operation: .unknown(0), direction: pass,
            batch: network.batch, inputShapes: layer.inputShapes, outputShape: layer.outputShape,
            params: layer.params, flops: features.flops, inputBytes: features.inputBytes,
            outputBytes: features.outputBytes, weightBytes: features.weightBytes, device: layer.device,
            inputDevices: layer.parents.map { network.layers[$0].device }, specBatch: network.specBatch)
        var flags: LayerFlags = []
        if layer.isDead { flags.insert(.dead) }
        // Paleo's rule: a layer whose parents include the data layer gets no data gradient.
        if layer.parents.contains(where: { network.layers[$0].name == "data" }) { flags.insert(.fedByInput) }

        func windowed(kernel: (Int64, Int64), strides: [Int64], padding: SpecPadding, pad: (height: Int64, width: Int64)) {
            descriptor.kernel = .init(height: kernel.0, width: kernel.1)
            descriptor.stride = .init(height: strides[1], width: strides[2])
            switch padding {
            case .same: descriptor.paddingMode = .same
            case .valid: descriptor.paddingMode = .valid
            case .explicit: descriptor.paddingMode = .explicit
            }
            descriptor.padding = .init(top: pad.height, bottom: pad.height, left: pad.width, right: pad.width)
        }

        switch layer.kind {
        case .input:
            descriptor.operation = .input
        case .convolution(let conv):
            descriptor.operation = .convolution
            if conv.hasBias { flags.insert(.hasBias) }
            windowed(kernel: (conv.filter[0], conv.filter[1]), strides: conv.strides, padding: conv.padding, pad: conv.pad)
        case .deconvolution(let deconv):
            descriptor.operation = .deconvolution
            flags.insert(.hasBias)
            windowed(kernel: (deconv.filter[0], deconv.filter[1]), strides: deconv.strides, padding: deconv.padding, pad: deconv.pad)
        case .pooling(let pool):
            descriptor.operation = .pooling
            descriptor.variant = UInt32(pool.function == .max ? JOULE_POOL_MAX : JOULE_POOL_AVERAGE)
            windowed(kernel: (pool.window[1], pool.window[2]), strides: pool.strides, padding: pool.padding, pad: (0, 0))
        case .innerProduct:
            descriptor.operation = .fullyConnected
            flags.insert(.hasBias)
        case .concatenate:
            descriptor.operation = .concat
        case .elementwise(let operation):
            descriptor.operation = .elementwise
            let variant: Int32 = switch operation {
            case .sum: JOULE_ELEMENTWISE_SUM
            case .product: JOULE_ELEMENTWISE_PRODUCT
            case .max: JOULE_ELEMENTWISE_MAX
            }
            descriptor.variant = UInt32(variant)
        case .dropout:
            descriptor.operation = .dropout
        case .softmax:
            descriptor.operation = .softmax
        case .sigmoid:
            descriptor.operation = .activation
            descriptor.variant = UInt32(JOULE_ACTIVATION_SIGMOID)
        case .reshape:
            descriptor.operation = .reshape
        case .upsampling(let factors):
            descriptor.operation = .upsampling
            descriptor.kernel = .init(height: factors[1], width: factors[2])
        case .batchNorm:
            descriptor.operation = .batchNorm
        case .activation(let function):
            descriptor.operation = .activation
            let variant: Int32 = switch function {
            case .relu: JOULE_ACTIVATION_RELU
            case .sigmoid: JOULE_ACTIVATION_SIGMOID
            case .tanh: JOULE_ACTIVATION_TANH
            default: JOULE_ACTIVATION_OTHER
            }
            descriptor.variant = UInt32(variant)
        case .lrn(let size):
            descriptor.operation = .lrn
            descriptor.kernel = .init(height: 1, width: size)
        case .generic:
            descriptor.operation = .unknown(UInt32(JOULE_OP_UNKNOWN))
        }
        descriptor.flags = flags
        self = descriptor
    }
}

extension Pass {
    /// The host's pass for an ABI direction.
    init(_ direction: PassDirection) {
        switch direction {
        case .forward: self = .forward
        case .backwardData: self = .backwardData
        case .backwardFilter: self = .backwardFilter
        case .weightUpdate: self = .weightUpdate
        }
    }
}
