import Foundation
import JouleTestSupport
import Network
import Testing

/// `Network.reinferringShapes(label:)` and `Network.bypassing(_:)`.
@Suite struct NetworkRewritingTests {
    static func bundled(_ name: String) throws -> Network {
        try SpecReader.read(file: PackageLayout.root.appendingPathComponent("Examples/nets/\(name).json").path)
    }

    @Test(arguments: ["alex_v2", "alex_v2_4gpu", "inception_v3", "nin", "overfeat", "vgg16"])
    func aNetworkThatWasNotRewrittenComesBackEqual(net: String) throws {
        let network = try Self.bundled(net)
        #expect(try network.reinferringShapes() == network)
        #expect(try network.withBatch(7).reinferringShapes() == network.withBatch(7))
    }

    @Test func narrowingAConvolutionNarrowsItsConsumers() throws {
        var network = try Self.bundled("vgg16")
        let conv = try #require(network.index(of: "conv1-1"))
        guard case .convolution(var c) = network.layers[conv].kind else { throw TestSupportError("conv1-1 is no convolution") }
        c.specFilter[3] = 32
        network.layers[conv].kind = .convolution(c)
        let rewritten = try network.reinferringShapes()
        let next = rewritten.layers[try #require(rewritten.index(of: "conv1-2"))]
        #expect(next.inputShapes == [[64, 224, 224, 32]])   // vgg16 is written at batch 64
        #expect(next.params == 3 * 3 * 32 * 64 + 64)
        // The spec filter follows too, so the written spec reads back.
        let again = try SpecReader.parse(Array(SpecWriter.write(rewritten).utf8), file: "written")
        #expect(again.params == rewritten.params)
    }

    @Test func bypassingRewiresConsumersAndOutputs() throws {
        let network = try Self.bundled("vgg16")
        let removed = Set(["conv1-2", "conv2-2"].map { network.index(of: $0)! })
        let bypassed = try network.bypassing(removed).reinferringShapes()
        #expect(bypassed.layers.count == network.layers.count - 2)
        #expect(bypassed.layers[try #require(bypassed.index(of: "pool1"))].parents == [bypassed.index(of: "conv1-1")!])
        #expect(bypassed.layers[try #require(bypassed.index(of: "pool2"))].parents == [bypassed.index(of: "conv2-1")!])
        #expect(bypassed.outputs == [bypassed.layers.count - 1])
        #expect(bypassed.params == network.params - (3 * 3 * 64 * 64 + 64) - (3 * 3 * 128 * 128 + 128))
    }

    @Test func aShapeThatNoLongerFitsIsReportedWithTheLayer() throws {
        var network = try Self.bundled("alex_v2")
        let conv = try #require(network.index(of: "conv1"))
        guard case .convolution(var c) = network.layers[conv].kind else { throw TestSupportError("conv1 is no convolution") }
        c.specFilter[0] = 300
        network.layers[conv].kind = .convolution(c)
        #expect(throws: SpecError.self) { try network.reinferringShapes(label: "alex") }
        do {
            _ = try network.reinferringShapes(label: "alex")
        } catch {
            #expect(error.file == "alex")
            #expect(error.problems.first?.layer == "conv1")
        }
    }
}
