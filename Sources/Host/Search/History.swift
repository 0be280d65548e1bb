import Fitting
import Foundation

/// One evaluated architecture: its accuracy (or why there is none) and its cost.
public struct EvaluationRecord: Sendable, Equatable {
    /// Position in the search's history, from 0.
    public var index: Int
    /// The NB201 cell string, or the spec file of a layer-wise candidate.
    public var architecture: String
    /// Accuracy in percent; nil when the evaluation failed.
    public var accuracy: Double?
    /// Where the accuracy comes from ("table:…", "proxy:params (a proxy, not an accuracy)", …).
    public var accuracySource: String
    /// Why the evaluation failed; nil when it did not.
    public var failure: String?
    public var energyJoules: Double
    public var latencySeconds: Double
    public var params: Int64
    public var flops: Double
    /// The cost model, GPU and whether energy was predicted or derived.
    public var costSource: String
    /// Which algorithm proposed it, and when ("random", "evolution", "nao round 2", …).
    public var origin: String

    public init(index: Int, architecture: String, accuracy: Double?, accuracySource: String, failure: String?,
                energyJoules: Double, latencySeconds: Double, params: Int64, flops: Double, costSource: String, origin: String) {
        self.index = index
        self.architecture = architecture
        self.accuracy = accuracy
        self.accuracySource = accuracySource
        self.failure = failure
        self.energyJoules = energyJoules
        self.latencySeconds = latencySeconds
        self.params = params
        self.flops = flops
        self.costSource = costSource
        self.origin = origin
    }
}

/// The search's history.csv: every evaluated architecture, in order, appended one line at
/// a time and flushed to disk before the search goes on, so that a kill at any moment
/// loses no completed evaluation. A line cut short by the kill is dropped (and cut from
/// the file) when the search resumes.
public final class HistoryLog: @unchecked Sendable {
    public static let columns = [
        "index", "architecture", "accuracy", "accuracy_source", "failure", "energy_joules", "latency_seconds",
        "params", "flops", "cost_source", "origin",
    ]

    public let path: String
    public private(set) var records: [EvaluationRecord]
    private let handle: FileHandle

    /// Opens `path`: a new, empty history, or with `resume` the records already there.
    ///
    /// - Throws: `SearchError` when the file cannot be written, or (resuming) does not read
    ///   as a history; the message names the line.
    public init(path: String, resume: Bool) throws {
        self.path = path
        let manager = FileManager.default
        if resume, manager.fileExists(atPath: path) {
            records = try HistoryLog.read(path)
        } else {
            records = []
            guard manager.createFile(atPath: path, contents: Data((HistoryLog.columns.joined(separator: ",") + "\n").utf8)) else {
                throw SearchError("cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw SearchError("cannot write \(path)") }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Appends a record and waits until it is on disk.
    public func append(_ record: EvaluationRecord) throws {
        let fields: [String] = [
            String(record.index), record.architecture, record.accuracy.map { String($0) } ?? "", record.accuracySource,
            record.failure ?? "", String(record.energyJoules), String(record.latencySeconds), String(record.params),
            String(record.flops), record.costSource, record.origin,
        ]
        let line = fields.map(HistoryLog.quoted).joined(separator: ",") + "\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
            try handle.synchronize()
        } catch {
            throw SearchError("cannot append to \(path): \(error.localizedDescription)")
        }
        records.append(record)
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Reads a history, first cutting off a last line that a kill left without its newline.
    static func read(_ path: String) throws -> [EvaluationRecord] {
        guard var data = FileManager.default.contents(atPath: path) else { throw SearchError("cannot read \(path)") }
        if let last = data.last, last != UInt8(ascii: "\n") {
            let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
            data = data.prefix(keep)
            guard let handle = FileHandle(forWritingAtPath: path) else { throw SearchError("cannot write \(path)") }
            try handle.truncate(atOffset: UInt64(keep))
            try handle.synchronize()
            try handle.close()
        }
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first, header == HistoryLog.columns.joined(separator: ",") else {
            throw SearchError("\(path): line 1: not a search history (expected the header \(HistoryLog.columns.joined(separator: ",")))")
        }
        if lines.count == 1 { return [] }
        let table: MeasurementTable
        do {
            table = try MeasurementTable.parse(text, file: path)
        } catch {
            throw SearchError(error.description)
        }
        var columns: [String: [String]] = [:]
        for name in HistoryLog.columns { columns[name] = try? table.strings(name) }
        var records: [EvaluationRecord] = []
        for row in 0..<table.rowCount {
            func field(_ name: String) -> String { columns[name]?[row] ?? "" }
            func number(_ name: String) throws -> Double {
                guard let value = Double(field(name)), value.isFinite else {
                    throw SearchError("\(path):\(table.lineNumber(ofRow: row)): column '\(name)': '\(field(name))' is not a number")
                }
                return value
            }
            guard let index = Int(field("index")), index == records.count else {
                throw SearchError("\(path):\(table.lineNumber(ofRow: row)): column 'index': expected \(records.count), got '\(field("index"))'")
            }
            let accuracyText = field("accuracy")
            records.append(EvaluationRecord(
                index: index, architecture: field("architecture"),
                accuracy: accuracyText.isEmpty ? nil : try number("accuracy"), accuracySource: field("accuracy_source"),
                failure: field("failure").isEmpty ? nil : field("failure"), energyJoules: try number("energy_joules"),
                latencySeconds: try number("latency_seconds"), params: Int64(try number("params")), flops: try number("flops"),
                costSource: field("cost_source"), origin: field("origin")))
        }
        return records
    }
}
