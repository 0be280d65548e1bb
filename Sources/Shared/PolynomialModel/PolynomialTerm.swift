import Foundation

/// One term of a layer polynomial: a product of powers of configuration variables, their
/// base-2 logarithms, and the special quantities FLOPs and memory bytes.
///
/// Terms are written as text in model files, so that a person can read which features a fit
/// kept: `1` (the intercept: a fixed cost per layer, such as a kernel launch),
/// `batch*in_channels^2`, `log2(batch)*channels`, `flops`, `memory_bytes`.
public struct PolynomialTerm: Hashable, Sendable, CustomStringConvertible {
    /// What a factor measures.
    public enum Quantity: Hashable, Sendable {
        /// The configuration variable at this index of `LayerCategory.variables`.
        case variable(Int)
        /// log2 of that variable.
        case log2(Int)
        case flops
        case memoryBytes
    }

    public struct Factor: Hashable, Sendable {
        public var quantity: Quantity
        public var exponent: Int
    }

    public let category: LayerCategory
    /// In a canonical order (as generated), so equal terms compare equal.
    public let factors: [Factor]

    public init(category: LayerCategory, factors: [Factor]) {
        self.category = category
        self.factors = factors
    }

    /// The intercept of `category`.
    public static func intercept(_ category: LayerCategory) -> PolynomialTerm {
        PolynomialTerm(category: category, factors: [])
    }

    public var isIntercept: Bool { factors.isEmpty }

    /// Total degree (FLOPs and bytes count 1).
    public var degree: Int { factors.reduce(0) { $0 + $1.exponent } }

    /// The term's value for one layer.
    @inline(__always)
    public func value(_ layer: LayerConfiguration) -> Double {
        var product = 1.0
        for factor in factors {
            let base: Double
            switch factor.quantity {
            case .variable(let i): base = layer.values[i]
            case .log2(let i): base = _log2(layer.values[i])
            case .flops: base = layer.flops
            case .memoryBytes: base = layer.memoryBytes
            }
            var power = base
            for _ in 1..<max(factor.exponent, 1) { power *= base }
            product *= power
        }
        return product
    }

    public var description: String {
        if factors.isEmpty { return "1" }
        let names = category.variables
        return factors.map { factor in
            let name = switch factor.quantity {
            case .variable(let i): names[i]
            case .log2(let i): "log2(\(names[i]))"
            case .flops: "flops"
            case .memoryBytes: "memory_bytes"
            }
            return factor.exponent == 1 ? name : "\(name)^\(factor.exponent)"
        }.joined(separator: "*")
    }

    /// Reads a term written as `description` writes it.
    ///
    /// - Throws: a message naming the part that is wrong and the variables there are.
    public init(parsing text: String, category: LayerCategory) throws(PolynomialTermError) {
        let trimmed = text.filter { !$0.isWhitespace }
        if trimmed == "1" {
            self.init(category: category, factors: [])
            return
        }
        guard !trimmed.isEmpty else { throw PolynomialTermError("empty term (write 1 for the intercept)") }
        var factors: [Factor] = []
        for part in trimmed.split(separator: "*", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var exponent = 1
            if let caret = part.firstIndex(of: "^") {
                name = part[..<caret]
                guard let e = Int(part[part.index(after: caret)...]), (1...8).contains(e) else {
                    throw PolynomialTermError("'\(part)': the exponent must be an integer from 1 to 8")
                }
                exponent = e
            }
            let quantity: Quantity
            if name == "flops" {
                quantity = .flops
            } else if name == "memory_bytes" {
                quantity = .memoryBytes
            } else if name.hasPrefix("log2("), name.hasSuffix(")") {
                let inner = String(name.dropFirst(5).dropLast())
                guard let i = category.variables.firstIndex(of: inner) else {
                    throw PolynomialTermError.unknownVariable(inner, in: category)
                }
                quantity = .log2(i)
            } else if let i = category.variables.firstIndex(of: String(name)) {
                quantity = .variable(i)
            } else {
                throw PolynomialTermError.unknownVariable(String(name), in: category)
            }
            if let existing = factors.firstIndex(where: { $0.quantity == quantity }) {
                factors[existing].exponent += exponent
            } else {
                factors.append(Factor(quantity: quantity, exponent: exponent))
            }
        }
        factors.sort { PolynomialTerm.order($0.quantity) < PolynomialTerm.order($1.quantity) }
        self.init(category: category, factors: factors)
    }

    /// The canonical factor order: variables, then their logs, then FLOPs and bytes.
    static func order(_ quantity: Quantity) -> Int {
        switch quantity {
        case .variable(let i): i
        case .log2(let i): 100 + i
        case .flops: 1000
        case .memoryBytes: 1001
        }
    }
}

/// A term that cannot be read.
public struct PolynomialTermError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }

    static func unknownVariable(_ name: String, in category: LayerCategory) -> PolynomialTermError {
        PolynomialTermError("unknown variable '\(name)' for \(category.plural) (they have "
                            + (category.variables + ["flops", "memory_bytes"]).joined(separator: ", ") + ")")
    }
}

/// The candidate terms a fit chooses from.
public enum TermSet {
    /// NeuralPower's runtime features: the intercept, every monomial of the configuration
    /// variables up to `degree`, and the special terms FLOPs and memory bytes (linear).
    public static func runtime(_ category: LayerCategory, degree: Int) -> [PolynomialTerm] {
        let quantities = category.variables.indices.map(PolynomialTerm.Quantity.variable)
        return [.intercept(category)] + monomials(category, quantities, degree: degree)
            + [PolynomialTerm(category: category, factors: [.init(quantity: .flops, exponent: 1)]),
               PolynomialTerm(category: category, factors: [.init(quantity: .memoryBytes, exponent: 1)])]
    }

    /// NeuralPower's power features: the intercept and every monomial of the configuration
    /// variables and their log2 up to `degree`.
    public static func power(_ category: LayerCategory, degree: Int) -> [PolynomialTerm] {
        let indices = category.variables.indices
        let quantities = indices.map(PolynomialTerm.Quantity.variable) + indices.map(PolynomialTerm.Quantity.log2)
        return [.intercept(category)] + monomials(category, quantities, degree: degree)
    }

    /// Every product of 1 to `degree` of `quantities` (with repetition), lowest degree first.
    static func monomials(_ category: LayerCategory, _ quantities: [PolynomialTerm.Quantity], degree: Int) -> [PolynomialTerm] {
        var terms: [PolynomialTerm] = []
        func extend(_ chosen: [Int], from start: Int, remaining: Int) {
            if remaining == 0 {
                var factors: [PolynomialTerm.Factor] = []
                for index in chosen {
                    if let last = factors.last, last.quantity == quantities[index] {
                        factors[factors.count - 1].exponent += 1
                    } else {
                        factors.append(.init(quantity: quantities[index], exponent: 1))
                    }
                }
                terms.append(PolynomialTerm(category: category, factors: factors))
                return
            }
            for index in start..<quantities.count { extend(chosen + [index], from: index, remaining: remaining - 1) }
        }
        for d in 1...max(degree, 1) { extend([], from: 0, remaining: d) }
        return terms
    }
}

@inline(__always)
func _log2(_ x: Double) -> Double {
    x > 0 ? log2(x) : 0
}
