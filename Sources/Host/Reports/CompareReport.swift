import Foundation

/// `joule compare --report FILE.html`: the comparison as one self-contained page — the
/// choice (most energy-efficient GPU, fastest GPU), a bar chart each of energy per sample,
/// step time and average power, and the table with every figure.
///
/// Like ``HTMLReport``: inline SVG and CSS, no scripts, well-formed XML; every bar and
/// table row carries its numbers (SI units) in `data-` attributes so tests can check them
/// against the JSON of the same comparison.
public struct CompareReport: Sendable {
    public var comparison: GPUComparison

    public init(_ comparison: GPUComparison) {
        self.comparison = comparison
    }

    public var html: String {
        let escape = HTMLText.escape
        guard let first = comparison.rows.first else { return "" }
        let e = first.estimate
        let mode = e.isTraining ? "training step" : "inference"
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/>
        <title>\(escape(e.networkName)) on \(comparison.rows.count) GPUs: \(mode)</title>
        <style>\(HTMLReport.style)</style></head><body>

        """
        page += "<h1>\(escape(e.networkName)) on \(comparison.rows.count) GPUs</h1>\n"
        let derived = comparison.rows.contains { $0.estimate.energy.provenance == .derived }
        let predicted = comparison.rows.contains { $0.estimate.energy.provenance == .predicted }
        let energyKind = derived && predicted ? "predicted on some GPUs, derived on others" : (derived ? "derived" : "predicted")
        page += "<p class=\"context\">\(mode), batch \(e.batch), cost model <b>\(escape(comparison.model.qualifiedID)) "
            + "\(escape(comparison.model.provider.version))</b>, sorted by energy per sample. "
            + "Energy is <b class=\"provenance\">\(energyKind)</b>"
            + (derived ? " (derived: the model predicts time; power comes from each GPU profile)" : "") + ".</p>\n"
        if let best = comparison.mostEfficient, let fastest = comparison.fastest {
            page += "<p class=\"choice\">Most energy-efficient: <b data-gpu=\"\(escape(best.gpu.id))\" class=\"most-efficient\">\(escape(best.gpu.id))</b> "
                + "(\(escape(best.gpu.profile.name))), \(GPUComparison.energy(best.joulesPerSample)) per sample. "
                + "Fastest: <b data-gpu=\"\(escape(fastest.gpu.id))\" class=\"fastest\">\(escape(fastest.gpu.id))</b> (\(escape(fastest.gpu.profile.name))), "
                + "\(formatDuration(fastest.seconds))"
                + (fastest.gpu.id == best.gpu.id ? "" : String(format: ", %.2f× the energy per sample", fastest.joulesPerSample / best.joulesPerSample))
                + ".</p>\n"
        }
        page += chart(title: "Energy per sample (mJ, \(energyKind))", series: "energy-per-sample", unit: "mJ", scale: 1e3) { $0.joulesPerSample }
        page += chart(title: "\(e.isTraining ? "Training step" : "Latency") (ms)", series: "seconds", unit: "ms", scale: 1e3) { $0.seconds }
        page += chart(title: "Average power (W)", series: "watts", unit: "W", scale: 1) { $0.averageWatts }
        page += table
        for failure in comparison.failures {
            page += "<p class=\"not-compared\" data-gpu=\"\(escape(failure.gpu))\">Not compared: \(escape(failure.gpu)): \(escape(failure.reason))</p>\n"
        }
        page += comparison.provenance.htmlFooter
        page += "</body></html>\n"
        return page
    }

    /// One horizontal bar per GPU in the comparison's order (least energy per sample
    /// first); the most energy-efficient GPU's bar is highlighted.
    func chart(title: String, series: String, unit: String, scale: Double, value: (GPUComparison.Row) -> Double) -> String {
        let escape = HTMLText.escape
        let rows = comparison.rows
        let rowHeight = 18.0, labelWidth = 120.0, barWidth = 480.0, valueWidth = 110.0
        let most = max(rows.map(value).filter(\.isFinite).max() ?? 0, 1e-300)
        let height = rowHeight * Double(rows.count) + 22
        var out = "<h2>\(escape(title))</h2>\n"
        out += "<svg class=\"gpus\" data-series=\"\(series)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(labelWidth + barWidth + valueWidth))\" "
            + "height=\"\(Int(height))\" role=\"img\"><title>\(escape(title)) by GPU</title>\n"
        for (index, row) in rows.enumerated() {
            let y = Double(index) * rowHeight
            let v = value(row)
            let w = v.isFinite ? barWidth * v / most : 0
            out += "<text class=\"label\" x=\"\(fixed(labelWidth - 4))\" y=\"\(fixed(y + 13))\">\(escape(row.gpu.id))</text>"
                + "<rect class=\"bar\(index == 0 ? " top" : "")\" x=\"\(fixed(labelWidth))\" y=\"\(fixed(y + 3))\" width=\"\(fixed(w))\" height=\"\(fixed(rowHeight - 5))\" "
                + "data-gpu=\"\(escape(row.gpu.id))\" data-value=\"\(v)\"><title>\(escape(row.gpu.id)): \(formatNumber(v * scale)) \(unit)</title></rect>"
                + "<text class=\"value\" x=\"\(fixed(labelWidth + w + 4))\" y=\"\(fixed(y + 13))\">\(formatNumber(v * scale)) \(unit)</text>\n"
        }
        if let best = rows.first {
            out += "<text class=\"axis\" x=\"\(fixed(labelWidth))\" y=\"\(fixed(height - 4))\">red: the most energy-efficient GPU (\(escape(best.gpu.id)))</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    /// Every figure of every GPU, as the text table has them.
    var table: String {
        let escape = HTMLText.escape
        let rows = comparison.rows
        guard let first = rows.first else { return "" }
        let training = first.estimate.isTraining
        var out = "<h2>All figures</h2>\n<table class=\"gpus\"><thead><tr><th>GPU</th><th>name</th><th>\(training ? "step" : "latency") (ms)</th>"
            + "<th>power (W)</th><th>energy (J)</th><th>per sample (mJ)</th><th>× best</th>"
        if first.run != nil { out += "<th>\(training ? "run" : "serving") (h)</th><th>kWh</th><th>kg CO2e</th>" }
        out += "<th>energy from</th><th>profile numbers</th></tr></thead><tbody>\n"
        for row in rows {
            out += "<tr data-gpu=\"\(escape(row.gpu.id))\" data-seconds=\"\(row.seconds)\" data-watts=\"\(row.averageWatts)\" "
                + "data-joules=\"\(row.joules)\" data-joules-per-sample=\"\(row.joulesPerSample)\""
                + (row.run.map { " data-kilowatt-hours=\"\($0.kilowattHours)\" data-kilograms-co2e=\"\($0.kilogramsCO2e)\"" } ?? "") + ">"
                + "<td>\(escape(row.gpu.id))</td><td>\(escape(row.gpu.profile.name))</td>"
                + "<td class=\"number\">\(formatNumber(row.seconds * 1e3))</td>"
                + "<td class=\"number\">\(formatNumber(row.averageWatts, significantDigits: 3))</td>"
                + "<td class=\"number\">\(formatNumber(row.joules))</td>"
                + "<td class=\"number\">\(formatNumber(row.joulesPerSample * 1e3))</td>"
                + "<td class=\"number\">\(String(format: "%.2f", row.joulesPerSample / first.joulesPerSample))</td>"
            if let run = row.run {
                out += "<td class=\"number\">\(formatNumber(run.seconds / 3600))</td><td class=\"number\">\(formatNumber(run.kilowattHours))</td>"
                    + "<td class=\"number\">\(formatNumber(run.kilogramsCO2e))</td>"
            }
            out += "<td>\(row.estimate.energy.provenance.rawValue)</td><td>\(escape(row.gpu.profile.numbersHash))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        if let run = first.run {
            out += "<p class=\"run\">" + escape(EstimateReport.text(run)).replacingOccurrences(of: "\n", with: "<br/>") + "</p>\n"
        }
        return out
    }

    func fixed(_ value: Double) -> String { String(format: "%.1f", value) }
}
