import Network
import SeededRandom

/// The layer-wise search space of one input network: per convolution and fully connected
/// layer a width multiplier, per convolution a kernel size, per layer keep or skip — where
/// the network's shapes allow — with every architecture a valid network.
///
///     let vgg = try SpecReader.read(file: "Examples/nets/vgg16.json")
///     let space = try LayerwiseSpace(vgg)
///     space.decisions.count                         // 38: 15 widths, 13 kernels, 10 skips
///     let arch = try space.architecture(parsing: "conv1-1:w0.5 conv1-2:skip conv3-1:k5")
///     let smaller = try space.network(arch)         // shapes inferred, Paleo JSON via SpecWriter
///     space.describe(space.start)                   // "start": the input network itself
///
/// Decisions, in layer order (`decisions`; how they are found is documented in
/// `LayerwiseSpace+Analysis.swift`):
///
/// - **Width** of a convolution (output channels) or InnerProduct (units): × 0.25, 0.5,
///   0.75, 1 or 1.25, rounded half up to a whole count of at least 1. Layers whose counts
///   an element-wise layer ties together (a residual stage) share one decision; layers
///   whose count reaches the network's output unchanged — the classifier — and layers
///   tied to the input, a Reshape or a deconvolution keep their width, so the output shape
///   never changes. Layers feeding a channel Concatenate (Inception's branches) each keep
///   their own decision: the concatenation's size is their sum.
/// - **Kernel** of a convolution with stride 1 whose output is as large as its input:
///   1, 3, 5, 7 (and its own size), keeping the output's size (SAME stays SAME; other
///   padding becomes `[k/2, k/2]`). A 1×n or n×1 kernel becomes 1×k or k×1.
/// - **Skip** a convolution, fully connected or pooling layer whose output is shaped like
///   its input, when nothing but adaptable consumers reads it: the layer goes and its
///   consumers read its input.
///
/// Consumers follow by shape inference (`Network.reinferringShapes(label:)`): the next
/// convolution's filter, the next InnerProduct's weights, a Concatenate's size and every
/// parameter and FLOP count. The start architecture (`start`: multipliers 1, the spec's
/// kernels, nothing skipped) gives back the input network, equal layer for layer.
///
/// A skipped layer's width and kernel decisions do not matter, and two multipliers that
/// round to one count give one network; `canonicalKey` maps all of these to one key. The
/// architecture is written by `describe(_:)` as the decisions that differ from the input
/// network ("conv1:w0.5,k5 conv2:skip"), and read back by `architecture(parsing:)`.
public struct LayerwiseSpace: Sendable {
    public typealias Architecture = LayerwiseArchitecture

    /// The input network every architecture is derived from.
    public let base: Network
    /// The spec's file or name, for errors and messages.
    public let label: String
    /// Every decision, in order; an architecture holds one choice per decision.
    public let decisions: [LayerwiseDecision]
    /// Every option some decision offers, sorted: the space's tokens (the start token
    /// follows them; see `LayerwiseSpace+Tokens.swift`).
    public let vocabulary: [LayerwiseOption]

    /// Per decision, per option: its token (index into `vocabulary`).
    let tokens: [[Int]]
    /// Per decision: the skip decision that makes it irrelevant when it skips, if any.
    let shadowingSkip: [Int?]
    /// Per decision, per option: the option canonicalKey uses in its place.
    let canonicalChoices: [[Int]]
    /// Decision indices by name and kind, for parsing.
    let decisionIndex: [String: [LayerwiseDecision.Kind: Int]]

    /// The space of `network`'s layer-wise variants.
    ///
    /// - Parameters:
    ///   - network: The input network, shapes inferred (as `SpecReader` gives it).
    ///   - label: The spec's file or name for messages; the network's name by default.
    /// - Throws: `SearchError` naming the spec when no layer can change: no convolution or
    ///   fully connected layer but the classifier, no kernel that may change, nothing to skip.
    public init(_ network: Network, label: String? = nil) throws(SearchError) {
        let label = label ?? network.name
        let decisions = Self.decisions(of: network)
        guard !decisions.isEmpty else {
            let owners = network.layers.filter { Self.isOwner($0) }.count
            throw SearchError(
                "layerwise space: '\(label)' has no searchable layer: of its \(owners) convolution and fully connected layers, "
                    + "none may change its width (the classifier, the last layer before the output, and layers tied to the input "
                    + "keep theirs), its kernel (that needs stride 1 and an output as large as the input) or be skipped (that needs "
                    + "an output shaped like the input)")
        }
        self.base = network
        self.label = label
        self.decisions = decisions
        vocabulary = Set(decisions.flatMap(\.options)).sorted()
        let tokenOf = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, $0.offset) })
        tokens = decisions.map { $0.options.map { tokenOf[$0]! } }

        var skipOf: [[Int]: Int] = [:]
        var index: [String: [LayerwiseDecision.Kind: Int]] = [:]
        for (i, decision) in decisions.enumerated() {
            if decision.kind == .skip { skipOf[decision.layers] = i }
            index[decision.name, default: [:]][decision.kind] = i
        }
        decisionIndex = index
        shadowingSkip = decisions.map { $0.kind == .skip ? nil : skipOf[$0.layers] }
        canonicalChoices = decisions.map { decision in
            guard decision.kind == .width else { return Array(decision.options.indices) }
            // Among options giving the same count: the one nearest multiplier 1 (the smaller on a tie).
            return decision.counts.map { count in
                decision.options.indices.filter { decision.counts[$0] == count }.min { a, b in
                    let (da, db) = (abs(a - decision.startChoice), abs(b - decision.startChoice))
                    return da != db ? da < db : a < b
                }!
            }
        }
    }

    /// The input network as an architecture: multipliers 1, the spec's kernels, nothing skipped.
    public var start: Architecture { Architecture(choices: decisions.map(\.startChoice)) }

    /// The option an architecture takes at a decision.
    ///
    /// - Precondition: `architecture` belongs to this space; 0 ≤ decision < `decisions.count`.
    public func option(_ architecture: Architecture, at decision: Int) -> LayerwiseOption {
        decisions[decision].options[architecture.choices[decision]]
    }

    /// The architecture's network: the input network with the chosen widths and kernels set,
    /// the skipped layers removed, and every shape inferred again.
    ///
    /// - Precondition: `architecture` has one valid choice per decision.
    /// - Throws: `SpecError` labelled with the spec; this does not happen for an
    ///   architecture of the space (every one is a valid network), so it signals a bug.
    /// - Complexity: O(layers + edges).
    public func network(_ architecture: Architecture) throws(SpecError) -> Network {
        checkArchitecture(architecture)
        var network = base
        var removed = Set<Int>()
        for (decision, choice) in zip(decisions, architecture.choices) where choice != decision.startChoice {
            switch decision.options[choice] {
            case .width:
                let count = decision.counts[choice]
                guard count != decision.counts[decision.startChoice] else { continue }
                for layer in decision.layers { network.layers[layer].kind = Self.setting(count, in: network.layers[layer].kind) }
            case .kernel(let size):
                for layer in decision.layers { network.layers[layer].kind = Self.setting(kernel: size, in: network.layers[layer].kind) }
            case .skip:
                removed.formUnion(decision.layers)
            case .keep:
                break
            }
        }
        return try network.bypassing(removed).reinferringShapes(label: label)
    }

    /// A uniformly random architecture: each decision's option drawn uniformly, in order.
    public func randomArchitecture(using generator: inout SplitMix64) -> Architecture {
        Architecture(choices: decisions.map { Int(generator.uniform(below: UInt64($0.options.count))) })
    }

    /// The architecture with one decision changed so that the network changes: a decision
    /// that matters (not the width or kernel of a skipped layer) drawn uniformly, then one of
    /// its options giving another network (another count, for a width) drawn uniformly.
    public func mutate(_ architecture: Architecture, using generator: inout SplitMix64) -> Architecture {
        checkArchitecture(architecture)
        let live = decisions.indices.filter { !isShadowed($0, in: architecture) }
        let decision = live[Int(generator.uniform(below: UInt64(live.count)))]
        let current = architecture.choices[decision]
        let others = decisions[decision].options.indices.filter {
            canonicalChoices[decision][$0] != canonicalChoices[decision][current]
        }
        var mutated = architecture
        mutated.choices[decision] = others[Int(generator.uniform(below: UInt64(others.count)))]
        return mutated
    }

    /// The architecture with every choice that does not change the network set to its
    /// canonical option: a skipped layer's width and kernel to the input network's, a
    /// multiplier to the one nearest 1 that gives the same count. Architectures with the
    /// same canonical form give the same network.
    public func canonical(_ architecture: Architecture) -> Architecture {
        checkArchitecture(architecture)
        var choices = architecture.choices
        for i in decisions.indices {
            choices[i] = isShadowed(i, in: architecture) ? decisions[i].startChoice : canonicalChoices[i][choices[i]]
        }
        return Architecture(choices: choices)
    }

    /// Equal for architectures that give the same network: `describe` of the canonical form.
    public func canonicalKey(_ architecture: Architecture) -> String {
        describe(canonical(architecture))
    }

    /// Whether a decision does not matter because its layer is skipped.
    func isShadowed(_ decision: Int, in architecture: Architecture) -> Bool {
        guard let skip = shadowingSkip[decision] else { return false }
        return option(architecture, at: skip) == .skip
    }

    func checkArchitecture(_ architecture: Architecture) {
        precondition(architecture.choices.count == decisions.count,
                     "layerwise space '\(label)': an architecture has \(decisions.count) choices, got \(architecture.choices.count)")
        for (i, choice) in architecture.choices.enumerated() {
            precondition(choice >= 0 && choice < decisions[i].options.count,
                          "layerwise space '\(label)': choice \(choice) of decision \(i) (\(decisions[i].name) \(decisions[i].kind)) is outside 0..<\(decisions[i].options.count)")
        }
    }

    /// A convolution or InnerProduct with `count` output channels per device (units).
    static func setting(_ count: Int64, in kind: LayerKind) -> LayerKind {
        switch kind {
        case .convolution(var conv):
            conv.specFilter[3] = count * (conv.splits ?? 1)
            return .convolution(conv)
        case .innerProduct:
            return .innerProduct(outputs: count)
        default:
            preconditionFailure("a width decision governs a \(kind), not a convolution or InnerProduct")
        }
    }

    /// A convolution with a `size` kernel (k×k, or 1×k / k×1 for a 1×n / n×1 kernel) and
    /// padding that keeps its output's size.
    static func setting(kernel size: Int64, in kind: LayerKind) -> LayerKind {
        guard case .convolution(var conv) = kind else {
            preconditionFailure("a kernel decision governs a \(kind), not a convolution")
        }
        let (height, width) = (conv.specFilter[0], conv.specFilter[1])
        if height == width {
            (conv.specFilter[0], conv.specFilter[1]) = (size, size)
        } else if height == 1 {
            conv.specFilter[1] = size
        } else {
            conv.specFilter[0] = size
        }
        if conv.padding != .same {
            conv.padding = .explicit(height: conv.specFilter[0] / 2, width: conv.specFilter[1] / 2)
        }
        return .convolution(conv)
    }
}
