/// Paleo's view of a network's structure: chains of layers and groups of parallel branches
/// (its GraphWalker's "nested list"), which its model-parallel bounds add up.
///
/// Walking from the data layer, a chain continues while there is one way forward; where it
/// forks, each branch is walked until it reaches a join (a layer with several parents) whose
/// parents have all been seen; the branches become one parallel group and the walk goes on
/// from the joins. Joins reached together are taken in the order they were found.
indirect enum PaleoStructure: Equatable {
    case layer(Int)
    case parallel([[PaleoStructure]])
}

struct PaleoGraphWalker {
    private let children: [[Int]]
    private var pending: [Int]
    private var joins: Set<Int>

    /// - Parameter parents: the parents of each layer, as indices.
    init(parents: [[Int]]) {
        var children = Array(repeating: [Int](), count: parents.count)
        for (child, list) in parents.enumerated() {
            for parent in list { children[parent].append(child) }
        }
        self.children = children
        pending = parents.map(\.count)
        joins = Set(parents.indices.filter { parents[$0].count > 1 })
    }

    /// The nested list starting at `start` (the data layer).
    mutating func walk(from start: Int) -> [PaleoStructure] {
        var history: [PaleoStructure] = []
        _ = walk(&history, frontiers: [start])
        return history
    }

    /// Walks from `frontiers`, appending to `history`; returns the joins it stopped at.
    private mutating func walk(_ history: inout [PaleoStructure], frontiers start: [Int]) -> [Int] {
        var frontiers = start
        while true {
            if frontiers.isEmpty { return [] }
            if frontiers.allSatisfy({ joins.contains($0) }) { return frontiers }
            if frontiers.count == 1 {
                let node = frontiers[0]
                history.append(.layer(node))
                for child in children[node] { pending[child] -= 1 }
                frontiers = children[node]
                continue
            }
            var branches: [[PaleoStructure]] = []
            var merged: [Int] = []
            for node in frontiers {
                var branch: [PaleoStructure] = []
                let reached = walk(&branch, frontiers: [node])
                if !branch.isEmpty { branches.append(branch) }
                for join in reached where pending[join] == 0 && !merged.contains(join) { merged.append(join) }
            }
            if !branches.isEmpty { history.append(.parallel(branches)) }
            for join in merged { joins.remove(join) }
            frontiers = merged
        }
    }
}

/// Paleo's `_sum_with_parallel`: a lower bound that overlaps parallel branches (their
/// maximum) and an upper bound that runs them one after another (their sum).
///
/// Layers not in `times` count 0. Paleo's own code fails when a branch itself forks; here a
/// nested group contributes its own bounds, which is what the original's definition implies.
func parallelBounds(_ structure: [PaleoStructure], times: [Int: Double]) -> (lower: Double, upper: Double) {
    var lower = 0.0, upper = 0.0
    for item in structure {
        switch item {
        case .layer(let index):
            lower += times[index] ?? 0
            upper += times[index] ?? 0
        case .parallel(let branches):
            var branchLowers: [Double] = []
            var branchUppers: [Double] = []
            for branch in branches {
                let (l, u) = parallelBounds(branch, times: times)
                branchLowers.append(l)
                branchUppers.append(u)
            }
            lower += branchLowers.max() ?? 0
            upper += branchUppers.reduce(0, +)
        }
    }
    return (lower, upper)
}
