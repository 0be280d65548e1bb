extension Tensor {
    /// Computes ∂self/∂t for every tensor `t` this scalar depends on and adds it into
    /// `t.grad`.
    ///
    /// The graph is sorted topologically (every node after its inputs) with an explicit
    /// stack, so depth is limited by memory rather than the call stack; the pullbacks then
    /// run in reverse order, each seeing its output's gradient complete. Intermediate
    /// gradients are reset first, so calling this twice adds the leaf gradients twice
    /// (as in PyTorch with `retain_graph`), never four times.
    ///
    /// - Precondition: `self` holds one value and requires a gradient.
    /// - Complexity: O(nodes + edges) plus the cost of the pullbacks, which roughly equals
    ///   the cost of the forward pass twice.
    public func backward() {
        precondition(count == 1, "Tensor.backward: start from a scalar, not shape \(shape)")
        precondition(requiresGrad, "Tensor.backward: \(self) depends on no parameter (or was not recorded)")
        let order = topologicalOrder()
        for node in order where node.pullback != nil {
            node.grad = [Float](repeating: 0, count: node.count)
        }
        grad[0] += 1
        for node in order.reversed() {
            node.pullback?(node, node.inputs)
        }
    }

    /// The nodes needing gradients that `self` depends on, each after all of its inputs.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(node: Tensor, expanded: Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
            } else if visited.insert(ObjectIdentifier(node)).inserted {
                stack.append((node, true))
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        return order
    }

    /// One line per node of the graph under `self`, inputs first: `#3 tanh[4, 96] <- #2`.
    public func graphDescription() -> String {
        let order = topologicalOrder()
        var index: [ObjectIdentifier: Int] = [:]
        for (i, node) in order.enumerated() { index[ObjectIdentifier(node)] = i }
        return order.enumerated().map { i, node in
            let from = node.inputs.compactMap { index[ObjectIdentifier($0)].map { "#\($0)" } }
            return "#\(i) \(node)" + (from.isEmpty ? "" : " <- " + from.joined(separator: ", "))
        }.joined(separator: "\n")
    }
}
