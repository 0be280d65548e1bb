import Fitting
import Network

extension NB201Space {
    /// One numeric column of an NB201 table, by cell: an accuracy or a measured cost for
    /// `FrontQuality`.
    ///
    ///     let latency = try NB201Space.values(file: "../shared/data/nb201/latency_dev.csv", column: "1080ti_32")
    ///     latency.count   // 15_625
    ///
    /// - Parameters:
    ///   - file: a CSV in `MeasurementTable`'s format.
    ///   - column: the numeric column (any finite value).
    ///   - archColumn: the column of NB201 cell strings.
    /// - Throws: `SearchError` naming the file, line and column: the file cannot be read, a
    ///   column is missing, a value is not a finite number, an architecture is not a cell
    ///   string, or a cell appears twice.
    public static func values(file: String, column: String, archColumn: String = "arch_str") throws(SearchError) -> [NB201Cell: Double] {
        let table: MeasurementTable
        let names: [String], numbers: [Double]
        do {
            table = try MeasurementTable.read(file: file)
            names = try table.strings(archColumn)
            numbers = try table.numbers(column, requirePositive: false)
        } catch {
            throw SearchError(error.description)
        }
        var values: [NB201Cell: Double] = [:]
        var lines: [NB201Cell: Int] = [:]
        for row in 0..<table.rowCount {
            let line = table.lineNumber(ofRow: row)
            let cell: NB201Cell
            do {
                cell = try NB201Cell(parsing: names[row])
            } catch {
                throw SearchError("\(file):\(line): column '\(archColumn)': \(error.description)")
            }
            if let earlier = lines[cell] {
                throw SearchError("\(file):\(line): column '\(archColumn)': \(cell) is already on line \(earlier)")
            }
            values[cell] = numbers[row]
            lines[cell] = line
        }
        return values
    }
}
