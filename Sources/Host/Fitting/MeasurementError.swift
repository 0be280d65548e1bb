/// Why a measurement table cannot be used, naming the file, the line and the column.
///
/// One value describes one problem, the first found: a table that is malformed is usually
/// malformed everywhere in the same way, and the message says how many more bad values a
/// column holds when there are several. Rendered on one line,
///
///     runs/h100.csv:17: column 'seconds': '1.2.3' is not a number
///
/// so that editors and terminals can jump to the place. A struct rather than an enum, so
/// that new kinds of problem never break callers that switch over it.
public struct MeasurementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file read, or the label given to `MeasurementTable.parse(_:file:)`.
    public var file: String
    /// The 1-based line in the file, when the problem sits on one.
    public var line: Int?
    /// The column at fault, when there is one.
    public var column: String?
    /// What is wrong, in words; no file, line or column.
    public var message: String

    public init(file: String, line: Int? = nil, column: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// "file:line: column 'x': message", leaving out the parts that are absent.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let column { text += "column '\(column)': " }
        return text + message
    }
}
