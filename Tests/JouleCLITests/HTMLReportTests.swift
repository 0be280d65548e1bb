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

    /// Parses a page as XML, checking that it is well-formed, holds no script and fetches
    /// nothing.
    func parsedPage(_ html: String) -> Collector {
        let collector = Collector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        #expect(!collector.elements.contains { $0.name == "script" || $0.name == "link" || $0.name == "img" })
        #expect(!html.contains("src=") && !html.contains("href="), "the page must not fetch anything")
        return collector
    }

    @Test(arguments: ["training", "inference"]) func theReportMatchesTheJSON(mode: String) throws {
        let directory = try TemporaryDirectory()
        let page = directory.file("vgg16.html").path
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path
        let result = try runJoule(["estimate", spec, "--gpu", "A100", "--mode", mode, "--per-layer", "--format", "json", "--report", page])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONParser.parse(result.standardOutput)
        let html = try String(contentsOfFile: page, encoding: .utf8)

        let collector = parsedPage(html)

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
        let collector = parsedPage(try String(contentsOfFile: page, encoding: .utf8))

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

    /// `joule compare --report`: one bar per GPU in each of the three charts, in the JSON's
    /// order and with its numbers; every table row equals its JSON row; the choice named on
    /// the page is the JSON's; the whole-run figures appear when asked for.
    @Test func theCompareReportMatchesTheJSON() throws {
        let directory = try TemporaryDirectory()
        let page = directory.file("compare.html").path
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path
        let result = try runJoule(["compare", spec, "--gpus", "TITAN_X,V100,A100,H100_SXM,L4,T4", "--batch", "64", "--epochs", "2",
                                   "--dataset-size", "6400", "--format", "json", "--report", page])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try JSONParser.parse(result.standardOutput)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let collector = parsedPage(html)

        guard case .array(let rows)? = json["gpus"]?.value else {
            Issue.record("no gpus in the JSON")
            return
        }
        #expect(rows.count == 6)
        let ids = rows.map { $0["gpu"]?.plain }
        for (series, key) in [("energy-per-sample", "energy_per_sample_joules"), ("seconds", "seconds"), ("watts", "average_power_watts")] {
            // The bars of one chart follow its <svg data-series=…> until the next chart.
            let start = try #require(collector.elements.firstIndex { $0.name == "svg" && $0.attributes["data-series"] == series }, "\(series)")
            let bars = collector.elements[(start + 1)...].prefix { $0.name != "svg" }.filter { $0.name == "rect" }
            #expect(bars.map { JSON.string($0.attributes["data-gpu"] ?? "") } == ids, "\(series)")
            for (bar, row) in zip(bars, rows) {
                #expect(Double(bar.attributes["data-value"] ?? "") == number(row[key]), "\(series) \(bar.attributes)")
            }
            #expect(bars.first?.attributes["class"] == "bar top", "the most efficient GPU's bar is highlighted")
        }
        let tableRows = collector.elements.filter { $0.name == "tr" && $0.attributes["data-gpu"] != nil }
        #expect(tableRows.map { JSON.string($0.attributes["data-gpu"]!) } == ids)
        for (tr, row) in zip(tableRows, rows) {
            #expect(Double(tr.attributes["data-joules"] ?? "") == number(row["energy_joules"]))
            #expect(Double(tr.attributes["data-seconds"] ?? "") == number(row["seconds"]))
            #expect(Double(tr.attributes["data-kilowatt-hours"] ?? "") == number(row["run"]?["kilowatt_hours"]), "\(tr.attributes)")
        }
        let efficient = collector.elements.first { $0.attributes["class"] == "most-efficient" }
        let fastest = collector.elements.first { $0.attributes["class"] == "fastest" }
        #expect(efficient.map { JSON.string($0.attributes["data-gpu"]!) } == json["most_energy_efficient"]?.plain)
        #expect(fastest.map { JSON.string($0.attributes["data-gpu"]!) } == json["fastest"]?.plain)
        for needle in ["on 6 GPUs", "joule.paleo/paleo", "derived", "Energy per sample (mJ", "plugin ABI", "numbers fnv1a64:"] {
            #expect(collector.text.contains(needle), "missing \(needle)")
        }
    }
}
