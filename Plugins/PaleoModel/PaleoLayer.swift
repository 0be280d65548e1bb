import PluginAPI

/// One layer as Paleo's FlopsProfiler sees it, read straight from the host's `joule_layer`.
///
/// Paleo models five kinds of layer (convolution, deconvolution, inner product, pooling,
/// dropout); every other layer costs nothing but its remote fetches. The functions read
/// fields through the pointer and build their convolutions on the stack: this runs for
/// every layer-pass of every estimate, so nothing here allocates or copies the host's struct.
enum PaleoLayer {
    /// Why Paleo cannot cost a layer.
    struct Unsupported: Error {
        var reason: String
    }

    /// Checks that Paleo can model the layer; throws the reason when it cannot (grouped or
    /// dilated convolutions, explicit pooling padding, shapes Paleo's own code rejects).
    static func check(_ layer: UnsafePointer<joule_layer>) throws(Unsupported) {
        switch Int32(bitPattern: layer.pointee.op) {
        case JOULE_OP_CONVOLUTION:
            _ = try windowGeometry(layer)
            guard PaleoConvolution(layer: layer).isValid else { throw Unsupported(reason: "the convolution's shapes are inconsistent") }
        case JOULE_OP_DECONVOLUTION:
            _ = try transposedConvolution(layer)
        case JOULE_OP_POOLING:
            guard layer.pointee.input_count >= 1, let inputs = layer.pointee.inputs, inputs[0].rank == 4,
                  layer.pointee.output.rank == 4
            else { throw Unsupported(reason: "Paleo models 4-D (NHWC) pooling only") }
            guard Int32(bitPattern: layer.pointee.padding_mode) != JOULE_PADDING_EXPLICIT else {
                throw Unsupported(reason: "Paleo's pooling takes SAME or VALID padding only")
            }
        case JOULE_OP_FULLY_CONNECTED:
            guard layer.pointee.input_count >= 1, layer.pointee.inputs != nil else {
                throw Unsupported(reason: "an inner product needs an input")
            }
        default:
            break
        }
    }

    /// Whether Paleo assigns the layer any time of its own.
    static func isModelled(_ layer: UnsafePointer<joule_layer>) -> Bool {
        switch Int32(bitPattern: layer.pointee.op) {
        case JOULE_OP_CONVOLUTION, JOULE_OP_DECONVOLUTION, JOULE_OP_FULLY_CONNECTED, JOULE_OP_POOLING, JOULE_OP_DROPOUT: true
        default: false
        }
    }

    /// Paleo's `weights_in_bytes`: filters and biases of convolutions and deconvolutions,
    /// weights and biases of inner products; nothing for other layers (BatchNorm included,
    /// which Paleo does not know).
    @inline(__always)
    static func weightBytes(_ layer: UnsafePointer<joule_layer>) -> Double {
        let op = Int32(bitPattern: layer.pointee.op)
        guard op == JOULE_OP_CONVOLUTION || op == JOULE_OP_DECONVOLUTION || op == JOULE_OP_FULLY_CONNECTED else { return 0 }
        // The host's count is weights plus biases; Paleo always counts a bias, so one is
        // added for a layer the host describes without.
        if layer.pointee.flags & JOULE_LAYER_HAS_BIAS != 0 { return Double(layer.pointee.params) * 4 }
        guard layer.pointee.input_count >= 1, let inputs = layer.pointee.inputs else { return 0 }
        // Paleo's bias has one entry per output channel; a deconvolution's filter is the
        // transposed convolution's, so its bias follows this layer's input channels.
        let biasSource = op == JOULE_OP_DECONVOLUTION ? inputs.pointee : layer.pointee.output
        let bias = dim(biasSource, Int(biasSource.rank) - 1)
        return Double(layer.pointee.params + bias) * 4
    }

    /// Paleo's time for one direction, without remote fetches.
    ///
    /// - Throws: where Paleo's own assertions fail (a backward convolution whose gradient
    ///   does not give back the input or filter shape).
    @inline(__always)
    static func time(_ layer: UnsafePointer<joule_layer>, _ direction: PassDirection, on device: PaleoDevice) throws(Unsupported) -> PaleoTime {
        let backprop = layer.pointee.flags & JOULE_LAYER_FED_BY_INPUT == 0
        switch Int32(bitPattern: layer.pointee.op) {
        case JOULE_OP_CONVOLUTION:
            let conv = PaleoConvolution(layer: layer)
            guard conv.isValid else {
                _ = try windowGeometry(layer)
                throw Unsupported(reason: "the convolution's shapes are inconsistent")
            }
            switch direction {
            case .forward:
                return conv.gemm(on: device)
            case .backwardData:
                let dummy = conv.gradient(wrt: .inputs)
                guard dummy.outputs == conv.inputs else {
                    throw Unsupported(reason: backwardFailure("input"))
                }
                return backprop ? dummy.gemm(on: device) : .zero
            case .backwardFilter:
                let dummy = conv.gradient(wrt: .filters)
                guard dummy.outputs.1 == conv.filters.0, dummy.outputs.2 == conv.filters.1 else {
                    throw Unsupported(reason: backwardFailure("filter"))
                }
                return dummy.gemm(on: device)
            case .weightUpdate:
                return update(weightBytes(layer), on: device)
            }
        case JOULE_OP_DECONVOLUTION:
            let (transposed, equivalent, backFilters) = try transposedConvolution(layer)
            switch direction {
            case .forward: return backprop ? equivalent.gemm(on: device) : .zero
            case .backwardData: return transposed.gemm(on: device)
            case .backwardFilter: return backFilters.gemm(on: device)
            case .weightUpdate: return update(weightBytes(layer), on: device)
            }
        case JOULE_OP_FULLY_CONNECTED:
            guard layer.pointee.input_count >= 1, let inputs = layer.pointee.inputs else {
                throw Unsupported(reason: "an inner product needs an input")
            }
            let shape = inputs[0]
            // Paleo flattens a 4-D input to [N, H·W·C].
            var flat: Int64 = 1
            for i in 1..<Int(max(shape.rank, 1)) { flat *= dim(shape, i) }
            let n = dim(shape, 0), m = dim(layer.pointee.output, Int(layer.pointee.output.rank) - 1)
            switch direction {
            case .forward: return innerProduct((n, flat), (flat, m), (n, m), on: device)
            case .backwardData: return innerProduct((n, m), (m, flat), (n, flat), on: device)
            case .backwardFilter: return innerProduct((flat, n), (n, m), (flat, m), on: device)
            case .weightUpdate: return update(weightBytes(layer), on: device)
            }
        case JOULE_OP_POOLING:
            guard direction == .forward || direction == .backwardData else { return .zero }
            guard layer.pointee.input_count >= 1, let inputs = layer.pointee.inputs, inputs[0].rank == 4 else {
                throw Unsupported(reason: "Paleo models 4-D (NHWC) pooling only")
            }
            let input = quad(inputs), output = outputQuad(layer)
            let flops = 2 * d(layer.pointee.kernel.0) * d(layer.pointee.kernel.1) * d(input.3) * d(output.1) * d(output.2) * d(input.0)
            let inputBytes = d(input.0) * d(input.1) * d(input.2) * d(input.3) * 4
            let outputBytes = d(output.0) * d(output.1) * d(output.2) * d(output.3) * 4
            var memory = device.memoryMilliseconds(inputBytes)
            memory += device.memoryMilliseconds(outputBytes)
            return PaleoTime(compute: device.computeMilliseconds(flops), memory: memory, flops: flops, bytes: inputBytes + outputBytes)
        case JOULE_OP_DROPOUT:
            guard direction == .forward || direction == .backwardData else { return .zero }
            var elements = 1.0
            if layer.pointee.input_count >= 1, let inputs = layer.pointee.inputs {
                for i in 0..<Int(inputs[0].rank) { elements *= Double(dim(inputs[0], i)) }
            }
            let compute = device.computeMilliseconds(elements)
            var memory = device.memoryMilliseconds(elements * 4)
            memory += device.memoryMilliseconds(elements * 4)
            return PaleoTime(compute: compute, memory: memory, flops: elements, bytes: elements * 8)
        default:
            return .zero
        }
    }

    /// A deconvolution as Paleo builds it: the convolution it transposes (from the spec's
    /// output shape, so at the spec's batch even when the batch is changed), the equivalent
    /// convolution that computes its forward pass (the transposed one's input gradient) and
    /// that one's filter gradient, checked as Paleo's assertions check them.
    @inline(__always)
    static func transposedConvolution(_ layer: UnsafePointer<joule_layer>) throws(Unsupported)
        -> (transposed: PaleoConvolution, equivalent: PaleoConvolution, backFilters: PaleoConvolution)
    {
        let (input, output, padding) = try windowGeometry(layer)
        let target = (layer.pointee.spec_batch, output.1, output.2, output.3)
        let filters = (layer.pointee.kernel.0, layer.pointee.kernel.1, output.3, input.3)
        let transposed = PaleoConvolution(inputs: target, filters: filters, strideH: layer.pointee.stride.0,
                                          strideW: layer.pointee.stride.1, padding: padding)
        guard transposed.isValid,
              case let equivalent = transposed.gradient(wrt: .inputs), equivalent.outputs == transposed.inputs,
              case var backFilters = equivalent.gradient(wrt: .filters),
              backFilters.outputs.1 == filters.0, backFilters.outputs.2 == filters.1
        else {
            throw Unsupported(reason: "Paleo cannot model this deconvolution: the convolutions it is built from "
                              + "do not give back its shapes (Paleo itself fails on it)")
        }
        // As Paleo does: the filter gradient inherits the equivalent convolution's holes.
        backFilters.percentHoles = equivalent.percentHoles
        backFilters.holePosition = .filters
        return (transposed, equivalent, backFilters)
    }

    /// Input and output shapes and padding of a windowed layer.
    @inline(__always)
    static func windowGeometry(_ layer: UnsafePointer<joule_layer>) throws(Unsupported)
        -> ((Int64, Int64, Int64, Int64), (Int64, Int64, Int64, Int64), PaleoConvolution.Padding)
    {
        guard layer.pointee.groups <= 1 else { throw Unsupported(reason: "Paleo has no model of grouped convolutions") }
        guard layer.pointee.dilation.0 <= 1, layer.pointee.dilation.1 <= 1 else {
            throw Unsupported(reason: "Paleo has no model of dilated convolutions")
        }
        guard layer.pointee.input_count >= 1, let inputs = layer.pointee.inputs, inputs[0].rank == 4,
              layer.pointee.output.rank == 4
        else { throw Unsupported(reason: "Paleo models 4-D (NHWC) convolutions only") }
        let padding: PaleoConvolution.Padding
        switch Int32(bitPattern: layer.pointee.padding_mode) {
        case JOULE_PADDING_SAME: padding = .same
        case JOULE_PADDING_VALID: padding = .valid
        default: padding = .explicit(layer.pointee.padding.0, layer.pointee.padding.2)
        }
        return (quad(inputs), outputQuad(layer), padding)
    }

    /// `_innerproduct(X, W, Y)`.
    @inline(__always)
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
        let compute = device.computeMilliseconds(flops, fullPeak: true)
        let memory = 3 * device.memoryMilliseconds(weightBytes, fullPeak: true)
        return PaleoTime(compute: compute, memory: memory, flops: flops, bytes: weightBytes)
    }

    static func backwardFailure(_ what: String) -> String {
        "Paleo's backward model cannot cost this convolution: its \(what)-gradient convolution does not give back "
            + "the \(what) shape (the original code fails here too; it happens with SAME padding and an even kernel, "
            + "explicit padding other than (k-1)/2, or a stride of 3 that leaves a remainder of 2)"
    }
}

/// The first four dimensions of a shape, read in place (a `joule_shape` is 72 bytes; copying
/// it to read four numbers costs more than Paleo's arithmetic).
@inline(__always)
func quad(_ shape: UnsafePointer<joule_shape>) -> (Int64, Int64, Int64, Int64) {
    (shape.pointee.dims.0, shape.pointee.dims.1, shape.pointee.dims.2, shape.pointee.dims.3)
}

/// The output shape's first four dimensions.
@inline(__always)
func outputQuad(_ layer: UnsafePointer<joule_layer>) -> (Int64, Int64, Int64, Int64) {
    (layer.pointee.output.dims.0, layer.pointee.output.dims.1, layer.pointee.output.dims.2, layer.pointee.output.dims.3)
}

/// Dimension `i` of a shape, without building an array.
@inline(__always)
func dim(_ shape: joule_shape, _ i: Int) -> Int64 {
    withUnsafeBytes(of: shape.dims) { $0.load(fromByteOffset: i * 8, as: Int64.self) }
}
