import Estimation
import Foundation
import GPUProfileFormat
import PluginAPI
import Registry

/// `joule estimate --report FILE.html`: one self-contained page (inline SVG and CSS, no
/// scripts, nothing fetched) that shows where a network's time and energy go.
///
/// The markup is well-formed XML (every element closed, only the five XML entities), so
/// tests can parse it, and each bar carries its number in a `data-` attribute next to the
/// label a reader sees. Every figure names its units, the cost model, the GPU profile and
/// whether the energy is predicted or derived.
public struct HTMLReport: Sendable {
    public var report: EstimateReport
    /// Layers named in the call-outs, by energy.
    public var topCount = 5

    public init(_ report: EstimateReport) {
        self.report = report
    }

    /// The whole page.
    public var html: String {
        let e = report.estimate
        let mode = e.isTraining ? "training step" : "inference"
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/>
        <title>\(escape(e.networkName)) on \(escape(report.gpu.id)): \(mode)</title>
        <style>\(Self.style)</style></head><body>

        """
        page += "<h1>\(escape(e.networkName))</h1>\n"
        page += "<p class=\"context\">\(escape(mode)), batch \(e.batch), on <b>\(escape(report.gpu.id))</b> (\(escape(report.gpu.profile.name))), "
            + "cost model <b>\(escape(report.model.qualifiedID)) \(escape(report.model.provider.version))</b>. "
            + "Energy is <b class=\"provenance\">\(e.energy.provenance.rawValue)</b>: \(escape(e.energy.method)).</p>\n"
        page += summary
        page += layerChart
        page += layerTable
        page += report.provenance.htmlFooter
        page += "</body></html>\n"
        return page
    }

    // MARK: - Parts

    /// The step's phases as a table and one stacked bar (training), or the latency.
    var summary: String {
        let e = report.estimate
        var out = "<h2>Totals</h2>\n<table class=\"totals\"><thead><tr><th>phase</th><th>time (ms)</th><th>share</th></tr></thead><tbody>\n"
        var phases: [(name: String, seconds: Double)] = e.isTraining
            ? [("forward", e.forwardSeconds), ("backward", e.backwardSeconds), ("weight update", e.updateSeconds)]
            : [("forward (latency)", e.forwardSeconds)]
        // Gradient exchange with --workers: the first scheme (as the text report lists them).
        if let exchange = e.communication.first { phases.append(("communication (\(exchange.scheme))", exchange.seconds)) }
        let total = phases.reduce(0) { $0 + $1.seconds }
        for phase in phases {
            out += "<tr data-phase=\"\(escape(phase.name))\" data-seconds=\"\(phase.seconds)\"><td>\(escape(phase.name))</td>"
                + "<td class=\"number\">\(formatNumber(phase.seconds * 1e3))</td>"
                + "<td class=\"number\">\(total > 0 ? String(format: "%.1f %%", 100 * phase.seconds / total) : "–")</td></tr>\n"
        }
        out += "</tbody></table>\n"
        if phases.count > 1, total > 0 {
            let width = 640.0
            out += "<svg class=\"split\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"46\" role=\"img\">"
                + "<title>\(escape(e.isTraining ? "training step" : "inference")) split, milliseconds</title>\n"
            var x = 0.0
            for (index, phase) in phases.enumerated() {
                let w = width * phase.seconds / total
                out += "<rect class=\"phase phase-\(index)\" x=\"\(fixed(x))\" y=\"0\" width=\"\(fixed(w))\" height=\"24\" "
                    + "data-phase=\"\(escape(phase.name))\" data-seconds=\"\(phase.seconds)\"><title>\(escape(phase.name)): \(formatNumber(phase.seconds * 1e3)) ms</title></rect>\n"
                if w > 70 {
                    out += "<text x=\"\(fixed(x + 4))\" y=\"40\">\(escape(phase.name)) \(formatNumber(phase.seconds * 1e3)) ms</text>\n"
                }
                x += w
            }
            out += "</svg>\n"
        }
        out += "<p>Energy per \(e.isTraining ? "step" : "batch"): <b data-joules=\"\(e.energy.joules)\">\(formatNumber(e.energy.joules)) J</b>, "
            + "average power \(formatNumber(e.energy.averageWatts, significantDigits: 3)) W"
            + (e.isTraining ? "" : ", \(formatNumber(e.energy.joules / Double(max(e.batch, 1)))) J per sample")
            + " (\(e.energy.provenance.rawValue)).</p>\n"
        if let run = report.run {
            out += "<p class=\"run\">" + escape(EstimateReport.text(run)).replacingOccurrences(of: "\n", with: "<br/>") + "</p>\n"
        }
        return out
    }

    /// One horizontal bar per layer with its energy, in the network's order; the top
    /// consumers are highlighted and named in a list above the chart.
    var layerChart: String {
        let e = report.estimate
        let layers = e.layers.filter { !$0.isDead }
        guard !layers.isEmpty else { return "" }
        let top = layers.indices.sorted { (layers[$0].energyJoules, -$0) > (layers[$1].energyJoules, -$1) }.prefix(topCount)
        let total = layers.reduce(0) { $0 + $1.energyJoules }
        var out = "<h2>Energy by layer (J, \(e.energy.provenance.rawValue))</h2>\n<ol class=\"top\">\n"
        for index in top {
            let layer = layers[index]
            out += "<li data-layer=\"\(escape(layer.name))\">\(escape(layer.name)) (\(escape(layer.typeName))): "
                + "\(formatNumber(layer.energyJoules)) J, \(total > 0 ? String(format: "%.1f", 100 * layer.energyJoules / total) : "0") % of the layers' energy</li>\n"
        }
        out += "</ol>\n"
        let rowHeight = 14.0, labelWidth = 170.0, barWidth = 420.0, valueWidth = 150.0
        let most = max(layers.map(\.energyJoules).max() ?? 0, 1e-300)
        let height = rowHeight * Double(layers.count) + 24
        out += "<svg class=\"layers\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + barWidth + valueWidth))\" height=\"\(Int(height))\" role=\"img\">"
            + "<title>energy per layer, joules (\(e.energy.provenance.rawValue)), \(escape(report.model.qualifiedID)) on \(escape(report.gpu.id))</title>\n"
        let highlighted = Set(top)
        for (index, layer) in layers.enumerated() {
            let y = Double(index) * rowHeight
            let w = barWidth * layer.energyJoules / most
            let seconds = layer.forwardSeconds + layer.backwardDataSeconds + layer.backwardFilterSeconds
            let watts = seconds > 0 ? layer.energyJoules / seconds : 0
            out += "<text class=\"label\" x=\"\(fixed(labelWidth - 4))\" y=\"\(fixed(y + 11))\">\(escape(layer.name))</text>"
                + "<rect class=\"bar\(highlighted.contains(index) ? " top" : "")\" x=\"\(fixed(labelWidth))\" y=\"\(fixed(y + 2))\" width=\"\(fixed(w))\" height=\"\(fixed(rowHeight - 3))\" "
                + "data-layer=\"\(escape(layer.name))\" data-joules=\"\(layer.energyJoules)\" data-seconds=\"\(seconds)\" data-watts=\"\(watts)\">"
                + "<title>\(escape(layer.name)): \(formatNumber(layer.energyJoules)) J, \(formatNumber(seconds * 1e3)) ms, \(formatNumber(watts, significantDigits: 3)) W</title></rect>"
                + "<text class=\"value\" x=\"\(fixed(labelWidth + w + 4))\" y=\"\(fixed(y + 11))\">\(formatNumber(layer.energyJoules)) J · \(formatNumber(watts, significantDigits: 3)) W</text>\n"
        }
        out += "<text class=\"axis\" x=\"\(fixed(labelWidth))\" y=\"\(fixed(height - 6))\">bar length: energy (J); text: energy and average power (W) of the layer's \(e.isTraining ? "forward and backward passes" : "forward pass")</text>\n"
        out += "</svg>\n"
        return out
    }

    /// Every layer with its shape, times, FLOPs, parameters and energy.
    var layerTable: String {
        let e = report.estimate
        var out = "<h2>Layers</h2>\n<table class=\"layers\"><thead><tr><th>layer</th><th>type</th><th>output</th><th>forward (ms)</th>"
        if e.isTraining { out += "<th>backward (ms)</th>" }
        out += "<th>forward FLOPs</th><th>parameters</th><th>energy (J)</th></tr></thead><tbody>\n"
        for layer in e.layers {
            out += "<tr\(layer.isDead ? " class=\"dead\"" : "")><td>\(escape(layer.name))</td><td>\(escape(layer.typeName))</td>"
                + "<td>\(layer.outputShape.map(String.init).joined(separator: "×"))</td>"
                + "<td class=\"number\">\(formatNumber(layer.forwardSeconds * 1e3))</td>"
            if e.isTraining { out += "<td class=\"number\">\(formatNumber((layer.backwardDataSeconds + layer.backwardFilterSeconds) * 1e3))</td>" }
            out += "<td class=\"number\">\(formatNumber(layer.forwardFlops))</td><td class=\"number\">\(layer.params)</td>"
                + "<td class=\"number\">\(formatNumber(layer.energyJoules))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        return out
    }

    // MARK: - Helpers

    static let style = """
    body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:980px}
    h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}
    table{border-collapse:collapse;margin:.5em 0}th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
    td.number{text-align:right;font-variant-numeric:tabular-nums}tr.dead{color:#999}
    .provenance{color:#8a4b00}.context,.footer{color:#555}.footer{margin-top:2em;font-size:.85em}
    svg text{font-size:10px;fill:#333}svg text.label{text-anchor:end}svg text.axis{fill:#666}
    rect.bar{fill:#9db7d5}rect.bar.top{fill:#d9534f}
    line.axis{stroke:#444}path.front-line{fill:none;stroke:#d9534f;stroke-width:1.5}
    circle.point{fill:#9aa5b1;fill-opacity:.7}circle.point.front{fill:#d9534f;fill-opacity:1}rect.start{fill:#1f4e79}
    svg text.tick{text-anchor:middle}svg text.tick.y{text-anchor:end}svg text.axis-title{text-anchor:middle;font-size:11px}
    rect.phase-0{fill:#4e79a7}rect.phase-1{fill:#f28e2b}rect.phase-2{fill:#59a14f}rect.phase-3{fill:#b07aa1}
    @media print{body{margin:0}}
    """

    func escape(_ text: String) -> String { HTMLText.escape(text) }

    func fixed(_ value: Double) -> String { String(format: "%.1f", value) }
}
