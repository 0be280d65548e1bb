import Fitting
import Foundation
import Network

/// Accuracy read from a CSV table: `--accuracy table:FILE[:ARCH_COLUMN:ACCURACY_COLUMN]`.
///
///     let table = try TableEvaluator(file: "../shared/data/nb201/nb201_cifar10.csv")
///     table.label      // "table:../shared/data/nb201/nb201_cifar10.csv:arch_str:cifar10_valid_acc"
///     table.evaluate(Candidate(cell: cell))   // the cell's cifar10_valid_acc
///
/// Columns. Without names, the architecture column is the first of `arch_str`,
/// `architecture`, `arch` that the header has, and the accuracy column the first whose name
/// (in any case) contains both "acc" and "val" (validation accuracy, which a search should
/// use), else the first that contains "acc" and not "test" (test accuracy is for reporting
/// only, so it is never picked unasked). For NB201's `nb201_cifar10.csv` that is
/// `cifar10_valid_acc`. Values are used as written (percent or fraction, whatever the table
/// holds); each must be a finite number.
///
/// Keys. When every architecture in the table reads as an NB201 cell string, rows are keyed
/// by cell, so spacing is irrelevant and an isomorphic cell (`NB201Equivalence.nb201`)
/// finds a row when its own is missing; when none reads as a cell, rows are keyed by the
/// exact text (`Candidate.key`); a mixture is an error naming the first row that is not a
/// cell.
///
/// Lookup. Rows that repeat an architecture (several training runs) are averaged. A
/// candidate gets its own architecture's value (its mean, when repeated); failing that, for
/// an NB201 cell, the mean over all rows of its class, with a note in the evaluation's
/// `source` naming the rows used; failing that, a recorded failure naming the architecture.
public struct TableEvaluator: AccuracyEvaluator {
    /// The file as given.
    public let file: String
    /// The architecture column used.
    public let archColumn: String
    /// The accuracy column used.
    public let accuracyColumn: String
    /// Whether rows are keyed by NB201 cell (else by exact text).
    public let keysAreCells: Bool
    /// The number of data rows.
    public let rowCount: Int

    public var label: String { "table:\(file):\(archColumn):\(accuracyColumn)" }
    public var isProxy: Bool { false }

    /// Sum and count of the rows of each architecture: by cell index, or by text.
    private let byCell: [Int: Tally]
    private let byText: [String: Tally]
    /// Sum and count of the rows of each `nb201` class, by class number.
    private let byClass: [Int: Tally]

    private struct Tally: Sendable {
        var sum = 0.0
        var count = 0
        var mean: Double { sum / Double(count) }
        mutating func add(_ value: Double) {
            sum += value
            count += 1
        }
    }

    /// Reads a table.
    ///
    /// - Parameters:
    ///   - file: the CSV's path (`MeasurementTable`'s format: a header, then rows; `#` lines
    ///     before the header are comments).
    ///   - archColumn: the architecture column; nil for the default (see the type's notes).
    ///   - accuracyColumn: the accuracy column; nil for the default.
    /// - Throws: `SearchError` naming the file (and line and column where there is one) when
    ///   the file cannot be read or parsed, a named column is missing, no default column
    ///   fits, a value is not a finite number, an architecture cell is empty, or the table
    ///   mixes NB201 cell strings with other text.
    public init(file: String, archColumn: String? = nil, accuracyColumn: String? = nil) throws(SearchError) {
        let table: MeasurementTable
        do {
            table = try MeasurementTable.read(file: file)
        } catch {
            throw SearchError(error.description)
        }
        try self.init(table: table, archColumn: archColumn, accuracyColumn: accuracyColumn)
    }

    /// A table already read (its `file` labels messages and the evaluator).
    ///
    /// - Throws: as `init(file:archColumn:accuracyColumn:)`, after the reading.
    public init(table: MeasurementTable, archColumn: String? = nil, accuracyColumn: String? = nil) throws(SearchError) {
        let arch: String, accuracy: String
        if let archColumn { arch = archColumn } else { arch = try Self.defaultArchColumn(table) }
        if let accuracyColumn { accuracy = accuracyColumn } else { accuracy = try Self.defaultAccuracyColumn(table) }
        let names: [String], values: [Double]
        do {
            names = try table.strings(arch)
            values = try table.numbers(accuracy, requirePositive: false)
        } catch {
            throw SearchError(error.description)
        }
        for row in 0..<table.rowCount where names[row].isEmpty {
            throw SearchError("\(table.file):\(table.lineNumber(ofRow: row)): column '\(arch)': the architecture is empty")
        }

        // Every row a cell, or none.
        var cells: [NB201Cell?] = []
        var firstFailure: (row: Int, error: SpecError)?
        for (row, name) in names.enumerated() {
            do {
                cells.append(try NB201Cell(parsing: name))
            } catch {
                cells.append(nil)
                if firstFailure == nil { firstFailure = (row, error) }
            }
        }
        let parsed = cells.filter { $0 != nil }.count
        if parsed > 0, let (row, error) = firstFailure {
            throw SearchError(
                "\(table.file):\(table.lineNumber(ofRow: row)): column '\(arch)': '\(names[row])' is not an NB201 cell string "
                + "(\(error.description)), but \(parsed) other row\(parsed == 1 ? " is" : "s are"); a table lists NB201 cells "
                + "or other architectures, not both")
        }

        let space = NB201Space()
        var byCell: [Int: Tally] = [:], byText: [String: Tally] = [:], byClass: [Int: Tally] = [:]
        for row in 0..<table.rowCount {
            if let cell = cells[row] {
                byCell[space.index(of: cell), default: Tally()].add(values[row])
                byClass[space.classNumber(of: cell), default: Tally()].add(values[row])
            } else {
                byText[names[row], default: Tally()].add(values[row])
            }
        }
        self.file = table.file
        self.archColumn = arch
        self.accuracyColumn = accuracy
        self.keysAreCells = parsed > 0
        self.rowCount = table.rowCount
        self.byCell = byCell
        self.byText = byText
        self.byClass = byClass
    }

    public func evaluate(_ candidate: Candidate) -> Evaluation {
        guard keysAreCells else {
            guard let tally = byText[candidate.key] else {
                return .failed("\(file) has no row for '\(candidate.key)' in column '\(archColumn)'", source: label)
            }
            return .value(tally.mean, source: label + Self.meanNote(tally.count, of: "'\(candidate.key)'"))
        }
        guard let cell = candidate.cell else {
            return .failed("\(file) lists NB201 cells; '\(candidate.key)' is not one", source: label)
        }
        let space = NB201Space()
        if let tally = byCell[space.index(of: cell)] {
            return .value(tally.mean, source: label + Self.meanNote(tally.count, of: "the cell"))
        }
        let isomorphic = space.equivalents(cell).count - 1
        if let tally = byClass[space.classNumber(of: cell)] {
            let rows = tally.count == 1 ? "the row" : "the mean of the \(tally.count) rows"
            return .value(tally.mean, source: label + " (\(rows) of cells isomorphic to \(cell); the cell has no row)")
        }
        return .failed(
            "\(file) has no row for \(cell) nor for any of the \(isomorphic) cells isomorphic to it", source: label)
    }

    /// " (mean of N rows of X)" for repeated rows, else "".
    private static func meanNote(_ count: Int, of what: String) -> String {
        count == 1 ? "" : " (mean of \(count) rows of \(what))"
    }

    static func defaultArchColumn(_ table: MeasurementTable) throws(SearchError) -> String {
        for name in ["arch_str", "architecture", "arch"] where table.columns.contains(name) { return name }
        throw SearchError(
            "\(table.file): no architecture column (looked for arch_str, architecture, arch; the columns are "
            + table.columns.map { "'\($0)'" }.joined(separator: ", ")
            + "); name it as table:FILE:ARCH_COLUMN:ACCURACY_COLUMN")
    }

    static func defaultAccuracyColumn(_ table: MeasurementTable) throws(SearchError) -> String {
        let lower = table.columns.map { $0.lowercased() }
        if let index = lower.firstIndex(where: { $0.contains("acc") && $0.contains("val") }) { return table.columns[index] }
        if let index = lower.firstIndex(where: { $0.contains("acc") && !$0.contains("test") }) { return table.columns[index] }
        throw SearchError(
            "\(table.file): no accuracy column (looked for a name containing 'acc' and 'val', then 'acc' without 'test'; "
            + "the columns are " + table.columns.map { "'\($0)'" }.joined(separator: ", ")
            + "); name it as table:FILE:ARCH_COLUMN:ACCURACY_COLUMN")
    }
}
