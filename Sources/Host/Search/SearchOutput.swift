import Fitting
import Foundation
import JouleJSON
import Network

/// What a search leaves in its output folder, besides history.csv (written as it goes):
/// front.csv, best/ and search.json, each written whole to a temporary file, flushed and
/// renamed into place, so a reader never sees half of one.
public enum SearchOutput {
    public static let frontColumns = [
        "architecture", "accuracy", "energy_joules", "latency_seconds", "params", "flops", "accuracy_source", "cost_source", "origin",
    ]

    /// The non-dominated records (maximum accuracy, minimum `objective`), by increasing
    /// cost. Failed evaluations and, with `excluding`, chance-level architectures never
    /// belong.
    public static func front(_ records: [EvaluationRecord], objective: SearchObjective,
                             excluding: (EvaluationRecord) -> Bool = { _ in false }) -> [EvaluationRecord] {
        let scored = records.filter { $0.accuracy != nil && !excluding($0) }
        let points = scored.map {
            ParetoPoint(accuracy: $0.accuracy!, cost: objective == .energy ? $0.energyJoules : $0.latencySeconds)
        }
        return Pareto.front(points).map { scored[$0] }.sorted {
            (objective == .energy ? $0.energyJoules : $0.latencySeconds) < (objective == .energy ? $1.energyJoules : $1.latencySeconds)
        }
    }

    /// front.csv.
    public static func frontCSV(_ front: [EvaluationRecord]) -> String {
        var lines = [frontColumns.joined(separator: ",")]
        for r in front {
            lines.append([
                r.architecture, r.accuracy.map { String($0) } ?? "", String(r.energyJoules), String(r.latencySeconds), String(r.params),
                String(r.flops), r.accuracySource, r.costSource, r.origin,
            ].map(HistoryLog.quoted).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// best/: each front architecture as a Paleo JSON spec, named by its rank on the front
    /// (0 is the cheapest). Files of an earlier, longer front are removed.
    public static func writeBest<Space: SearchSpace>(_ front: [EvaluationRecord], architectures: [String: Space.Architecture],
                                                     space: Space, folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".json") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
        for (rank, record) in front.enumerated() {
            guard let architecture = architectures[record.architecture] else { continue }
            var network = try space.network(architecture)
            network.name = record.architecture
            try writeFileAtomically(SpecWriter.write(network), to: folder + "/front-\(rank).json")
        }
    }
}
