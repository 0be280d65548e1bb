import PluginAPI

/// One layer as Paleo's FlopsProfiler sees it, built from the host's `joule_layer`.
///
/// Paleo models five kinds of layer (convolution, deconvolution, inner product, pooling,
/// dropout); every other layer costs nothing but its remote fetches.
enum PaleoLayer {
    case convolution(PaleoConvolution, backprop: Bool)
    /// A deconvolution as Paleo builds it: the convolution it transposes, the equivalent
    /// convolution (the transposed one's input gradient) and the filter-gradient convolution
    /// of that, all at the spec's batch.
    case deconvolution(transposed: PaleoConvolution, equivalent: PaleoConvolution, backFilters: PaleoConvolution, backprop: Bool)
    /// X [N, D] × W [D, M] = Y [N, M].
    case innerProduct(n: Int64, d: Int64, m: Int64)
    case pooling(inputs: (Int64, Int64, Int64, Int64), outputs: (Int64, Int64, Int64, Int64), kernelH: Int64, kernelW: Int64)
    case dropout(elements: Double)
    /// A layer Paleo assigns no time (Input, Concatenate, Softmax, Elementwise, Reshape,
    /// Sigmoid, UpSampling2D, and types it does not know, such as BatchNorm).
    case free

    /// Why Paleo cannot cost a layer.
    struct Unsupported: Error {
        var reason: String
    }

    /// Reads a layer. Throws for what Paleo has no model of (grouped or dilated
    /// convolutions, explicit pooling padding, non-4-D windows).
    init(_ layer: UnsafePointer<joule_layer>) throws(Unsupported) {
        let l = layer.pointee
        let backprop = l.flags & LayerFlags.fedByInput.rawValue == 0
        switch Int32(bitPattern: l.op) {
        case JOULE_OP_CONVOLUTION, JOULE_OP_DECONVOLUTION:
            guard l.groups <= 1 else { throw Unsupported(reason: "Paleo has no model of grouped convolutions") }
            guard l.dilation.0 <= 1, l.dilation.1 <= 1 else { throw Unsupported(reason: "Paleo has no model of dilated convolutions") }
            guard l.input_count >= 1, let inputs = l.inputs, inputs[0].rank == 4, l.output.rank == 4 else {
                throw Unsupported(reason: "Paleo models 4-D (NHWC) convolutions only")
            }
            let input = quad(inputs[0])
            let output = quad(l.output)
            let padding: PaleoConvolution.Padding
            switch Int32(bitPattern: l.padding_mode) {
            case JOULE_PADDING_SAME: padding = .same
            case JOULE_PADDING_VALID: padding = .valid
            default: padding = .explicit(l.padding.0, l.padding.2)
            }
            if Int32(bitPattern: l.op) == JOULE_OP_CONVOLUTION {
                let filters = (l.kernel.0, l.kernel.1, input.3, output.3)
                guard let conv = PaleoConvolution(inputs: input, filters: filters, strideH: l.stride.0, strideW: l.stride.1,
                                                  padding: padding)
                else { throw Unsupported(reason: "the convolution's shapes are inconsistent") }
                self = .convolution(conv, backprop: backprop)
            } else {
                // Paleo builds the transposed convolution from the spec's output_shape, so it
                // keeps the spec's batch even when the batch is changed.
                let target = (l.spec_batch, output.1, output.2, output.3)
                let filters = (l.kernel.0, l.kernel.1, output.3, input.3)
                guard let transposed = PaleoConvolution(inputs: target, filters: filters, strideH: l.stride.0,
                                                        strideW: l.stride.1, padding: padding),
                      var equivalent = transposed.gradient(wrt: .inputs),
                      equivalent.outputShape == [target.0, target.1, target.2, target.3],
                      var backFilters = equivalent.gradient(wrt: .filters),
                      backFilters.outputs.1 == filters.0, backFilters.outputs.2 == filters.1
                else {
                    throw Unsupported(reason: "Paleo cannot model this deconvolution: the convolutions it is built from "
                                      + "do not give back its shapes (Paleo itself fails on it)")
                }
                // As Paleo does: the filter gradient inherits the equivalent convolution's holes.
                backFilters.percentHoles = equivalent.percentHoles
                backFilters.holePosition = .filters
                equivalent.holePosition = .inputs
                self = .deconvolution(transposed: transposed, equivalent: equivalent, backFilters: backFilters, backprop: backprop)
            }
        case JOULE_OP_FULLY_CONNECTED:
            guard l.input_count >= 1, let inputs = l.inputs else { throw Unsupported(reason: "an inner product needs an input") }
            let shape = inputs[0]
            var flat: Int64 = 1
            for i in 1..<Int(max(shape.rank, 1)) { flat *= dim(shape, i) }
            self = .innerProduct(n: dim(shape, 0), d: flat, m: dim(l.output, Int(l.output.rank) - 1))
        case JOULE_OP_POOLING:
            guard l.input_count >= 1, let inputs = l.inputs, inputs[0].rank == 4, l.output.rank == 4 else {
                throw Unsupported(reason: "Paleo models 4-D (NHWC) pooling only")
            }
            guard Int32(bitPattern: l.padding_mode) != JOULE_PADDING_EXPLICIT else {
                throw Unsupported(reason: "Paleo's pooling takes SAME or VALID padding only")
            }
            self = .pooling(inputs: quad(inputs[0]), outputs: quad(l.output), kernelH: l.kernel.0, kernelW: l.kernel.1)
        case JOULE_OP_DROPOUT:
            var elements = 1.0
            if l.input_count >= 1, let inputs = l.inputs {
                for i in 0..<Int(inputs[0].rank) { elements *= Double(dim(inputs[0], i)) }
            }
            self = .dropout(elements: elements)
        default:
            self = .free
        }
    }

    /// Paleo's `weights_in_bytes` of the layer.
    var weightBytes: Double {
        switch self {
        case .convolution(let conv, _):
            return (d(conv.filters.0) * d(conv.filters.1) * d(conv.filters.2) * d(conv.filters.3) + d(conv.filters.3)) * 4
        case .deconvolution(let transposed, _, _, _):
            let f = transposed.filters
            return (d(f.0) * d(f.1) * d(f.2) * d(f.3) + d(f.3)) * 4
        case .innerProduct(_, let dd, let m):
            return d(dd) * d(m) * 4 + d(m) * 4
        default:
            return 0
        }
    }

    /// Whether Paleo assigns this layer any time of its own.
    var isModelled: Bool {
        if case .free = self { return false }
        return true
    }

    /// Paleo's time for one direction, without remote fetches.
    ///
    /// - Throws: where Paleo's own assertions fail (a backward convolution whose gradient
    ///   does not give back the input or filter shape).
    func time(_ direction: PassDirection, on device: PaleoDevice) throws(Unsupported) -> PaleoTime {
        switch self {
        case .convolution(let conv, let backprop):
            switch direction {
            case .forward:
                return conv.gemm(on: device)
            case .backwardData:
                guard let dummy = conv.gradient(wrt: .inputs), dummy.outputShape == conv.inputShape else {
                    throw Unsupported(reason: Self.backwardFailure("input", conv))
                }
                return backprop ? dummy.gemm(on: device) : .zero
            case .backwardFilter:
                guard let dummy = conv.gradient(wrt: .filters), dummy.outputs.1 == conv.filters.0, dummy.outputs.2 == conv.filters.1 else {
                    throw Unsupported(reason: Self.backwardFailure("filter", conv))
                }
                return dummy.gemm(on: device)
            case .weightUpdate:
                return Self.update(weightBytes, on: device)
            }
        case .deconvolution(let transposed, let equivalent, let backFilters, let backprop):
            switch direction {
            case .forward: return backprop ? equivalent.gemm(on: device) : .zero
            case .backwardData: return transposed.gemm(on: device)
            case .backwardFilter: return backFilters.gemm(on: device)
            case .weightUpdate: return Self.update(weightBytes, on: device)
            }
        case .innerProduct(let n, let dd, let m):
            switch direction {
            case .forward: return Self.innerProduct((n, dd), (dd, m), (n, m), on: device)
            case .backwardData: return Self.innerProduct((n, m), (m, dd), (n, dd), on: device)
            case .backwardFilter: return Self.innerProduct((dd, n), (n, m), (dd, m), on: device)
            case .weightUpdate: return Self.update(weightBytes, on: device)
            }
        case .pooling(let inputs, let outputs, let kernelH, let kernelW):
            guard direction == .forward || direction == .backwardData else { return .zero }
            let flops = 2 * d(kernelH) * d(kernelW) * d(inputs.3) * d(outputs.1) * d(outputs.2) * d(inputs.0)
            let inputBytes = d(inputs.0) * d(inputs.1) * d(inputs.2) * d(inputs.3) * 4
            let outputBytes = d(outputs.0) * d(outputs.1) * d(outputs.2) * d(outputs.3) * 4
            var memory = device.memoryMilliseconds(inputBytes)
            memory += device.memoryMilliseconds(outputBytes)
            return PaleoTime(compute: device.computeMilliseconds(flops), memory: memory, flops: flops,
                             bytes: inputBytes + outputBytes)
        case .dropout(let elements):
            guard direction == .forward || direction == .backwardData else { return .zero }
            let compute = device.computeMilliseconds(elements)
            var memory = device.memoryMilliseconds(elements * 4)
            memory += device.memoryMilliseconds(elements * 4)
            return PaleoTime(compute: compute, memory: memory, flops: elements, bytes: elements * 8)
        case .free:
            return .zero
        }
    }

    /// `_innerproduct(X, W, Y)`.
    static func innerProduct(_ x: (Int64, Int64), _ w: (Int64, Int64), _ y: (Int64, Int64), on device: PaleoDevice) -> PaleoTime {
        let flops = 2 * d(x.0) * d(x.1) * d(w.1)
        let bytesX = d(x.0) * d(x.1) * 4, bytesW = d(w.0) * d(w.1) * 4, bytesY = d(y.0) * d(y.1) * 4
        var memory = device.memoryMilliseconds(bytesX)
        memory += device.memoryMilliseconds(bytesW)
        memory += device.memoryMilliseconds(bytesY)
        return PaleoTime(compute: device.computeMilliseconds(flops), memory: memory, flops: flops, bytes: bytesX + bytesW + bytesY)
    }

    /// `profile_apply_updates`: read weights, read updates, write weights; always at PPP 1.
    static func update(_ weightBytes: Double, on device: PaleoDevice) -> PaleoTime {
        let parameters = (weightBytes / 4).rounded(.down)
        let flops = 2 * parameters
        let compute = device.computeMilliseconds(flops, ppp: 1.0)
        let memory = 3 * device.memoryMilliseconds(weightBytes, ppp: 1.0)
        return PaleoTime(compute: compute, memory: memory, flops: flops, bytes: weightBytes)
    }

    static func backwardFailure(_ what: String, _ conv: PaleoConvolution) -> String {
        "Paleo's backward model cannot cost this convolution: its \(what)-gradient convolution does not give back "
            + "the \(what) shape (the original code fails here too; it happens with SAME padding and an even kernel, "
            + "explicit padding other than (k-1)/2, or a stride of 3 that leaves a remainder of 2)"
    }
}

/// The first four dimensions of a shape.
@inline(__always)
func quad(_ shape: joule_shape) -> (Int64, Int64, Int64, Int64) {
    (shape.dims.0, shape.dims.1, shape.dims.2, shape.dims.3)
}

/// Dimension `i` of a shape, without building an array.
@inline(__always)
func dim(_ shape: joule_shape, _ i: Int) -> Int64 {
    withUnsafeBytes(of: shape.dims) { $0.load(fromByteOffset: i * 8, as: Int64.self) }
}
