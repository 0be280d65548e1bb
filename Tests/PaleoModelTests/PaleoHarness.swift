import Estimation
import Foundation
import JouleTestSupport
import Network
import Registry
import Testing

/// Runs the bundled Paleo plugin on the bundled Paleo networks, as `joule estimate` does.
enum PaleoHarness {
    static let registry = loadTestRegistry(bundled: true)
    static let nets = PackageLayout.sharedData.appendingPathComponent("paleo/nets")

    static func network(_ name: String, batch: Int64? = nil) throws -> Network {
        let network = try SpecReader.read(file: nets.appendingPathComponent("\(name).json").path)
        return batch.map { network.withBatch($0) } ?? network
    }

    static func estimate(
        _ network: Network, device: String, options: [String: String] = [:], training: Bool = true, pipeline: Bool = false
    ) throws -> NetworkEstimate {
        let model = try registry.costModel(named: "paleo").bind(to: try registry.profile(named: device), options: options)
        return try EstimationPlan(network: network, isTraining: training).bind(model).estimate(pipeline: pipeline)
    }

    /// Options for a reference row's PPP settings.
    static func ppp(_ row: [String: String]) -> [String: String] {
        ["ppp_comp": row["ppp_comp"]!, "ppp_comm": row["ppp_comm"]!]
    }
}

/// `actual` within `relative` of `expected` (and exactly 0 when expected is 0).
func close(_ actual: Double, _ expected: Double, relative: Double = 1e-6) -> Bool {
    expected == 0 ? actual == 0 : abs(actual - expected) <= relative * abs(expected)
}

extension Dictionary where Key == String, Value == String {
    func number(_ key: String) -> Double { Double(self[key]!)! }
}
