import Foundation
import JouleJSON

/// A fitted polynomial for one layer category: terms, coefficients, and the range of every
/// feature it was fitted on.
public struct LayerPolynomial: Sendable {
    public var terms: [PolynomialTerm]
    public var coefficients: [Double]
    /// The smallest and largest value of each variable (and of `flops`, `memory_bytes`)
    /// among the layers of the fit, in `category.variables` order then the two specials.
    public var ranges: [(name: String, range: ClosedRange<Double>)]

    public init(terms: [PolynomialTerm], coefficients: [Double], ranges: [(name: String, range: ClosedRange<Double>)]) {
        precondition(terms.count == coefficients.count)
        self.terms = terms
        self.coefficients = coefficients
        self.ranges = ranges
    }

    /// The polynomial's value for one layer, in the model's unit (seconds or watts).
    @inline(__always)
    public func evaluate(_ layer: LayerConfiguration) -> Double {
        var sum = 0.0
        for i in terms.indices { sum += coefficients[i] * terms[i].value(layer) }
        return sum
    }

    /// Why `layer` lies outside what the polynomial was fitted on, naming the first feature
    /// out of range; `nil` when it lies inside. A 1 % margin absorbs rounding in the ranges.
    public func extrapolation(_ layer: LayerConfiguration) -> String? {
        for (name, range) in ranges {
            guard let value = layer.value(of: name) else { continue }
            if value < range.lowerBound * 0.99 || value > range.upperBound * 1.01 {
                return "\(name) \(formatFeature(value)) is outside the fitted range "
                    + "\(formatFeature(range.lowerBound))–\(formatFeature(range.upperBound))"
            }
        }
        return nil
    }

    /// The ranges of `layers`' features, for a polynomial fitted on them.
    public static func ranges(of layers: some Sequence<LayerConfiguration>, category: LayerCategory)
        -> [(name: String, range: ClosedRange<Double>)]
    {
        let names = category.variables + ["flops", "memory_bytes"]
        var low = Array(repeating: Double.infinity, count: names.count)
        var high = Array(repeating: -Double.infinity, count: names.count)
        for layer in layers {
            for (i, name) in names.enumerated() {
                let v = layer.value(of: name)!
                low[i] = min(low[i], v)
                high[i] = max(high[i], v)
            }
        }
        return names.indices.compactMap { i in low[i] <= high[i] ? (names[i], low[i]...high[i]) : nil }
    }
}

private func formatFeature(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
    return String(format: "%.4g", value)
}

/// A polynomial cost model as a file: per-category runtime (seconds) and power (watts)
/// polynomials for one GPU, with the provenance of the fit.
///
/// The format (`"format": "joule-polynomial-model"`, version 1) is documented in the
/// README under "Fit your own GPU"; `joule fit` writes it and the NeuralPower plugin reads
/// it. A category missing from `runtime` has no model: such layers are reported, never
/// counted as zero.
public struct PolynomialModelFile: Sendable {
    public static let formatName = "joule-polynomial-model"
    public static let formatVersion: Int64 = 1

    /// The GPU profile id the measurements were taken on.
    public var gpu: String
    public var description: String
    /// The pass the measurements time: "forward" (inference) is the only one so far.
    public var pass: String
    public var runtime: [LayerCategory: LayerPolynomial]
    public var power: [LayerCategory: LayerPolynomial]
    /// How each part was fitted (kind, degree, λ, cross-validated and held-out errors).
    public var runtimeFit: JSON?
    public var powerFit: JSON?
    /// Where the data came from and when the fit was made; `data_source` and `fit_date`
    /// are always present.
    public var provenance: [(String, JSON)]

    public init(gpu: String, description: String, pass: String = "forward",
                runtime: [LayerCategory: LayerPolynomial], power: [LayerCategory: LayerPolynomial] = [:],
                runtimeFit: JSON? = nil, powerFit: JSON? = nil, provenance: [(String, JSON)]) {
        self.gpu = gpu
        self.description = description
        self.pass = pass
        self.runtime = runtime
        self.power = power
        self.runtimeFit = runtimeFit
        self.powerFit = powerFit
        self.provenance = provenance
    }

    /// The batch sizes the runtime polynomials were fitted on, when they say.
    public var batchRange: ClosedRange<Double>? {
        var low = Double.infinity, high = -Double.infinity
        for polynomial in runtime.values {
            for (name, range) in polynomial.ranges where name == "batch" {
                low = min(low, range.lowerBound)
                high = max(high, range.upperBound)
            }
        }
        return low <= high ? low...high : nil
    }

    // MARK: Reading

    /// Files larger than this are refused unread.
    public static let maximumFileBytes = 16 << 20

    /// Reads a model file.
    ///
    /// - Throws: `PolynomialModelFileError` naming the file, line and field.
    public static func read(file path: String) throws(PolynomialModelFileError) -> PolynomialModelFile {
        let data: Data
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > maximumFileBytes {
                throw PolynomialModelFileError(file: path, "the file is \(size) bytes; model files larger than \(maximumFileBytes) bytes are refused")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as PolynomialModelFileError {
            throw error
        } catch {
            throw PolynomialModelFileError(file: path, "cannot read the file: \(error.localizedDescription)")
        }
        let root: JSONNode
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            throw PolynomialModelFileError(file: path, "line \(error.position.line): not valid JSON: column \(error.position.column): \(error.message)")
        }
        do {
            return try decode(root)
        } catch {
            throw PolynomialModelFileError(file: path, error.description)
        }
    }

    /// Reads a parsed model document; every problem found is reported at once.
    public static func decode(_ root: JSONNode) throws(JSONValidationError) -> PolynomialModelFile {
        let problems = JSONProblems()
        let reader = JSONObjectReader(root, path: "", problems: problems)
        if let format = reader.string("format"), format != formatName {
            problems.add("format", at: root["format"]?.position, "expected \"\(formatName)\", got \"\(format)\"")
        }
        if let version = reader.integer("format_version"), version != formatVersion {
            problems.add("format_version", at: root["format_version"]?.position,
                         "this Joule reads version \(formatVersion), the file is version \(version)")
        }
        let gpu = reader.string("gpu") ?? ""
        let description = reader.string("description", required: false, nonEmpty: false) ?? ""
        let pass = reader.choice("pass", from: ["forward"], required: false) ?? "forward"
        var provenance: [(String, JSON)] = []
        if let p = reader.object("provenance") {
            _ = p.string("data_source")
            _ = p.string("fit_date")
            if case .object(let members) = p.node.plain { provenance = members }
        }
        let runtimeSection = reader.object("runtime")
        let runtime = runtimeSection.map { section(reader: $0, unit: "seconds", problems: problems) } ?? [:]
        let powerSection = reader.object("power", required: false)
        let power = powerSection.map { section(reader: $0, unit: "watts", problems: problems) } ?? [:]
        reader.rejectUnknownKeys()
        try problems.throwIfAny()
        return PolynomialModelFile(
            gpu: gpu, description: description, pass: pass, runtime: runtime, power: power,
            runtimeFit: runtimeSection?.node["fit"]?.plain, powerFit: powerSection?.node["fit"]?.plain,
            provenance: provenance)
    }

    private static func section(reader: JSONObjectReader, unit: String, problems: JSONProblems) -> [LayerCategory: LayerPolynomial] {
        if let given = reader.string("unit"), given != unit {
            problems.add(reader.fieldPath("unit"), at: reader.node["unit"]?.position, "must be \"\(unit)\", got \"\(given)\"")
        }
        _ = reader.member("fit", required: false)
        var result: [LayerCategory: LayerPolynomial] = [:]
        guard let layers = reader.object("layers") else { return result }
        for key in layers.keys {
            guard let category = LayerCategory(rawValue: key) else {
                let suggestion = JSONObjectReader.closest(to: key, in: LayerCategory.allCases.map(\.rawValue))
                problems.add(layers.fieldPath(key), at: layers.node[key]?.position,
                             "unknown layer category" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                                + " (categories: \(LayerCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            guard let entry = layers.object(key) else { continue }
            var terms: [PolynomialTerm] = []
            var coefficients: [Double] = []
            if let termReader = entry.object("terms") {
                for text in termReader.keys {
                    let path = termReader.fieldPath(text)
                    do {
                        let term = try PolynomialTerm(parsing: text, category: category)
                        if terms.contains(term) {
                            problems.add(path, at: termReader.node[text]?.position, "the same term appears twice")
                            continue
                        }
                        guard let c = termReader.number(text) else { continue }
                        terms.append(term)
                        coefficients.append(c)
                    } catch {
                        problems.add(path, at: termReader.node[text]?.position, error.description)
                    }
                }
            }
            var ranges: [(name: String, range: ClosedRange<Double>)] = []
            if let rangeReader = entry.object("ranges", required: false) {
                let known = category.variables + ["flops", "memory_bytes"]
                for name in rangeReader.keys {
                    let path = rangeReader.fieldPath(name)
                    let position = rangeReader.node[name]?.position
                    guard known.contains(name) else {
                        problems.add(path, at: position, "unknown variable for \(category.plural) (they have \(known.joined(separator: ", ")))")
                        continue
                    }
                    guard let items = rangeReader.array(name) else { continue }
                    let numbers = items.compactMap { JSONObjectReader.number($0.node, path: $0.path, problems: problems) }
                    guard items.count == 2, numbers.count == 2 else {
                        if items.count != 2 { problems.add(path, at: position, "expected [lowest, highest]") }
                        continue
                    }
                    guard numbers[0] <= numbers[1] else {
                        problems.add(path, at: position, "the lowest value \(numbers[0]) exceeds the highest \(numbers[1])")
                        continue
                    }
                    ranges.append((name, numbers[0]...numbers[1]))
                }
            }
            entry.rejectUnknownKeys()
            result[category] = LayerPolynomial(terms: terms, coefficients: coefficients, ranges: ranges)
        }
        reader.rejectUnknownKeys()
        return result
    }

    // MARK: Writing

    /// The model as a JSON document, categories in `LayerCategory` order.
    public var json: JSON {
        func section(_ models: [LayerCategory: LayerPolynomial], unit: String, fit: JSON?) -> JSON {
            var fields: [(String, JSON)] = [("unit", .string(unit))]
            if let fit { fields.append(("fit", fit)) }
            let layers: [(String, JSON)] = models.keys.sorted().map { category in
                let p = models[category]!
                let terms: [(String, JSON)] = zip(p.terms, p.coefficients).map { ($0.description, .number($1)) }
                let ranges: [(String, JSON)] = p.ranges.map { ($0.name, .array([.number($0.range.lowerBound), .number($0.range.upperBound)])) }
                return (category.rawValue, .object([("terms", .object(terms)), ("ranges", .object(ranges))]))
            }
            fields.append(("layers", .object(layers)))
            return .object(fields)
        }
        var document: [(String, JSON)] = [
            ("format", .string(Self.formatName)),
            ("format_version", .integer(Self.formatVersion)),
            ("gpu", .string(gpu)),
            ("description", .string(description)),
            ("pass", .string(pass)),
            ("provenance", .object(provenance)),
            ("runtime", section(runtime, unit: "seconds", fit: runtimeFit)),
        ]
        if !power.isEmpty { document.append(("power", section(power, unit: "watts", fit: powerFit))) }
        return .object(document)
    }
}

/// A model file that cannot be used, with the file and the place.
public struct PolynomialModelFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    /// "model.json: line 12: field 'runtime.layers.pooling.terms.batch^9': …".
    public var description: String { "\(file): \(message)" }
}
