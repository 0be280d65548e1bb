/// Why a network spec cannot be used, naming the file, the line and the layer.
///
/// Field problems are collected across the whole file and reported together; graph and
/// shape problems stop at the first (later shapes depend on earlier ones).
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int?
        /// The layer at fault, when there is one.
        public var layer: String?
        public var message: String

        public init(line: Int? = nil, layer: String? = nil, _ message: String) {
            self.line = line
            self.layer = layer
            self.message = message
        }

        /// "line 12: layer 'conv3': kernel 5x5 is larger than the padded input 3x3".
        public var description: String {
            var text = ""
            if let line { text += "line \(line): " }
            if let layer { text += "layer '\(layer)': " }
            return text + message
        }
    }

    /// The spec file, or a label such as "nb201:…"; `nil` for specs given as text.
    public var file: String?
    public var problems: [Problem]

    public init(file: String?, problems: [Problem]) {
        self.file = file
        self.problems = problems
    }

    public init(file: String?, line: Int? = nil, layer: String? = nil, _ message: String) {
        self.init(file: file, problems: [Problem(line: line, layer: layer, message)])
    }

    /// The most problems `description` lists; the rest are counted on one more line, so
    /// that a file that is wrong everywhere gives a screenful rather than thousands of lines.
    public static let maximumShownProblems = 10

    /// One line per problem, each starting with the file.
    public var description: String {
        let prefix = file.map { "\($0): " } ?? ""
        var lines = problems.prefix(SpecError.maximumShownProblems).map { prefix + $0.description }
        if problems.count > SpecError.maximumShownProblems {
            let more = problems.count - SpecError.maximumShownProblems
            lines.append(prefix + "and \(more) more problem\(more == 1 ? "" : "s")")
        }
        return lines.joined(separator: "\n")
    }
}

/// Arithmetic on tensor dimensions that reports overflow instead of wrapping.
enum Checked {
    /// The most elements Joule accepts in one tensor: 2^37 (550 GB in FP32), more than any
    /// device holds. Larger ones are almost certainly typos, and products of them overflow.
    static let maximumElements: Int64 = 1 << 37

    static func product(_ values: [Int64]) -> Int64? {
        var result: Int64 = 1
        for value in values {
            let (next, overflow) = result.multipliedReportingOverflow(by: value)
            if overflow { return nil }
            result = next
        }
        return result
    }

    static func multiply(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }

    static func add(_ a: Int64, _ b: Int64) -> Int64? {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : result
    }

    /// Python's floor division, which Paleo's padding rule relies on (-1 // 2 == -1).
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Ceiling of a / b for b > 0, as Paleo's `math.ceil(float(a) / float(b))`.
    static func ceilDivide(_ a: Int64, _ b: Int64) -> Int64 {
        -floorDivide(-a, b)
    }
}
