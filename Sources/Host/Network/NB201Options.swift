/// How to build a NAS-Bench-201 network around a cell: the data set's shape, the batch,
/// and whether to leave out the operations that cannot affect the output.
public struct NB201Options: Sendable, Hashable {
    /// The classes NB201 trains for: 10 (CIFAR-10), 100 (CIFAR-100), 120 (ImageNet16-120).
    public static let allowedClasses = [10, 100, 120]
    /// The input sizes in pixels: 32 (CIFAR) or 16 (ImageNet16-120).
    public static let allowedInputSizes = [32, 16]

    /// Outputs of the classifier: 10, 100 or 120.
    public var classes: Int
    /// Height and width of the input image in pixels: 32 or 16.
    public var inputSize: Int
    /// Images per batch, the first dimension of every shape; at least 1.
    public var batch: Int64
    /// Build only the live edges (`NB201Cell.liveEdges`), as a graph compiler runs the
    /// network; by default every edge that is not `none` is built, as eager PyTorch runs it.
    public var pruneDead: Bool

    public init(classes: Int = 10, inputSize: Int = 32, batch: Int64 = 1, pruneDead: Bool = false) {
        self.classes = classes
        self.inputSize = inputSize
        self.batch = batch
        self.pruneDead = pruneDead
    }

    /// The problems with these options, one message each; empty when they are valid.
    public var problems: [String] {
        var problems: [String] = []
        if !Self.allowedClasses.contains(classes) {
            problems.append("NB201 networks have 10 (CIFAR-10), 100 (CIFAR-100) or 120 (ImageNet16-120) classes, got \(classes)")
        }
        if !Self.allowedInputSizes.contains(inputSize) {
            problems.append("NB201 inputs are 32 (CIFAR) or 16 (ImageNet16-120) pixels square, got \(inputSize)")
        }
        if batch < 1 {
            problems.append("the batch must be at least 1, got \(batch)")
        }
        return problems
    }
}
