/// Dot-product attention (Luong et al. 2015, "dot" score, as in NAO's decoder): weights
/// = softmax over t of query·keyₜ, context = Σₜ weightₜ keyₜ.
///
/// Built from batched ``Tensor/matmul(_:transposeB:)`` and ``Tensor/softmax()``:
/// `[B, S, H]·[B, T, H]ᵀ` gives the scores `[B, S, T]`, and `[B, S, T]·[B, T, H]` the
/// context. No 1/√H scaling, no mask: NAO's sequences have a fixed length.
///
/// - Parameters:
///   - query: `[B, H]`, the decoder's state; or `[B, S, H]`, S queries per batch element
///     (every step of a teacher-forced decoder at once).
///   - keys: `[B, T, H]`, the encoder's outputs (which are also the values).
/// - Returns: `context` `[B, H]` and `weights` `[B, T]` (each row sums to 1); `[B, S, H]`
///   and `[B, S, T]` for S queries.
public func attention(query: Tensor, keys: Tensor) -> (context: Tensor, weights: Tensor) {
    precondition((query.rank == 2 || query.rank == 3) && keys.rank == 3 && keys.shape[0] == query.shape[0]
                    && keys.shape[2] == query.lastDimension,
                 "attention: query \(query.shape) does not fit keys \(keys.shape)")
    let (b, t, h) = (keys.shape[0], keys.shape[1], keys.shape[2])
    let s = query.rank == 3 ? query.shape[1] : 1
    let weights = (query.rank == 3 ? query : query.reshaped([b, s, h])).matmul(keys, transposeB: true).softmax()
    let context = weights.matmul(keys)
    return query.rank == 3 ? (context, weights) : (context.reshaped([b, h]), weights.reshaped([b, t]))
}

/// ``attention(query:keys:)`` over a sequence kept as T tensors `[B, H]` (as an
/// unrolled LSTM produces them); they are joined into `[B, T, H]` first.
public func attention(query: Tensor, keys: [Tensor]) -> (context: Tensor, weights: Tensor) {
    precondition(!keys.isEmpty, "attention: no keys")
    let (b, h) = (keys[0].shape[0], keys[0].lastDimension)
    return attention(query: query, keys: Tensor.concat(keys).reshaped([b, keys.count, h]))
}
