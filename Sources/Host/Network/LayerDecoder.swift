import JouleJSON

/// Reads one layer's parameters from its spec object into a `LayerKind`, recording every
/// field problem.
struct LayerDecoder {
    let spec: FlatLayer
    let problems: JSONProblems
    let options: SpecReader.Options

    /// The keys each type reads; anything else is kept verbatim in `Layer.extraFields`.
    static let knownKeys: [String: Set<String>] = [
        "Input": ["tensor"],
        "Convolution": ["filter", "strides", "padding", "splits"],
        "Deconvolution": ["filter", "strides", "padding", "output_shape"],
        "Pooling": ["ksize", "strides", "padding"],
        "AvgPool": ["ksize", "strides", "padding"],
        "InnerProduct": ["num_outputs"],
        "Concatenate": ["dim"],
        "Dropout": ["dropout_keep_prob"],
        "Softmax": ["num_classes"],
        "Sigmoid": [],
        "Reshape": ["output_shape"],
        "UpSampling2D": ["ksize"],
        "Elementwise": ["operation"],
        "Add": [],
        "BatchNorm": [],
        "ReLU": [],
        "Activation": ["function"],
        "LRN": ["size"],
    ]

    /// The layer types Joule reads, for messages.
    static var knownTypes: [String] { knownKeys.keys.sorted() }

    static func extraFields(of spec: FlatLayer) -> [String: JSON] {
        guard case .object(let members) = spec.node.value else { return [:] }
        var known = (knownKeys[spec.typeName] ?? []).union(["type", "parents"])
        if spec.typeName == "Convolution", convolutionBias(spec) != nil { known.insert("bias") }
        var extras: [String: JSON] = [:]
        for member in members where !known.contains(member.key) { extras[member.key] = member.value.plain }
        return extras
    }

    /// A Convolution's `"bias": true/false`, Joule's extension (NB201's convolutions have no
    /// bias). Paleo's own specs write `"bias": [channels]`, which Paleo ignores (its
    /// convolutions always have a bias); anything but a boolean is kept as an extra field.
    static func convolutionBias(_ spec: FlatLayer) -> Bool? {
        if case .bool(let value)? = spec.node["bias"]?.value { return value }
        return nil
    }

    private var reader: JSONObjectReader { JSONObjectReader(spec.node, path: "", problems: problems) }

    func decode() -> LayerKind? {
        let r = reader
        switch spec.typeName {
        case "Input":
            guard let tensor = dimensions(r, "tensor", count: nil, allowMinusOne: false) else { return nil }
            return .input(tensor: tensor)
        case "Convolution":
            guard let filter = dimensions(r, "filter", count: 4, allowMinusOne: true, minusOneAt: 2),
                  let strides = dimensions(r, "strides", count: 4, allowMinusOne: false),
                  let padding = padding(r, allowExplicit: true)
            else { return nil }
            var splits = spec.splits
            if let given = r.integer("splits", required: false, in: 1...4096) { splits = given }
            return .convolution(Convolution(filter: filter, strides: strides, padding: padding, splits: splits, specFilter: filter,
                                            hasBias: LayerDecoder.convolutionBias(spec) ?? true))
        case "Deconvolution":
            guard let filter = dimensions(r, "filter", count: 4, allowMinusOne: true, minusOneAt: 2),
                  let strides = dimensions(r, "strides", count: 4, allowMinusOne: false),
                  let padding = padding(r, allowExplicit: true),
                  let output = dimensions(r, "output_shape", count: 4, allowMinusOne: false)
            else { return nil }
            return .deconvolution(Deconvolution(filter: filter, strides: strides, padding: padding, outputShape: output))
        case "Pooling", "AvgPool":
            guard let window = dimensions(r, "ksize", count: 4, allowMinusOne: false),
                  let strides = dimensions(r, "strides", count: 4, allowMinusOne: false),
                  let padding = padding(r, allowExplicit: false)
            else { return nil }
            return .pooling(Pooling(function: spec.typeName == "AvgPool" ? .average : .max, window: window,
                                    strides: strides, padding: padding))
        case "InnerProduct":
            guard let outputs = r.integer("num_outputs", in: 1...Checked.maximumElements) else { return nil }
            return .innerProduct(outputs: outputs)
        case "Concatenate":
            guard let dimension = r.integer("dim", in: -8...7) else { return nil }
            return .concatenate(dimension: Int(dimension))
        case "Dropout":
            guard let keep = r.number("dropout_keep_prob") else { return nil }
            guard keep > 0 && keep <= 1 else {
                problems.add("dropout_keep_prob", at: spec.node["dropout_keep_prob"]?.position, "must be in (0, 1], got \(JSONNumber.format(keep))")
                return nil
            }
            return .dropout(keepProbability: keep)
        case "Softmax":
            let classes = r.integer("num_classes", required: false, in: 1...Checked.maximumElements)
            if spec.node["num_classes"] != nil && classes == nil { return nil }
            return .softmax(classes: classes)
        case "Sigmoid":
            return .sigmoid
        case "Reshape":
            guard let shape = reshapeTarget(r) else { return nil }
            return .reshape(shape: shape)
        case "UpSampling2D":
            guard let window = dimensions(r, "ksize", count: 4, allowMinusOne: false) else { return nil }
            return .upsampling(factors: window)
        case "Elementwise":
            let operation = r.choice("operation", from: ElementwiseOperation.allCases.map(\.rawValue), required: false)
            if spec.node["operation"] != nil && operation == nil { return nil }
            return .elementwise(operation.flatMap(ElementwiseOperation.init(rawValue:)) ?? .sum)
        case "Add":
            return .elementwise(.sum)
        case "BatchNorm":
            return .batchNorm
        case "ReLU":
            return .activation(.relu)
        case "Activation":
            guard let name = r.choice("function", from: ActivationFunction.allCases.map(\.rawValue)) else { return nil }
            return .activation(ActivationFunction(rawValue: name)!)
        case "LRN":
            let size = r.integer("size", required: false, in: 1...1024)
            if spec.node["size"] != nil && size == nil { return nil }
            return .lrn(size: size ?? 5)
        default:
            if options.allowUnknownTypes { return .generic }
            let suggestion = JSONObjectReader.closest(to: spec.typeName, in: LayerDecoder.knownTypes)
            problems.add("type", at: spec.node["type"]?.position,
                         "unknown layer type '\(spec.typeName)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                            + " (Joule reads \(LayerDecoder.knownTypes.joined(separator: ", ")); "
                            + "--allow-unknown-types passes unknown types through as Paleo does)")
            return nil
        }
    }

    /// An array of integer dimensions; entries must be positive except a -1 where allowed.
    private func dimensions(
        _ r: JSONObjectReader, _ key: String, count: Int?, allowMinusOne: Bool, minusOneAt: Int? = nil
    ) -> [Int64]? {
        guard let items = r.array(key) else { return nil }
        if let count, items.count != count {
            problems.add(key, at: spec.node[key]?.position, "must have \(count) entries, got \(items.count)")
            return nil
        }
        if items.isEmpty || items.count > 8 {
            problems.add(key, at: spec.node[key]?.position, "must have 1 to 8 entries, got \(items.count)")
            return nil
        }
        var values: [Int64] = []
        for (index, (path, node)) in items.enumerated() {
            guard let value = JSONObjectReader.integer(node, path: path, problems: problems, in: -1...Checked.maximumElements) else {
                return nil
            }
            let minusOneAllowed = allowMinusOne && (minusOneAt == nil || minusOneAt == index)
            if value == -1 && minusOneAllowed {
                values.append(value)
                continue
            }
            guard value >= 1 else {
                problems.add(path, at: node.position, "must be a positive integer, got \(value)"
                                + (allowMinusOne && minusOneAt == index ? " (or -1 to take it from the input)" : ""))
                return nil
            }
            values.append(value)
        }
        return values
    }

    private func padding(_ r: JSONObjectReader, allowExplicit: Bool) -> SpecPadding? {
        guard let node = r.member("padding") else { return nil }
        switch node.value {
        case .string("SAME"): return .same
        case .string("VALID"): return .valid
        case .array(let items) where allowExplicit && items.count == 2:
            var pads: [Int64] = []
            for (i, item) in items.enumerated() {
                guard let pad = JSONObjectReader.integer(item, path: "padding[\(i)]", problems: problems, in: 0...65536) else {
                    return nil
                }
                pads.append(pad)
            }
            return .explicit(height: pads[0], width: pads[1])
        default:
            let allowed = allowExplicit ? "\"SAME\", \"VALID\" or [pad_h, pad_w]" : "\"SAME\" or \"VALID\""
            let got = if case .string(let text) = node.value { "\"\(text)\"" } else { node.kindDescription }
            problems.add("padding", at: node.position, "must be \(allowed), got \(got)")
            return nil
        }
    }

    private func reshapeTarget(_ r: JSONObjectReader) -> [Int64]? {
        guard let items = r.array("output_shape") else { return nil }
        guard !items.isEmpty, items.count <= 8 else {
            problems.add("output_shape", at: spec.node["output_shape"]?.position, "must have 1 to 8 entries")
            return nil
        }
        var values: [Int64] = []
        for (path, node) in items {
            guard let value = JSONObjectReader.integer(node, path: path, problems: problems, in: -1...Checked.maximumElements) else {
                return nil
            }
            guard value == -1 || value >= 1 else {
                problems.add(path, at: node.position, "must be a positive integer or -1, got \(value)")
                return nil
            }
            values.append(value)
        }
        if values.filter({ $0 == -1 }).count > 1 {
            problems.add("output_shape", at: spec.node["output_shape"]?.position, "may contain -1 only once")
            return nil
        }
        return values
    }
}
