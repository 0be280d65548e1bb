import Foundation
import Network
import Testing

/// Bad specs: each error names the file, the line and the layer.
@Suite struct SpecReaderErrorTests {
    /// A small valid network to break in one place at a time.
    static let valid = """
        {
          "name": "small",
          "layers": {
            "data": {"parents": [], "type": "Input", "tensor": [8, 32, 32, 3]},
            "conv1": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 3, 16],
                      "strides": [1, 1, 1, 1], "padding": "SAME"},
            "pool1": {"parents": ["conv1"], "type": "Pooling", "ksize": [1, 2, 2, 1],
                      "strides": [1, 2, 2, 1], "padding": "VALID"},
            "conv2": {"parents": ["pool1"], "type": "Convolution", "filter": [3, 3, -1, 16],
                      "strides": [1, 1, 1, 1], "padding": [1, 1]},
            "join": {"parents": ["pool1", "conv2"], "type": "Concatenate", "dim": 3},
            "fc": {"parents": ["join"], "type": "InnerProduct", "num_outputs": 10},
            "prob": {"parents": ["fc"], "type": "Softmax"}
          }
        }
        """

    func error(_ text: String, allowUnknownTypes: Bool = false) -> String {
        do {
            _ = try SpecReader.parse(Array(text.utf8), file: "net.json", options: .init(allowUnknownTypes: allowUnknownTypes))
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func theValidSpecReadsWithHandCheckedShapes() throws {
        let network = try SpecReader.parse(Array(Self.valid.utf8), file: "net.json")
        let shapes = Dictionary(uniqueKeysWithValues: network.layers.map { ($0.name, $0.outputShape) })
        #expect(shapes["conv1"] == [8, 32, 32, 16])           // SAME keeps 32
        #expect(shapes["pool1"] == [8, 16, 16, 16])           // ceil((32 - 2 + 1) / 2) = 16
        #expect(shapes["conv2"] == [8, 16, 16, 16])           // (16 + 2 - 3) // 1 + 1 = 16
        #expect(shapes["join"] == [8, 16, 16, 32])
        #expect(shapes["fc"] == [8, 10])
        #expect(shapes["prob"] == [8, 10])
        // conv2's -1 input channels were taken from pool1.
        let conv2 = try #require(network.layers.first { $0.name == "conv2" })
        guard case .convolution(let conv) = conv2.kind else { Issue.record("conv2 is \(conv2.kind)"); return }
        #expect(conv.filter == [3, 3, 16, 16])
        // InnerProduct params: 16·16·32 inputs × 10 + 10.
        #expect(try #require(network.layers.first { $0.name == "fc" }).params == 8192 * 10 + 10)
    }

    @Test func malformedJSONGivesTheLine() {
        // "data" opens on line 3 and closes on line 4, "layers" closes on line 5, and the file
        // ends inside the root object.
        #expect(error("{\n  \"layers\": {\n    \"data\": {\"parents\": []\n  }\n}")
                == "net.json: line 5: not valid JSON: column 2: unexpected end of file inside an object")
        #expect(error("{\"layers\": {},}") == "net.json: line 1: not valid JSON: column 15: trailing comma before '}'")
    }

    @Test func anUnknownParentIsNamedWithASuggestion() {
        let text = Self.valid.replacingOccurrences(of: #""parents": ["pool1"], "type": "Convolution""#,
                                                   with: #""parents": ["pool_1"], "type": "Convolution""#)
        #expect(error(text) == "net.json: line 9: layer 'conv2': unknown parent 'pool_1'; did you mean 'pool1'?")
    }

    @Test func aCycleIsNamed() {
        let text = Self.valid.replacingOccurrences(of: #""parents": ["conv1"], "type": "Pooling""#,
                                                   with: #""parents": ["conv1", "conv2"], "type": "Pooling""#)
        #expect(error(text) == "net.json: line 7: layer 'pool1': cycle in the graph: pool1 -> conv2 -> pool1")
    }

    @Test func noDataLayer() {
        let text = Self.valid.replacingOccurrences(of: "\"data\"", with: "\"input\"")
        #expect(error(text) == "net.json: no data layer: the network needs an Input layer named 'data' (found Input layer 'input')")
    }

    @Test func concatenateShapeMismatch() {
        let text = Self.valid.replacingOccurrences(of: #""padding": [1, 1]"#, with: #""padding": [0, 0]"#)
        #expect(error(text) == "net.json: line 11: layer 'join': input 2 has shape 8x14x14x16, which differs from input 1 8x16x16x16 outside dimension 3")
    }

    @Test func elementwiseShapeMismatch() {
        let text = Self.valid.replacingOccurrences(of: #""type": "Concatenate", "dim": 3"#, with: #""type": "Add""#)
            .replacingOccurrences(of: #""padding": [1, 1]"#, with: #""padding": [0, 0]"#)
        #expect(error(text) == "net.json: line 11: layer 'join': element-wise inputs must have the same shape: input 2 is 8x14x14x16, input 1 is 8x16x16x16")
    }

    @Test func kernelLargerThanItsInput() {
        let text = Self.valid.replacingOccurrences(of: #""ksize": [1, 2, 2, 1]"#, with: #""ksize": [1, 40, 2, 1]"#)
        #expect(error(text) == "net.json: line 7: layer 'pool1': the 40-wide window is larger than the input's height 32 (VALID padding)")
        let padded = Self.valid.replacingOccurrences(of: #""filter": [3, 3, -1, 16]"#, with: #""filter": [19, 3, -1, 16]"#)
        #expect(error(padded) == "net.json: line 9: layer 'conv2': the 19-wide window is larger than the padded input's height 18")
    }

    @Test func overflowingAndNonPositiveDimensionsAreErrors() {
        let huge = Self.valid.replacingOccurrences(of: "[8, 32, 32, 3]", with: "[1000000, 1000, 1000, 3]")
        // 137438953472 = 2^37, the limit the message states.
        #expect(error(huge).contains("layer 'data': the output 1000000x1000x1000x3 has more than 137438953472 elements"))
        let wraps = Self.valid.replacingOccurrences(of: "[8, 32, 32, 3]", with: "[8, 99999999999, 99999999999, 3]")
        // Each dimension is allowed alone; their product would overflow Int64, and is caught.
        #expect(error(wraps).hasPrefix("net.json: line 4: layer 'data': the output 8x99999999999x99999999999x3 has more than 137438953472 elements"))
        let zero = Self.valid.replacingOccurrences(of: "[8, 32, 32, 3]", with: "[8, 0, 32, 3]")
        #expect(error(zero) == "net.json: line 4: layer 'data': field 'tensor[1]': must be a positive integer, got 0")
    }

    @Test func unknownTypesAreErrorsUnlessPassedThrough() throws {
        let text = Self.valid.replacingOccurrences(of: #""type": "Pooling""#, with: #""type": "Poolling""#)
        #expect(error(text).hasPrefix("net.json: line 7: layer 'pool1': field 'type': unknown layer type 'Poolling'; did you mean 'Pooling'?"))
        // Paleo's pass-through: a Generic layer with its input's shape.
        let generic = Self.valid.replacingOccurrences(of: #""type": "Pooling", "ksize": [1, 2, 2, 1],"#, with: #""type": "Mystery","#)
            .replacingOccurrences(of: #""strides": [1, 2, 2, 1], "padding": "VALID"},"#, with: #""strides": [1, 2, 2, 1]},"#)
        let network = try SpecReader.parse(Array(generic.utf8), file: "net.json", options: .init(allowUnknownTypes: true))
        let mystery = network.layers.first { $0.name == "pool1" }
        #expect(mystery?.kind == .generic)
        #expect(mystery?.outputShape == [8, 32, 32, 16], "a pass-through layer keeps its input's shape")
    }

    @Test func everyFieldProblemIsReportedAtOnce() {
        let text = Self.valid
            .replacingOccurrences(of: #""filter": [3, 3, 3, 16]"#, with: #""filter": [3, 3, 3]"#)
            .replacingOccurrences(of: #""padding": "VALID""#, with: #""padding": "FULL""#)
            .replacingOccurrences(of: #""num_outputs": 10"#, with: #""num_outputs": "ten""#)
        #expect(error(text) == """
            net.json: line 5: layer 'conv1': field 'filter': must have 4 entries, got 3
            net.json: line 8: layer 'pool1': field 'padding': must be "SAME" or "VALID", got "FULL"
            net.json: line 12: layer 'fc': field 'num_outputs': expected an integer, got a string
            """)
    }

    @Test func missingParentsAndTypesAreNamed() {
        #expect(error(#"{"layers": {"data": {"type": "Input", "tensor": [1, 2, 2, 1]}}}"#)
                == "net.json: line 1: layer 'data': missing field 'parents' (use [] for the data layer)")
        #expect(error(#"{"layers": {"data": {"parents": [], "tensor": [1, 2, 2, 1]}}}"#)
                == "net.json: line 1: layer 'data': missing field 'type'")
        #expect(error(#"{"name": "x"}"#) == "net.json: line 1: missing field 'layers' (an object mapping layer names to layers)")
    }

    @Test func nestedBlocksAreRefused() {
        let text = """
            {"layers": {
              "data": {"parents": [], "type": "Input", "tensor": [1, 8, 8, 3]},
              "outer": {"type": "Block", "parents": ["data"], "layers": {
                "inner": {"type": "Block", "parents": [], "layers": {}}
              }}
            }}
            """
        #expect(error(text) == "net.json: line 4: layer 'outer/inner': a Block inside a Block is not supported (Paleo does not nest blocks either)")
    }
}

/// Dead branches: layers whose output reaches no network output.
@Suite struct DeadBranchTests {
    static let spec = """
        {"layers": {
          "data": {"parents": [], "type": "Input", "tensor": [2, 8, 8, 3]},
          "a": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 3, 4], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "side": {"parents": ["data"], "type": "Convolution", "filter": [1, 1, 3, 4], "strides": [1, 1, 1, 1], "padding": "SAME"},
          "side_pool": {"parents": ["side"], "type": "Pooling", "ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "VALID"},
          "out": {"parents": ["a"], "type": "Softmax"}
        }}
        """

    @Test func aSideBranchEndingNowhereIsDeadAndPruneable() throws {
        let network = try SpecReader.parse(Array(Self.spec.utf8), file: "dead.json")
        #expect(network.outputs.map { network.layers[$0].name } == ["out"])
        #expect(network.deadLayers.map { network.layers[$0].name } == ["side", "side_pool"])
        let pruned = network.prunedOfDeadBranches()
        #expect(pruned.layers.map(\.name) == ["data", "a", "out"])
        #expect(pruned.outputs == [2])
        #expect(pruned.layers[2].parents == [1])
    }

    @Test func declaredOutputsKeepABranchAlive() throws {
        let text = Self.spec.replacingOccurrences(of: "{\"layers\": {", with: "{\"outputs\": [\"out\", \"side_pool\"], \"layers\": {")
        let network = try SpecReader.parse(Array(text.utf8), file: "dead.json")
        #expect(network.deadLayers.isEmpty)
        let again = try SpecReader.parse(Array(SpecWriter.write(network).utf8), file: "written")
        #expect(again.outputs.map { again.layers[$0].name } == ["out", "side_pool"])
    }
}
