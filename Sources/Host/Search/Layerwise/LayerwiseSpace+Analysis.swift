import Network

/// How a layer-wise space finds its decisions in a network: which layers' widths may change
/// (and which must change together), which kernels may change, which layers may go.
///
/// Widths. Every tensor's channel count (its last dimension) belongs to a channel class.
/// A convolution or InnerProduct starts a class of its own (it owns the count); pooling,
/// dropout, normalisation, activation, up-sampling, Softmax and Sigmoid pass their input's
/// class on; an element-wise layer, and a Concatenate along any axis but the channels,
/// needs equal counts, so it merges its inputs' classes. A Concatenate along the channels
/// starts a derived class: its count is the sum of its inputs', so they stay free — unless
/// the derived class is itself pinned or merged with another, in which case its inputs'
/// classes are pinned too. A class is pinned (rigid) when it holds the network's input, a
/// deconvolution's output (fixed by its `output_shape`), a Reshape's input or output, an
/// unknown type's inputs, or the output of any layer nothing consumes or the network
/// outputs — which pins the classifier, whose count flows through Softmax to the output.
/// Every other class with at least one owner gets one width decision, shared by all its
/// owners (a residual stage's convolutions change together) and by the other devices'
/// copies of a ModelParallel layer. Consumers' input channels follow by shape inference
/// (convolution filters, InnerProduct weights, Concatenate sums, BatchNorm scales).
///
/// Kernels. A convolution with stride 1 whose output is as large as its input (SAME, or
/// padding that keeps the size) may take a kernel of 1, 3, 5 or 7 (and its own): SAME
/// padding stays SAME, other padding becomes `[k/2, k/2]`, which keeps the size for odd
/// k (even sizes are offered only with SAME). A 1×n or n×1 kernel keeps its shape (1×k,
/// k×1); a rectangular kernel with both sides above 1 gets no decision. Sizes larger than
/// the input along the axes they set are not offered (they would multiply mostly padding).
///
/// Skips. A convolution, InnerProduct or pooling layer with one parent, consumers, not a
/// network output, and an output shaped exactly like its input may be skipped: it is
/// removed and its consumers read its input. A convolution or InnerProduct qualifies only
/// when its channel class is its own alone (not merged with anything): then its consumers
/// all adapt to any channel count, so reading the input instead is valid whatever the
/// other decisions are. Dropout, normalisation and activation layers are never skipped:
/// removing them changes how a network trains rather than its architecture.
///
/// Dead branches (layers whose output reaches no network output) get no decisions of their
/// own; a dead convolution tied to a live one follows its width decision.
extension LayerwiseSpace {
    /// The width multipliers, in quarters: 0.25, 0.5, 0.75, 1, 1.25.
    public static let widthQuarters = [1, 2, 3, 4, 5]
    /// The kernel sizes offered (besides a convolution's own).
    public static let kernelSizes: [Int64] = [1, 3, 5, 7]

    /// Output channels after a width multiplier of `quarters`/4: rounded half up, at least 1.
    public static func widthCount(_ channels: Int64, quarters: Int) -> Int64 {
        max(1, (channels * Int64(quarters) + 2) / 4)
    }

    /// The decisions of `network`, in layer order: at each layer, its width decision (where
    /// it is the first live layer of its group), its kernel decision, its skip decision.
    static func decisions(of network: Network) -> [LayerwiseDecision] {
        let layers = network.layers
        let classes = ChannelClasses(network)

        // Units: a layer, or all devices' copies of one ModelParallel layer.
        var unitOf = Array(layers.indices)
        var membersOfUnit: [Int: [Int]] = [:]
        var firstByKey: [String: Int] = [:]
        for (index, layer) in layers.enumerated() {
            guard layer.device != nil, let at = layer.name.lastIndex(of: "@") else { continue }
            let key = String(layer.name[..<at])
            if let first = firstByKey[key], isCopy(layers[index], of: layers[first]) {
                unitOf[index] = first
            } else if firstByKey[key] == nil {
                firstByKey[key] = index
            }
        }
        for index in layers.indices { membersOfUnit[unitOf[index], default: []].append(index) }

        // Width groups: owners sharing a channel class, joined with their ModelParallel copies.
        var groups = UnionFind(count: layers.count)
        var firstOwnerOfRoot: [Int: Int] = [:]
        for index in layers.indices where isOwner(layers[index]) {
            let root = classes.root(of: index)
            if let first = firstOwnerOfRoot[root] { groups.union(first, index) } else { firstOwnerOfRoot[root] = index }
            groups.union(unitOf[index], index)
        }
        var membersOfGroup: [Int: [Int]] = [:]
        for index in layers.indices where isOwner(layers[index]) { membersOfGroup[groups.find(index), default: []].append(index) }

        var widthAt: [Int: LayerwiseDecision] = [:]
        for members in membersOfGroup.values {
            guard let leader = members.first(where: { !layers[$0].isDead }),
                  !members.contains(where: { classes.isRigid(classes.root(of: $0)) }),
                  let channels = outputCount(layers[leader]),
                  members.allSatisfy({ outputCount(layers[$0]) == channels })
            else { continue }
            let counts = widthQuarters.map { widthCount(channels, quarters: $0) }
            guard Set(counts).count >= 2 else { continue }
            widthAt[leader] = LayerwiseDecision(
                kind: .width, name: layers[leader].name, layers: members,
                options: widthQuarters.map { .width(quarters: $0) }, startChoice: widthQuarters.firstIndex(of: 4)!, counts: counts)
        }

        var decisions: [LayerwiseDecision] = []
        for index in layers.indices {
            if let width = widthAt[index] { decisions.append(width) }
            guard unitOf[index] == index else { continue }
            let unit = membersOfUnit[index]!
            guard unit.allSatisfy({ !layers[$0].isDead }) else { continue }
            if let kernel = kernelDecision(unit, layers) { decisions.append(kernel) }
            if isSkippable(unit, network, classes) {
                decisions.append(LayerwiseDecision(kind: .skip, name: layers[index].name, layers: unit, options: [.keep, .skip], startChoice: 0))
            }
        }
        return decisions
    }

    static func isOwner(_ layer: Layer) -> Bool {
        switch layer.kind {
        case .convolution, .innerProduct: true
        default: false
        }
    }

    /// A convolution's output channels per device, an InnerProduct's units.
    static func outputCount(_ layer: Layer) -> Int64? {
        switch layer.kind {
        case .convolution(let conv): conv.filter[3]
        case .innerProduct(let outputs): outputs
        default: nil
        }
    }

    /// Whether two layers are copies of one ModelParallel layer on different devices.
    static func isCopy(_ a: Layer, of b: Layer) -> Bool {
        a.typeName == b.typeName && a.kind == b.kind && a.inputShapes == b.inputShapes && a.outputShape == b.outputShape
            && a.parents.count == b.parents.count && a.isDead == b.isDead
    }

    /// The kernel decision of a unit of convolutions, or nil when its kernel cannot change.
    static func kernelDecision(_ unit: [Int], _ layers: [Layer]) -> LayerwiseDecision? {
        let layer = layers[unit[0]]
        guard case .convolution(let conv) = layer.kind, layer.inputShapes.count == 1 else { return nil }
        let input = layer.inputShapes[0], output = layer.outputShape
        guard input.count == 4, output.count == 4, conv.strides[1] == 1, conv.strides[2] == 1,
              input[1] == output[1], input[2] == output[2]
        else { return nil }
        let (height, width) = (conv.specFilter[0], conv.specFilter[1])
        let own: Int64, limit: Int64
        if height == width {
            own = height
            limit = min(input[1], input[2])
        } else if height == 1 {
            own = width
            limit = input[2]
        } else if width == 1 {
            own = height
            limit = input[1]
        } else {
            return nil
        }
        var sizes = Set(kernelSizes.filter { $0 <= limit && (conv.padding == .same || $0 % 2 == 1) })
        sizes.insert(own)
        guard sizes.count >= 2 else { return nil }
        let options = sizes.sorted().map { LayerwiseOption.kernel($0) }
        return LayerwiseDecision(kind: .kernel, name: layer.name, layers: unit, options: options,
                                 startChoice: options.firstIndex(of: .kernel(own))!)
    }

    /// Whether a unit may be removed, its consumers reading its input, whatever else changes.
    fileprivate static func isSkippable(_ unit: [Int], _ network: Network, _ classes: ChannelClasses) -> Bool {
        unit.allSatisfy { index in
            let layer = network.layers[index]
            guard layer.parents.count == 1, layer.inputShapes.first == layer.outputShape,
                  classes.consumers[index] > 0, !network.outputs.contains(index)
            else { return false }
            switch layer.kind {
            case .pooling: return true
            case .convolution, .innerProduct: return classes.isAlone(index)
            default: return false
            }
        }
    }
}

/// The channel classes of a network's tensors (see `LayerwiseSpace+Analysis.swift`).
fileprivate struct ChannelClasses {
    private var sets = UnionFind(count: 0)
    /// The class id each layer's output starts or joins.
    private var idOfLayer: [Int] = []
    private var rigidRoots = Set<Int>()
    private var idCountOfRoot: [Int: Int] = [:]
    /// How many layers read each layer's output.
    private(set) var consumers: [Int] = []

    init(_ network: Network) {
        let layers = network.layers
        consumers = Array(repeating: 0, count: layers.count)
        for layer in layers { for parent in layer.parents { consumers[parent] += 1 } }
        var derived: [(id: Int, parts: [Int])] = []
        var rigid: [Int] = []
        for layer in layers {
            let inputs = layer.parents.map { idOfLayer[$0] }
            let id: Int
            switch layer.kind {
            case .input, .deconvolution:
                id = sets.make()
                rigid.append(id)
            case .convolution, .innerProduct:
                id = sets.make()
            case .reshape, .generic:
                rigid += inputs
                id = sets.make()
                rigid.append(id)
            case .elementwise:
                for other in inputs.dropFirst() { sets.union(inputs[0], other) }
                id = inputs.first ?? sets.make()
            case .concatenate(let dimension):
                let rank = layer.outputShape.count
                if (dimension < 0 ? rank + dimension : dimension) == rank - 1 {
                    id = sets.make()
                    derived.append((id, inputs))
                } else {
                    for other in inputs.dropFirst() { sets.union(inputs[0], other) }
                    id = inputs.first ?? sets.make()
                }
            case .pooling, .dropout, .batchNorm, .activation, .lrn, .upsampling, .softmax, .sigmoid:
                if let first = inputs.first {
                    id = first
                } else {
                    id = sets.make()
                    rigid.append(id)
                }
            }
            idOfLayer.append(id)
        }
        for index in layers.indices where consumers[index] == 0 || network.outputs.contains(index) {
            rigid.append(idOfLayer[index])
        }
        for id in 0..<sets.count { idCountOfRoot[sets.find(id), default: 0] += 1 }
        rigidRoots = Set(rigid.map { sets.find($0) })
        // A derived (channel-concatenated) class that is pinned, or merged with anything,
        // pins its parts; repeat until nothing changes (parts may be derived too).
        var changed = true
        while changed {
            changed = false
            for (id, parts) in derived {
                let root = sets.find(id)
                guard rigidRoots.contains(root) || idCountOfRoot[root]! > 1 else { continue }
                if rigidRoots.insert(root).inserted { changed = true }
                for part in parts where rigidRoots.insert(sets.find(part)).inserted { changed = true }
            }
        }
    }

    /// The class of a layer's output.
    func root(of layer: Int) -> Int { sets.find(idOfLayer[layer]) }

    /// Whether a class must keep its channel count.
    func isRigid(_ root: Int) -> Bool { rigidRoots.contains(root) }

    /// Whether a layer's output class is free and holds nothing but the class the layer
    /// started (no element-wise layer or concatenation ties it to anything).
    func isAlone(_ layer: Int) -> Bool {
        let root = root(of: layer)
        return !isRigid(root) && idCountOfRoot[root] == 1
    }
}

/// Disjoint sets over 0..<count, joined by size (so finding a root takes O(log count) steps).
fileprivate struct UnionFind {
    private var parent: [Int]
    private var size: [Int]

    init(count: Int) {
        parent = Array(0..<count)
        size = Array(repeating: 1, count: count)
    }

    var count: Int { parent.count }

    /// A new singleton set; returns its element.
    mutating func make() -> Int {
        parent.append(parent.count)
        size.append(1)
        return parent.count - 1
    }

    func find(_ element: Int) -> Int {
        var x = element
        while parent[x] != x { x = parent[x] }
        return x
    }

    mutating func union(_ a: Int, _ b: Int) {
        var (ra, rb) = (find(a), find(b))
        guard ra != rb else { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra
        size[ra] += size[rb]
    }
}
