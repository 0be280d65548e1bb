import Foundation
import Network
import Search

/// `joule search --report FILE.html`: every evaluated architecture on the accuracy/cost
/// plane with the front highlighted and the start marked, and a before/after table of
/// the front's networks with what changed from the start.
///
/// Like ``HTMLReport``: one self-contained, well-formed page; every point carries its
/// numbers in `data-` attributes.
public struct SearchReport: Sendable {
    public var records: [EvaluationRecord]
    public var front: [EvaluationRecord]
    public var start: EvaluationRecord
    public var objective: SearchObjective
    /// "accuracy", or "proxy" for a proxy evaluator.
    public var accuracyLabel: String
    /// Where accuracy and cost come from, and whether energy is predicted or derived.
    public var accuracySource: String
    public var costSource: String
    public var energyProvenance: String
    /// The algorithm and seed, the constraint if any: one line of context.
    public var settings: String
    /// Versions, plugins, profile fingerprint and model files behind the costs.
    public var provenance: RunProvenance

    public init(records: [EvaluationRecord], front: [EvaluationRecord], start: EvaluationRecord, objective: SearchObjective,
                accuracyLabel: String, accuracySource: String, costSource: String, energyProvenance: String, settings: String,
                provenance: RunProvenance) {
        self.records = records
        self.front = front
        self.start = start
        self.objective = objective
        self.accuracyLabel = accuracyLabel
        self.accuracySource = accuracySource
        self.costSource = costSource
        self.energyProvenance = energyProvenance
        self.settings = settings
        self.provenance = provenance
    }

    func cost(_ record: EvaluationRecord) -> Double { objective == .energy ? record.energyJoules : record.latencySeconds }
    var costUnit: String { objective == .energy ? "J" : "ms" }
    /// The cost in the unit the page shows (J or ms).
    func shown(_ record: EvaluationRecord) -> Double { objective == .energy ? record.energyJoules : record.latencySeconds * 1e3 }

    public var html: String {
        let escape = HTMLText.escape
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/>
        <title>search from \(escape(start.architecture))</title>
        <style>\(HTMLReport.style)</style></head><body>

        """
        page += "<h1>Search: \(accuracyLabel) against \(objective.rawValue)</h1>\n"
        page += "<p class=\"context\">\(escape(settings)). \(records.count) architectures evaluated. "
            + "\(accuracyLabel.capitalized) from \(escape(accuracySource)); \(objective.rawValue) from \(escape(costSource))"
            + (objective == .energy ? ", <b class=\"provenance\">\(escape(energyProvenance))</b>" : "") + ".</p>\n"
        page += scatter
        page += table
        page += provenance.htmlFooter
        page += "</body></html>\n"
        return page
    }

    /// Accuracy (up) against cost (right), linear axes with ticks; the front as a step line.
    var scatter: String {
        let escape = HTMLText.escape
        let scored = records.filter { $0.accuracy != nil }
        guard !scored.isEmpty else { return "<p>No architecture was scored.</p>\n" }
        let (width, height, left, bottom, top, right) = (720.0, 420.0, 60.0, 40.0, 14.0, 20.0)
        let xs = scored.map(shown), ys = scored.map { $0.accuracy! }
        let (x0, x1) = (0.0, (xs.max()! * 1.05).nextUp), (y0, y1) = ((ys.min()! - 1).rounded(.down), (ys.max()! + 1).rounded(.up))
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (y - y0) / max(y1 - y0, 1e-9) * (height - bottom - top) }
        var out = "<h2>Every evaluated architecture (\(accuracyLabel) against \(objective.rawValue), \(costUnit)\(objective == .energy ? ", \(escape(energyProvenance))" : ""))</h2>\n"
        out += "<svg class=\"scatter\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">"
            + "<title>\(accuracyLabel) against \(objective.rawValue) (\(costUnit)) of \(scored.count) architectures; front highlighted, start marked</title>\n"
        // Axes and ticks.
        out += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\"/>"
            + "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\"/>\n"
        for i in 0...5 {
            let x = x0 + (x1 - x0) * Double(i) / 5, y = y0 + (y1 - y0) * Double(i) / 5
            out += "<text class=\"tick\" x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 14))\">\(formatNumber(x, significantDigits: 3))</text>"
                + "<text class=\"tick y\" x=\"\(f(left - 6))\" y=\"\(f(py(y) + 3))\">\(formatNumber(y, significantDigits: 3))</text>\n"
        }
        out += "<text class=\"axis-title\" x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 6))\">\(objective.rawValue) (\(costUnit))</text>"
            + "<text class=\"axis-title\" x=\"14\" y=\"\(f((top + height - bottom) / 2))\" transform=\"rotate(-90 14 \(f((top + height - bottom) / 2)))\">\(accuracyLabel)</text>\n"
        // The front as a staircase, cheapest first.
        let steps = front.filter { $0.accuracy != nil }.sorted { cost($0) < cost($1) }
        if steps.count > 1 {
            var path = "M\(f(px(shown(steps[0])))),\(f(py(steps[0].accuracy!)))"
            for record in steps.dropFirst() { path += " H\(f(px(shown(record)))) V\(f(py(record.accuracy!)))" }
            out += "<path class=\"front-line\" d=\"\(path)\"/>\n"
        }
        let frontNames = Set(front.map(\.architecture))
        for record in scored {
            let onFront = frontNames.contains(record.architecture)
            out += "<circle class=\"point\(onFront ? " front" : "")\" cx=\"\(f(px(shown(record))))\" cy=\"\(f(py(record.accuracy!)))\" r=\"\(onFront ? 4 : 2.5)\" "
                + "data-architecture=\"\(escape(record.architecture))\" data-accuracy=\"\(record.accuracy!)\" data-cost=\"\(cost(record))\">"
                + "<title>\(escape(record.architecture)): \(formatNumber(record.accuracy!)), \(formatNumber(shown(record))) \(costUnit)</title></circle>\n"
        }
        if let accuracy = start.accuracy {
            let (x, y) = (px(shown(start)), py(accuracy))
            out += "<rect class=\"start\" x=\"\(f(x - 5))\" y=\"\(f(y - 5))\" width=\"10\" height=\"10\" data-architecture=\"\(escape(start.architecture))\" "
                + "data-accuracy=\"\(accuracy)\" data-cost=\"\(cost(start))\"><title>start</title></rect>"
                + "<text class=\"start-label\" x=\"\(f(x + 8))\" y=\"\(f(y - 6))\">start</text>\n"
        }
        out += "</svg>\n<p class=\"legend\">Grey: evaluated; red, joined: the front (nothing evaluated is both more accurate and cheaper); square: the start."
        let failed = records.count - scored.count
        if failed > 0 { out += " \(failed) evaluation\(failed == 1 ? "" : "s") failed and are not shown." }
        return out + "</p>\n"
    }

    /// The start, then the front from cheapest: cost, both costs, accuracy, size, and the
    /// decisions that differ from the start.
    var table: String {
        let escape = HTMLText.escape
        var out = "<h2>Before and after</h2>\n<table class=\"front\"><thead><tr><th></th><th>\(accuracyLabel)</th><th>energy (J)</th>"
            + "<th>latency (ms)</th><th>× start</th><th>parameters</th><th>FLOPs</th><th>changed from the start</th></tr></thead><tbody>\n"
        func row(_ record: EvaluationRecord, _ label: String) -> String {
            "<tr data-architecture=\"\(escape(record.architecture))\"><td>\(label)</td><td class=\"number\">\(record.accuracy.map { formatNumber($0) } ?? "failed")</td>"
                + "<td class=\"number\">\(formatNumber(record.energyJoules))</td><td class=\"number\">\(formatNumber(record.latencySeconds * 1e3))</td>"
                + "<td class=\"number\">\(String(format: "%.2f", cost(record) / cost(start)))</td><td class=\"number\">\(record.params)</td>"
                + "<td class=\"number\">\(formatNumber(record.flops))</td><td>\(escape(Self.changes(from: start.architecture, to: record.architecture)))</td></tr>\n"
        }
        out += row(start, "start")
        for record in front.sorted(by: { cost($0) < cost($1) }) where record.architecture != start.architecture {
            out += row(record, "front")
        }
        return out + "</tbody></table>\n"
    }

    /// What differs between two architectures: for NAS-Bench-201 cells (`|op~0|+|…|`) the
    /// edges whose operation changed; for other spaces the architecture's own name, which
    /// lists its decisions away from the start (layer-wise: "conv1:w0.25 conv4:skip").
    public static func changes(from start: String, to other: String) -> String {
        if other == start { return "nothing" }
        guard let a = try? NB201Cell(parsing: start), let b = try? NB201Cell(parsing: other) else { return other }
        return zip(a.edges, b.edges).enumerated().filter { $0.element.0 != $0.element.1 }.map { index, pair in
            "edge \(index + 1): \(pair.0.rawValue) → \(pair.1.rawValue)"
        }.joined(separator: "; ")
    }

    func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Text for HTML and SVG: the characters XML reserves, as entities.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
