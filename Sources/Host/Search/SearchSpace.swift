import Fitting
import Network
import SeededRandom

/// What a search needs to know about the architectures it searches over.
///
/// The NAO controller additionally needs a token encoding (see `TokenSpace`); the random
/// and evolutionary baselines need only what is here.
public protocol SearchSpace: Sendable {
    associatedtype Architecture: Hashable & Sendable

    /// The space's name in outputs ("nb201", "layerwise").
    var name: String { get }
    /// A uniformly random architecture that a search may return (never a chance-level one).
    func randomArchitecture(using generator: inout SplitMix64) -> Architecture
    /// The architecture with one decision changed at random.
    func mutate(_ architecture: Architecture, using generator: inout SplitMix64) -> Architecture
    /// Equal for architectures that compute the same function (isomorphic NB201 cells), so a
    /// search never pays twice for one network.
    func canonicalKey(_ architecture: Architecture) -> String
    /// How the architecture is written in history.csv and front.csv.
    func describe(_ architecture: Architecture) -> String
    /// The network to cost and to write out as Paleo JSON.
    func network(_ architecture: Architecture) throws -> Network
    /// The architecture as an evaluator sees it.
    func candidate(_ architecture: Architecture, network: Network) -> Candidate
}

/// The NAS-Bench-201 cell space as a search sees it: cells built on NB201's skeleton with
/// the given options, de-duplicated by NB201's own isomorphism rule, and never a
/// disconnected (chance-level) cell.
public struct NB201SearchSpace: SearchSpace {
    public let space = NB201Space()
    public let options: NB201Options
    public let equivalence: NB201Equivalence

    public init(options: NB201Options = NB201Options(), equivalence: NB201Equivalence = .nb201) {
        self.options = options
        self.equivalence = equivalence
    }

    public var name: String { "nb201" }

    public func randomArchitecture(using generator: inout SplitMix64) -> NB201Cell {
        while true {
            let cell = space.randomCell(using: &generator)
            if !space.isChanceLevel(cell) { return cell }
        }
    }

    /// One edge set to another operation; a change that disconnects the cell is redrawn.
    public func mutate(_ cell: NB201Cell, using generator: inout SplitMix64) -> NB201Cell {
        while true {
            var edges = cell.edges
            let edge = Int(generator.uniform(below: UInt64(edges.count)))
            let others = NB201Operation.allCases.filter { $0 != edges[edge] }
            edges[edge] = others[Int(generator.uniform(below: UInt64(others.count)))]
            let mutated = NB201Cell(edges: edges)
            if !space.isChanceLevel(mutated) { return mutated }
        }
    }

    public func canonicalKey(_ cell: NB201Cell) -> String { space.canonical(cell, under: equivalence) }
    public func describe(_ cell: NB201Cell) -> String { cell.string }
    public func network(_ cell: NB201Cell) throws -> Network { try NB201Network.build(cell, options: options) }
    public func candidate(_ cell: NB201Cell, network: Network) -> Candidate { Candidate(cell: cell, options: options) }
}

/// A search space the NAO controller can search: its architectures written as token
/// sequences of a ``TokenSpace``.
public protocol NAOSearchSpace: SearchSpace {
    associatedtype Tokens: TokenSpace
    /// The token grammar the controller's decoder follows.
    var tokenSpace: Tokens { get }
    /// The architecture's tokens.
    func encode(_ architecture: Architecture) -> [Int]
    /// The architecture of a sequence that `tokenSpace`'s masks allow.
    func decode(_ tokens: [Int]) -> Architecture
    /// False for architectures a search must never propose (a chance-level NB201 cell).
    func isProposable(_ architecture: Architecture) -> Bool
}

extension NB201SearchSpace: NAOSearchSpace {
    public var tokenSpace: NB201Space { space }
    public func encode(_ cell: NB201Cell) -> [Int] { space.encode(cell) }
    public func decode(_ tokens: [Int]) -> NB201Cell { space.decode(tokens) }
    public func isProposable(_ cell: NB201Cell) -> Bool { !space.isChanceLevel(cell) }
}
