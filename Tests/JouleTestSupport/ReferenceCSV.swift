import Foundation

/// The Paleo reference outputs in ../shared/data/paleo/reference, as rows of named fields.
///
/// The files are plain CSV; the only quoted fields hold commas (`"0,0"`), never quotes.
public enum ReferenceCSV {
    public static func load(_ name: String) throws -> [[String: String]] {
        let url = PackageLayout.sharedData.appendingPathComponent("paleo/reference/\(name)")
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
