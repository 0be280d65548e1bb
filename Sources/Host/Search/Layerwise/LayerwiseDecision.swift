/// One choice of a layer-wise architecture: a width multiplier, a kernel size, or whether a
/// layer is kept. Options are also the layer-wise space's tokens (`LayerwiseSpace.vocabulary`).
///
///     LayerwiseOption.width(quarters: 2).description   // "w0.5"
///     LayerwiseOption.kernel(5).description            // "k5"
///     LayerwiseOption.skip.description                 // "skip"
///
/// Options order by case, then by value: widths from 0.25 up, kernels from 1 up, keep,
/// skip. That order is the order of the space's vocabulary.
public enum LayerwiseOption: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Output channels (or units) × `quarters`/4, rounded half up to a whole count, at
    /// least 1. Quarters are 1...5: the multipliers 0.25, 0.5, 0.75, 1 and 1.25.
    case width(quarters: Int)
    /// The kernel's size: k×k for a square kernel, 1×k or k×1 for a 1×n or n×1 one.
    case kernel(Int64)
    /// The layer stays.
    case keep
    /// The layer is removed and its consumers read its input.
    case skip

    /// The multiplier of a width option, e.g. 0.75; nil for other options.
    public var multiplier: Double? {
        if case .width(let quarters) = self { return Double(quarters) / 4 }
        return nil
    }

    /// "w0.25", "w1", "k3", "keep", "skip": how `LayerwiseSpace.describe(_:)` writes it.
    public var description: String {
        switch self {
        case .width(let quarters):
            let whole = quarters / 4
            switch quarters % 4 {
            case 0: return "w\(whole)"
            case 1: return "w\(whole).25"
            case 2: return "w\(whole).5"
            default: return "w\(whole).75"
            }
        case .kernel(let size): return "k\(size)"
        case .keep: return "keep"
        case .skip: return "skip"
        }
    }

    /// The option written as `description` writes it ("w0.5", "w.5", "k7", "skip"); nil
    /// for anything else. A width must be a whole number of quarters.
    public init?(parsing text: String) {
        switch text {
        case "keep": self = .keep
        case "skip": self = .skip
        default:
            if text.hasPrefix("k"), let size = Int64(text.dropFirst()), size >= 1 {
                self = .kernel(size)
            } else if text.hasPrefix("w"), let value = Double(text.dropFirst()), value > 0,
                      (value * 4).rounded() == value * 4, value * 4 <= 1024 {
                self = .width(quarters: Int(value * 4))
            } else {
                return nil
            }
        }
    }
}

/// One decision of a layer-wise space: which option one layer (or group of layers that must
/// change together) takes for one setting.
///
/// The decision is named after the first layer it governs (`name`); the others follow it:
/// a width decision governs every convolution and InnerProduct whose output channels an
/// element-wise layer ties to that layer's (a residual group) and the other devices' copies
/// of a ModelParallel layer; kernel and skip decisions govern one layer and its
/// ModelParallel copies.
public struct LayerwiseDecision: Sendable, Hashable {
    /// Which setting the decision chooses.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Output channels or units (`LayerwiseOption.width`).
        case width
        /// A convolution's kernel size (`LayerwiseOption.kernel`).
        case kernel
        /// Keep or skip (`LayerwiseOption.keep`, `.skip`).
        case skip
    }

    public let kind: Kind
    /// The first layer the decision governs, by which `describe` names it.
    public let name: String
    /// Indices into the input network's `layers` of every layer it governs, in order.
    public let layers: [Int]
    /// The options, sorted; a choice is an index into this array.
    public let options: [LayerwiseOption]
    /// The index of the input network's own option: multiplier 1, the spec's kernel, keep.
    public let startChoice: Int
    /// For a width decision, the output channels (per device, for a ModelParallel layer) each
    /// option gives; empty otherwise.
    public let counts: [Int64]

    public init(kind: Kind, name: String, layers: [Int], options: [LayerwiseOption], startChoice: Int, counts: [Int64] = []) {
        self.kind = kind
        self.name = name
        self.layers = layers
        self.options = options
        self.startChoice = startChoice
        self.counts = counts
    }
}

/// An architecture of a layer-wise space: one option index per decision, in the space's
/// decision order (`LayerwiseSpace.decisions`).
///
/// An architecture only means something together with the space it was drawn from; write
/// it with `LayerwiseSpace.describe(_:)` and read it back with
/// `LayerwiseSpace.architecture(parsing:)`.
public struct LayerwiseArchitecture: Hashable, Sendable {
    /// `choices[i]` indexes `decisions[i].options`.
    public var choices: [Int]

    public init(choices: [Int]) {
        self.choices = choices
    }
}
