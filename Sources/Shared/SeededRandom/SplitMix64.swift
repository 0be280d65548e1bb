/// A small, fast, seedable random number generator whose output is fixed by its seed alone.
///
/// Fitting shuffles rows into cross-validation folds, searches draw architectures, and the
/// controller initialises its weights and dropout masks; each must come out the same on
/// every machine and every run with the same `--seed`: otherwise reports cannot be
/// reproduced and tests cannot pin numbers. `SystemRandomNumberGenerator` cannot be seeded,
/// and the standard library's helpers (`shuffled(using:)`, `Int.random(in:using:)`) may
/// change how they consume random bits between releases, so Joule draws its own integers
/// (`uniform(below:)`) and shuffles with its own Fisher–Yates loop
/// (`shuffledIndices(count:seed:)`).
///
/// The generator is Vigna's SplitMix64: a 64-bit counter advanced by the golden-ratio
/// constant and scrambled by two multiply–xorshift rounds. It passes BigCrush, has period
/// 2⁶⁴, and every seed (0 included) is good. It is not cryptographic.
///
///     var generator = SplitMix64(seed: 42)
///     generator.next()              // 13679457532755275413, on every platform
///     generator.uniform(below: 6)   // a die roll in 0...5
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The counter; the next output scrambles `state` + 0x9E3779B97F4A7C15.
    public private(set) var state: UInt64

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly distributed integer in `0..<bound`, by Lemire's multiply-and-reject method
    /// (doi:10.1145/3230636), written out here so the sequence never depends on the standard
    /// library's version.
    ///
    /// - Precondition: `bound` > 0.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below: 0)")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            // 2⁶⁴ mod bound low products would favour some results; redraw those.
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniformly distributed `Double` in [0, 1) with 53 random bits.
    public mutating func unitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Float` in [0, 1) with 24 random bits (every representable step of 2⁻²⁴),
    /// converted here rather than by `Float.random(in:using:)`, whose algorithm is not
    /// promised to stay the same across Swift releases.
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform `Float` in [-bound, bound).
    public mutating func nextFloat(bound: Float) -> Float {
        (2 * nextFloat() - 1) * bound
    }

    /// The integers `0..<count` in an order drawn from this generator: a Fisher–Yates
    /// shuffle (position i, from the last down to 1, swaps with a uniform position in 0...i),
    /// identical on every platform and release.
    public mutating func shuffledIndices(_ count: Int) -> [Int] {
        precondition(count >= 0, "negative count")
        var indices = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = Int(uniform(below: UInt64(i + 1)))
            indices.swapAt(i, j)
            i -= 1
        }
        return indices
    }
}
