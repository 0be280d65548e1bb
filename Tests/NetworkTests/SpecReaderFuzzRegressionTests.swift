import Foundation
import JouleTestSupport
import Network
import Testing

/// Specs that once crashed the reader or the counts behind `joule estimate`, or took
/// minutes and gigabytes, kept in `Tests/Fixtures/fuzz-regressions/SpecReader` (see
/// tools/fuzz.sh). Each must be refused with a `SpecError` that names the file, line and
/// layer, or read into a network whose parameter and FLOP counts can be taken, never trap.
@Suite struct SpecReaderFuzzRegressionTests {
    static let folder = PackageLayout.fixture("fuzz-regressions/SpecReader")

    static let files: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()

    /// What each file must be refused for; a file not listed here may also read.
    static let expectedErrors: [String: String] = [
        "convolution-kernel-2pow74-weights.json":
            "line 3: layer 'conv': the filter 137438953472x137438953472x3x1 has more than 137438953472 entries",
        "deconvolution-kernel-2pow74-weights.json":
            "line 3: layer 'deconv': the filter 137438953472x137438953472x1x1 has more than 137438953472 entries",
        "pooling-window-2pow74-elements.json":
            "line 3: layer 'pool': the window 1x137438953472x137438953472x1 has more than 137438953472 entries",
        "inner-products-2pow63-parameters.json":
            "line 3: layer 'fc1': the weight matrix 2147483648x2147483648 has more than 137438953472 entries",
        "model-parallel-all-532480-links.json":
            "line 4: layer 'cat': the spec has more than 500000 parent links",
        "block-parents-copied-532480-links.json":
            "line 126: layer 'block/r121': the spec has more than 500000 parent links",
    ]

    @Test func theFolderHoldsEveryListedFile() {
        #expect(Set(Self.expectedErrors.keys).isSubset(of: Set(Self.files)))
    }

    @Test(arguments: files)
    func isRefusedOrReadWithoutTrapping(_ file: String) throws {
        let bytes = Array(try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        for allowUnknownTypes in [false, true] {
            let network: Network
            do {
                network = try SpecReader.parse(bytes, file: file, options: .init(allowUnknownTypes: allowUnknownTypes))
            } catch {
                #expect(error.description.hasPrefix("\(file): "), "\(error)")
                if let expected = Self.expectedErrors[file] {
                    #expect(error.description.contains(expected), "\(error)")
                }
                continue
            }
            #expect(Self.expectedErrors[file] == nil, "\(file) reads, but should be refused")
            // The counts that trapped: per layer and pass, and the network's total.
            var flops = 0.0
            for layer in network.withBatch(4096).layers {
                for pass in Pass.allCases { flops += layer.features(for: pass).flops }
            }
            #expect(flops.isFinite)
            #expect(network.params >= 0)
        }
    }
}
