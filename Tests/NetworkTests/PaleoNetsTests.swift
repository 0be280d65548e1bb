import Foundation
import JouleTestSupport
import Network
import Testing

/// The bundled Paleo networks, checked against what the original Paleo code reports for
/// them (../shared/data/paleo/reference): shapes, padding and parameters of every layer.
@Suite struct PaleoNetsTests {
    static func read(_ name: String) throws -> Network {
        try SpecReader.read(file: PackageLayout.paleoReferenceNets.appendingPathComponent("\(name).json").path)
    }

    @Test(arguments: ["alex_v2", "vgg16", "nin"])
    func everyLayerMatchesPaleosShapesPaddingAndParams(net: String) throws {
        let rows = try ReferenceCSV.load("all_layers_titanx_b128.csv").filter { $0["net"] == net }
        try #require(!rows.isEmpty, "no reference rows for \(net)")
        let network = try Self.read(net).withBatch(128)
        #expect(network.layers.count == rows.count)
        for row in rows {
            let name = try #require(row["layer"])
            let layer = try #require(network.layers.first { $0.name == name }, "no layer \(name)")
            #expect(layer.outputShape.map(String.init).joined(separator: "x") == row["outputs"], "\(net)/\(name) outputs")
            let inputs = layer.inputShapes.map { $0.map(String.init).joined(separator: "x") }.joined(separator: ";")
            if row["type"] != "Input" {
                #expect(inputs == row["inputs"], "\(net)/\(name) inputs")
            }
            #expect(String(layer.params) == row["params"], "\(net)/\(name) params")
            #expect(layer.typeName == row["type"])
            if case .convolution(let conv) = layer.kind {
                #expect(conv.filter.map(String.init).joined(separator: "x") == row["filter"], "\(net)/\(name) filter")
                #expect("\(conv.pad.height),\(conv.pad.width)" == row["pad_hw"], "\(net)/\(name) padding")
            }
        }
    }

    @Test func summaryFiguresMatch() throws {
        let rows = try ReferenceCSV.load("summary.csv")
        try #require(!rows.isEmpty)
        for row in rows {
            let network = try Self.read(row["net"]!)
            #expect(network.layers.count == Int(row["num_ops"]!))
            #expect(String(network.params) == row["params"])
            #expect(network.activationBytes == Double(row["activation_bytes_at_spec_batch"]!))
            #expect(network.layers[0].outputShape.map(String.init).joined(separator: "x") == row["spec_input_tensor"])
        }
    }

    @Test func inceptionV3HasItsBlocksExpanded() throws {
        let network = try Self.read("inception_v3")
        #expect(network.layers.count == 126, "the original's graph of inception_v3 has 126 layers (issue 3)")
        let concat = try #require(network.layers.first { $0.name == "Mixed_5b/concat" })
        #expect(concat.parents.count == 4)
        #expect(concat.outputShape == [64, 35, 35, 256], "the spec batch is 64; 64 + 64 + 96 + 32 channels")
        #expect(network.deadLayers.isEmpty)
    }

    @Test(arguments: [2, 4, 8])
    func modelParallelSplitsArePlacedOnDevices(splits: Int) throws {
        let network = try Self.read("alex_v2_\(splits)gpu")
        for s in 0..<splits {
            let fc6 = try #require(network.layers.first { $0.name == "parallel_fc67/fc6@\(s)" })
            #expect(fc6.device == String(s))
            guard case .convolution(let conv) = fc6.kind else { Issue.record("fc6 is not a convolution"); return }
            #expect(conv.filter[3] == Int64(4096 / splits), "output channels divided by the splits")
        }
        let concat7 = try #require(network.layers.first { $0.name == "concat7" })
        #expect(concat7.parents.count == splits)
        #expect(concat7.device == nil)
        #expect(concat7.outputShape.last == 4096)
    }

    @Test(arguments: ["alex_v2", "alex_v2_1gpu", "alex_v2_2gpu", "alex_v2_4gpu", "alex_v2_8gpu", "inception_v3", "nin", "overfeat", "vgg16"])
    func writingAndReadingBackGivesTheSameGraph(net: String) throws {
        let network = try Self.read(net)
        let text = SpecWriter.write(network)
        let again = try SpecReader.parse(Array(text.utf8), file: "written")
        #expect(again.layers.map(\.name) == network.layers.map(\.name))
        for (a, b) in zip(again.layers, network.layers) {
            #expect(a.kind == b.kind, "\(a.name)")
            #expect(a.parents == b.parents, "\(a.name)")
            #expect(a.outputShape == b.outputShape, "\(a.name)")
            #expect(a.device == b.device, "\(a.name)")
            #expect(a.extraFields == b.extraFields, "\(a.name)")
        }
        #expect(again.outputs == network.outputs)
    }
}
