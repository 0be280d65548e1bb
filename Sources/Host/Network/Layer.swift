import JouleJSON

/// One layer of a network, with its place in the graph and its inferred shapes.
public struct Layer: Sendable, Equatable {
    /// Unique name; inside a Block it is `block/inner`, inside a ModelParallel split
    /// `block/inner@k`.
    public var name: String
    /// The spec's `type` string, e.g. "Convolution", "AvgPool".
    public var typeName: String
    public var kind: LayerKind
    /// Indices of the parent layers in `Network.layers`, in the spec's order.
    public var parents: [Int]
    /// Model-parallel device tag (`k` of `name@k`); `nil` for the default device.
    public var device: String?
    /// Input shapes at the network's batch, one per parent (NHWC or `[N, D]`).
    public var inputShapes: [[Int64]]
    /// Output shape at the network's batch.
    public var outputShape: [Int64]
    /// True when the layer's output never reaches a network output.
    public var isDead: Bool
    /// Spec keys Joule does not interpret (`activation_fn`, `normalizer_fn`, …), kept so that
    /// writing the network back loses nothing.
    public var extraFields: [String: JSON]
    /// Where the layer is defined in its spec file, when it came from one.
    public var line: Int?

    public init(name: String, typeName: String, kind: LayerKind, parents: [Int], device: String? = nil,
                inputShapes: [[Int64]] = [], outputShape: [Int64] = [], isDead: Bool = false,
                extraFields: [String: JSON] = [:], line: Int? = nil) {
        self.name = name
        self.typeName = typeName
        self.kind = kind
        self.parents = parents
        self.device = device
        self.inputShapes = inputShapes
        self.outputShape = outputShape
        self.isDead = isDead
        self.extraFields = extraFields
        self.line = line
    }
}
