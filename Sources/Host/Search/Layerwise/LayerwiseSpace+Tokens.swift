/// Layer-wise architectures as the NAO controller reads them: one token per decision.
///
///     let space = try LayerwiseSpace(network)
///     space.length                 // decisions.count
///     space.vocabulary             // [w0.25, w0.5, w0.75, w1, w1.25, k1, k3, k5, k7, keep, skip], as offered
///     space.startToken             // vocabulary.count
///     space.mask(at: 0)            // true exactly for decision 0's options
///
/// Tokens are indices into `vocabulary`, the sorted union of every decision's options,
/// with the start token after them; a network without skippable layers has no keep/skip
/// tokens, one with a 9×9 SAME convolution has `k9`. Each step's mask allows exactly its
/// decision's options, so greedy masked decoding always gives an architecture of the
/// space, and every architecture is a valid network. Equivalent sequences are the default
/// (only the sequence itself); `canonicalKey` recognises the others.
extension LayerwiseSpace: TokenSpace {
    public var length: Int { decisions.count }
    public var vocabularySize: Int { vocabulary.count + 1 }
    public var startToken: Int { vocabulary.count }

    /// Which tokens step `position` may emit: `vocabularySize` entries, true exactly for the
    /// tokens of decision `position`'s options.
    ///
    /// - Precondition: 0 ≤ position < `length`.
    public func mask(at position: Int) -> [Bool] {
        precondition(position >= 0 && position < length, "layerwise step \(position) is outside 0..<\(length)")
        var mask = Array(repeating: false, count: vocabularySize)
        for token in tokens[position] { mask[token] = true }
        return mask
    }

    /// The architecture's tokens, one per decision.
    public func encode(_ architecture: Architecture) -> [Int] {
        checkArchitecture(architecture)
        return zip(tokens, architecture.choices).map { $0[$1] }
    }

    /// The architecture of a token sequence.
    ///
    /// - Precondition: `tokens` has `length` tokens, each allowed by its step's mask (masked
    ///   decoding never produces anything else).
    public func decode(_ tokens: [Int]) -> Architecture {
        precondition(tokens.count == length, "a layerwise token sequence has \(length) tokens, got \(tokens.count)")
        return Architecture(choices: tokens.enumerated().map { position, token in
            guard let choice = self.tokens[position].firstIndex(of: token) else {
                preconditionFailure("token \(token) is not allowed at layerwise step \(position) (\(decisions[position].name) \(decisions[position].kind))")
            }
            return choice
        })
    }
}
