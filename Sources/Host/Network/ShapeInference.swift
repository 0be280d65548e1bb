/// Paleo's shape rules, with checked arithmetic.
///
/// Convolutions: VALID gives `ceil((h - k + 1) / s)` and no padding; SAME gives
/// `ceil(h / s)` with `pad = ((out - 1)·s + k - h) // 2` (Python floor division, so it can
/// be -1); explicit `[ph, pw]` gives `(h + 2p - k) // s + 1`. Pooling uses the same VALID
/// and SAME output sizes. An InnerProduct flattens a 4-D input.
enum ShapeInference {
    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Sets `layer.outputShape` from `layer.inputShapes` (and resolves -1 filter channels).
    static func infer(_ layer: inout Layer) throws(Failure) {
        let inputs = layer.inputShapes
        func single(rank: Int? = nil) throws(Failure) -> [Int64] {
            guard inputs.count == 1 else {
                throw Failure("a \(layer.typeName) layer takes one input, got \(inputs.count)")
            }
            if let rank, inputs[0].count != rank {
                throw Failure("expects a \(rank)-D input (NHWC), got \(describe(inputs[0]))")
            }
            return inputs[0]
        }

        let output: [Int64]
        switch layer.kind {
        case .input(let tensor):
            output = tensor

        case .convolution(var conv):
            let input = try single(rank: 4)
            if conv.filter[2] == -1 { conv.filter[2] = input[3] }
            guard conv.filter[2] == input[3] else {
                throw Failure("the filter expects \(conv.filter[2]) input channels, but the input \(describe(input)) has \(input[3])")
            }
            if let splits = conv.splits {
                conv.filter[3] = conv.filter[3] / splits
                guard conv.filter[3] >= 1 else {
                    throw Failure("\(conv.specFilter[3]) output channels cannot be split \(splits) ways")
                }
            }
            try checkEntryCount(conv.filter, "the filter")
            let (height, padH) = try outputSize(input[1], kernel: conv.filter[0], stride: conv.strides[1], padding: conv.padding, axis: .height)
            let (width, padW) = try outputSize(input[2], kernel: conv.filter[1], stride: conv.strides[2], padding: conv.padding, axis: .width)
            conv.pad = (padH, padW)
            layer.kind = .convolution(conv)
            output = [input[0], height, width, conv.filter[3]]

        case .deconvolution(var deconv):
            let input = try single(rank: 4)
            let target = deconv.outputShape
            if deconv.filter[2] == -1 { deconv.filter[2] = target[3] }
            // Paleo builds the convolution this layer transposes: output_shape → input.
            guard deconv.filter[2] == target[3] else {
                throw Failure("filter[2] = \(deconv.filter[2]) must equal the output channels \(target[3])")
            }
            try checkEntryCount(deconv.filter, "the filter")
            let (height, padH) = try outputSize(target[1], kernel: deconv.filter[0], stride: deconv.strides[1], padding: deconv.padding, axis: .height)
            let (width, padW) = try outputSize(target[2], kernel: deconv.filter[1], stride: deconv.strides[2], padding: deconv.padding, axis: .width)
            let transposed = [target[0], height, width, deconv.filter[3]]
            guard transposed == input else {
                throw Failure("output_shape \(describe(target)) does not match the input: the convolution it transposes "
                              + "maps \(describe(target)) to \(describe(transposed)), not \(describe(input))")
            }
            deconv.pad = (padH, padW)
            layer.kind = .deconvolution(deconv)
            output = target

        case .pooling(let pool):
            let input = try single(rank: 4)
            try checkEntryCount(pool.window, "the window")
            let (height, _) = try outputSize(input[1], kernel: pool.window[1], stride: pool.strides[1], padding: pool.padding, axis: .height)
            let (width, _) = try outputSize(input[2], kernel: pool.window[2], stride: pool.strides[2], padding: pool.padding, axis: .width)
            output = [input[0], height, width, input[3]]

        case .innerProduct(let outputs):
            let input = try single()
            guard input.count >= 2 else { throw Failure("expects an input of rank 2 or more, got \(describe(input))") }
            guard let flat = Checked.product(Array(input.dropFirst())) else { throw Failure("the flattened input overflows") }
            guard Checked.multiply(flat, outputs) != nil else { throw Failure("the weight matrix \(flat)x\(outputs) overflows") }
            try checkEntryCount([flat, outputs], "the weight matrix")
            output = [input[0], outputs]

        case .concatenate(let dimension):
            guard let first = inputs.first else { throw Failure("a Concatenate layer needs inputs") }
            let axis = dimension < 0 ? first.count + dimension : dimension
            guard axis >= 0 && axis < first.count else {
                throw Failure("dim \(dimension) is out of range for inputs of rank \(first.count)")
            }
            var result = first
            result[axis] = 0
            for (i, shape) in inputs.enumerated() {
                guard shape.count == first.count,
                      shape.indices.allSatisfy({ $0 == axis || shape[$0] == first[$0] })
                else {
                    throw Failure("input \(i + 1) has shape \(describe(shape)), which differs from input 1 \(describe(first)) "
                                  + "outside dimension \(axis)")
                }
                guard let sum = Checked.add(result[axis], shape[axis]) else { throw Failure("the concatenated size overflows") }
                result[axis] = sum
            }
            output = result

        case .elementwise:
            guard let first = inputs.first else { throw Failure("an element-wise layer needs inputs") }
            for (i, shape) in inputs.enumerated() where shape != first {
                throw Failure("element-wise inputs must have the same shape: input \(i + 1) is \(describe(shape)), input 1 is \(describe(first))")
            }
            output = first

        case .dropout, .batchNorm, .activation, .lrn:
            output = try single()

        case .softmax(let classes):
            let input = try single()
            output = [input[0], classes ?? input[input.count - 1]]

        case .sigmoid:
            let input = try single()
            output = [input[0], 1]

        case .reshape(let target):
            let input = try single()
            guard let total = Checked.product(input) else { throw Failure("the input overflows") }
            var shape = target
            if let unknown = shape.firstIndex(of: -1) {
                let known = shape.enumerated().filter { $0.offset != unknown }.map(\.element)
                guard let rest = Checked.product(known), rest > 0, total % rest == 0 else {
                    throw Failure("cannot reshape \(describe(input)) (\(total) elements) to \(describe(target))")
                }
                shape[unknown] = total / rest
            }
            guard Checked.product(shape) == total else {
                throw Failure("cannot reshape \(describe(input)) (\(total) elements) to \(describe(target)) "
                              + "(\(Checked.product(shape).map(String.init) ?? "too many") elements)")
            }
            output = shape

        case .upsampling(let factors):
            let input = try single(rank: 4)
            guard let height = Checked.multiply(input[1], factors[1]), let width = Checked.multiply(input[2], factors[2]) else {
                throw Failure("the upsampled size overflows")
            }
            output = [input[0], height, width, input[3]]

        case .generic:
            guard let first = inputs.first else { throw Failure("needs an input") }
            output = first
        }

        guard output.allSatisfy({ $0 >= 1 }) else {
            throw Failure("the output shape \(describe(output)) has a dimension below 1")
        }
        guard let elements = Checked.product(output), elements <= Checked.maximumElements else {
            throw Failure("the output \(describe(output)) has more than \(Checked.maximumElements) elements "
                          + "(2^37, more than any device's memory); check the dimensions")
        }
        layer.outputShape = output
    }

    /// Refuses a filter, weight matrix or pooling window of more than
    /// `Checked.maximumElements` entries, the bound every tensor has.
    ///
    /// Without it a SAME-padded 2^37×2^37 kernel on a 1×1 input passes every shape rule,
    /// and then the parameter and FLOP counts (`Layer.params`, `Layer.features(for:)`),
    /// which multiply these dimensions and add them up over the network in `Int64`,
    /// overflow and trap. Within the bound a layer has at most 2^38 parameters (weights
    /// and a bias), so `SpecReader.maximumLayers` of them stay far below 2^63.
    static func checkEntryCount(_ dimensions: [Int64], _ what: String) throws(Failure) {
        guard let count = Checked.product(dimensions), count <= Checked.maximumElements else {
            throw Failure("\(what) \(describe(dimensions)) has more than \(Checked.maximumElements) entries "
                          + "(2^37, more than any device's memory); check the dimensions")
        }
    }

    enum Axis: String { case height, width }

    /// Paleo's output size and (forward) padding along one axis.
    static func outputSize(
        _ size: Int64, kernel: Int64, stride: Int64, padding: SpecPadding, axis: Axis
    ) throws(Failure) -> (Int64, Int64) {
        switch padding {
        case .valid:
            guard size - kernel + 1 >= 1 else {
                throw Failure("the \(kernel)-wide window is larger than the input's \(axis) \(size) (VALID padding)")
            }
            return (Checked.ceilDivide(size - kernel + 1, stride), 0)
        case .same:
            let out = Checked.ceilDivide(size, stride)
            return (out, Checked.floorDivide((out - 1) * stride + kernel - size, 2))
        case .explicit(let padH, let padW):
            let pad = axis == .height ? padH : padW
            let padded = size + 2 * pad
            guard padded - kernel >= 0 else {
                throw Failure("the \(kernel)-wide window is larger than the padded input's \(axis) \(padded)")
            }
            return (Checked.floorDivide(padded - kernel, stride) + 1, pad)
        }
    }

    static func describe(_ shape: [Int64]) -> String {
        shape.map(String.init).joined(separator: "x")
    }
}
