import Foundation

/// Reference outputs as rows of named fields: the Paleo reference CSVs in
/// ../shared/data/paleo/reference, and the fixtures made with the original code.
///
/// The files are plain CSV; the only quoted fields hold commas (`"0,0"`), never quotes.
public enum ReferenceCSV {
    /// A file of ../shared/data/paleo/reference.
    public static func load(_ name: String) throws -> [[String: String]] {
        try load(url: PackageLayout.sharedData.appendingPathComponent("paleo/reference/\(name)"))
    }

    /// What the original Paleo printed for a case of Tests/Fixtures/paleo-original/modes.csv
    /// (settings the shared reference CSVs do not cover), converted to seconds.
    public static func originalPaleoSeconds(_ caseName: String, _ quantity: String) throws -> Double {
        let rows = try load(url: PackageLayout.fixture("paleo-original/modes.csv"))
        guard let row = rows.first(where: { $0["case"] == caseName && $0["quantity"] == quantity }) else {
            throw TestSupportError("modes.csv has no \(quantity) for \(caseName)")
        }
        return try row.number("milliseconds") * 1e-3
    }

    public static func load(url: URL) throws -> [[String: String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = fields(lines.removeFirst())
        return lines.map { Dictionary(uniqueKeysWithValues: zip(header, fields($0))) }
    }

    static func fields(_ line: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() } else if character == "," && !quoted {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        result.append(current)
        return result
    }
}

extension Dictionary where Key == String, Value == String {
    /// A numeric field of a reference row; a missing or malformed one is a broken fixture.
    public func number(_ key: String) throws -> Double {
        guard let text = self[key], let value = Double(text) else {
            throw TestSupportError("reference row has no number '\(key)': \(self)")
        }
        return value
    }
}

/// `actual` within `relative` of `expected` (and exactly 0 when expected is 0).
public func close(_ actual: Double, _ expected: Double, relative: Double = 1e-6) -> Bool {
    expected == 0 ? actual == 0 : abs(actual - expected) <= relative * abs(expected)
}
