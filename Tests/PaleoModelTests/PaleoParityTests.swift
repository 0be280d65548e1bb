import Estimation
import Foundation
import JouleTestSupport
import Network
import PluginAPI
import Registry
import Testing

/// Within 1e-9 relative: the issue asks for 1e-6, but the reference README says a faithful
/// port agrees to a few ulps and calls 1e-9 generous, and this one does.
private func matches(_ actual: Double, _ expected: Double) -> Bool {
    close(actual, expected, relative: 1e-9)
}

/// The Paleo plugin against the original code's outputs in ../shared/data/paleo/reference.
@Suite struct PaleoParityTests {
    /// Every row: 3 nets × 8 devices × 4 batches × 2 PPP settings.
    @Test func singleDeviceTrainingStepMatchesEveryReferenceRow() throws {
        let rows = try ReferenceCSV.load("single_device.csv")
        #expect(rows.count == 192)
        var networks: [String: Network] = [:]
        for row in rows {
            let name = row["net"]!
            let base = try networks[name] ?? PaleoHarness.network(name)
            networks[name] = base
            let network = base.withBatch(Int64(row["batch"]!)!)
            let e = try PaleoHarness.estimate(network, device: row["device"]!, options: PaleoHarness.ppp(row))
            let label = "\(name) \(row["device"]!) b\(row["batch"]!) ppp \(row["ppp_comp"]!)/\(row["ppp_comm"]!)"
            #expect(try matches(e.forwardSeconds, row.number("fwd_ms") * 1e-3), "\(label) fwd")
            #expect(try matches(e.backwardSeconds, row.number("bwd_ms") * 1e-3), "\(label) bwd")
            #expect(try matches(e.updateSeconds, row.number("update_ms") * 1e-3), "\(label) update")
            #expect(try matches(e.stepSeconds, row.number("iter_comp_ms") * 1e-3), "\(label) step")
            #expect(try matches(e.forwardFlops, row.number("fwd_flops")), "\(label) fwd flops")
            #expect(try matches(e.backwardFlops, row.number("bwd_flops")), "\(label) bwd flops")
            let fwdCompute = e.layers.reduce(0.0) { $0 + ($1.forward?.computeSeconds ?? 0) }
            let fwdMemory = e.layers.reduce(0.0) { $0 + ($1.forward?.memorySeconds ?? 0) }
            let bwdCompute = e.layers.reduce(0.0) { $0 + ($1.backwardData?.computeSeconds ?? 0) + ($1.backwardFilter?.computeSeconds ?? 0) }
            let fwdBytes = e.layers.reduce(0.0) { $0 + ($1.forward?.memoryBytes ?? 0) }
            #expect(try matches(fwdCompute, row.number("fwd_comp_ms") * 1e-3), "\(label) fwd compute")
            #expect(try matches(fwdMemory, row.number("fwd_mem_ms") * 1e-3), "\(label) fwd memory")
            #expect(try matches(bwdCompute, row.number("bwd_comp_ms") * 1e-3), "\(label) bwd compute")
            #expect(try matches(fwdBytes, row.number("fwd_mem_bytes")), "\(label) fwd bytes")
            #expect(String(network.params) == row["params"], "\(label) params")
        }
    }

    @Test(arguments: ["all_layers_titanx_b128.csv", "alexnet_layers.csv"])
    func everyLayerMatchesThePerLayerReference(file: String) throws {
        let rows = try ReferenceCSV.load(file)
        try #require(!rows.isEmpty, "\(file) has no rows")
        var cache: [String: NetworkEstimate] = [:]
        for row in rows {
            let key = [row["net"]!, row["device"]!, row["batch"]!, row["ppp_comp"]!, row["ppp_comm"]!].joined(separator: " ")
            let estimate = try cache[key] ?? PaleoHarness.estimate(
                PaleoHarness.network(row["net"]!, batch: Int64(row["batch"]!)!), device: row["device"]!, options: PaleoHarness.ppp(row))
            cache[key] = estimate
            let layer = try #require(estimate.layers.first { $0.name == row["layer"] }, "\(key) \(row["layer"]!)")
            let label = "\(key) \(layer.name)"
            #expect(try matches(layer.forwardSeconds, row.number("fwd_ms") * 1e-3), "\(label) fwd")
            #expect(try matches(layer.forward?.flops ?? 0, row.number("fwd_flops")), "\(label) fwd flops")
            #expect(try matches(layer.forward?.memoryBytes ?? 0, row.number("fwd_mem_bytes")), "\(label) fwd bytes")
            #expect(try matches(layer.forward?.computeSeconds ?? 0, row.number("fwd_comp_ms") * 1e-3), "\(label) fwd compute")
            #expect(try matches(layer.backwardDataSeconds, row.number("bwd_data_ms") * 1e-3), "\(label) bwd data")
            #expect(try matches(layer.backwardData?.flops ?? 0, row.number("bwd_data_flops")), "\(label) bwd data flops")
            #expect(try matches(layer.backwardFilterSeconds, row.number("bwd_filter_ms") * 1e-3), "\(label) bwd filter")
            #expect(try matches(layer.backwardFilter?.flops ?? 0, row.number("bwd_filter_flops")), "\(label) bwd filter flops")
            #expect(try matches(layer.backwardFilter?.memoryBytes ?? 0, row.number("bwd_filter_mem_bytes")), "\(label) bwd filter bytes")
            #expect(String(layer.params) == row["params"], "\(label) params")
        }
    }

    /// Data-parallel tables: per-worker times under weak and strong scaling and the four
    /// all-reduce schemes, for 1 to 128 workers.
    @Test func scalingTablesMatch() throws {
        let rows = try ReferenceCSV.load("scaling.csv")
        #expect(rows.count == 256)
        for row in rows {
            let workers = Int64(row["workers"]!)!
            let batch = Int64(row["batch"]!)!
            // Strong scaling splits the batch: ceil(batch / workers) per worker.
            let perWorker = row["scaling"] == "strong" ? (batch + workers - 1) / workers : batch
            var options = PaleoHarness.ppp(row)
            options["workers"] = String(workers)
            options["network"] = row["network"]!
            let e = try PaleoHarness.estimate(try PaleoHarness.network(row["net"]!, batch: perWorker), device: row["device"]!, options: options)
            let label = "\(row["net"]!) \(row["device"]!) \(row["network"]!) \(row["scaling"]!) ppp \(row["ppp_comp"]!) n=\(workers)"
            #expect(try matches(e.forwardSeconds, row.number("time_fwd") * 1e-3), "\(label) fwd")
            #expect(try matches(e.backwardSeconds, row.number("time_bwd") * 1e-3), "\(label) bwd")
            #expect(try matches(e.updateSeconds, row.number("time_apply") * 1e-3), "\(label) apply")
            let schemes = Dictionary(uniqueKeysWithValues: e.communication.map { ($0.scheme, $0.seconds) })
            for (scheme, column) in [("one_to_all", "OneToAll"), ("tree", "TreeAllReduce"), ("butterfly", "ButterflyAllReduce"),
                                     ("butterfly_mixing", "ButterflyMixing")] {
                let seconds = try #require(schemes[scheme], "\(label): no \(scheme) term")
                #expect(try matches(seconds, row.number(column) * 1e-3), "\(label) \(scheme)")
            }
        }
    }

    /// Figures printed by the original code for modes the reference CSVs do not cover
    /// (Tests/Fixtures/paleo-original/modes.csv says how each was made).
    @Test func inceptionV3TrainingStepMatchesTheOriginal() throws {
        let e = try PaleoHarness.estimate(try PaleoHarness.network("inception_v3", batch: 128), device: "TITAN_X")
        let original = { try ReferenceCSV.originalPaleoSeconds("inception_v3_titanx_b128", $0) }
        #expect(try matches(e.forwardSeconds, original("forward")))
        #expect(try matches(e.backwardSeconds, original("backward")))
        #expect(try matches(e.updateSeconds, original("update")))
    }

    @Test func modelParallelBoundsMatchTheOriginal() throws {
        let e = try PaleoHarness.estimate(try PaleoHarness.network("alex_v2_2gpu", batch: 128), device: "TITAN_X",
                                          options: ["parallel": "model"])
        try expectReports(e, match: "alex_v2_2gpu_model_parallel", [
            "model_parallel_forward_lower_bound", "model_parallel_forward_upper_bound",
            "model_parallel_backward_lower_bound", "model_parallel_backward_upper_bound",
        ])
    }

    @Test func hybridSchemeMatchesTheOriginal() throws {
        let e = try PaleoHarness.estimate(try PaleoHarness.network("alex_v2_2gpu", batch: 128), device: "TITAN_X",
                                          options: ["parallel": "hybrid", "hybrid_workers": "2"])
        try expectReports(e, match: "alex_v2_2gpu_hybrid_2", [
            "hybrid_data_parallel_forward", "hybrid_data_parallel_backward", "hybrid_data_parallel_update",
            "hybrid_data_parallel_sync_tree", "hybrid_model_parallel_forward", "hybrid_model_parallel_backward",
            "hybrid_model_parallel_update",
        ])
    }

    /// Each named report term against the original's figure of the same name.
    private func expectReports(_ e: NetworkEstimate, match caseName: String, _ names: [String]) throws {
        let reports = Dictionary(uniqueKeysWithValues: e.reports.map { ($0.name, $0.timeSeconds) })
        #expect(reports.count == names.count, "\(reports.keys.sorted())")
        for name in names {
            let seconds = try #require(reports[name] ?? nil, "no report term \(name)")
            #expect(try matches(seconds, ReferenceCSV.originalPaleoSeconds(caseName, name)), "\(name)")
        }
    }
}

/// Settings the reference CSVs do not cover, against the original code's printed numbers.
@Suite struct PaleoPipelineAndNetworksTests {
    /// `simulate_scaling([4], 'weak', 64, K40, pcie3, use_pipeline=True, use_only_gemm=True,
    /// ppp 0.62/0.72)` in the original (modes.csv): each layer's pass costs max(compute,
    /// memory), the update too; the exchange uses PCIe 3 (128 Gbit/s).
    @Test(arguments: ["alex_v2", "inception_v3"])
    func pipelinedStepsOverPCIe3MatchTheOriginal(net: String) throws {
        let e = try PaleoHarness.estimate(
            try PaleoHarness.network(net, batch: 64), device: "K40",
            options: ["ppp_comp": "0.62", "ppp_comm": "0.72", "workers": "4", "network": "pcie3"], pipeline: true)
        let original = { try ReferenceCSV.originalPaleoSeconds("\(net)_k40_b64_pipeline_pcie3_4", $0) }
        #expect(try matches(e.forwardSeconds, original("forward")))
        #expect(try matches(e.backwardSeconds, original("backward")))
        #expect(try matches(e.updateSeconds, original("update")))
        let schemes = Dictionary(uniqueKeysWithValues: e.communication.map { ($0.scheme, $0.seconds) })
        for scheme in ["one_to_all", "tree", "butterfly", "butterfly_mixing"] {
            let seconds = try #require(schemes[scheme], "no \(scheme) term")
            #expect(try matches(seconds, original(scheme)), "\(scheme)")
        }
    }
}
