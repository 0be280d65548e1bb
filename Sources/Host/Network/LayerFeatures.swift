/// What one layer does in one pass, as Joule counts it: FLOPs, bytes moved, parameters.
///
/// These are the host's counts, passed to every cost model; a model with its own
/// conventions (Paleo charges pooling 2 FLOPs per window element, say) recounts. The
/// conventions, per forward pass, with N·H·W·C elements in and out:
///
/// - Convolution: 2·kh·kw·C_in·H_out·W_out·C_out·N (a multiply-add is 2 FLOPs); backward-data
///   and backward-filter cost the same; a layer fed by the data layer still has a
///   backward-data count (models decide whether to skip it).
/// - Deconvolution: the same as the convolution it transposes.
/// - InnerProduct: 2·N·D·M in each of the three directions.
/// - Pooling: kh·kw operations per output element; the backward-data pass the same.
/// - Element-wise: (inputs − 1) per output element; Concatenate, Reshape, Input: none.
/// - Activation, Dropout: 1 per element; Softmax: 3 (exp, sum, divide); Sigmoid layer: 4
///   per input element; BatchNorm: 4 per element (2 to normalise, 2 to scale and shift);
///   LRN: 2·size + 1 per element; UpSampling: none (a copy).
/// - The weight update: 2 FLOPs per parameter (w ← w − η·g).
///
/// Bytes are FP32 (4 per element): activations read, activations written, parameters
/// read. Backward passes read the output gradient and the forward input and write the
/// input gradient (data) or the weight gradient (filter).
public struct LayerFeatures: Sendable, Equatable {
    public var flops: Double
    public var inputBytes: Double
    public var outputBytes: Double
    public var weightBytes: Double

    public init(flops: Double = 0, inputBytes: Double = 0, outputBytes: Double = 0, weightBytes: Double = 0) {
        self.flops = flops
        self.inputBytes = inputBytes
        self.outputBytes = outputBytes
        self.weightBytes = weightBytes
    }
}

/// The passes of training, as the host names them.
public enum Pass: String, Sendable, CaseIterable {
    case forward, backwardData = "backward_data", backwardFilter = "backward_filter", weightUpdate = "weight_update"
}

extension Layer {
    /// Trainable parameters (weights and biases), as Paleo counts them for convolutions and
    /// InnerProducts (with a bias, unless a convolution's spec says `"bias": false`);
    /// BatchNorm has a scale and a shift per channel.
    public var params: Int64 {
        switch kind {
        case .convolution(let conv):
            return conv.filter.reduce(1, *) + (conv.hasBias ? conv.filter[3] : 0)
        case .deconvolution(let deconv):
            return deconv.filter.reduce(1, *) + deconv.filter[3]
        case .innerProduct(let outputs):
            let flat = inputShapes.first.map { $0.dropFirst().reduce(1, *) } ?? 0
            return flat * outputs + outputs
        case .batchNorm:
            return 2 * (outputShape.last ?? 0)
        default:
            return 0
        }
    }

    /// Elements of the output tensor.
    public var outputElements: Double { outputShape.reduce(1.0) { $0 * Double($1) } }

    /// Elements of all input tensors together.
    public var inputElements: Double {
        inputShapes.reduce(0.0) { $0 + $1.reduce(1.0) { $0 * Double($1) } }
    }

    /// The host's counts for one pass; see `LayerFeatures` for the conventions.
    public func features(for pass: Pass) -> LayerFeatures {
        let bytes = 4.0
        let weights = Double(params) * bytes
        let input = inputElements * bytes
        let output = outputElements * bytes
        if pass == .weightUpdate {
            return params == 0 ? LayerFeatures() : LayerFeatures(flops: 2 * Double(params), weightBytes: 3 * weights)
        }
        let forwardFlops: Double
        switch kind {
        case .convolution(let conv):
            forwardFlops = 2 * Double(conv.filter[0] * conv.filter[1] * conv.filter[2]) * outputElements
        case .deconvolution(let deconv):
            let inputElements = inputShapes.first.map { $0.reduce(1.0) { $0 * Double($1) } } ?? 0
            forwardFlops = 2 * Double(deconv.filter[0] * deconv.filter[1] * deconv.filter[2]) * inputElements
        case .innerProduct(let outputs):
            let flat = inputShapes.first.map { $0.dropFirst().reduce(1.0) { $0 * Double($1) } } ?? 0
            forwardFlops = 2 * Double(outputShape[0]) * flat * Double(outputs)
        case .pooling(let pool):
            forwardFlops = Double(pool.window[1] * pool.window[2]) * outputElements
        case .elementwise:
            forwardFlops = Double(max(inputShapes.count - 1, 0)) * outputElements
        case .activation, .dropout:
            forwardFlops = outputElements
        case .softmax:
            forwardFlops = 3 * outputElements
        case .sigmoid:
            forwardFlops = 4 * inputElements
        case .batchNorm:
            forwardFlops = 4 * outputElements
        case .lrn(let size):
            forwardFlops = Double(2 * size + 1) * outputElements
        case .input, .concatenate, .reshape, .upsampling, .generic:
            forwardFlops = 0
        }
        switch pass {
        case .forward:
            return LayerFeatures(flops: forwardFlops, inputBytes: input, outputBytes: output, weightBytes: weights)
        case .backwardData:
            if case .input = kind { return LayerFeatures() }
            // Reads the output gradient (and the weights), writes the input gradient.
            return LayerFeatures(flops: forwardFlops, inputBytes: output, outputBytes: input, weightBytes: weights)
        case .backwardFilter:
            guard kind.hasWeights else { return LayerFeatures() }
            // Reads the forward input and the output gradient, writes the weight gradient.
            return LayerFeatures(flops: forwardFlops, inputBytes: input + output, outputBytes: weights, weightBytes: 0)
        case .weightUpdate:
            return LayerFeatures()
        }
    }
}

extension Network {
    /// Trainable parameters of the whole network.
    public var params: Int64 { layers.reduce(0) { $0 + $1.params } }

    /// Bytes of every layer's output at the current batch (FP32).
    public var activationBytes: Double { layers.reduce(0.0) { $0 + 4 * $1.outputElements } }
}
