import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import JouleJSON
import JouleTestSupport
import Testing

/// `joule estimate --report`: the page parses as XML, holds no script and fetches nothing,
/// and its bars carry the same numbers as the JSON output of the same estimate.
@Suite struct HTMLReportTests {
    /// Elements with their attributes, in document order, and all text.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    func number(_ node: JSONNode?) -> Double {
        if case .number(let n)? = node?.plain { return n.double }
        return .nan
    }

    @Test(arguments: ["training", "inference"]) func theReportMatchesTheJSON(mode: String) throws {
        let directory = try TemporaryDirectory()
        let page = directory.file("vgg16.html").path
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path
        let result = try runJoule(["estimate", spec, "--gpu", "A100", "--mode", mode, "--per-layer", "--format", "json", "--report", page])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONParser.parse(result.standardOutput)
        let html = try String(contentsOfFile: page, encoding: .utf8)

        let collector = Collector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        #expect(!collector.elements.contains { $0.name == "script" || $0.name == "link" || $0.name == "img" })
        #expect(!html.contains("src=") && !html.contains("href="), "the page must not fetch anything")

        // One bar per live layer, in order, with the JSON's energy.
        guard case .array(let layers)? = json["layers"]?.value else {
            Issue.record("no layers in the JSON")
            return
        }
        let live = layers.filter { $0["dead"]?.plain != .bool(true) }
        let bars = collector.elements.filter { $0.name == "rect" && $0.attributes["class"]?.hasPrefix("bar") == true }
        #expect(bars.count == live.count)
        for (bar, layer) in zip(bars, live) {
            #expect(.string(bar.attributes["data-layer"] ?? "") == layer["name"]?.plain)
            let joules = Double(bar.attributes["data-joules"] ?? "") ?? .nan
            #expect(abs(joules - number(layer["energy_joules"])) <= 1e-12 * max(1, abs(joules)), "\(bar.attributes)")
        }
        // The five largest are the highlighted ones.
        let largest = Set(bars.sorted { Double($0.attributes["data-joules"]!)! > Double($1.attributes["data-joules"]!)! }.prefix(5)
            .map { $0.attributes["data-layer"]! })
        #expect(Set(bars.filter { $0.attributes["class"] == "bar top" }.map { $0.attributes["data-layer"]! }) == largest)

        // Phases (training) and the total energy.
        let section = json[mode]
        if mode == "training" {
            let phases = collector.elements.filter { $0.name == "rect" && $0.attributes["data-phase"] != nil }
            let seconds = phases.map { Double($0.attributes["data-seconds"]!)! }
            #expect(seconds == [number(section?["forward_seconds"]), number(section?["backward_seconds"]), number(section?["update_seconds"])])
        }
        let total = collector.elements.first { $0.attributes["data-joules"] != nil && $0.name == "b" }
        #expect(Double(total?.attributes["data-joules"] ?? "") == number(section?["energy_joules"]))

        // Context a reader needs: units, model, profile, provenance.
        for needle in ["A100_40GB", "joule.paleo/paleo", "derived", "(J, derived)", "ms", "numbers fnv1a64:"] {
            #expect(collector.text.contains(needle), "missing \(needle)")
        }
    }

    /// `joule search --report`: one point per scored evaluation with history.csv's numbers,
    /// the front's points are front.csv's, the start is marked, and each front row names as
    /// many changed edges as differ from the start.
    @Test func theSearchReportMatchesTheOutputs() throws {
        let directory = try TemporaryDirectory()
        let out = directory.file("run").path
        let page = directory.file("search.html").path
        let result = try runJoule(["search", SearchEndToEndTests.start, "--space", "nb201", "--gpu", "GTX_1080_TI", "--cost-model", "neuralpower",
                                   "--batch", "32", "--accuracy", SearchEndToEndTests.table, "--budget", "30", "--algorithm", "random",
                                   "--out", out, "--quiet", "--report", page])
        #expect(result.status == 0, "\(result.standardError)")
        let collector = Collector()
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: page)))
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")

        func rows(_ file: String) throws -> [[String: String]] {
            let lines = try String(contentsOfFile: out + "/" + file, encoding: .utf8).split(separator: "\n").map(String.init)
            let header = lines[0].split(separator: ",").map(String.init)
            // Cells are unquoted here (no commas in NB201 names or the sources used).
            return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init))) }
        }
        let history = try rows("history.csv").filter { !($0["accuracy"] ?? "").isEmpty }
        let points = collector.elements.filter { $0.name == "circle" }
        #expect(points.count == history.count)
        for (point, row) in zip(points, history) {
            #expect(point.attributes["data-architecture"] == row["architecture"])
            #expect(Double(point.attributes["data-accuracy"]!) == Double(row["accuracy"]!))
            #expect(Double(point.attributes["data-cost"]!) == Double(row["energy_joules"]!))
        }
        let front = try rows("front.csv")
        let frontPoints = points.filter { $0.attributes["class"] == "point front" }.map { $0.attributes["data-architecture"]! }
        #expect(Set(frontPoints) == Set(front.map { $0["arch_str"] ?? $0["architecture"] ?? "" }), "\(front.first ?? [:])")
        let start = collector.elements.first { $0.name == "rect" && $0.attributes["class"] == "start" }
        #expect(start?.attributes["data-architecture"] == SearchEndToEndTests.start.replacingOccurrences(of: "nb201:", with: ""))

        func edges(_ cell: String) -> [Substring] { cell.split(separator: "|").filter { $0 != "+" } }
        let startEdges = edges(SearchEndToEndTests.start.replacingOccurrences(of: "nb201:", with: ""))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for architecture in Set(frontPoints) where architecture != start?.attributes["data-architecture"] {
            let differing = zip(startEdges, edges(architecture)).filter { $0 != $1 }.count
            let row = try #require(html.components(separatedBy: "<tr data-architecture=\"\(architecture)\">").dropFirst().first?
                .components(separatedBy: "</tr>").first)
            #expect(row.components(separatedBy: "edge ").count - 1 == differing, "\(architecture)")
        }
        for needle in ["accuracy against energy", "derived", "joule.neuralpower/neuralpower", "GTX_1080_TI", "energy (J)"] {
            #expect(collector.text.contains(needle), "missing \(needle)")
        }
    }
}

