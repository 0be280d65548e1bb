import Foundation
import JouleJSON

/// One NAS-Bench-201 cell: a four-node DAG whose six edges each carry an operation.
///
///     let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|")
///     cell.edges[2]          // .none (the edge 1→2)
///     cell.liveEdges         // [false, true, false, true, false, true]: node 1 feeds nothing
///     cell.isDisconnected    // false
///
/// Node 0 is the cell's input and node 3 its output; node j is the sum of the operations on
/// its incoming edges. The string lists the incoming edges of nodes 1, 2 and 3 as three
/// `+`-separated groups, `op~i` meaning "op applied to node i":
///
///     |op~0|+|op~0|op~1|+|op~0|op~1|op~2|
///
/// so the edges, in string order, are 0→1, 0→2, 1→2, 0→3, 1→3, 2→3
/// (`../shared/data/nb201/README.md` has the facts about the space).
public struct NB201Cell: Sendable, Hashable, CustomStringConvertible {
    /// The source and destination node of each edge, in string order.
    public static let endpoints: [(from: Int, to: Int)] = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]

    /// The grammar, for messages.
    static let grammar = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|"

    /// The operation of each edge, in string order (6 entries).
    public var edges: [NB201Operation]

    /// A cell from its six operations in string order.
    ///
    /// - Precondition: `edges` has 6 entries.
    public init(edges: [NB201Operation]) {
        precondition(edges.count == 6, "an NB201 cell has 6 edges, got \(edges.count)")
        self.edges = edges
    }

    /// The index into `edges` of the edge from node `from` to node `to`.
    ///
    /// - Precondition: 0 ≤ from < to ≤ 3.
    public static func edgeIndex(from: Int, to: Int) -> Int {
        precondition(0 <= from && from < to && to <= 3, "no NB201 edge \(from)→\(to)")
        return to * (to - 1) / 2 + from
    }

    /// The operation on the edge from node `from` to node `to`.
    public func operation(from: Int, to: Int) -> NB201Operation {
        edges[Self.edgeIndex(from: from, to: to)]
    }

    /// The canonical cell string.
    public var string: String {
        (1...3).map { node in
            "|" + (0..<node).map { "\(operation(from: $0, to: node).rawValue)~\($0)" }.joined(separator: "|") + "|"
        }.joined(separator: "+")
    }

    public var description: String { string }

    /// For each edge in string order: whether it lies on a path from node 0 to node 3 made of
    /// edges that are not `none`. Only live edges influence the cell's output.
    public var liveEdges: [Bool] {
        let (fromInput, toOutput) = reachability
        return Self.endpoints.indices.map { e in
            edges[e].isEdge && fromInput[Self.endpoints[e].from] && toOutput[Self.endpoints[e].to]
        }
    }

    /// Whether every path from node 0 to node 3 passes a `none` edge: the cell's output does
    /// not depend on its input, so the network cannot see the image (341 of the 15,625 cells;
    /// all of them train to chance accuracy).
    public var isDisconnected: Bool { !reachability.fromInput[3] }

    /// Which nodes node 0 reaches, and which nodes reach node 3, over edges that are not `none`.
    private var reachability: (fromInput: [Bool], toOutput: [Bool]) {
        var fromInput = [true, false, false, false]
        for to in 1...3 {
            fromInput[to] = (0..<to).contains { fromInput[$0] && operation(from: $0, to: to).isEdge }
        }
        var toOutput = [false, false, false, true]
        for from in stride(from: 2, through: 0, by: -1) {
            toOutput[from] = ((from + 1)...3).contains { toOutput[$0] && operation(from: from, to: $0).isEdge }
        }
        return (fromInput, toOutput)
    }
}

extension NB201Cell {
    /// Reads a cell string such as `|nor_conv_3x3~0|+|none~0|skip_connect~1|+|…|`.
    ///
    /// Surrounding white space is ignored; otherwise the string must follow the grammar
    /// exactly, inputs in order. Messages number the tokens (the pieces between bars, a `+`
    /// counting as one) from 1.
    ///
    /// - Throws: `SpecError` (with no file) naming the bad token and its position:
    ///   "token 4 'nor_conv_5x5~1': unknown operation 'nor_conv_5x5'; did you mean
    ///   'nor_conv_3x3'?", "group 2 must have 2 edges, got 3", "token 4 'nor_conv_3x3~2' in
    ///   group 2: node 2 can only read nodes 0..1", or a missing bar or an empty string.
    public init(parsing text: String) throws(SpecError) {
        func failure(_ message: String) -> SpecError { SpecError(file: nil, message) }

        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw failure("the NB201 cell string is empty; expected \(Self.grammar)")
        }
        // "|a~0|+|b~0|c~1|" splits into "", "a~0", "+", "b~0", "c~1", "".
        let pieces = trimmed.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count >= 3, pieces[0].isEmpty else {
            throw failure("token 1 '\(pieces[0])': missing '|' before it; expected \(Self.grammar)")
        }
        guard pieces[pieces.count - 1].isEmpty else {
            throw failure("token \(pieces.count - 1) '\(pieces[pieces.count - 1])': missing '|' after it; expected \(Self.grammar)")
        }
        let tokens = Array(pieces[1..<(pieces.count - 1)])

        // Tokens by group, with their 1-based numbers.
        var groups: [[(number: Int, text: String)]] = [[]]
        for (offset, token) in tokens.enumerated() {
            let number = offset + 1
            if token.isEmpty {
                throw failure("token \(number) is empty ('||'); expected \(Self.grammar)")
            }
            if token == "+" {
                groups.append([])
            } else if token.contains("+") {
                throw failure("token \(number) '\(token)': '+' must stand alone between bars, as in |…|+|…|")
            } else {
                groups[groups.count - 1].append((number, token))
            }
        }
        guard groups.count == 3 else {
            throw failure("expected 3 groups separated by '+' (the inputs of nodes 1, 2 and 3), got \(groups.count)")
        }
        for (index, group) in groups.enumerated() where group.count != index + 1 {
            let node = index + 1
            throw failure("group \(node) must have \(node) edge\(node == 1 ? "" : "s"), got \(group.count)")
        }

        var edges: [NB201Operation] = []
        for (index, group) in groups.enumerated() {
            let node = index + 1
            for (slot, token) in group.enumerated() {
                let parts = token.text.split(separator: "~", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw failure("token \(token.number) '\(token.text)': expected operation~input, such as 'nor_conv_3x3~\(slot)'")
                }
                let name = String(parts[0])
                guard let operation = NB201Operation(rawValue: name) else {
                    throw failure("token \(token.number) '\(token.text)': unknown operation '\(name)'" + Self.suggestion(for: name))
                }
                guard parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber), let input = Int(parts[1]) else {
                    throw failure("token \(token.number) '\(token.text)': input '\(parts[1])' is not a node number")
                }
                guard input < node else {
                    let readable = node == 1 ? "node 0" : "nodes 0..\(node - 1)"
                    throw failure("token \(token.number) '\(token.text)' in group \(node): node \(node) can only read \(readable)")
                }
                guard input == slot else {
                    throw failure("token \(token.number) '\(token.text)' in group \(node): expected input \(slot) here "
                                  + "(each group lists its inputs in order, ~0 first)")
                }
                edges.append(operation)
            }
        }
        self.init(edges: edges)
    }

    /// "; did you mean 'x'?", or the list of operations.
    private static func suggestion(for name: String) -> String {
        // On a tie (nor_conv_5x5 is as close to 3x3 as to 1x1) the earlier candidate wins;
        // the 3×3 convolution is the likelier intent.
        let candidates: [NB201Operation] = [.conv3x3, .conv1x1, .averagePool3x3, .skipConnect, .none]
        if let closest = JSONObjectReader.closest(to: name, in: candidates.map(\.rawValue)) {
            return "; did you mean '\(closest)'?"
        }
        return "; the operations are " + NB201Operation.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
