/// What one edge of a NAS-Bench-201 cell computes.
///
/// The raw values are the names NB201's cell strings use. Every operation keeps the
/// tensor's resolution and channel count:
///
/// | operation | layers |
/// |---|---|
/// | `none` | no edge: contributes nothing |
/// | `skip_connect` | the identity: no layer, the destination reads the source's tensor |
/// | `nor_conv_1x1`, `nor_conv_3x3` | ReLU, then a k×k convolution (stride 1, SAME, no bias), then BatchNorm |
/// | `avg_pool_3x3` | 3×3 average pooling, stride 1, SAME |
public enum NB201Operation: String, Sendable, Hashable, CaseIterable {
    case none
    case skipConnect = "skip_connect"
    case conv1x1 = "nor_conv_1x1"
    case conv3x3 = "nor_conv_3x3"
    case averagePool3x3 = "avg_pool_3x3"

    /// Whether the edge exists (everything but `none`).
    public var isEdge: Bool { self != .none }

    /// Whether the edge runs layers (a convolution or a pooling; not `none` or `skip_connect`).
    public var hasLayers: Bool {
        switch self {
        case .none, .skipConnect: false
        case .conv1x1, .conv3x3, .averagePool3x3: true
        }
    }
}
