import Foundation

/// The `--accuracy` argument: which evaluator a search uses.
///
///     try AccuracySpec(parsing: "table:acc.csv")                     // .table(file: "acc.csv", archColumn: nil, accuracyColumn: nil)
///     try AccuracySpec(parsing: "table:acc.csv:arch_str:val_acc")    // both columns named
///     try AccuracySpec(parsing: "proxy:flops")                       // .proxy(.flops)
///
/// Forms:
///
/// - `table:FILE` and `table:FILE:ARCH_COLUMN:ACCURACY_COLUMN` (`TableEvaluator`). Columns
///   are named both or neither; a FILE may itself hold colons, since the last two fields are
///   the columns whenever there are at least three.
/// - `proxy:params` and `proxy:flops` (`ProxyEvaluator`).
/// - `command:CMD` with `{spec}` in CMD (`CommandEvaluator`).
public enum AccuracySpec: Sendable, Hashable, CustomStringConvertible {
    case table(file: String, archColumn: String?, accuracyColumn: String?)
    case proxy(ProxyMetric)
    case command(String)

    static let forms = "table:FILE[:ARCH_COLUMN:ACCURACY_COLUMN], proxy:params|flops or command:\"CMD {spec}\""

    /// Reads an `--accuracy` argument (surrounding white space ignored).
    ///
    /// - Throws: `SearchError` quoting the argument: an unknown kind, a table with no file
    ///   or with one column name, an empty column name, an unknown proxy.
    public init(parsing text: String) throws(SearchError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        func failure(_ message: String) -> SearchError { SearchError("--accuracy '\(text)': \(message)") }
        guard let colon = trimmed.firstIndex(of: ":") else {
            throw failure("expected \(Self.forms)")
        }
        let kind = String(trimmed[..<colon])
        let rest = String(trimmed[trimmed.index(after: colon)...])
        switch kind {
        case "table":
            let fields = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.count == 1 {
                guard !rest.isEmpty else { throw failure("no file; expected table:FILE[:ARCH_COLUMN:ACCURACY_COLUMN]") }
                self = .table(file: rest, archColumn: nil, accuracyColumn: nil)
                return
            }
            guard fields.count >= 3 else {
                throw failure("name both columns or neither: table:FILE:ARCH_COLUMN:ACCURACY_COLUMN "
                              + "(got one field, '\(fields[1])', after the file)")
            }
            let file = fields.dropLast(2).joined(separator: ":")
            let arch = fields[fields.count - 2], accuracy = fields[fields.count - 1]
            guard !file.isEmpty else { throw failure("no file; expected table:FILE[:ARCH_COLUMN:ACCURACY_COLUMN]") }
            guard !arch.isEmpty, !accuracy.isEmpty else {
                throw failure("empty column name; expected table:FILE:ARCH_COLUMN:ACCURACY_COLUMN")
            }
            self = .table(file: file, archColumn: arch, accuracyColumn: accuracy)
        case "proxy":
            guard let metric = ProxyMetric(rawValue: rest) else {
                throw failure("unknown proxy '\(rest)'; the proxies are "
                              + ProxyMetric.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self = .proxy(metric)
        case "command":
            guard rest.contains("{spec}") else {
                throw failure("the command must contain {spec}, where the candidate's Paleo JSON path goes")
            }
            self = .command(rest)
        default:
            throw failure("unknown evaluator '\(kind)'; expected \(Self.forms)")
        }
    }

    /// The evaluator: reads the table, makes the proxy, or prepares the trial command.
    ///
    /// - Parameters:
    ///   - trialFolder: where a command's candidate specs and output go.
    ///   - trialTimeout: seconds a trial may run (commands only).
    ///   - jobs: trials run at once (commands only).
    /// - Throws: `SearchError` from `TableEvaluator.init(file:archColumn:accuracyColumn:)`.
    public func makeEvaluator(trialFolder: String = "trials", trialTimeout: Double? = nil, jobs: Int = 1) throws(SearchError)
        -> any AccuracyEvaluator
    {
        switch self {
        case .table(let file, let arch, let accuracy):
            try TableEvaluator(file: file, archColumn: arch, accuracyColumn: accuracy)
        case .proxy(let metric):
            ProxyEvaluator(metric)
        case .command(let template):
            try CommandEvaluator(template: template, timeoutSeconds: trialTimeout, jobs: jobs, folder: trialFolder)
        }
    }

    /// The argument as written back: `table:FILE`, `table:FILE:ARCH:ACC`, `proxy:params`.
    public var description: String {
        switch self {
        case .table(let file, let arch?, let accuracy?): "table:\(file):\(arch):\(accuracy)"
        case .table(let file, _, _): "table:\(file)"
        case .proxy(let metric): "proxy:\(metric.rawValue)"
        case .command(let template): "command:\(template)"
        }
    }
}
