/// What a layer computes, with the settings its spec gives, in Paleo's vocabulary and
/// layouts (NHWC activations, `[kh, kw, in, out]` filters, `[1, h, w, 1]` windows).
public enum LayerKind: Sendable, Equatable {
    /// The network's input; `tensor` as written (batch first).
    case input(tensor: [Int64])
    case convolution(Convolution)
    case deconvolution(Deconvolution)
    case pooling(Pooling)
    /// A fully connected layer (Paleo's InnerProduct); a 4-D input is flattened.
    case innerProduct(outputs: Int64)
    /// Joins inputs along `dimension` (3 is channels in NHWC; negative counts from the end).
    case concatenate(dimension: Int)
    /// An element-wise combination of same-shaped inputs.
    case elementwise(ElementwiseOperation)
    case dropout(keepProbability: Double)
    /// Paleo's Softmax: output `[N, classes]`, classes defaulting to the input's last dimension.
    case softmax(classes: Int64?)
    /// Paleo's Sigmoid layer, whose output is `[N, 1]` (a binary classifier head).
    case sigmoid
    /// Reshape to `shape`; a `-1` entry is inferred.
    case reshape(shape: [Int64])
    /// Nearest-neighbour upsampling by the window's height and width factors.
    case upsampling(factors: [Int64])
    /// Batch normalisation (not in Paleo).
    case batchNorm
    /// A shape-preserving activation function (not a layer in Paleo).
    case activation(ActivationFunction)
    /// Local response normalisation across `size` channels (not in Paleo).
    case lrn(size: Int64)
    /// A type Joule does not know, passed through as Paleo does (output shape = input shape,
    /// no cost in Paleo); only with `allowUnknownTypes`.
    case generic

    /// Whether the layer has trainable parameters.
    public var hasWeights: Bool {
        switch self {
        case .convolution, .deconvolution, .innerProduct, .batchNorm: true
        default: false
        }
    }
}

/// How a windowed layer pads, as a Paleo spec writes it.
public enum SpecPadding: Sendable, Equatable {
    case same
    case valid
    /// Explicit `[pad_h, pad_w]` on each side.
    case explicit(height: Int64, width: Int64)
}

/// A 2-D convolution.
public struct Convolution: Sendable, Equatable {
    /// `[kh, kw, in, out]`; `in` is resolved from the input when the spec writes -1, and
    /// `out` is already divided by `splits` under model parallelism.
    public var filter: [Int64]
    /// `[1, sh, sw, 1]`.
    public var strides: [Int64]
    public var padding: SpecPadding
    /// Model-parallel splits the filter's output channels were divided by (Paleo).
    public var splits: Int64?
    /// The filter as the spec wrote it (for writing it back).
    public var specFilter: [Int64]
    /// Whether the layer adds a bias per output channel. Paleo's convolutions always do;
    /// a spec turns it off with `"bias": false` (a Joule extension, used by NB201, whose
    /// convolutions are followed by BatchNorm).
    public var hasBias: Bool = true

    /// Padding along height and width as Paleo computes it for the forward pass; may be -1.
    public var pad: (height: Int64, width: Int64) = (0, 0)

    public static func == (a: Convolution, b: Convolution) -> Bool {
        a.filter == b.filter && a.strides == b.strides && a.padding == b.padding && a.splits == b.splits
            && a.pad == b.pad && a.hasBias == b.hasBias
    }
}

/// A transposed convolution, described as Paleo describes it: by the convolution whose
/// input gradient it is.
public struct Deconvolution: Sendable, Equatable {
    /// `[kh, kw, C, K]` of that convolution: C is this layer's output channels, K its input's.
    public var filter: [Int64]
    public var strides: [Int64]
    public var padding: SpecPadding
    /// The output shape as the spec writes it, at the spec's batch.
    public var outputShape: [Int64]
    /// Padding of the equivalent convolution (Paleo's rule).
    public var pad: (height: Int64, width: Int64) = (0, 0)

    public static func == (a: Deconvolution, b: Deconvolution) -> Bool {
        a.filter == b.filter && a.strides == b.strides && a.padding == b.padding && a.outputShape == b.outputShape
            && a.pad == b.pad
    }
}

/// Max or average pooling.
public struct Pooling: Sendable, Equatable {
    public enum Function: String, Sendable, Equatable { case max, average }
    public var function: Function
    /// `[1, kh, kw, 1]`.
    public var window: [Int64]
    /// `[1, sh, sw, 1]`.
    public var strides: [Int64]
    /// SAME or VALID (Paleo accepts nothing else for pooling).
    public var padding: SpecPadding
}

/// How an element-wise layer combines its inputs.
public enum ElementwiseOperation: String, Sendable, Equatable, CaseIterable {
    case sum, product, max
}

/// A shape-preserving activation function.
public enum ActivationFunction: String, Sendable, Equatable, CaseIterable {
    case relu, sigmoid, tanh, elu, gelu, swish, leakyRelu = "leaky_relu"
    /// x ↦ 0: how eager frameworks run an edge that carries nothing (NAS-Bench-201's
    /// `none` operation is `x.mul(0.)` in PyTorch), a real element-wise kernel.
    case zero
}
