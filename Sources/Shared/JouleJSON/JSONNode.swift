/// A parsed JSON value that remembers where it stood in its file.
///
/// Joule reads hand-written files (network specs, GPU profiles, plugin manifests) and owes
/// the user an error that points at the line. Foundation's `JSONSerialization` forgets
/// positions and key order (Paleo's branch order follows key order), so Joule parses JSON
/// itself into `JSONNode`s:
///
///     let root = try JSONParser.parse(Array(#"{"tdp_watts": -3}"#.utf8))
///     root["tdp_watts"]?.position   // line 1, column 15
///
/// Objects keep their members in file order; duplicate keys are a syntax error.
public struct JSONNode: Sendable, Equatable {
    /// What the node holds.
    public enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONNode])
        case object([JSONMember])
    }

    public var value: Value
    /// Where the value starts.
    public var position: JSONPosition

    public init(_ value: Value, at position: JSONPosition) {
        self.value = value
        self.position = position
    }

    /// The member named `key` when this is an object that has one.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A short name for the kind of value, for error messages ("expected a number, got a string").
    public var kindDescription: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The same value without positions, for writing back out or comparing.
    public var plain: JSON {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(\.plain))
        case .object(let members): .object(members.map { ($0.key, $0.value.plain) })
        }
    }
}

/// One `"key": value` pair of an object, with the key's own position.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyPosition: JSONPosition
    public var value: JSONNode

    public init(key: String, keyPosition: JSONPosition, value: JSONNode) {
        self.key = key
        self.keyPosition = keyPosition
        self.value = value
    }
}

/// A 1-based line and column (columns count bytes, which is what editors show for ASCII).
public struct JSONPosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// A JSON number, kept as its literal text as well as a `Double`.
///
/// The text lets integer fields be read exactly: `10000000000000000000` does not fit an
/// `Int64`, and Joule must say so rather than round it.
public struct JSONNumber: Sendable, Equatable, Hashable {
    /// The literal as written (for numbers Joule makes, the shortest round-trip form).
    public var text: String
    /// The nearest `Double` (correctly rounded); may be infinite for huge literals.
    public var double: Double

    public init(text: String, double: Double) {
        self.text = text
        self.double = double
    }

    public init(_ value: Double) {
        self.double = value
        self.text = JSONNumber.format(value)
    }

    public init(_ value: Int64) {
        self.double = Double(value)
        self.text = String(value)
    }

    /// The value as an `Int64` when the literal is an integer that fits; `nil` otherwise.
    ///
    /// `3`, `-7` and `1e3` qualify; `3.5` and `1e30` do not.
    public var int64: Int64? {
        if let exact = Int64(text) { return exact }
        // "12.000" is the integer 12, read from its digits, not through a rounded Double.
        if !text.contains(where: { $0 == "e" || $0 == "E" }), let dot = text.firstIndex(of: ".") {
            guard text[text.index(after: dot)...].allSatisfy({ $0 == "0" }) else { return nil }
            return Int64(text[..<dot])
        }
        // With an exponent, only values a Double holds exactly (|v| <= 2^53) are trusted.
        guard double.isFinite, double == double.rounded(), abs(double) <= 9_007_199_254_740_992 else { return nil }
        return Int64(double)
    }

    /// Shortest text that parses back to the same double; integers without a fraction
    /// ("-300", not "-300.0"), which is also how messages quote numbers.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }
}

/// A JSON value without positions: what Joule writes.
///
/// Objects are ordered lists of pairs so that output keeps the order the code chose.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func number(_ value: Double) -> JSON { .number(JSONNumber(value)) }
    public static func integer(_ value: Int64) -> JSON { .number(JSONNumber(value)) }
    public static func integer(_ value: Int) -> JSON { .number(JSONNumber(Int64(value))) }

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a.double == b.double
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}
