import SeededRandom

/// The integers `0..<count` in a random order fixed by `seed`.
///
/// A Fisher–Yates shuffle driven by `SplitMix64(seed:)`: position i, from the last down to
/// 1, swaps with a uniform position in 0...i. Identical on every platform and release.
///
/// - Complexity: O(count).
public func shuffledIndices(count: Int, seed: UInt64) -> [Int] {
    var generator = SplitMix64(seed: seed)
    return generator.shuffledIndices(count)
}

/// A fold number in `0..<folds` for each of `count` rows, balanced and shuffled by `seed`.
///
/// The rows are shuffled with `shuffledIndices(count:seed:)` and dealt out in turn, so fold
/// sizes differ by at most one and each fold is a random sample: measurement files are often
/// sorted (by layer, by batch), and contiguous folds would hold out whole kinds of case.
///
/// - Parameters:
///   - count: the number of rows.
///   - folds: the number of folds, at least 1; with more folds than rows some folds are
///     empty.
///   - seed: the shuffle's seed.
/// - Returns: `count` fold numbers.
/// - Complexity: O(count).
public func foldAssignment(count: Int, folds: Int, seed: UInt64) -> [Int] {
    precondition(folds >= 1, "foldAssignment needs at least one fold, got \(folds)")
    var assignment = [Int](repeating: 0, count: count)
    for (position, row) in shuffledIndices(count: count, seed: seed).enumerated() {
        assignment[row] = position % folds
    }
    return assignment
}
