import Fitting
import Network
import SeededRandom

/// The NAS-Bench-201 cell space as a search sees it: 15,625 cells, their token sequences
/// for the controller, their index order, and which of them are the same architecture.
///
///     let space = NB201Space()
///     let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
///     space.encode(cell)                  // [3, 3, 4, 1, 3, 1]
///     space.decode([3, 3, 4, 1, 3, 1])    // the same cell
///     space.index(of: cell)               // 11_791 (edge 0→1 is the most significant digit)
///     space.isChanceLevel(cell)           // false
///
/// Tokens. A cell is a sequence of `length` (6) tokens, one per edge in string order
/// (0→1, 0→2, 1→2, 0→3, 1→3, 2→3). Token ids:
///
/// | id | token |
/// |---|---|
/// | 0 | `none` |
/// | 1 | `skip_connect` |
/// | 2 | `nor_conv_1x1` |
/// | 3 | `nor_conv_3x3` |
/// | 4 | `avg_pool_3x3` |
/// | 5 | start: the decoder's input at step 0; never an output |
///
/// The operations keep `NB201Operation.allCases` order (NB201's own order). Every sequence
/// has exactly 6 tokens, so no padding or end token is reserved; an embedding table needs
/// `vocabularySize` (6) rows and an output layer `operationCount` (5) logits, or 6 logits
/// masked by `mask(at:)`.
///
/// Index order. `index(of:)` reads the token sequence as a base-5 number, edge 0→1 the most
/// significant digit: index 0 is all `none`, 15,624 is all `avg_pool_3x3`. This is **not**
/// NB201's `arch_index` (the order of NB201's archive, which follows no rule: arch 0 is
/// `|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|…|`); to use NB201 indices, key by
/// the cell string, which every NB201 table carries as `arch_str`.
///
/// Equivalence (`canonical(_:)`, `equivalents(_:)`, `representative(_:)`) is in
/// `NB201Space+Equivalence.swift`.
public struct NB201Space: Sendable, Hashable {
    /// Tokens per architecture: one per edge.
    public static let length = 6
    /// Operation tokens (ids 0..<5).
    public static let operationCount = NB201Operation.allCases.count
    /// The decoder's start token: the input at step 0, never a valid output.
    public static let startToken = operationCount
    /// Rows of a token embedding: the operations and the start token.
    public static let vocabularySize = operationCount + 1
    /// The number of cells, 5⁶.
    public static let cellCount = 15_625

    public init() {}

    /// The token of an operation: its position in `NB201Operation.allCases`.
    public static func token(_ operation: NB201Operation) -> Int {
        switch operation {
        case .none: 0
        case .skipConnect: 1
        case .conv1x1: 2
        case .conv3x3: 3
        case .averagePool3x3: 4
        }
    }

    /// The operation of an operation token.
    ///
    /// - Precondition: 0 ≤ token < `operationCount` (the start token is no operation).
    public static func operation(_ token: Int) -> NB201Operation {
        precondition(token >= 0 && token < operationCount, "NB201 token \(token) is not an operation (0..<\(operationCount))")
        return NB201Operation.allCases[token]
    }

    /// The cell's tokens, one per edge in string order.
    public func encode(_ cell: NB201Cell) -> [Int] {
        cell.edges.map(Self.token)
    }

    /// The cell of a token sequence.
    ///
    /// - Precondition: `tokens` has 6 operation tokens (ids 0..<5); masked decoding
    ///   (`mask(at:)`) never produces anything else.
    public func decode(_ tokens: [Int]) -> NB201Cell {
        precondition(tokens.count == Self.length, "an NB201 token sequence has \(Self.length) tokens, got \(tokens.count)")
        return NB201Cell(edges: tokens.map(Self.operation))
    }

    /// Which tokens the decoder may emit at step `position` (0..<6): `vocabularySize`
    /// entries, true for the five operations and false for the start token. Every edge
    /// takes any operation, so the mask is the same at every step; it exists so that
    /// decoding code is the same for every space.
    ///
    /// - Precondition: 0 ≤ position < 6.
    public func mask(at position: Int) -> [Bool] {
        precondition(position >= 0 && position < Self.length, "NB201 step \(position) is outside 0..<\(Self.length)")
        return (0..<Self.vocabularySize).map { $0 != Self.startToken }
    }

    /// The cell's position in the space's index order (base 5, edge 0→1 most significant).
    public func index(of cell: NB201Cell) -> Int {
        cell.edges.reduce(0) { $0 * Self.operationCount + Self.token($1) }
    }

    /// The cell at a position of the space's index order.
    ///
    /// - Precondition: 0 ≤ index < 15,625.
    public func cell(at index: Int) -> NB201Cell {
        precondition(index >= 0 && index < Self.cellCount, "NB201 index \(index) is outside 0..<\(Self.cellCount)")
        var tokens = [Int](repeating: 0, count: Self.length)
        var rest = index
        for position in stride(from: Self.length - 1, through: 0, by: -1) {
            tokens[position] = rest % Self.operationCount
            rest /= Self.operationCount
        }
        return decode(tokens)
    }

    /// All 15,625 cells in index order.
    ///
    /// - Complexity: O(15,625).
    public var allCells: [NB201Cell] { (0..<Self.cellCount).map(cell(at:)) }

    /// Whether the cell trains to chance accuracy: it is disconnected (every path from node 0
    /// to node 3 passes a `none` edge), so the network never sees the image. NB201 measures
    /// all 341 such cells at 9.71 % CIFAR-10 validation accuracy. A search must never return
    /// one, whatever its cost.
    public func isChanceLevel(_ cell: NB201Cell) -> Bool { cell.isDisconnected }

    /// A uniformly random cell (chance-level ones included).
    public func randomCell(using generator: inout SplitMix64) -> NB201Cell {
        cell(at: Int(generator.uniform(below: UInt64(Self.cellCount))))
    }
}
