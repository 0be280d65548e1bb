/// A neural network as Joule reasons about it: layers in topological order with their
/// shapes inferred, at one batch size.
///
///     let network = try SpecReader.read(file: "vgg16.json")
///     network.layers.count          // 25
///     network.withBatch(32)         // every shape's first dimension set to 32
///
/// Shapes follow Paleo's rules. The network's outputs are the layers no other layer
/// consumes; when a spec leaves several, the last one in the spec is the output unless the
/// spec lists `"outputs"`, and the others end dead branches (see `Layer.isDead`).
public struct Network: Sendable, Equatable {
    public var name: String
    /// In topological order: every layer comes after its parents.
    public var layers: [Layer]
    /// The batch the spec's Input layer was written with.
    public var specBatch: Int64
    /// The batch the shapes are at now.
    public var batch: Int64
    /// Indices of the output layers.
    public var outputs: [Int]

    public init(name: String, layers: [Layer], specBatch: Int64, batch: Int64, outputs: [Int]) {
        self.name = name
        self.layers = layers
        self.specBatch = specBatch
        self.batch = batch
        self.outputs = outputs
    }

    /// The index of the layer called `name`.
    public func index(of name: String) -> Int? {
        layers.firstIndex { $0.name == name }
    }

    /// Indices of the layers whose output reaches no network output.
    public var deadLayers: [Int] { layers.indices.filter { layers[$0].isDead } }

    /// The same network at another batch size: the first dimension of every shape is
    /// replaced, which is how Paleo applies `--batch_size` (shapes are inferred at the
    /// spec's batch first, so a Reshape's inferred dimension keeps its spec-batch value).
    public func withBatch(_ newBatch: Int64) -> Network {
        var copy = self
        copy.batch = newBatch
        for i in copy.layers.indices {
            for j in copy.layers[i].inputShapes.indices where !copy.layers[i].inputShapes[j].isEmpty {
                copy.layers[i].inputShapes[j][0] = newBatch
            }
            if !copy.layers[i].outputShape.isEmpty { copy.layers[i].outputShape[0] = newBatch }
        }
        return copy
    }

    /// The network without its dead layers (`--prune-dead`), as graph compilers run it.
    ///
    /// A live layer's parents are live (its output reaches an output through them too), so
    /// only indices change.
    public func prunedOfDeadBranches() -> Network {
        var newIndex: [Int: Int] = [:]
        var layers: [Layer] = []
        for (i, layer) in self.layers.enumerated() where !layer.isDead {
            newIndex[i] = layers.count
            layers.append(layer)
        }
        for i in layers.indices { layers[i].parents = layers[i].parents.map { newIndex[$0]! } }
        return Network(name: name, layers: layers, specBatch: specBatch, batch: batch, outputs: outputs.compactMap { newIndex[$0] })
    }
}
