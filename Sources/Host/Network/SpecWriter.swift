import JouleJSON

/// Writes a network back as a Paleo JSON spec.
///
/// Blocks and ModelParallel blocks come out flattened (their layers keep their
/// `block/inner@k` names, which the reader places on the same devices), filters keep the
/// spec's own values (including `-1` and the unsplit channel count), and keys Joule does not
/// interpret are written back as they were read. Reading the output gives the same graph.
public enum SpecWriter {
    /// The spec as a JSON value, layers in topological order.
    public static func json(_ network: Network) -> JSON {
        var layers: [(String, JSON)] = []
        for layer in network.layers {
            var fields: [(String, JSON)] = [
                ("parents", .array(layer.parents.map { .string(network.layers[$0].name) })),
                ("type", .string(layer.typeName)),
            ]
            fields += parameters(of: layer, batch: network.batch)
            for key in layer.extraFields.keys.sorted() { fields.append((key, layer.extraFields[key]!)) }
            layers.append((layer.name, .object(fields)))
        }
        var document: [(String, JSON)] = [("name", .string(network.name)), ("layers", .object(layers))]
        if network.outputs.count > 1 || network.layers.indices.contains(where: { isUnchosenSink($0, network) }) {
            document.append(("outputs", .array(network.outputs.map { .string(network.layers[$0].name) })))
        }
        return .object(document)
    }

    /// The spec as text.
    public static func write(_ network: Network) -> String {
        JSONWriter.render(json(network))
    }

    /// A layer nothing consumes that is not an output: the reader would need "outputs" to
    /// pick the same output again.
    private static func isUnchosenSink(_ index: Int, _ network: Network) -> Bool {
        !network.outputs.contains(index) && !network.layers.contains { $0.parents.contains(index) }
    }

    private static func dims(_ values: [Int64]) -> JSON { .array(values.map { JSON.integer($0) }) }

    private static func padding(_ padding: SpecPadding) -> JSON {
        switch padding {
        case .same: .string("SAME")
        case .valid: .string("VALID")
        case .explicit(let h, let w): .array([.integer(h), .integer(w)])
        }
    }

    private static func parameters(of layer: Layer, batch: Int64) -> [(String, JSON)] {
        switch layer.kind {
        case .input(let tensor):
            var written = tensor
            written[0] = batch
            return [("tensor", dims(written))]
        case .convolution(let conv):
            var fields: [(String, JSON)] = [("filter", dims(conv.specFilter)), ("strides", dims(conv.strides)),
                                            ("padding", padding(conv.padding))]
            if let splits = conv.splits { fields.append(("splits", .integer(splits))) }
            if !conv.hasBias { fields.append(("bias", .bool(false))) }
            return fields
        case .deconvolution(let deconv):
            return [("filter", dims(deconv.filter)), ("strides", dims(deconv.strides)), ("padding", padding(deconv.padding)),
                    ("output_shape", dims(deconv.outputShape))]
        case .pooling(let pool):
            return [("ksize", dims(pool.window)), ("strides", dims(pool.strides)), ("padding", padding(pool.padding))]
        case .innerProduct(let outputs):
            return [("num_outputs", .integer(outputs))]
        case .concatenate(let dimension):
            return [("dim", .integer(dimension))]
        case .elementwise(let operation):
            return layer.typeName == "Add" ? [] : [("operation", .string(operation.rawValue))]
        case .dropout(let keep):
            return [("dropout_keep_prob", .number(keep))]
        case .softmax(let classes):
            return classes.map { [("num_classes", .integer($0))] } ?? []
        case .reshape(let shape):
            return [("output_shape", dims(shape))]
        case .upsampling(let factors):
            return [("ksize", dims(factors))]
        case .activation(let function):
            return layer.typeName == "ReLU" ? [] : [("function", .string(function.rawValue))]
        case .lrn(let size):
            return [("size", .integer(size))]
        case .sigmoid, .batchNorm, .generic:
            return []
        }
    }
}
