/// Rewriting a network: removing layers and inferring shapes again after layers' settings
/// changed. The search engine's layer-wise space builds every architecture this way.
///
///     var network = try SpecReader.read(file: "vgg16.json")
///     let conv = network.index(of: "conv1-1")!
///     if case .convolution(var c) = network.layers[conv].kind {
///         c.specFilter[3] = 32                          // 64 → 32 output channels
///         network.layers[conv].kind = .convolution(c)
///     }
///     network = try network.bypassing([network.index(of: "conv1-2")!]).reinferringShapes()
///     network.layers[network.index(of: "pool1")!].inputShapes   // [[64, 224, 224, 32]]
///
/// A rewrite changes settings (a convolution's spec filter and padding, an InnerProduct's
/// outputs, a layer's parents); `reinferringShapes(label:)` then makes every shape, every
/// consumer's input channels and so every parameter and FLOP count follow.
extension Network {
    /// The network with every shape inferred again from the layers' settings, after a
    /// rewrite changed some of them.
    ///
    /// Layers are taken in order (they must stay topologically sorted); each one's input
    /// shapes are read again from its parents, and its output shape is inferred by Paleo's
    /// rules as the reader infers it. What a layer's settings mean:
    ///
    /// - A convolution's kernel, output channels and padding come from its spec values
    ///   (`Convolution.specFilter`, `padding`, `splits`): a rewrite sets those. Its input
    ///   channels follow its input, as if the spec wrote -1; an explicit spec value is
    ///   rewritten to the input's channel count, so `SpecWriter` writes a spec that reads
    ///   back.
    /// - A deconvolution's input channels (`filter[3]`) follow its input; its output is
    ///   still the spec's `output_shape`.
    /// - An InnerProduct flattens whatever comes; BatchNorm's and InnerProduct's parameter
    ///   counts follow their new shapes (`Layer.params` reads them).
    ///
    /// Shapes are inferred at the spec's batch and then set to the network's batch
    /// (`withBatch(_:)`), as the reader and `--batch` do; dead branches are marked again for
    /// the same outputs. A network that was not rewritten comes back equal to itself.
    ///
    /// - Parameter label: The file or name that errors carry (`SpecError.file`).
    /// - Returns: The network with its shapes, padding and dead-branch flags recomputed.
    /// - Throws: `SpecError` naming the first layer whose shape cannot be inferred (a window
    ///   larger than its input, element-wise inputs of different shapes, …), or a layer
    ///   whose parent comes after it.
    /// - Complexity: O(layers + edges).
    public func reinferringShapes(label: String? = nil) throws(SpecError) -> Network {
        var copy = self
        copy.batch = specBatch
        for index in copy.layers.indices {
            let layer = copy.layers[index]
            for parent in layer.parents where parent >= index || parent < 0 {
                throw SpecError(file: label, line: layer.line, layer: layer.name,
                                "parent index \(parent) does not come before the layer (index \(index)): the layers must stay in topological order")
            }
            let inputs = layer.parents.map { copy.layers[$0].outputShape }
            copy.layers[index].inputShapes = inputs
            switch layer.kind {
            case .convolution(var conv):
                conv.filter = conv.specFilter
                if conv.specFilter[2] != -1, inputs.count == 1, inputs[0].count == 4 {
                    conv.specFilter[2] = inputs[0][3]
                    conv.filter[2] = inputs[0][3]
                }
                copy.layers[index].kind = .convolution(conv)
            case .deconvolution(var deconv):
                if inputs.count == 1, inputs[0].count == 4 { deconv.filter[3] = inputs[0][3] }
                copy.layers[index].kind = .deconvolution(deconv)
            default:
                break
            }
            do {
                try ShapeInference.infer(&copy.layers[index])
            } catch {
                throw SpecError(file: label, line: layer.line, layer: layer.name, error.message)
            }
        }
        var live = Set(copy.outputs)
        for index in copy.layers.indices.reversed() where live.contains(index) {
            live.formUnion(copy.layers[index].parents)
        }
        for index in copy.layers.indices { copy.layers[index].isDead = !live.contains(index) }
        return copy.withBatch(batch)
    }

    /// The network without the layers at `indices`, each replaced by its only parent: its
    /// consumers read that parent instead (through a chain of removed layers, the first
    /// kept one), and so does the output list where it was an output.
    ///
    /// Shapes are left as they were; call `reinferringShapes(label:)` after the rewrite.
    /// Layer order is kept, so the result is still topologically sorted. A consumer of
    /// several removed layers may end up reading one parent twice (a Concatenate of `x`
    /// and `x`), which is a valid graph.
    ///
    /// - Precondition: every removed layer has exactly one parent; indices are in range.
    /// - Complexity: O(layers + edges).
    public func bypassing(_ indices: Set<Int>) -> Network {
        guard !indices.isEmpty else { return self }
        var replacement = Array(layers.indices)
        for index in layers.indices where indices.contains(index) {
            precondition(layers[index].parents.count == 1,
                         "bypassing layer '\(layers[index].name)', which has \(layers[index].parents.count) parents (exactly one is needed)")
            replacement[index] = replacement[layers[index].parents[0]]
        }
        var newIndex: [Int: Int] = [:]
        var kept: [Layer] = []
        for (index, layer) in layers.enumerated() where !indices.contains(index) {
            newIndex[index] = kept.count
            kept.append(layer)
        }
        for i in kept.indices { kept[i].parents = kept[i].parents.map { newIndex[replacement[$0]]! } }
        var outputs: [Int] = []
        for output in self.outputs {
            let mapped = newIndex[replacement[output]]!
            if !outputs.contains(mapped) { outputs.append(mapped) }
        }
        return Network(name: name, layers: kept, specBatch: specBatch, batch: batch, outputs: outputs)
    }
}
