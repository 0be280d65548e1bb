import Network
import SeededRandom

/// The layer-wise space of one input network as a search sees it (`LayerwiseSpace`):
/// architectures keyed by their canonical description, networks built by rewriting the
/// input network, candidates that carry the built network to the evaluator.
///
///     let space = try LayerwiseSearchSpace(network: try SpecReader.read(file: "vgg16.json"), label: "vgg16.json")
///     var generator = SplitMix64(seed: 1)
///     let arch = space.randomArchitecture(using: &generator)
///     space.describe(arch)                // "conv1-1:w0.75,k5 conv1-2:skip …"
///     try space.network(arch)             // the network to cost and write as Paleo JSON
public struct LayerwiseSearchSpace: SearchSpace {
    public typealias Architecture = LayerwiseArchitecture

    public let space: LayerwiseSpace

    public init(_ space: LayerwiseSpace) {
        self.space = space
    }

    /// The space of `network`'s layer-wise variants.
    ///
    /// - Throws: `SearchError` naming `label` (or the network's name) when no layer can change.
    public init(network: Network, label: String? = nil) throws(SearchError) {
        space = try LayerwiseSpace(network, label: label)
    }

    public var name: String { "layerwise" }

    public func randomArchitecture(using generator: inout SplitMix64) -> LayerwiseArchitecture {
        space.randomArchitecture(using: &generator)
    }

    public func mutate(_ architecture: LayerwiseArchitecture, using generator: inout SplitMix64) -> LayerwiseArchitecture {
        space.mutate(architecture, using: &generator)
    }

    public func canonicalKey(_ architecture: LayerwiseArchitecture) -> String { space.canonicalKey(architecture) }
    /// The canonical architecture's description: a skipped layer's width and kernel are
    /// not written, since they change nothing.
    public func describe(_ architecture: LayerwiseArchitecture) -> String { space.describe(space.canonical(architecture)) }
    public func network(_ architecture: LayerwiseArchitecture) throws -> Network { try space.network(architecture) }

    /// A candidate keyed by the canonical description, whose network is the one given.
    public func candidate(_ architecture: LayerwiseArchitecture, network: Network) -> Candidate {
        Candidate(key: space.canonicalKey(architecture), network: { network })
    }
}

extension LayerwiseSearchSpace: NAOSearchSpace {
    public var tokenSpace: LayerwiseSpace { space }
    public func encode(_ architecture: LayerwiseArchitecture) -> [Int] { space.encode(architecture) }
    public func decode(_ tokens: [Int]) -> LayerwiseArchitecture { space.decode(tokens) }
    /// Every layer-wise architecture is a valid network.
    public func isProposable(_ architecture: LayerwiseArchitecture) -> Bool { true }
}
