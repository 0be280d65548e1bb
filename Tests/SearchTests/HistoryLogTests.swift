import Foundation
import JouleTestSupport
import Testing
@testable import Search

/// history.csv: appended line by line, flushed, and read back after a kill.
@Suite struct HistoryLogTests {
    static func record(_ index: Int, accuracy: Double? = 91.5, failure: String? = nil) -> EvaluationRecord {
        EvaluationRecord(
            index: index, architecture: "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
            accuracy: accuracy, accuracySource: "table:acc.csv", failure: failure, energyJoules: 0.25 + Double(index),
            latencySeconds: 0.0125, params: 802_426, flops: 7.4e9, costSource: "joule.paleo/paleo on TITAN_X (energy derived)",
            origin: "random")
    }

    @Test func recordsReadBackExactly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("history.csv").path
        let log = try HistoryLog(path: path, resume: false)
        let written = [Self.record(0), Self.record(1, accuracy: nil, failure: "trial exited with status 1, \"CUDA out of memory\""), Self.record(2)]
        for record in written { try log.append(record) }
        let reread = try HistoryLog(path: path, resume: true)
        #expect(reread.records == written)
        // Appending after a resume continues the file.
        try reread.append(Self.record(3))
        #expect(try HistoryLog(path: path, resume: true).records.count == 4)
        // Without --resume the history starts again.
        #expect(try HistoryLog(path: path, resume: false).records.isEmpty)
    }

    /// A kill in the middle of a write leaves a line without its newline: it is dropped, the
    /// completed lines before it are kept, and the file is cut back so appends stay clean.
    @Test func aTornLastLineIsDroppedOnResume() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("history.csv").path
        let log = try HistoryLog(path: path, resume: false)
        try log.append(Self.record(0))
        try log.append(Self.record(1))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        try handle.write(contentsOf: Data("2,|nor_conv_3x3~0|+|none~0|none~1|+|skip_conn".utf8))
        try handle.close()
        let resumed = try HistoryLog(path: path, resume: true)
        #expect(resumed.records == [Self.record(0), Self.record(1)])
        try resumed.append(Self.record(2))
        #expect(try HistoryLog(path: path, resume: true).records == [Self.record(0), Self.record(1), Self.record(2)])
    }

    @Test func aFileThatIsNotAHistoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("history.csv").path
        try "arch,acc\nx,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SearchError.self) { try HistoryLog(path: path, resume: true) }
        try (HistoryLog.columns.joined(separator: ",") + "\n5,x,1,t,,1,1,1,1,c,o\n").write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try HistoryLog(path: path, resume: true)
            Issue.record("accepted a history starting at index 5")
        } catch {
            #expect("\(error)".contains("history.csv:2: column 'index': expected 0"))
        }
    }
}
