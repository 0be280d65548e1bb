/// Writes `JSON` values as text.
///
/// Pretty output indents by two spaces and keeps keys in the order given, so that
/// documented schemas read top-down. Numbers use the shortest form that parses back to the
/// same `Double`; non-finite numbers (which JSON cannot hold) are written as `null`.
public enum JSONWriter {
    /// Renders `value`; `pretty` adds newlines and indentation and a final newline.
    public static func render(_ value: JSON, pretty: Bool = true) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil)
        if pretty { out += "\n" }
        return out
    }

    private static func write(_ value: JSON, into out: inout String, indent: Int?) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.double.isFinite ? n.text : "null"
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            // Short arrays of scalars stay on one line: shapes and id lists read better.
            let inline = indent == nil || (items.count <= 8 && items.allSatisfy(\.isScalar))
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += inline && indent != nil ? ", " : "," }
                if !inline, let indent { newline(&out, indent + 1) }
                write(item, into: &out, indent: indent.map { $0 + 1 })
            }
            if !inline, let indent { newline(&out, indent) }
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, member)) in members.enumerated() {
                if i > 0 { out += "," }
                if let indent { newline(&out, indent + 1) }
                writeString(key, into: &out)
                out += indent == nil ? ":" : ": "
                write(member, into: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { newline(&out, indent) }
            out += "}"
        }
    }

    private static func newline(_ out: inout String, _ level: Int) {
        out += "\n"
        out += String(repeating: "  ", count: level)
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension JSON {
    /// True for values that are not arrays or objects.
    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}
