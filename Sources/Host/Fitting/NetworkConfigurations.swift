import Estimation
import Network
import PluginAPI
import PolynomialModel
import Registry

/// The layers of a network as the polynomials see them.
///
/// The fitter and the NeuralPower plugin must compute identical features, so this goes
/// through the very descriptor the host hands to cost models (`LayerDescriptor`) and the
/// plugin's own reader of it (`LayerConfiguration(LayerView)`).
public struct NetworkConfigurations: Sendable {
    /// Every forward-pass layer a polynomial category covers, dead branches included as the
    /// network has them (prune them before, as estimate's --prune-dead does).
    public var layers: [LayerConfiguration]
    /// Layers that do work but belong to no category (softmax, LRN, …), by name and type:
    /// a fit cannot attribute their time, so it is reported.
    public var uncovered: [(name: String, type: String)]

    public init(_ network: Network) {
        var layers: [LayerConfiguration] = []
        var uncovered: [(String, String)] = []
        layers.reserveCapacity(network.layers.count)
        for index in network.layers.indices {
            let descriptor = LayerDescriptor(layer: index, of: network, pass: .forward)
            if descriptor.operation == .input { continue }
            let configuration = descriptor.withCDescriptor { LayerConfiguration(LayerView($0)) }
            if let configuration {
                layers.append(configuration)
            } else if !Self.isFree(descriptor.operation) {
                uncovered.append((network.layers[index].name, network.layers[index].typeName))
            }
        }
        self.layers = layers
        self.uncovered = uncovered
    }

    /// Operations that run no kernel in inference (a reshape is a view; dropout is the
    /// identity outside training), so leaving them out of a fit loses nothing.
    static func isFree(_ operation: LayerOperation) -> Bool {
        switch operation {
        case .reshape, .dropout, .input: true
        default: false
        }
    }
}
