import Foundation
import JouleJSON

/// A measurement CSV: one row per measured case, read whole and checked column by column.
///
/// `joule fit` and `joule validate` read what benchmarks wrote: a header naming the columns,
/// then one row per case, optionally after a block of `#` lines saying where the numbers
/// came from:
///
///     # gpu: H100_SXM
///     # driver: 550.54
///     layer,batch,seconds,joules
///     conv1,64,0.00123,0.31
///     "fc,1",64,0.00041,0.09
///
///     let table = try MeasurementTable.read(file: "h100.csv")
///     table.provenance["gpu"]                     // "H100_SXM"
///     let seconds = try table.numbers("seconds")  // [0.00123, 0.00041]
///     let names = try table.strings("layer")      // ["conv1", "fc,1"]
///
/// The format is RFC 4180: fields separated by commas, a field in double quotes may hold
/// commas, line breaks and doubled quotes (`""` for one). Lines end in LF or CRLF, a UTF-8
/// byte-order mark is dropped, and blank lines anywhere are skipped. Unquoted fields lose
/// surrounding spaces and tabs (spreadsheets and people write `a, b`); blanks around a
/// quoted field are dropped too, and its content is kept as written.
///
/// Values are kept as text until a caller asks for a column, so a bad value in a column
/// nobody uses is no error, and a bad value in a column that is used is reported with the
/// file, the line and the column.
///
/// Deliberately not offered: type inference, column selection by position, and streaming.
/// Measurement files are small (thousands of rows), and reading them whole lets every error
/// say where it is.
public struct MeasurementTable: Sendable {
    /// Files larger than this (256 MiB) are refused unread: a measurement table that large is
    /// almost certainly the wrong file, and it would be held in memory whole.
    public static let maximumFileBytes = 256 << 20

    /// The file read, or the label given to `parse(_:file:)`; errors start with it.
    public let file: String
    /// The `#` lines before the header, without the `#` and surrounding blanks, in order.
    public let comments: [String]
    /// The comments of the form `key: value`, split at the first colon and trimmed. When a
    /// key appears twice the later value wins (`comments` keeps both).
    public let provenance: [String: String]
    /// A fingerprint of the bytes read (``Fingerprint/fnv1a64(_:)``), which fitted models
    /// record so that their data can be told apart from a file with the same name.
    public let fingerprint: String
    /// The header's names, in file order; unique and non-empty.
    public let columns: [String]
    /// The cells, row-major: `rowCount` rows of `columns.count` values.
    private let cells: [String]
    /// The 1-based line where each row starts.
    private let rowLines: [Int]

    /// The number of data rows (the header and skipped lines not counted); at least 1.
    public var rowCount: Int { rowLines.count }

    /// The 1-based line in the file where a data row starts (`row` counts from 0).
    ///
    /// A row whose quoted field spans several lines starts on the first of them.
    public func lineNumber(ofRow row: Int) -> Int {
        precondition(row >= 0 && row < rowCount, "row \(row) out of range 0..<\(rowCount)")
        return rowLines[row]
    }

    /// Reads and parses a measurement file.
    ///
    /// - Parameter file: the path, used as given in error messages.
    /// - Throws: `MeasurementError` when the file cannot be read, is larger than
    ///   `maximumFileBytes`, is not UTF-8, or is malformed (see `parse(_:file:)`).
    public static func read(file: String) throws(MeasurementError) -> MeasurementTable {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                throw MeasurementError(file: file, "is a directory, not a measurement file")
            }
            let size = (attributes[.size] as? Int) ?? 0
            if size > maximumFileBytes {
                throw MeasurementError(
                    file: file, "the file is \(size) bytes; measurement files larger than 256 MiB are refused")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch let error as MeasurementError {
            throw error
        } catch {
            throw MeasurementError(file: file, "cannot read the file: \(error.localizedDescription)")
        }
        let bytes = [UInt8](data)
        if String(bytes: bytes, encoding: .utf8) == nil {
            let line = firstInvalidUTF8Line(bytes)
            throw MeasurementError(file: file, line: line, "not UTF-8 text (save the file as UTF-8)")
        }
        return try parse(bytes: bytes, file: file)
    }

    /// Parses measurement CSV text.
    ///
    /// - Parameters:
    ///   - text: the whole file.
    ///   - file: labels error messages, usually the path the text came from.
    /// - Throws: `MeasurementError` for an unterminated quoted field, a quote inside an
    ///   unquoted field or text after a closing quote, a header with an empty or repeated
    ///   name, a row with more or fewer fields than the header, a file with no header or no
    ///   data rows, and text larger than `maximumFileBytes`.
    public static func parse(_ text: String, file: String) throws(MeasurementError) -> MeasurementTable {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// The position of a column in `columns`.
    ///
    /// - Throws: `MeasurementError` when there is no such column; the message lists the
    ///   columns there are and suggests the nearest name.
    public func columnIndex(_ name: String) throws(MeasurementError) -> Int {
        if let index = columns.firstIndex(of: name) { return index }
        let suggestion = JSONObjectReader.closest(to: name, in: columns).map { "; did you mean '\($0)'?" } ?? ""
        let list = columns.map { "'\($0)'" }.joined(separator: ", ")
        throw MeasurementError(file: file, column: name, "no such column (the columns are \(list))\(suggestion)")
    }

    /// A column of numbers, one per row, each multiplied by `scale`.
    ///
    /// - Parameters:
    ///   - column: the column's header name.
    ///   - scale: what to multiply every value by, e.g. 1e-3 for a column in milliseconds
    ///     when seconds are wanted.
    ///   - requirePositive: whether zero and negative values are errors. Measured times and
    ///     energies must be positive: relative errors divide by them.
    /// - Returns: `rowCount` finite values.
    /// - Throws: `MeasurementError` naming the line and the value for the first empty cell
    ///   ("missing value"), text that is not a number, NaN, an infinity, a value that
    ///   overflows when scaled, and (with `requirePositive`) zero or a negative value. The
    ///   message counts the further bad values of the column.
    public func numbers(_ column: String, scale: Double = 1, requirePositive: Bool = true) throws(MeasurementError) -> [Double] {
        let index = try columnIndex(column)
        var values: [Double] = []
        values.reserveCapacity(rowCount)
        var firstProblem: MeasurementError?
        var problemCount = 0
        for row in 0..<rowCount {
            let text = cells[row * columns.count + index]
            var problem: String?
            if text.isEmpty {
                problem = "missing value"
            } else if let value = Double(text) {
                let scaled = value * scale
                if !value.isFinite {
                    problem = "'\(text)' is not a finite number"
                } else if !scaled.isFinite {
                    problem = "'\(text)' is out of range when multiplied by \(scale)"
                } else if requirePositive && value < 0 {
                    problem = "'\(text)' is negative; a measured value must be positive"
                } else if requirePositive && value == 0 {
                    problem = "'\(text)' is zero; a measured value must be positive"
                } else {
                    values.append(scaled)
                    continue
                }
            } else {
                problem = "'\(text)' is not a number"
            }
            problemCount += 1
            if firstProblem == nil, let problem {
                firstProblem = MeasurementError(file: file, line: rowLines[row], column: column, problem)
            }
        }
        if var firstProblem {
            if problemCount > 1 {
                let more = problemCount - 1
                firstProblem.message += " (and \(more) more bad value\(more == 1 ? "" : "s") in this column)"
            }
            throw firstProblem
        }
        return values
    }

    /// A column as text, one value per row; empty cells are empty strings.
    ///
    /// - Throws: `MeasurementError` when there is no such column.
    public func strings(_ column: String) throws(MeasurementError) -> [String] {
        let index = try columnIndex(column)
        return (0..<rowCount).map { cells[$0 * columns.count + index] }
    }
}

// MARK: - Parsing

extension MeasurementTable {
    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let hash = UInt8(ascii: "#")

    /// The parser proper, on UTF-8 bytes that are known to be valid.
    static func parse(bytes: [UInt8], file: String) throws(MeasurementError) -> MeasurementTable {
        if bytes.count > maximumFileBytes {
            throw MeasurementError(
                file: file, "the text is \(bytes.count) bytes; measurement files larger than 256 MiB are refused")
        }
        var reader = RecordReader(bytes: bytes, file: file)
        var comments: [String] = []
        var provenance: [String: String] = [:]
        var header: [String]?
        var cells: [String] = []
        var rowLines: [Int] = []

        while !reader.atEnd {
            if header == nil, reader.peek == hash {
                let comment = reader.restOfLine().dropFirst().trimmingBlanks()
                comments.append(comment)
                if let colon = comment.firstIndex(of: ":") {
                    let key = comment[..<colon].trimmingBlanks()
                    if !key.isEmpty {
                        provenance[key] = comment[comment.index(after: colon)...].trimmingBlanks()
                    }
                }
                continue
            }
            let line = reader.line
            let record = try reader.record()
            if record.isBlank { continue }
            guard let header else {
                header = try checkedHeader(record.fields, line: line, file: file)
                continue
            }
            guard record.fields.count == header.count else {
                let fields = record.fields.count
                throw MeasurementError(
                    file: file, line: line,
                    "the row has \(fields) field\(fields == 1 ? "" : "s"); the header has \(header.count)")
            }
            cells.append(contentsOf: record.fields)
            rowLines.append(line)
        }
        guard let header else {
            throw MeasurementError(file: file, "no header line and no data rows (the file is empty or holds only comments)")
        }
        guard !rowLines.isEmpty else {
            throw MeasurementError(file: file, "no data rows: the file has a header but no measurements")
        }
        return MeasurementTable(
            file: file, comments: comments, provenance: provenance, fingerprint: Fingerprint.fnv1a64(bytes), columns: header,
            cells: cells, rowLines: rowLines)
    }

    /// The header's names, refusing empty and repeated ones: a column that cannot be named
    /// unambiguously cannot be asked for.
    private static func checkedHeader(_ names: [String], line: Int, file: String) throws(MeasurementError) -> [String] {
        var seen: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if name.isEmpty {
                throw MeasurementError(file: file, line: line, "header field \(index + 1) is empty; every column needs a name")
            }
            if let earlier = seen[name] {
                throw MeasurementError(
                    file: file, line: line, column: name,
                    "the name appears twice in the header (fields \(earlier + 1) and \(index + 1))")
            }
            seen[name] = index
        }
        return names
    }

    /// The line holding the first byte that is not valid UTF-8, for the error message.
    private static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int? {
        var line = 1
        var start = 0
        // Validate line by line; the first line that fails holds the bad byte.
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: newline) ?? bytes.count
            if String(bytes: bytes[start..<end], encoding: .utf8) == nil { return line }
            line += 1
            start = end + 1
        }
        return nil
    }

    /// One CSV record: its fields, and whether it is a blank line.
    private struct Record {
        var fields: [String]
        var isBlank: Bool
    }

    /// Walks the bytes one record at a time, counting lines.
    private struct RecordReader {
        let bytes: [UInt8]
        let file: String
        var position = 0
        /// The 1-based line of `position`.
        var line = 1

        init(bytes: [UInt8], file: String) {
            self.bytes = bytes
            self.file = file
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        }

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8 { bytes[position] }

        /// The text up to the end of the line, consuming the line end.
        mutating func restOfLine() -> String {
            let start = position
            while position < bytes.count, bytes[position] != newline, bytes[position] != carriageReturn {
                position += 1
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            consumeLineEnd()
            return text
        }

        /// Steps over LF, CRLF or a lone CR, if one is next.
        mutating func consumeLineEnd() {
            guard position < bytes.count else { return }
            if bytes[position] == carriageReturn {
                position += 1
                if position < bytes.count, bytes[position] == newline { position += 1 }
                line += 1
            } else if bytes[position] == newline {
                position += 1
                line += 1
            }
        }

        /// The next record, consuming its line end.
        mutating func record() throws(MeasurementError) -> Record {
            var fields: [String] = []
            var anyQuoted = false
            while true {
                // Blanks before an opening quote are layout (`a, "b,c"`), not content.
                var next = position
                while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
                if next < bytes.count, bytes[next] == quote {
                    position = next
                    anyQuoted = true
                    fields.append(try quotedField())
                } else {
                    fields.append(try unquotedField())
                }
                if position < bytes.count, bytes[position] == comma {
                    position += 1
                    continue
                }
                consumeLineEnd()
                break
            }
            let isBlank = !anyQuoted && fields.count == 1 && fields[0].isEmpty
            return Record(fields: fields, isBlank: isBlank)
        }

        /// A field in double quotes, starting at the opening quote.
        private mutating func quotedField() throws(MeasurementError) -> String {
            let openingLine = line
            position += 1
            var content: [UInt8] = []
            while true {
                guard position < bytes.count else {
                    throw MeasurementError(
                        file: file, line: openingLine, "a quoted field opened on this line is never closed")
                }
                let byte = bytes[position]
                if byte == quote {
                    if position + 1 < bytes.count, bytes[position + 1] == quote {
                        content.append(quote)
                        position += 2
                        continue
                    }
                    position += 1
                    break
                }
                if byte == newline || (byte == carriageReturn && (position + 1 >= bytes.count || bytes[position + 1] != newline)) {
                    line += 1
                }
                content.append(byte)
                position += 1
            }
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
            if position < bytes.count, ![comma, newline, carriageReturn].contains(bytes[position]) {
                throw MeasurementError(
                    file: file, line: line,
                    "text after a closing quote; write a quote inside a quoted field as two quotes (\"\")")
            }
            return String(decoding: content, as: UTF8.self)
        }

        /// A field without quotes, up to the next comma or line end, without surrounding blanks.
        private mutating func unquotedField() throws(MeasurementError) -> String {
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == comma || byte == newline || byte == carriageReturn { break }
                if byte == quote {
                    throw MeasurementError(
                        file: file, line: line,
                        "a quote inside an unquoted field; put the whole field in quotes and double the quote")
                }
                position += 1
            }
            var lower = start, upper = position
            while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
            while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
            return String(decoding: bytes[lower..<upper], as: UTF8.self)
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = lastIndex(where: { !isBlank($0) })!
        return String(self[first...last])
    }
}
