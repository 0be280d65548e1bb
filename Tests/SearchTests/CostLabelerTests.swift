import Estimation
import JouleTestSupport
import Network
import Registry
import Testing
@testable import Search

/// Cost labels come from the plugin ABI exactly as `joule estimate` computes them.
@Suite struct CostLabelerTests {
    @Test func labelsEqualTheEstimateAndAreCached() throws {
        let registry = loadTestRegistry(bundled: true)
        let gpu = try registry.profile(named: "GTX_1080_TI")
        let model = try registry.costModel(named: "neuralpower").bind(to: gpu)
        let labeler = CostLabeler(model: model, isTraining: false, batch: 32)
        let cell = try NB201Cell(parsing: "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
        let network = try NB201Network.build(cell)
        let cost = try labeler.cost(of: network, key: cell.string)
        let estimate = try EstimationPlan(network: network.withBatch(32), isTraining: false).bind(model).estimate()
        #expect(cost.latencySeconds == estimate.stepSeconds)
        #expect(cost.energyJoules == estimate.energy.joules)
        #expect(cost.params == 802_426)
        #expect(cost.energyIsPredicted == false)
        // Arch 1 of latency_dev.csv: 10.45418262 ms measured at batch 32 on the 1080 Ti.
        #expect(close(cost.latencySeconds, 10.45418262e-3, relative: 0.1))
        // A second request is answered from the cache without building the network.
        let again = try labeler.cost(of: { () throws -> Network in
            Issue.record("rebuilt a cached network")
            return network
        }(), key: cell.string)
        #expect(again == cost)
        #expect(labeler.labelled == 1)
        #expect(SearchObjective.latency.value(cost) == cost.latencySeconds)
    }

    @Test func aModelThatCannotCostTheNetworkIsAnError() throws {
        let registry = loadTestRegistry(bundled: true)
        // Training needs backward passes, which the NeuralPower models do not cover.
        let gpu = try registry.profile(named: "TITAN_XP")
        let labeler = CostLabeler(model: try registry.costModel(named: "neuralpower").bind(to: gpu), isTraining: true, batch: 1)
        let cell = try NB201Cell(parsing: "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|")
        #expect(throws: (any Error).self) { try labeler.cost(of: try NB201Network.build(cell), key: cell.string) }
    }
}
