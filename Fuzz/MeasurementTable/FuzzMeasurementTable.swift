import Fitting

/// libFuzzer entry: a measurement CSV, as `joule fit` and `joule validate` read it.
///
/// Parses the table, asks for every column as text and as numbers (in the ways the
/// commands do), then reads it as per-layer measurements (`joule fit --per-layer`), which
/// builds a one-layer network per row. A thrown `MeasurementError` is the right answer to
/// a bad table; a trap, a sanitizer report, a hang or a leak is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMeasurementTable(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // `MeasurementTable.read(file:)` refuses text that is not UTF-8 before parsing.
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self),
          let table = try? MeasurementTable.parse(text, file: "fuzz.csv")
    else { return 0 }
    for column in table.columns {
        _ = try? table.strings(column)
        _ = try? table.numbers(column)
        _ = try? table.numbers(column, scale: 1e-3, requirePositive: false)
    }
    for row in 0..<table.rowCount { _ = table.lineNumber(ofRow: row) }
    _ = try? table.columnIndex("runtime_secnds")
    _ = try? LayerMeasurements(table: table)
    return 0
}
