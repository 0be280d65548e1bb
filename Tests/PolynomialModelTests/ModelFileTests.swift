import Foundation
import JouleJSON
import JouleTestSupport
import Testing
@testable import PolynomialModel

@Suite struct ModelFileTests {
    static func sample() throws -> PolynomialModelFile {
        let conv = LayerPolynomial(
            terms: [try PolynomialTerm(parsing: "1", category: .convolution), try PolynomialTerm(parsing: "flops", category: .convolution)],
            coefficients: [5e-6, 2e-13],
            ranges: [("batch", 1...32), ("input_size", 8...32)])
        let power = LayerPolynomial(
            terms: [try PolynomialTerm(parsing: "1", category: .convolution), try PolynomialTerm(parsing: "log2(batch)", category: .convolution)],
            coefficients: [60, 4], ranges: [("batch", 1...32)])
        return PolynomialModelFile(gpu: "GTX_1080_TI", description: "test", runtime: [.convolution: conv], power: [.convolution: power],
                                   runtimeFit: .object([("degree", .integer(1))]),
                                   provenance: [("data_source", .string("hand-made")), ("fit_date", .string("2026-11-27"))])
    }

    @Test func writesAndReadsBack() throws {
        let model = try Self.sample()
        let text = JSONWriter.render(model.json)
        let read = try PolynomialModelFile.decode(try JSONParser.parse(text))
        #expect(read.gpu == "GTX_1080_TI")
        #expect(read.runtime[.convolution]?.terms.map(\.description) == ["1", "flops"])
        #expect(read.runtime[.convolution]?.coefficients == [5e-6, 2e-13])
        #expect(read.power[.convolution]?.coefficients == [60, 4])
        #expect(read.batchRange == 1...32)
        #expect(JSONWriter.render(read.json) == text)
    }

    @Test func evaluatesByHandAndFlagsExtrapolation() throws {
        let model = try Self.sample()
        let layer = LayerConfiguration(category: .convolution, values: [16, 3, 8, 32, 32, 3, 1], flops: 1e9, memoryBytes: 1)
        // 5 µs + 2e-13 s/FLOP × 1e9 FLOPs = 205 µs.
        #expect(abs(model.runtime[.convolution]!.evaluate(layer) - 205e-6) < 1e-15)
        // 60 W + 4 W × log2(16) = 76 W.
        #expect(model.power[.convolution]!.evaluate(layer) == 76)
        #expect(model.runtime[.convolution]!.extrapolation(layer) == nil)
        var big = layer
        big.values[3] = 224
        #expect(model.runtime[.convolution]!.extrapolation(big) == "input_size 224 is outside the fitted range 8–32")
    }

    @Test func everyProblemIsNamedWithItsLine() throws {
        let text = """
            {
              "format": "joule-polynomial-model",
              "format_version": 1,
              "gpu": "X",
              "provenance": {"data_source": "a.csv"},
              "runtime": {
                "unit": "seconds",
                "layers": {
                  "convolutoin": {"terms": {"1": 1}},
                  "pooling": {"terms": {"batch^2*stride": 1e-9, "kernel": 2}, "ranges": {"batch": [8, 1]}}
                }
              }
            }
            """
        do {
            _ = try PolynomialModelFile.decode(try JSONParser.parse(text))
            Issue.record("accepted a broken model file")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("field 'provenance.fit_date'"))
            #expect(message.contains("line 9: field 'runtime.layers.convolutoin': unknown layer category; did you mean 'convolution'?"))
            #expect(message.contains("line 10: field 'runtime.layers.pooling.terms.kernel': unknown variable 'kernel'"))
            #expect(message.contains("field 'runtime.layers.pooling.ranges.batch': the lowest value 8.0 exceeds the highest 1.0"))
        }
    }

    @Test func refusesOtherFormatsAndVersions() throws {
        let text = #"{"format": "joule-polynomial-model", "format_version": 2, "gpu": "X", "provenance": {"data_source": "a", "fit_date": "b"}, "runtime": {"unit": "seconds", "layers": {}}}"#
        #expect(throws: JSONValidationError.self) { try PolynomialModelFile.decode(try JSONParser.parse(text)) }
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("m.json").path
        try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try PolynomialModelFile.read(file: path)
            Issue.record("read broken JSON")
        } catch {
            #expect(error.description.hasPrefix("\(path): line 1: not valid JSON"))
        }
    }
}
