import Network

/// Which NB201 cells count as the same architecture.
///
/// Two readings, both computed over the whole space:
///
/// | reading | classes | use |
/// |---|---|---|
/// | `nb201` | 6,466 | NB201's published count of unique cells; the default for de-duplication and augmentation |
/// | `function` | 4,930 | cells that compute the same function; coarser: each `nb201` class lies inside one `function` class |
///
/// `function` is the exact semantics: a node is the sum (a multiset, order free) of its
/// incoming terms, `skip_connect` passes its input on unchanged (a sum passed on joins the
/// destination's sum), `none` contributes nothing, a node with no non-zero term is zero, any
/// operation applied to zero is zero, and a convolution or pooling applied to an input is
/// its own term. Two cells are equivalent when node 3 comes out as the same expression. All
/// 341 disconnected cells are one class (zero).
///
/// That reading gives 4,930 classes, not the 6,466 that `../shared/data/nb201/README.md` and
/// NB201's paper quote. The 6,466 are reproduced exactly by the string rule NB201's authors
/// use to spot isomorphic cells, `nb201` here, which renders node 3 as text and compares
/// the text:
///
/// - node 0 is written `0`;
/// - each incoming edge gives one term: `#` (zero) for `none`, and also when the source
///   node's text is exactly `#`; the source's text itself for `skip_connect`;
///   `(SOURCE)@OP` for the other operations (OP the NB201 name, e.g. `nor_conv_3x3`);
/// - a node's text is its terms sorted by byte and joined with `+`.
///
/// So under `nb201`: a zero term still counts (x + 0 differs from x); only a node whose
/// text is a single `#` is recognised as zero by the operations that read it (node 1 after
/// a `none`; node 2 fed by two `none` edges is `#+#`, and a convolution of it is a term); and
/// a sum passed on by `skip_connect` is spliced in as one block at the sort position of its
/// text, so equal sums written in a different order stay apart
/// (`|nor_conv_1x1~0|+|avg_pool_3x3~0|none~1|+|none~0|skip_connect~1|skip_connect~2|` and
/// the same with the two operations swapped compute c1(x) + p3(x) both, but their texts
/// are `#+#+(0)@avg_pool_3x3+(0)@nor_conv_1x1` and `#+#+(0)@nor_conv_1x1+(0)@avg_pool_3x3`).
/// Nothing it merges computes different functions (a test checks that every `nb201` class
/// lies in one `function` class). The exact symbols matter: others sort differently and
/// give 6,475 or 6,484 classes; these give 6,466. (Other readings tried, none giving 6,466: the
/// `function` semantics with a set instead of a multiset, 4,084; without flattening sums,
/// 5,773; without zero propagation, 6,744; labelled-graph isomorphism of the live edges
/// with nodes 1 and 2 swappable, 8,765.)
///
/// Members of one `nb201` class were trained separately by NB201 and their accuracies
/// differ: by 0.34 points (median) and up to 21.7 points of `cifar10_valid_acc` within the
/// 1,350 classes with several members.
public enum NB201Equivalence: String, Sendable, CaseIterable {
    /// NB201's string rule: 6,466 classes.
    case nb201
    /// Same function: 4,930 classes.
    case function
}

extension NB201Space {
    /// A key that is equal for two cells exactly when they are equivalent.
    ///
    ///     let space = NB201Space()
    ///     let a = try NB201Cell(parsing: "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|")
    ///     space.canonical(a)                     // "#+#+#+(0)@nor_conv_3x3"
    ///     space.canonical(a, under: .function)   // "c3(x)"
    ///
    /// - Complexity: O(1) (a few string operations).
    public func canonical(_ cell: NB201Cell, under equivalence: NB201Equivalence = .nb201) -> String {
        switch equivalence {
        case .nb201: Self.nb201Text(cell)
        case .function: Self.functionText(cell)
        }
    }

    /// All cells equivalent to `cell` (itself included), in index order. For the
    /// controller's symmetric augmentation: each is an equally correct encoding.
    ///
    /// - Complexity: O(class size); the first call for a reading builds its class table over
    ///   all 15,625 cells (tens of milliseconds), once per process, safely from any thread.
    public func equivalents(_ cell: NB201Cell, under equivalence: NB201Equivalence = .nb201) -> [NB201Cell] {
        let table = Self.classTable(equivalence)
        return table.members[table.classOf[index(of: cell)]].map(self.cell(at:))
    }

    /// The class's member with the lowest index (`index(of:)`): one cell stands for the
    /// class when de-duplicating.
    public func representative(_ cell: NB201Cell, under equivalence: NB201Equivalence = .nb201) -> NB201Cell {
        let table = Self.classTable(equivalence)
        return self.cell(at: table.members[table.classOf[index(of: cell)]][0])
    }

    /// The class's number, 0..<`classCount`, numbered by each class's lowest index.
    public func classNumber(of cell: NB201Cell, under equivalence: NB201Equivalence = .nb201) -> Int {
        Self.classTable(equivalence).classOf[index(of: cell)]
    }

    /// The number of classes: 6,466 under `nb201`, 4,930 under `function`.
    public func classCount(under equivalence: NB201Equivalence = .nb201) -> Int {
        Self.classTable(equivalence).members.count
    }

    // MARK: - Keys

    /// NB201's string rule (see `NB201Equivalence`).
    static func nb201Text(_ cell: NB201Cell) -> String {
        var nodes = ["0"]
        for to in 1...3 {
            var terms: [String] = []
            for from in 0..<to {
                let source = nodes[from]
                switch cell.operation(from: from, to: to) {
                case .none: terms.append("#")
                case _ where source == "#": terms.append("#")
                case .skipConnect: terms.append(source)
                case let operation: terms.append("(" + source + ")@" + operation.rawValue)
                }
            }
            terms.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            nodes.append(terms.joined(separator: "+"))
        }
        return nodes[3]
    }

    /// The exact semantics (see `NB201Equivalence`). A node is a sorted list of terms (empty:
    /// zero); a term is `x` (the input) or `c1(…)`, `c3(…)`, `p3(…)` around its input's
    /// terms joined by `+`. Terms nest in balanced parentheses, so the joined text names one
    /// multiset and the key is exact.
    static func functionText(_ cell: NB201Cell) -> String {
        var nodes: [[String]] = [["x"]]
        for to in 1...3 {
            var terms: [String] = []
            for from in 0..<to {
                let source = nodes[from]
                if source.isEmpty { continue }
                switch cell.operation(from: from, to: to) {
                case .none: break
                case .skipConnect: terms.append(contentsOf: source)
                case .conv1x1: terms.append("c1(" + source.joined(separator: "+") + ")")
                case .conv3x3: terms.append("c3(" + source.joined(separator: "+") + ")")
                case .averagePool3x3: terms.append("p3(" + source.joined(separator: "+") + ")")
                }
            }
            terms.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            nodes.append(terms)
        }
        return nodes[3].isEmpty ? "0" : nodes[3].joined(separator: "+")
    }

    // MARK: - Class tables

    /// Every cell's class and every class's members, for one reading.
    struct ClassTable: Sendable {
        /// Class number by cell index.
        let classOf: [Int]
        /// Member indices by class number, ascending; classes ordered by their lowest member.
        let members: [[Int]]

        init(key: (NB201Cell) -> String) {
            let space = NB201Space()
            var numbers: [String: Int] = [:]
            var classOf = [Int](repeating: 0, count: NB201Space.cellCount)
            var members: [[Int]] = []
            for index in 0..<NB201Space.cellCount {
                let text = key(space.cell(at: index))
                if let number = numbers[text] {
                    classOf[index] = number
                    members[number].append(index)
                } else {
                    numbers[text] = members.count
                    classOf[index] = members.count
                    members.append([index])
                }
            }
            self.classOf = classOf
            self.members = members
        }
    }

    // Static stored properties are initialised lazily, once, under a lock the runtime holds.
    private static let nb201Classes = ClassTable(key: nb201Text)
    private static let functionClasses = ClassTable(key: functionText)

    static func classTable(_ equivalence: NB201Equivalence) -> ClassTable {
        switch equivalence {
        case .nb201: nb201Classes
        case .function: functionClasses
        }
    }
}
