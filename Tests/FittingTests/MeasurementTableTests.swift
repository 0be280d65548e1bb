import Fitting
import Foundation
import JouleTestSupport
import Testing

/// `MeasurementTable`: the CSV dialect, provenance comments, and errors that name the file,
/// the line and the column.
@Suite struct MeasurementTableTests {
    /// The `MeasurementError` that `body` throws, or nil.
    func error(_ body: () throws -> Void) -> MeasurementError? {
        do { try body() } catch { return error as? MeasurementError }
        return nil
    }

    func parse(_ text: String) throws(MeasurementError) -> MeasurementTable {
        try MeasurementTable.parse(text, file: "m.csv")
    }

    @Test func readsHeaderRowsCommentsAndProvenance() throws {
        let table = try parse("""
            # gpu: H100_SXM
            #driver:550.54
            # measured with nsys, 3 runs
            layer,batch,seconds
            conv1,64,0.00123

            fc, 32 , 4.1e-4
            """)
        #expect(table.comments == ["gpu: H100_SXM", "driver:550.54", "measured with nsys, 3 runs"])
        #expect(table.provenance == ["gpu": "H100_SXM", "driver": "550.54"])
        #expect(table.columns == ["layer", "batch", "seconds"])
        #expect(table.rowCount == 2)
        #expect(try table.strings("layer") == ["conv1", "fc"])
        #expect(try table.numbers("batch") == [64, 32])
        #expect(try table.numbers("seconds", scale: 1e3) == [1.23, 0.41])
        #expect(table.lineNumber(ofRow: 0) == 5 && table.lineNumber(ofRow: 1) == 7)
        #expect(try table.columnIndex("seconds") == 2)
    }

    @Test func handlesQuotingCRLFAndAByteOrderMark() throws {
        let text = "\u{FEFF}name,note,value\r\n"
            + "\"a,b\",\"say \"\"hi\"\"\",1\r\n"
            + "\r\n"
            + "c, \"two\nlines\" ,2\r\n"
            + "\"\",plain,3"  // no final line end
        let table = try parse(text)
        #expect(table.columns == ["name", "note", "value"])
        #expect(try table.strings("name") == ["a,b", "c", ""])
        #expect(try table.strings("note") == ["say \"hi\"", "two\nlines", "plain"])
        #expect(table.lineNumber(ofRow: 0) == 2 && table.lineNumber(ofRow: 1) == 4 && table.lineNumber(ofRow: 2) == 6)
    }

    @Test func blankLinesBeforeTheHeaderAreSkippedAndLaterHashesAreData() throws {
        let table = try parse("\n\n# note\n\nid,v\n#3,1\n")
        #expect(table.comments == ["note"])
        #expect(try table.strings("id") == ["#3"])
        #expect(table.lineNumber(ofRow: 0) == 6)
    }

    @Test func malformedFilesAreRefusedWithTheirLine() {
        let cases: [(String, String)] = [
            ("a,b\n1,2\n3\n", "m.csv:3: the row has 1 field; the header has 2"),
            ("a,b\n1,2,3\n", "m.csv:2: the row has 3 fields; the header has 2"),
            ("a,b\n1,\"2\n3,4\n", "m.csv:2: a quoted field opened on this line is never closed"),
            ("a,b\n1,\"2\"x\n", "m.csv:2: text after a closing quote; write a quote inside a quoted field as two quotes (\"\")"),
            ("a,b\n1,2\"\n", "m.csv:2: a quote inside an unquoted field; put the whole field in quotes and double the quote"),
            ("a,b,a\n1,2,3\n", "m.csv:1: column 'a': the name appears twice in the header (fields 1 and 3)"),
            ("a,,c\n1,2,3\n", "m.csv:1: header field 2 is empty; every column needs a name"),
            ("", "m.csv: no header line and no data rows (the file is empty or holds only comments)"),
            ("# only a comment\n\n", "m.csv: no header line and no data rows (the file is empty or holds only comments)"),
            ("a,b\n\n", "m.csv: no data rows: the file has a header but no measurements"),
        ]
        for (text, expected) in cases {
            #expect(error { _ = try parse(text) }?.description == expected, "for \(text.debugDescription)")
        }
    }

    @Test func badNumbersNameLineColumnAndValue() throws {
        let table = try parse("""
            id,t,u
            a,1.5,-2
            b,abc,0
            c,,nan
            d,inf,3
            e,0,1e400
            """)
        #expect(error { _ = try table.numbers("t") }?.description
                == "m.csv:3: column 't': 'abc' is not a number (and 3 more bad values in this column)")
        let u = error { _ = try table.numbers("u") }
        #expect(u == MeasurementError(file: "m.csv", line: 2, column: "u",
                                      "'-2' is negative; a measured value must be positive (and 3 more bad values in this column)"))
        let single = try parse("id,t\na,1\nb,\n")
        #expect(error { _ = try single.numbers("t") }?.description == "m.csv:3: column 't': missing value")
        let zero = try parse("id,t\na,0\n")
        #expect(error { _ = try zero.numbers("t") }?.description == "m.csv:2: column 't': '0' is zero; a measured value must be positive")
        let infinite = try parse("id,t\na,Infinity\nb,1e308\n")
        #expect(error { _ = try infinite.numbers("t") }?.description == "m.csv:2: column 't': 'Infinity' is not a finite number")
        #expect(error { _ = try infinite.numbers("t", requirePositive: false) }?.line == 2)
        let big = try parse("id,t\nb,1e308\n")
        #expect(error { _ = try big.numbers("t", scale: 10) }?.description
                == "m.csv:2: column 't': '1e308' is out of range when multiplied by 10.0")
        let signed = try parse("id,t\na,-1.5\nb,0\n")
        #expect(try signed.numbers("t", requirePositive: false) == [-1.5, 0])
    }

    @Test func aMissingColumnListsTheColumnsAndSuggestsOne() throws {
        let table = try parse("layer,batch_size,seconds\nconv,1,2\n")
        #expect(error { _ = try table.columnIndex("secnds") }?.description
                == "m.csv: column 'secnds': no such column (the columns are 'layer', 'batch_size', 'seconds'); did you mean 'seconds'?")
        #expect(error { _ = try table.strings("joules") }?.description
                == "m.csv: column 'joules': no such column (the columns are 'layer', 'batch_size', 'seconds')")
    }

    @Test func readsFilesAndRefusesBadOnes() throws {
        let directory = try TemporaryDirectory()
        let good = try directory.write("good.csv", "# gpu: T4\nx,y\n1,2\n")
        let table = try MeasurementTable.read(file: good.path)
        #expect(table.file == good.path && table.provenance["gpu"] == "T4" && table.rowCount == 1)

        let missing = directory.file("absent.csv").path
        #expect(error { _ = try MeasurementTable.read(file: missing) }?.description.hasPrefix("\(missing): cannot read the file") == true)
        #expect(error { _ = try MeasurementTable.read(file: directory.path) }?.message == "is a directory, not a measurement file")

        let latin1 = directory.file("latin1.csv")
        // "x,y\n1,2\ncafé,3\n" with é in Latin-1 (0xE9), which is not UTF-8.
        try Data([0x78, 0x2C, 0x79, 0x0A, 0x31, 0x2C, 0x32, 0x0A, 0x63, 0xE9, 0x2C, 0x33, 0x0A]).write(to: latin1)
        #expect(error { _ = try MeasurementTable.read(file: latin1.path) }?.description
                == "\(latin1.path):3: not UTF-8 text (save the file as UTF-8)")

        // A sparse file just over the limit: refused from its size, without being read.
        let huge = directory.file("huge.csv")
        _ = FileManager.default.createFile(atPath: huge.path, contents: Data("x\n1\n".utf8))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(MeasurementTable.maximumFileBytes + 1))
        try handle.close()
        #expect(error { _ = try MeasurementTable.read(file: huge.path) }?.message
                == "the file is 268435457 bytes; measurement files larger than 256 MiB are refused")
    }

    @Test func errorsRenderOnOneLineLeavingOutAbsentParts() {
        #expect(MeasurementError(file: "f.csv", line: 4, column: "t", "bad").description == "f.csv:4: column 't': bad")
        #expect(MeasurementError(file: "f.csv", line: 4, "bad").description == "f.csv:4: bad")
        #expect(MeasurementError(file: "f.csv", column: "t", "bad").description == "f.csv: column 't': bad")
        #expect(MeasurementError(file: "f.csv", "bad").description == "f.csv: bad")
    }
}
