/// Reads the fields of a JSON object and collects every problem instead of stopping at the
/// first, so a user fixing a file sees all that is wrong at once.
///
///     let problems = JSONProblems()
///     let gpu = JSONObjectReader(root, path: "", problems: problems)
///     let tdp = gpu.number("tdp_watts", positive: true)   // nil + a problem when bad
///     gpu.rejectUnknownKeys()                             // catches "tdp_wats"
///     try problems.throwIfAny()
///
/// Each problem names the field by its path (`peak_flops.fp32`, `functions[2].arguments[0]`)
/// and the line where it stands. The caller adds the file name.
public struct JSONObjectReader {
    /// The object's own node.
    public let node: JSONNode
    /// Path of this object from the document root; empty for the root.
    public let path: String
    /// Where problems go.
    public let problems: JSONProblems
    private let members: [JSONMember]
    /// False when the node is not an object: its type was reported, and its fields are
    /// then not reported missing one by one.
    private let isObject: Bool
    private let consumed: ConsumedKeys

    /// Starts reading `node`, recording a problem (and reading nothing) if it is not an object.
    public init(_ node: JSONNode, path: String, problems: JSONProblems) {
        self.node = node
        self.path = path
        self.problems = problems
        self.consumed = ConsumedKeys()
        if case .object(let members) = node.value {
            self.members = members
            self.isObject = true
        } else {
            self.members = []
            self.isObject = false
            problems.add(path.isEmpty ? "the document" : path, at: node.position,
                         "expected an object, got \(node.kindDescription)")
        }
    }

    /// The keys present in the object, in file order.
    public var keys: [String] { members.map(\.key) }

    /// The path of a member of this object.
    public func fieldPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The raw member, marked as read; records a problem when required and absent.
    public func member(_ key: String, required: Bool = true) -> JSONNode? {
        consumed.keys.insert(key)
        if let found = members.first(where: { $0.key == key }) { return found.value }
        if required && isObject { problems.add(fieldPath(key), at: node.position, "missing (required)") }
        return nil
    }

    /// A string field. With `nonEmpty`, an empty or all-blank string is a problem.
    public func string(_ key: String, required: Bool = true, nonEmpty: Bool = true) -> String? {
        guard let value = member(key, required: required) else { return nil }
        guard case .string(let s) = value.value else {
            problems.add(fieldPath(key), at: value.position, "expected a string, got \(value.kindDescription)")
            return nil
        }
        if nonEmpty && s.allSatisfy(\.isWhitespace) {
            problems.add(fieldPath(key), at: value.position, "must not be empty")
            return nil
        }
        return s
    }

    /// A finite number field, optionally required to be > 0 or >= 0.
    public func number(
        _ key: String, required: Bool = true, positive: Bool = false, nonNegative: Bool = false
    ) -> Double? {
        guard let value = member(key, required: required) else { return nil }
        return JSONObjectReader.number(value, path: fieldPath(key), problems: problems,
                                       positive: positive, nonNegative: nonNegative)
    }

    /// Reads a node as a finite number with the same checks as `number(_:)`.
    public static func number(
        _ value: JSONNode, path: String, problems: JSONProblems,
        positive: Bool = false, nonNegative: Bool = false
    ) -> Double? {
        guard case .number(let n) = value.value else {
            let hint = if case .string(let s) = value.value { " (\"\(s)\"; write the number without quotes, in SI units)" } else { "" }
            problems.add(path, at: value.position, "expected a number, got \(value.kindDescription)\(hint)")
            return nil
        }
        guard n.double.isFinite else {
            problems.add(path, at: value.position, "\(n.text) is out of range")
            return nil
        }
        if positive && !(n.double > 0) {
            problems.add(path, at: value.position, "must be positive, got \(n.text)")
            return nil
        }
        if nonNegative && n.double < 0 {
            problems.add(path, at: value.position, "must not be negative, got \(n.text)")
            return nil
        }
        return n.double
    }

    /// An integer field that fits in `Int64`, optionally within `range`.
    public func integer(
        _ key: String, required: Bool = true, in range: ClosedRange<Int64>? = nil
    ) -> Int64? {
        guard let value = member(key, required: required) else { return nil }
        return JSONObjectReader.integer(value, path: fieldPath(key), problems: problems, in: range)
    }

    /// Reads a node as an integer with the same checks as `integer(_:)`.
    public static func integer(
        _ value: JSONNode, path: String, problems: JSONProblems, in range: ClosedRange<Int64>? = nil
    ) -> Int64? {
        guard case .number(let n) = value.value else {
            problems.add(path, at: value.position, "expected an integer, got \(value.kindDescription)")
            return nil
        }
        guard let integer = n.int64 else {
            let why = n.double.rounded() == n.double ? "too large" : "not an integer"
            problems.add(path, at: value.position, "\(n.text) is \(why)")
            return nil
        }
        if let range, !range.contains(integer) {
            problems.add(path, at: value.position, "must be in \(range.lowerBound)...\(range.upperBound), got \(integer)")
            return nil
        }
        return integer
    }

    /// A boolean field.
    public func bool(_ key: String, required: Bool = true) -> Bool? {
        guard let value = member(key, required: required) else { return nil }
        guard case .bool(let b) = value.value else {
            problems.add(fieldPath(key), at: value.position, "expected true or false, got \(value.kindDescription)")
            return nil
        }
        return b
    }

    /// A nested object field.
    public func object(_ key: String, required: Bool = true) -> JSONObjectReader? {
        guard let value = member(key, required: required) else { return nil }
        guard case .object = value.value else {
            problems.add(fieldPath(key), at: value.position, "expected an object, got \(value.kindDescription)")
            return nil
        }
        return JSONObjectReader(value, path: fieldPath(key), problems: problems)
    }

    /// An array field, as (path, node) pairs so each element can be reported by index.
    public func array(_ key: String, required: Bool = true) -> [(path: String, node: JSONNode)]? {
        guard let value = member(key, required: required) else { return nil }
        guard case .array(let items) = value.value else {
            problems.add(fieldPath(key), at: value.position, "expected an array, got \(value.kindDescription)")
            return nil
        }
        return items.enumerated().map { ("\(fieldPath(key))[\($0.offset)]", $0.element) }
    }

    /// An array of non-empty strings.
    public func stringArray(_ key: String, required: Bool = true) -> [String]? {
        guard let items = array(key, required: required) else { return nil }
        var strings: [String] = []
        for (itemPath, item) in items {
            guard case .string(let s) = item.value, !s.isEmpty else {
                problems.add(itemPath, at: item.position, "expected a non-empty string, got \(item.kindDescription)")
                continue
            }
            strings.append(s)
        }
        return strings
    }

    /// A string field that must be one of `allowed`.
    public func choice(_ key: String, from allowed: [String], required: Bool = true) -> String? {
        guard let s = string(key, required: required) else { return nil }
        guard allowed.contains(s) else {
            let position = member(key, required: false)?.position ?? node.position
            problems.add(fieldPath(key), at: position,
                         "unknown value \"\(s)\"; expected one of \(allowed.joined(separator: ", "))")
            return nil
        }
        return s
    }

    /// Records a problem for every member that no accessor asked for (usually a typo).
    public func rejectUnknownKeys(except allowed: Set<String> = []) {
        for member in members where !consumed.keys.contains(member.key) && !allowed.contains(member.key) {
            let known = consumed.keys.sorted()
            let suggestion = JSONObjectReader.closest(to: member.key, in: known).map { "; did you mean \"\($0)\"?" } ?? ""
            problems.add(fieldPath(member.key), at: member.keyPosition, "unknown field\(suggestion)")
        }
    }

    /// The candidate nearest to `word`, if any is near: the "did you mean" of error messages.
    ///
    /// A candidate that `word` abbreviates or extends by a word (`batch` for `batch_size`) comes
    /// first; otherwise the one within `maximumDistance` edits, ties going to the longer
    /// common prefix (`H100` rather than `A10` for `H10`).
    public static func closest(to word: String, in candidates: [String], maximumDistance: Int = 2) -> String? {
        // One is the other plus a suffix that starts a new word or number: batch / batch_size.
        func extends(_ long: String, _ short: String) -> Bool {
            guard short.count >= 2, long.count > short.count, long.hasPrefix(short) else { return false }
            let next = long[long.index(long.startIndex, offsetBy: short.count)]
            return !next.isLetter
        }
        let related = candidates.filter { extends(word, $0) || extends($0, word) }
        if !word.isEmpty, let best = related.min(by: { abs($0.count - word.count) < abs($1.count - word.count) }) {
            return best
        }
        func commonPrefix(_ a: String) -> Int { zip(a.utf8, word.utf8).prefix { $0 == $1 }.count }
        let scored = candidates.map { (candidate: $0, distance: editDistance(word, $0), prefix: commonPrefix($0)) }
        let best = scored.min { ($0.distance, -$0.prefix) < ($1.distance, -$1.prefix) }
        guard let best, best.distance <= maximumDistance else { return nil }
        return best.candidate
    }

    /// Levenshtein distance over UTF-8 bytes.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// Keys asked for so far; a class so that copies of a reader share it.
private final class ConsumedKeys {
    var keys: Set<String> = []
}

/// The problems found while reading a document, in the order found.
public final class JSONProblems: @unchecked Sendable {
    /// One problem: which field, where, and what is wrong.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var position: JSONPosition?
        public var message: String

        public init(field: String, position: JSONPosition?, message: String) {
            self.field = field
            self.position = position
            self.message = message
        }

        /// "line 7: field 'tdp_watts': must be positive, got -300".
        public var description: String {
            let place = position.map { "line \($0.line): " } ?? ""
            return "\(place)field '\(field)': \(message)"
        }
    }

    public private(set) var items: [Problem] = []

    public init() {}

    public var isEmpty: Bool { items.isEmpty }

    public func add(_ field: String, at position: JSONPosition?, _ message: String) {
        items.append(Problem(field: field, position: position, message: message))
    }

    /// Throws `JSONValidationError` holding every problem, if there are any.
    public func throwIfAny() throws(JSONValidationError) {
        if !items.isEmpty { throw JSONValidationError(problems: items) }
    }
}

/// A document that parsed but does not say what it must.
public struct JSONValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [JSONProblems.Problem]

    public init(problems: [JSONProblems.Problem]) {
        self.problems = problems
    }

    /// All problems, separated by "; ".
    public var description: String { problems.map(\.description).joined(separator: "; ") }
}
