import Foundation
import JouleJSON

/// Reads networks written in Paleo's JSON format.
///
///     let network = try SpecReader.read(file: "nets/alex_v2.json")
///
/// Every Paleo construct is understood: Input, Convolution (SAME, VALID, `[ph, pw]`,
/// `filter[2] = -1`), Deconvolution, Pooling, AvgPool, InnerProduct, Concatenate, Dropout,
/// Softmax, Elementwise, Sigmoid, Reshape, UpSampling2D, Block (namespaces, `endpoint`,
/// inherited parents) and ModelParallel (`splits`, `@self`, `@all`), plus BatchNorm, ReLU,
/// Activation, LRN and Add, which Paleo lacks, and `"bias": false` on a Convolution (Paleo's
/// convolutions always have a bias). Parents may be named before or after the layer that
/// uses them.
public enum SpecReader {
    /// What the reader accepts beyond Paleo's own format.
    public struct Options: Sendable {
        /// Pass unknown layer types through as Paleo does (same shape, no cost in Paleo)
        /// instead of rejecting them.
        public var allowUnknownTypes: Bool

        public init(allowUnknownTypes: Bool = false) {
            self.allowUnknownTypes = allowUnknownTypes
        }
    }

    /// Files larger than this (16 MiB) are refused unread. Real specs are kilobytes; parsing
    /// keeps a node per JSON value, about 16 bytes of memory per byte of text, so a bound here
    /// is what keeps a wrong or hostile file from taking gigabytes.
    public static let maximumFileBytes = 16 << 20

    /// Specs with more layers than this, after Blocks and ModelParallel splits are expanded,
    /// are refused before the layers are built. The largest real networks have thousands of
    /// layers; a few kilobytes of ModelParallel can ask for millions, and each costs
    /// kilobytes of memory and time in every later step.
    public static let maximumLayers = 100_000

    /// Specs with more parent links than this, after Blocks, ModelParallel splits and `@all`
    /// are expanded, are refused before the graph is built: five per layer at
    /// `maximumLayers`, where real networks have one to two. Each link costs memory and
    /// time in every later step, and `x@all` stands for as many links as `x` has
    /// splits (up to 4096) and a Block's parents are copied to each of its inner layers, so
    /// a 17 KB spec could ask for 5.7 million links (3 GB and 3 minutes in a debug build).
    public static let maximumParentLinks = 500_000

    /// Reads a spec file.
    ///
    /// - Throws: `SpecError` naming the file, line and layer.
    public static func read(file path: String, options: Options = Options()) throws(SpecError) -> Network {
        let data: Data
        do {
            // Foundation's own wording for these ("The operation could not be completed…")
            // names neither the problem nor the fix.
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw SpecError(file: path, "cannot read the file: no such file")
            }
            if isDirectory.boolValue { throw SpecError(file: path, "cannot read the file: it is a directory, not a spec") }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > maximumFileBytes {
                throw SpecError(file: path, "the file is \(size) bytes; specs larger than \(maximumFileBytes) bytes are refused")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as SpecError {
            throw error
        } catch {
            throw SpecError(file: path, "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(Array(data), file: path, options: options)
    }

    /// Reads a spec from its bytes; `file` labels errors.
    public static func parse(_ bytes: [UInt8], file: String?, options: Options = Options()) throws(SpecError) -> Network {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw SpecError(file: file, line: error.position.line, "not valid JSON: column \(error.position.column): \(error.message)")
        }
        var builder = SpecGraphBuilder(file: file, options: options)
        return try builder.build(root)
    }
}

/// A layer after Block and ModelParallel expansion, before its parameters are read.
struct FlatLayer {
    var name: String
    var typeName: String
    var node: JSONNode
    var parentNames: [String]
    var device: String?
    /// Set inside a ModelParallel block: convolutions divide their output channels by it.
    var splits: Int64?
    var line: Int
}

/// The steps from a parsed document to a `Network`.
struct SpecGraphBuilder {
    let file: String?
    let options: SpecReader.Options

    init(file: String?, options: SpecReader.Options) {
        self.file = file
        self.options = options
    }

    func fail(_ line: Int?, _ layer: String?, _ message: String) -> SpecError {
        SpecError(file: file, line: line, layer: layer, message)
    }

    mutating func build(_ root: JSONNode) throws(SpecError) -> Network {
        guard case .object = root.value else {
            throw fail(root.position.line, nil, "the spec must be a JSON object with \"layers\", got \(root.kindDescription)")
        }
        let name: String
        switch root["name"]?.value {
        case .string(let s)?: name = s
        case nil: name = file.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "network"
        default: throw fail(root["name"]!.position.line, nil, "field 'name' must be a string")
        }
        guard let layersNode = root["layers"] else {
            throw fail(root.position.line, nil, "missing field 'layers' (an object mapping layer names to layers)")
        }
        guard case .object(let layerMembers) = layersNode.value else {
            throw fail(layersNode.position.line, nil, "field 'layers' must be an object mapping names to layers, got \(layersNode.kindDescription)")
        }
        // Other top-level keys (comments, metadata) are allowed and ignored.
        let flat = try expand(layerMembers)
        let resolved = try resolveGraph(flat)
        let order = try topologicalOrder(flat, parents: resolved)
        var layers = try decodeLayers(flat, parents: resolved, order: order)
        let specBatch = try inferShapes(&layers)
        let outputs = try chooseOutputs(root["outputs"], layers: layers)
        markDeadBranches(&layers, outputs: outputs)
        return Network(name: name, layers: layers, specBatch: specBatch, batch: specBatch, outputs: outputs)
    }

    // MARK: - Blocks and model parallelism

    /// Flattens Blocks and ModelParallel blocks into named layers, as Paleo does.
    func expand(_ members: [JSONMember]) throws(SpecError) -> [FlatLayer] {
        // Names of ModelParallel sublayers and their split counts, for `@all` anywhere.
        var splitsByName: [String: Int64] = [:]
        var endpoints: [String: String] = [:]
        for member in members {
            guard case .object = member.value.value else {
                throw fail(member.keyPosition.line, member.key, "a layer must be a JSON object, got \(member.value.kindDescription)")
            }
            let type = member.value["type"]
            guard case .string(let typeName)? = type?.value else { continue }
            if typeName == "ModelParallel" || typeName == "Block" {
                let splits = try blockSplits(member)
                if typeName == "ModelParallel", case .object(let inner)? = member.value["layers"]?.value {
                    for sub in inner { splitsByName["\(member.key)/\(sub.key)"] = splits }
                }
                if let endpoint = member.value["endpoint"] {
                    guard case .string(let e) = endpoint.value else {
                        throw fail(endpoint.position.line, member.key, "field 'endpoint' must be the name of a layer of the block")
                    }
                    endpoints[member.key] = "\(member.key)/\(e)"
                }
            }
        }

        func tooManyLinks(_ line: Int, _ layer: String) -> SpecError {
            fail(line, layer, "the spec has more than \(SpecReader.maximumParentLinks) parent links once Blocks, ModelParallel "
                     + "splits and @all are expanded (the count passes it here); larger specs are refused")
        }

        func transformParents(_ names: [String], split: Int64?, line: Int, layer: String) throws(SpecError) -> [String] {
            var result: [String] = []
            for name in names {
                if name.hasSuffix("@all") {
                    let base = String(name.dropLast(4))
                    guard let count = splitsByName[base] else {
                        throw fail(line, layer, "parent '\(name)': '\(base)' is not a layer of a ModelParallel block, so it has no splits")
                    }
                    // Checked before expanding: one list of `@all`s alone can ask for millions.
                    if result.count + Int(count) > SpecReader.maximumParentLinks { throw tooManyLinks(line, layer) }
                    let target = endpoints[base] ?? base
                    for s in 0..<count { result.append("\(target)@\(s)") }
                } else if name.hasSuffix("@self") {
                    let base = String(name.dropLast(5))
                    guard let split else {
                        throw fail(line, layer, "parent '\(name)': @self is only meaningful inside a ModelParallel block")
                    }
                    guard splitsByName[base] != nil else {
                        throw fail(line, layer, "parent '\(name)': '\(base)' is not split")
                    }
                    result.append("\(endpoints[base] ?? base)@\(split)")
                } else {
                    result.append(endpoints[name] ?? name)
                }
            }
            return result
        }

        var count = 0
        for member in members {
            if case .string(let typeName)? = member.value["type"]?.value, typeName == "Block" || typeName == "ModelParallel",
               case .object(let inner)? = member.value["layers"]?.value {
                let splits = try typeName == "ModelParallel" ? blockSplits(member) : 1
                count += inner.count * Int(splits)
            } else {
                count += 1
            }
            if count > SpecReader.maximumLayers {
                throw fail(member.keyPosition.line, member.key,
                           "the spec has more than \(SpecReader.maximumLayers) layers once Blocks and ModelParallel splits are expanded "
                               + "(the count passes it here); larger specs are refused")
            }
        }

        var flat: [FlatLayer] = []
        flat.reserveCapacity(count)
        var links = 0
        for member in members {
            let node = member.value
            let line = member.keyPosition.line
            let typeName = try stringField(node, "type", layer: member.key)
            let parents = try parentNames(node, layer: member.key)
            if typeName == "Block" || typeName == "ModelParallel" {
                let isModelParallel = typeName == "ModelParallel"
                let splits = try blockSplits(member)
                guard let inner = node["layers"], case .object(let innerMembers) = inner.value else {
                    throw fail(line, member.key, "a \(typeName) needs 'layers', an object of its inner layers")
                }
                let blockParents = try transformParents(parents, split: nil, line: line, layer: member.key)
                for s in 0..<(isModelParallel ? splits : 1) {
                    for sub in innerMembers {
                        guard case .object = sub.value.value else {
                            throw fail(sub.keyPosition.line, "\(member.key)/\(sub.key)", "a layer must be a JSON object, got \(sub.value.kindDescription)")
                        }
                        var subName = "\(member.key)/\(sub.key)"
                        if isModelParallel { subName += "@\(s)" }
                        let subType = try stringField(sub.value, "type", layer: subName)
                        if subType == "Block" || subType == "ModelParallel" {
                            throw fail(sub.keyPosition.line, subName, "a \(subType) inside a \(typeName) is not supported (Paleo does not nest blocks either)")
                        }
                        let subParents = try parentNames(sub.value, layer: subName)
                        let resolvedParents = subParents.isEmpty
                            ? blockParents
                            : try transformParents(subParents.map { "\(member.key)/\($0)" }, split: isModelParallel ? s : nil,
                                                   line: sub.keyPosition.line, layer: subName)
                        links += resolvedParents.count
                        if links > SpecReader.maximumParentLinks { throw tooManyLinks(sub.keyPosition.line, subName) }
                        flat.append(FlatLayer(
                            name: subName, typeName: subType, node: sub.value, parentNames: resolvedParents,
                            device: isModelParallel ? String(s) : nil, splits: isModelParallel ? splits : nil,
                            line: sub.keyPosition.line))
                    }
                }
            } else {
                let resolvedParents = try transformParents(parents, split: nil, line: line, layer: member.key)
                links += resolvedParents.count
                if links > SpecReader.maximumParentLinks { throw tooManyLinks(line, member.key) }
                flat.append(FlatLayer(
                    name: member.key, typeName: typeName, node: node, parentNames: resolvedParents,
                    device: deviceTag(of: member.key), splits: nil, line: line))
            }
        }
        var seen: [String: Int] = [:]
        for layer in flat {
            if let first = seen[layer.name] {
                throw fail(layer.line, layer.name, "the name is used twice (first at line \(first))")
            }
            seen[layer.name] = layer.line
        }
        return flat
    }

    /// The `k` of a name `x@k`: Paleo's device placement.
    func deviceTag(of name: String) -> String? {
        guard let at = name.firstIndex(of: "@") else { return nil }
        let tag = name[name.index(after: at)...]
        return String(tag.split(separator: "@").first ?? "")
    }

    func blockSplits(_ member: JSONMember) throws(SpecError) -> Int64 {
        guard let node = member.value["splits"] else { return 1 }
        guard case .number(let n) = node.value, let splits = n.int64, splits >= 1, splits <= 4096 else {
            throw fail(node.position.line, member.key, "field 'splits' must be an integer from 1 to 4096")
        }
        return splits
    }

    func stringField(_ node: JSONNode, _ key: String, layer: String) throws(SpecError) -> String {
        guard let value = node[key] else { throw fail(node.position.line, layer, "missing field '\(key)'") }
        guard case .string(let s) = value.value, !s.isEmpty else {
            throw fail(value.position.line, layer, "field '\(key)' must be a non-empty string, got \(value.kindDescription)")
        }
        return s
    }

    func parentNames(_ node: JSONNode, layer: String) throws(SpecError) -> [String] {
        guard let value = node["parents"] else {
            throw fail(node.position.line, layer, "missing field 'parents' (use [] for the data layer)")
        }
        guard case .array(let items) = value.value else {
            throw fail(value.position.line, layer, "field 'parents' must be an array of layer names, got \(value.kindDescription)")
        }
        var names: [String] = []
        for item in items {
            guard case .string(let s) = item.value, !s.isEmpty else {
                throw fail(item.position.line, layer, "field 'parents' must hold layer names, got \(item.kindDescription)")
            }
            names.append(s)
        }
        return names
    }

    // MARK: - Graph

    /// Parent indices (into `flat`) for each layer.
    func resolveGraph(_ flat: [FlatLayer]) throws(SpecError) -> [[Int]] {
        let indexByName = Dictionary(uniqueKeysWithValues: flat.enumerated().map { ($0.element.name, $0.offset) })
        var parents: [[Int]] = []
        var problems: [SpecError.Problem] = []
        for layer in flat {
            var resolved: [Int] = []
            for name in layer.parentNames {
                if let index = indexByName[name] {
                    resolved.append(index)
                } else {
                    // Only the problems shown get a suggestion: each compares the name with
                    // every layer's, which for thousands of bad parents would take minutes.
                    let suggestion = problems.count < SpecError.maximumShownProblems
                        ? JSONObjectReader.closest(to: name, in: flat.map(\.name), maximumDistance: 3) : nil
                    problems.append(SpecError.Problem(
                        line: layer.line, layer: layer.name,
                        "unknown parent '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")))
                }
            }
            parents.append(resolved)
        }
        if !problems.isEmpty { throw SpecError(file: file, problems: problems) }

        let inputs = flat.indices.filter { flat[$0].typeName == "Input" }
        guard let data = flat.firstIndex(where: { $0.name == "data" }) else {
            throw fail(nil, nil, "no data layer: the network needs an Input layer named 'data'"
                + (inputs.isEmpty ? "" : " (found Input layer '\(flat[inputs[0]].name)')"))
        }
        guard flat[data].typeName == "Input" else {
            throw fail(flat[data].line, "data", "the data layer must have type 'Input', not '\(flat[data].typeName)'")
        }
        for index in inputs where index != data {
            throw fail(flat[index].line, flat[index].name, "only one Input layer, named 'data', is supported")
        }
        if !parents[data].isEmpty {
            throw fail(flat[data].line, "data", "the data layer must have no parents")
        }
        for (index, layer) in flat.enumerated() where index != data && parents[index].isEmpty {
            throw fail(layer.line, layer.name, "no parents: every layer but 'data' needs at least one")
        }
        return parents
    }

    /// Kahn's algorithm, always taking the earliest ready layer in spec order, so a spec
    /// already in order keeps it. Reports a cycle by naming its layers.
    func topologicalOrder(_ flat: [FlatLayer], parents: [[Int]]) throws(SpecError) -> [Int] {
        var children = Array(repeating: [Int](), count: flat.count)
        var pending = parents.map(\.count)
        for (child, list) in parents.enumerated() {
            for parent in list { children[parent].append(child) }
        }
        var ready = Heap(flat.indices.filter { pending[$0] == 0 })
        var order: [Int] = []
        order.reserveCapacity(flat.count)
        while let next = ready.popMin() {
            order.append(next)
            for child in children[next] {
                pending[child] -= 1
                if pending[child] == 0 { ready.insert(child) }
            }
        }
        if order.count < flat.count {
            let stuck = Set(flat.indices).subtracting(order)
            // Walk parents among the stuck layers until one repeats: that loop is a cycle.
            var path: [Int] = []
            var onPath = Set<Int>()
            var current = stuck.min()!
            while onPath.insert(current).inserted {
                path.append(current)
                current = parents[current].first { stuck.contains($0) }!
            }
            let cycle = path[path.firstIndex(of: current)!...].map { flat[$0].name }
            // A long cycle is shown by its ends, so that the message stays one readable line.
            let shown = cycle.count <= 12
                ? cycle + [cycle[0]]
                : Array(cycle.prefix(6)) + ["… \(cycle.count - 11) more …"] + Array(cycle.suffix(5)) + [cycle[0]]
            throw fail(flat[current].line, flat[current].name,
                       "cycle in the graph: \(shown.joined(separator: " -> "))"
                           + (cycle.count > 12 ? " (\(cycle.count) layers)" : ""))
        }
        // Every layer but `data` has a parent (checked before) and there is no cycle, so every
        // layer is reachable from `data`.
        return order
    }

    /// Output layers: the spec's "outputs", or else the last layer (in spec order) that no
    /// other layer consumes.
    func chooseOutputs(_ node: JSONNode?, layers: [Layer]) throws(SpecError) -> [Int] {
        if let node {
            guard case .array(let items) = node.value, !items.isEmpty else {
                throw fail(node.position.line, nil, "field 'outputs' must be a non-empty array of layer names")
            }
            // Names are unique (checked when the blocks were expanded).
            let indexByName = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($0.element.name, $0.offset) })
            var outputs: [Int] = []
            for item in items {
                guard case .string(let name) = item.value else {
                    throw fail(item.position.line, nil, "field 'outputs' must hold layer names, got \(item.kindDescription)")
                }
                guard let index = indexByName[name] else {
                    throw fail(item.position.line, nil, "field 'outputs' names an unknown layer '\(name)'")
                }
                outputs.append(index)
            }
            return outputs
        }
        var consumed = Set<Int>()
        for layer in layers { consumed.formUnion(layer.parents) }
        let sinks = layers.indices.filter { !consumed.contains($0) }
        let last = sinks.max { (layers[$0].line ?? 0, $0) < (layers[$1].line ?? 0, $1) }!
        return [last]
    }

    func markDeadBranches(_ layers: inout [Layer], outputs: [Int]) {
        var live = Set(outputs)
        for index in layers.indices.reversed() where live.contains(index) {
            live.formUnion(layers[index].parents)
        }
        for index in layers.indices { layers[index].isDead = !live.contains(index) }
    }

    // MARK: - Layers

    /// Reads each layer's parameters, in topological order; field problems are collected
    /// across all layers.
    func decodeLayers(_ flat: [FlatLayer], parents: [[Int]], order: [Int]) throws(SpecError) -> [Layer] {
        var position = Array(repeating: 0, count: flat.count)
        for (i, index) in order.enumerated() { position[index] = i }
        var layers: [Layer] = []
        var problems: [SpecError.Problem] = []
        for index in order {
            let spec = flat[index]
            let fields = JSONProblems()
            let kind = LayerDecoder(spec: spec, problems: fields, options: options).decode()
            for problem in fields.items {
                problems.append(SpecError.Problem(line: problem.position?.line ?? spec.line, layer: spec.name,
                                                  "field '\(problem.field)': \(problem.message)"))
            }
            layers.append(Layer(
                name: spec.name, typeName: spec.typeName, kind: kind ?? .generic,
                parents: parents[index].map { position[$0] }, device: spec.device,
                extraFields: LayerDecoder.extraFields(of: spec), line: spec.line))
        }
        if !problems.isEmpty { throw SpecError(file: file, problems: problems) }
        return layers
    }

    /// Infers every shape at the spec's batch; returns that batch.
    func inferShapes(_ layers: inout [Layer]) throws(SpecError) -> Int64 {
        var specBatch: Int64 = 1
        for index in layers.indices {
            let inputs = layers[index].parents.map { layers[$0].outputShape }
            layers[index].inputShapes = inputs
            do {
                try ShapeInference.infer(&layers[index])
            } catch {
                throw fail(layers[index].line, layers[index].name, error.message)
            }
            if case .input(let tensor) = layers[index].kind { specBatch = tensor[0] }
        }
        return specBatch
    }
}

/// A binary min-heap of layer positions, for the topological sort.
struct Heap {
    private var items: [Int] = []

    init(_ values: [Int]) {
        for value in values { insert(value) }
    }

    mutating func insert(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Int? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
