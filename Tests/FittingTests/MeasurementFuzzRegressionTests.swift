import Fitting
import Foundation
import JouleTestSupport
import Testing

/// Measurement CSVs that once crashed `joule fit` or `joule validate`, kept in
/// `Tests/Fixtures/fuzz-regressions/MeasurementTable` (see tools/fuzz.sh). Each goes
/// through what the fuzz harness does: the table, every column as text and numbers, and
/// per-layer rows. Each must be refused with a `MeasurementError` naming the file and the
/// line, or read, never trap.
@Suite struct MeasurementFuzzRegressionTests {
    static let folder = PackageLayout.fixture("fuzz-regressions/MeasurementTable")

    static let files: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()

    /// What each file must be refused for, as per-layer measurements.
    static let expectedErrors: [String: String] = [
        "convolution-2pow96-weights.csv":
            ":2: this convolution layer is not valid: line 1: layer 'layer': the filter 16777216x16777216x16777216x16777216 has more than 137438953472 entries",
    ]

    @Test func theFolderHoldsEveryListedFile() {
        #expect(Set(Self.expectedErrors.keys).isSubset(of: Set(Self.files)))
    }

    @Test(arguments: files)
    func isRefusedOrReadWithoutTrapping(_ file: String) throws {
        let table: MeasurementTable
        do {
            table = try MeasurementTable.read(file: Self.folder.appendingPathComponent(file).path)
        } catch {
            #expect(error.description.contains("\(file)"), "\(error)")
            #expect(Self.expectedErrors[file] == nil, "\(error)")
            return
        }
        for column in table.columns {
            _ = try? table.numbers(column)
            _ = try? table.numbers(column, scale: 1e-3, requirePositive: false)
        }
        do {
            _ = try LayerMeasurements(table: table)
            #expect(Self.expectedErrors[file] == nil, "\(file) reads, but should be refused")
        } catch {
            #expect(error.description.contains("\(file):"), "\(error)")
            if let expected = Self.expectedErrors[file] {
                #expect(error.description.contains(expected), "\(error)")
            }
        }
    }
}
