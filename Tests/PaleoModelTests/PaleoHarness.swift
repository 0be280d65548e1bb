import Estimation
import Foundation
import JouleTestSupport
import Network
import Registry
import Testing

/// Runs the bundled Paleo plugin on the bundled Paleo networks, as `joule estimate` does.
enum PaleoHarness {
    static let registry = loadTestRegistry(bundled: true)
    static func network(_ name: String, batch: Int64? = nil) throws -> Network {
        let network = try SpecReader.read(file: PackageLayout.paleoReferenceNets.appendingPathComponent("\(name).json").path)
        return batch.map { network.withBatch($0) } ?? network
    }

    /// The Paleo model bound to a device.
    static func bind(_ device: String = "TITAN_X", options: [String: String] = [:]) throws -> BoundCostModel {
        try registry.costModel(named: "paleo").bind(to: try registry.profile(named: device), options: options)
    }

    /// A training step of `network`.
    static func estimate(
        _ network: Network, device: String, options: [String: String] = [:], pipeline: Bool = false
    ) throws -> NetworkEstimate {
        try EstimationPlan(network: network, isTraining: true).bind(bind(device, options: options)).estimate(pipeline: pipeline)
    }

    /// Options for a reference row's PPP settings.
    static func ppp(_ row: [String: String]) -> [String: String] {
        ["ppp_comp": row["ppp_comp"]!, "ppp_comm": row["ppp_comm"]!]
    }
}
