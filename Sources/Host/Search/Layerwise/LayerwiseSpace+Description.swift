import Foundation

/// Writing layer-wise architectures as text and reading them back.
///
/// An architecture is written as the decisions where it differs from the input network,
/// grouped by the layer that names them, in decision order: `name:option,option`, layers
/// separated by one space. The input network itself is `start`.
///
///     space.describe(space.start)     // "start"
///     space.describe(arch)            // "conv1:w0.5,k5 conv2:skip fc1:w0.75"
///
/// Options are written as `LayerwiseOption.description` writes them (`w0.25`…`w1.25`,
/// `k1`…`k7`, `skip`). A width decision shared by several layers (a residual group, a
/// ModelParallel layer's copies) is written on the first of them.
extension LayerwiseSpace {
    /// The architecture as text: `start`, or the decisions that differ from the input
    /// network (see above). Faithful: a skipped layer's other choices are written too
    /// (`canonicalKey` leaves them out).
    public func describe(_ architecture: Architecture) -> String {
        checkArchitecture(architecture)
        var names: [String] = []
        var items: [String: [String]] = [:]
        for (i, decision) in decisions.enumerated() where architecture.choices[i] != decision.startChoice {
            if items[decision.name] == nil { names.append(decision.name) }
            items[decision.name, default: []].append(decision.options[architecture.choices[i]].description)
        }
        if names.isEmpty { return "start" }
        return names.map { "\($0):" + items[$0]!.joined(separator: ",") }.joined(separator: " ")
    }

    /// The architecture that `describe(_:)` wrote as `text`. Decisions not mentioned take
    /// the input network's option; `start` (or nothing) is the input network.
    ///
    /// Layer names may contain spaces and colons: at each position the longest decision
    /// name followed by `:` is taken.
    ///
    /// - Throws: `SearchError` quoting the text and naming the culprit: a name no decision
    ///   has, an option that is not written like one, an option the layer does not offer (a
    ///   width of the classifier, a kernel of a stride-2 convolution), or one decision given
    ///   twice.
    public func architecture(parsing text: String) throws(SearchError) -> Architecture {
        func failure(_ message: String) -> SearchError {
            SearchError("layerwise architecture '\(text)' for '\(label)': \(message)")
        }
        var choices = decisions.map(\.startChoice)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "start" { return Architecture(choices: choices) }
        let names = decisionIndex.keys.sorted { $0.count > $1.count }
        var given = Set<Int>()
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            guard let name = names.first(where: { rest.hasPrefix($0 + ":") }) else {
                let word = rest.prefix { $0 != " " }
                throw failure("'\(word)' does not start with the name of a layer that has decisions, followed by ':'")
            }
            rest = rest.dropFirst(name.count + 1)
            let list = rest.prefix { $0 != " " }
            rest = rest.dropFirst(list.count).drop(while: { $0 == " " })
            guard !list.isEmpty else { throw failure("layer '\(name)' has no option after ':'") }
            for item in list.split(separator: ",", omittingEmptySubsequences: false) {
                guard let option = LayerwiseOption(parsing: String(item)) else {
                    throw failure("'\(item)' for layer '\(name)' is not an option (w0.25, w0.5, w0.75, w1, w1.25, k1, k3, k5, k7, keep, skip)")
                }
                let kind: LayerwiseDecision.Kind
                switch option {
                case .width: kind = .width
                case .kernel: kind = .kernel
                case .keep, .skip: kind = .skip
                }
                guard let index = decisionIndex[name]?[kind] else {
                    let offered = decisionIndex[name]!.keys.map(\.rawValue).sorted().joined(separator: ", ")
                    throw failure("layer '\(name)' has no \(kind.rawValue) decision (it has: \(offered))")
                }
                guard let choice = decisions[index].options.firstIndex(of: option) else {
                    let offered = decisions[index].options.map(\.description).joined(separator: ", ")
                    throw failure("layer '\(name)' does not offer \(option) (it offers \(offered))")
                }
                guard given.insert(index).inserted else {
                    throw failure("layer '\(name)' has its \(kind.rawValue) decision twice")
                }
                choices[index] = choice
            }
        }
        return Architecture(choices: choices)
    }
}
