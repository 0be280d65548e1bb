import Foundation

/// A plain-text table with left-aligned text columns and right-aligned number columns.
public struct TextTable {
    public enum Alignment { case left, right }

    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]] = []

    public init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    public func render() -> String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            headers.indices.map { column in
                let cell = column < cells.count ? cells[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return alignments[column] == .left ? cell + padding : padding + cell
            }.joined(separator: "  ").replacing(/\s+$/, with: "")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

/// Formats a number with a fixed count of significant digits, without exponent for
/// everyday magnitudes: 6144 -> "6144", 0.0123 -> "0.0123".
public func formatNumber(_ value: Double, significantDigits: Int = 4) -> String {
    guard value.isFinite else { return "-" }
    if value == 0 { return "0" }
    let magnitude = Int(floor(log10(abs(value))))
    let decimals = max(0, significantDigits - 1 - magnitude)
    if magnitude >= 15 || magnitude < -4 { return String(format: "%.\(significantDigits - 1)e", value) }
    return String(format: "%.\(decimals)f", value)
}


/// A duration for tables: milliseconds below a second ("123.4 ms"), else seconds ("1.136 s").
func formatDuration(_ seconds: Double) -> String {
    seconds >= 1 ? "\(formatNumber(seconds)) s" : "\(formatNumber(seconds * 1e3)) ms"
}
