import JouleJSON

/// NAS-Bench-201's networks as Paleo specs: the fixed skeleton around one cell.
///
///     let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
///     let network = try NB201Network.build(cell)
///     network.params                   // 1_288_506 (NB201 publishes 1.289 MB for CIFAR-10)
///     SpecWriter.write(network)        // the same document as JSONWriter.render(NB201Network.spec(cell))
///
/// The skeleton, in NHWC with input `[batch, S, S, 3]` (S = 32, or 16 for ImageNet16-120),
/// names its layers as NB201's PyTorch modules are numbered (`cell0` … `cell16`):
///
/// - `stem/conv`, `stem/bn`: a 3×3 convolution 3 → 16 (no bias), BatchNorm.
/// - `cell0` … `cell4`: five cells at 16 channels, S×S.
/// - `cell5`: a residual reduction block 16 → 32, S/2×S/2. Main path `a/relu`, `a/conv`
///   (3×3, stride 2), `a/bn`, `b/relu`, `b/conv` (3×3), `b/bn`; shortcut `shortcut/pool`
///   (2×2 average, stride 2, VALID) and `shortcut/conv` (1×1); `add` sums the two. No
///   convolution has a bias.
/// - `cell6` … `cell10`: five cells at 32 channels; `cell11`: reduction 32 → 64;
///   `cell12` … `cell16`: five cells at 64 channels, S/4×S/4.
/// - `head/bn`, `head/relu`, `head/pool` (global average pooling: an AvgPool whose window is
///   the whole S/4×S/4 map, VALID), `classifier` (an InnerProduct to `classes`, with bias).
///
/// Inside a cell, an edge i→j is named `cellN/j<-i/…`: `nor_conv_kxk` is `relu`, `conv`
/// (k×k, stride 1, SAME, `"bias": false`), `bn`; `avg_pool_3x3` is `pool` (3×3 average,
/// stride 1, SAME); `skip_connect` adds no layer (the destination reads the source's tensor);
/// `none` is, in the default (eager) build, an `Activation` with function `zero`
/// (`cellN/j<-i/zero`), and each node is an Add layer `cellN/nodeJ` over all its incoming
/// tensors, even a single one. That is what eager PyTorch runs for NB201's cell: `none` is
/// `x.mul(0.)`, a real element-wise kernel, and each node is Python's `sum()` of its edges'
/// outputs, which starts from 0 and so launches an add even for one tensor. The measured
/// GPU latencies see those kernels: a `none` edge costs a multiply that a `skip_connect`
/// does not. Without them, layer features cannot tell the two apart and a per-layer model
/// whose every layer costs something positive ranks latency_dev.csv clearly worse (Kendall
/// τ about 0.91 instead of 0.98 at batch 256 on the GTX 1080 Ti). With
/// `NB201Options.pruneDead` (a graph compiler) `none` edges are no edges and a node with a
/// single tensor is that tensor.
///
/// Dead branches. Eager PyTorch runs every operation, so by default every edge is built: a
/// node fed only by `none` edges is a sum of zeros, the operations reading it compute on
/// zeros, and a disconnected cell passes zeros on, all as in eager mode. Because the zeros
/// are computed from their inputs, every layer of the eager build reaches the classifier and
/// none is `isDead`: the NB201 sense of "dead" (no live path to node 3) is what
/// `NB201Options.pruneDead` acts on.
///
/// With `NB201Options.pruneDead` only the live edges are built, as a graph compiler runs
/// the network: that also leaves out the operations fed only by zeros, which still reach
/// node 3 and so are not `isDead` in the default build.
public enum NB201Network {
    /// Channels of the three stages.
    static let stageChannels: [Int64] = [16, 32, 64]
    /// Cells per stage.
    static let cellsPerStage = 5

    /// The network's name: "nb201 " and the cell string.
    public static func name(of cell: NB201Cell) -> String { "nb201 \(cell.string)" }

    /// The label `SpecError`s carry for this cell: "nb201:" and the cell string.
    public static func label(of cell: NB201Cell) -> String { "nb201:\(cell.string)" }

    /// The network as a Paleo JSON document, layers in topological order.
    ///
    /// `"outputs": ["classifier"]` is written only when some other layer feeds nothing, as
    /// `SpecWriter` does, so the document equals `SpecWriter.json` of the built network.
    /// A disconnected cell with `pruneDead` gives the bare skeleton (`build` refuses it).
    ///
    /// - Precondition: `options.problems` is empty.
    public static func spec(_ cell: NB201Cell, options: NB201Options = NB201Options()) -> JSON {
        precondition(options.problems.isEmpty, options.problems.joined(separator: "; "))
        var document = Document()
        let size = Int64(options.inputSize)
        var x = document.add("data", "Input", [], [("tensor", dims([options.batch, size, size, 3]))])
        x = document.convolution("stem/conv", x, kernel: 3, stride: 1, input: 3, output: stageChannels[0], padding: "SAME")
        x = document.add("stem/bn", "BatchNorm", [x])

        let live = options.pruneDead ? cell.liveEdges : cell.edges.map { _ in true }
        var index = 0
        var spatial = size
        for (stage, channels) in stageChannels.enumerated() {
            if stage > 0 {
                x = document.reduction("cell\(index)", x, input: stageChannels[stage - 1], output: channels)
                spatial = (spatial + 1) / 2
                index += 1
            }
            for _ in 0..<cellsPerStage {
                x = document.cell("cell\(index)", x, cell, live: live, channels: channels, eager: !options.pruneDead)
                index += 1
            }
        }

        x = document.add("head/bn", "BatchNorm", [x])
        x = document.add("head/relu", "ReLU", [x])
        x = document.add("head/pool", "AvgPool", [x], [("ksize", dims([1, spatial, spatial, 1])),
                                                       ("strides", dims([1, spatial, spatial, 1])), ("padding", .string("VALID"))])
        let output = document.add("classifier", "InnerProduct", [x], [("num_outputs", .integer(options.classes))])

        var root: [(String, JSON)] = [("name", .string(name(of: cell))), ("layers", .object(document.layers))]
        if document.layers.contains(where: { $0.0 != output && !document.consumed.contains($0.0) }) {
            root.append(("outputs", .array([.string(output)])))
        }
        return .object(root)
    }

    /// The network, read from `spec(cell, options:)` by the spec reader (so `joule convert`'s
    /// output reads back to the same graph). Its layers have no `line`: they come from no file.
    ///
    /// - Throws: `SpecError` labelled "nb201:CELL" when the options are invalid, when
    ///   `pruneDead` is asked of a disconnected cell (its output does not depend on the image:
    ///   a graph compiler folds the whole network away), or when a shape overflows.
    public static func build(_ cell: NB201Cell, options: NB201Options = NB201Options()) throws(SpecError) -> Network {
        let label = label(of: cell)
        let problems = options.problems
        if !problems.isEmpty {
            throw SpecError(file: label, problems: problems.map { SpecError.Problem($0) })
        }
        if options.pruneDead && cell.isDisconnected {
            throw SpecError(file: label, "the cell is disconnected (every path from node 0 to node 3 passes a none edge): "
                            + "its output does not depend on the image, so a compiler folds the network away and "
                            + "pruning dead branches leaves nothing to cost")
        }
        var builder = SpecGraphBuilder(file: label, options: SpecReader.Options())
        do {
            var network = try builder.build(node(spec(cell, options: options)))
            for i in network.layers.indices { network.layers[i].line = nil }
            return network
        } catch {
            var error = error
            for i in error.problems.indices { error.problems[i].line = nil }
            throw error
        }
    }

    private static func dims(_ values: [Int64]) -> JSON { .array(values.map { JSON.integer($0) }) }

    /// The document as the reader's input, without rendering and parsing text.
    private static func node(_ json: JSON) -> JSONNode {
        let at = JSONPosition(line: 1, column: 1)
        switch json {
        case .null: return JSONNode(.null, at: at)
        case .bool(let b): return JSONNode(.bool(b), at: at)
        case .number(let n): return JSONNode(.number(n), at: at)
        case .string(let s): return JSONNode(.string(s), at: at)
        case .array(let items): return JSONNode(.array(items.map(node)), at: at)
        case .object(let members):
            return JSONNode(.object(members.map { JSONMember(key: $0.0, keyPosition: at, value: node($0.1)) }), at: at)
        }
    }

    /// The layers written so far, and the names some layer reads.
    private struct Document {
        var layers: [(String, JSON)] = []
        var consumed: Set<String> = []

        /// Appends a layer; returns its name.
        mutating func add(_ name: String, _ type: String, _ parents: [String], _ fields: [(String, JSON)] = []) -> String {
            let head: [(String, JSON)] = [("parents", .array(parents.map { JSON.string($0) })), ("type", .string(type))]
            layers.append((name, .object(head + fields)))
            consumed.formUnion(parents)
            return name
        }

        mutating func convolution(
            _ name: String, _ parent: String, kernel: Int64, stride: Int64, input: Int64, output: Int64, padding: String
        ) -> String {
            add(name, "Convolution", [parent], [
                ("filter", dims([kernel, kernel, input, output])), ("strides", dims([1, stride, stride, 1])),
                ("padding", .string(padding)), ("bias", .bool(false)),
            ])
        }

        /// NB201's ReLUConvBN: `prefix/relu`, `prefix/conv`, `prefix/bn`; returns the BatchNorm.
        mutating func reluConvBN(_ prefix: String, _ parent: String, kernel: Int64, stride: Int64, input: Int64, output: Int64) -> String {
            let relu = add("\(prefix)/relu", "ReLU", [parent])
            let conv = convolution("\(prefix)/conv", relu, kernel: kernel, stride: stride, input: input, output: output, padding: "SAME")
            return add("\(prefix)/bn", "BatchNorm", [conv])
        }

        /// The residual reduction block (NB201's ResNetBasicblock with stride 2).
        mutating func reduction(_ prefix: String, _ parent: String, input: Int64, output: Int64) -> String {
            let a = reluConvBN("\(prefix)/a", parent, kernel: 3, stride: 2, input: input, output: output)
            let b = reluConvBN("\(prefix)/b", a, kernel: 3, stride: 1, input: output, output: output)
            let pool = add("\(prefix)/shortcut/pool", "AvgPool", [parent], [
                ("ksize", dims([1, 2, 2, 1])), ("strides", dims([1, 2, 2, 1])), ("padding", .string("VALID")),
            ])
            let shortcut = convolution("\(prefix)/shortcut/conv", pool, kernel: 1, stride: 1, input: input, output: output, padding: "VALID")
            return add("\(prefix)/add", "Add", [shortcut, b])
        }

        /// One cell reading `input`; builds the edges `build` marks; returns the tensor the
        /// next layer reads.
        mutating func cell(_ prefix: String, _ input: String, _ cell: NB201Cell, live build: [Bool], channels: Int64, eager: Bool) -> String {
            // Each node's tensor. In the eager build every node has one (a `none` edge is a
            // zero layer); in the pruned build a node without live edges has none, and the
            // operations reading it are not built, so the cell's input only stands in for a
            // node that no built layer reads.
            var nodes: [String?] = [input, nil, nil, nil]
            for to in 1...3 {
                var tensors: [String] = []
                for from in 0..<to {
                    let edge = NB201Cell.edgeIndex(from: from, to: to)
                    guard build[edge] else { continue }
                    let source = nodes[from] ?? input
                    let name = "\(prefix)/\(to)<-\(from)"
                    switch cell.edges[edge] {
                    case .none:
                        // Eager PyTorch runs `none` as `x.mul(0.)` and adds the zeros into the
                        // node's sum; a graph compiler removes both.
                        guard eager else { continue }
                        tensors.append(add("\(name)/zero", "Activation", [source], [("function", .string("zero"))]))
                    case .skipConnect:
                        tensors.append(source)
                    case .conv1x1:
                        tensors.append(reluConvBN(name, source, kernel: 1, stride: 1, input: channels, output: channels))
                    case .conv3x3:
                        tensors.append(reluConvBN(name, source, kernel: 3, stride: 1, input: channels, output: channels))
                    case .averagePool3x3:
                        tensors.append(add("\(name)/pool", "AvgPool", [source], [
                            ("ksize", dims([1, 3, 3, 1])), ("strides", dims([1, 1, 1, 1])), ("padding", .string("SAME")),
                        ]))
                    }
                }
                switch tensors.count {
                case 0: nodes[to] = nil
                case 1 where !eager: nodes[to] = tensors[0]
                default: nodes[to] = add("\(prefix)/node\(to)", "Add", tensors)
                }
            }
            return nodes[3] ?? input
        }
    }
}
