import Network

/// What the NAO controller needs to know about a search space: architectures as token
/// sequences of one fixed length, and which tokens may follow at each step.
///
/// The controller reads nothing else, so it works for any space that can write its
/// architectures this way (`NB201Space` below; a layer-wise space later).
///
///     let space = NB201Space()
///     space.length            // 6 tokens per architecture
///     space.vocabularySize    // 6: five operations and the start token
///     space.mask(at: 0)       // [true, true, true, true, true, false]
public protocol TokenSpace: Sendable {
    /// Tokens per architecture; every sequence has exactly this many.
    var length: Int { get }
    /// Rows of the token embeddings and logits of the decoder: every token id is below it.
    var vocabularySize: Int { get }
    /// The decoder's input at step 0. It MUST be masked out at every step.
    var startToken: Int { get }
    /// Which tokens the decoder may emit at `position` (0..<`length`): `vocabularySize`
    /// entries, at least one true. Greedy decoding picks the best allowed token, so every
    /// decoded sequence follows the space's grammar.
    func mask(at position: Int) -> [Bool]
    /// Every sequence that encodes the same architecture as `tokens`, `tokens` included:
    /// the alternatives that symmetric augmentation draws from. The default is `[tokens]`
    /// (a space without symmetries).
    func equivalentSequences(of tokens: [Int]) -> [[Int]]
}

extension TokenSpace {
    public func equivalentSequences(of tokens: [Int]) -> [[Int]] { [tokens] }
}

/// NB201 cells are 6 edge tokens; any operation fits any edge, so the mask only rules out
/// the start token. Equivalent sequences are the cell's `nb201` class
/// (`NB201Space.equivalents(_:under:)`): isomorphic cells, which NB201's authors count as
/// one architecture.
extension NB201Space: TokenSpace {
    public var length: Int { Self.length }
    public var vocabularySize: Int { Self.vocabularySize }
    public var startToken: Int { Self.startToken }

    public func equivalentSequences(of tokens: [Int]) -> [[Int]] {
        equivalents(decode(tokens)).map(encode)
    }
}
