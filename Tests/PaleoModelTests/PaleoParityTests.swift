import Estimation
import Foundation
import JouleTestSupport
import Network
import PluginAPI
import Registry
import Testing

/// The Paleo plugin against the original code's outputs in ../shared/data/paleo/reference,
/// within 1e-6 relative (the README says a faithful port agrees to a few ulps).
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
            #expect(close(e.forwardSeconds, row.number("fwd_ms") * 1e-3), "\(label) fwd")
            #expect(close(e.backwardSeconds, row.number("bwd_ms") * 1e-3), "\(label) bwd")
            #expect(close(e.updateSeconds, row.number("update_ms") * 1e-3), "\(label) update")
            #expect(close(e.stepSeconds, row.number("iter_comp_ms") * 1e-3), "\(label) step")
            #expect(close(e.forwardFlops, row.number("fwd_flops")), "\(label) fwd flops")
            #expect(close(e.backwardFlops, row.number("bwd_flops")), "\(label) bwd flops")
            let fwdCompute = e.layers.reduce(0.0) { $0 + ($1.forward?.computeSeconds ?? 0) }
            let fwdMemory = e.layers.reduce(0.0) { $0 + ($1.forward?.memorySeconds ?? 0) }
            let bwdCompute = e.layers.reduce(0.0) { $0 + ($1.backwardData?.computeSeconds ?? 0) + ($1.backwardFilter?.computeSeconds ?? 0) }
            let fwdBytes = e.layers.reduce(0.0) { $0 + ($1.forward?.memoryBytes ?? 0) }
            #expect(close(fwdCompute, row.number("fwd_comp_ms") * 1e-3), "\(label) fwd compute")
            #expect(close(fwdMemory, row.number("fwd_mem_ms") * 1e-3), "\(label) fwd memory")
            #expect(close(bwdCompute, row.number("bwd_comp_ms") * 1e-3), "\(label) bwd compute")
            #expect(close(fwdBytes, row.number("fwd_mem_bytes")), "\(label) fwd bytes")
            #expect(String(network.params) == row["params"], "\(label) params")
        }
    }

    @Test(arguments: ["all_layers_titanx_b128.csv", "alexnet_layers.csv"])
    func everyLayerMatchesThePerLayerReference(file: String) throws {
        let rows = try ReferenceCSV.load(file)
        var cache: [String: NetworkEstimate] = [:]
        for row in rows {
            let key = [row["net"]!, row["device"]!, row["batch"]!, row["ppp_comp"]!, row["ppp_comm"]!].joined(separator: " ")
            let estimate = try cache[key] ?? PaleoHarness.estimate(
                PaleoHarness.network(row["net"]!, batch: Int64(row["batch"]!)!), device: row["device"]!, options: PaleoHarness.ppp(row))
            cache[key] = estimate
            let layer = try #require(estimate.layers.first { $0.name == row["layer"] }, "\(key) \(row["layer"]!)")
            let label = "\(key) \(layer.name)"
            #expect(close(layer.forwardSeconds, row.number("fwd_ms") * 1e-3), "\(label) fwd")
            #expect(close(layer.forward?.flops ?? 0, row.number("fwd_flops")), "\(label) fwd flops")
            #expect(close(layer.forward?.memoryBytes ?? 0, row.number("fwd_mem_bytes")), "\(label) fwd bytes")
            #expect(close(layer.forward?.computeSeconds ?? 0, row.number("fwd_comp_ms") * 1e-3), "\(label) fwd compute")
            #expect(close(layer.backwardDataSeconds, row.number("bwd_data_ms") * 1e-3), "\(label) bwd data")
            #expect(close(layer.backwardData?.flops ?? 0, row.number("bwd_data_flops")), "\(label) bwd data flops")
            #expect(close(layer.backwardFilterSeconds, row.number("bwd_filter_ms") * 1e-3), "\(label) bwd filter")
            #expect(close(layer.backwardFilter?.flops ?? 0, row.number("bwd_filter_flops")), "\(label) bwd filter flops")
            #expect(close(layer.backwardFilter?.memoryBytes ?? 0, row.number("bwd_filter_mem_bytes")), "\(label) bwd filter bytes")
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
            #expect(close(e.forwardSeconds, row.number("time_fwd") * 1e-3), "\(label) fwd")
            #expect(close(e.backwardSeconds, row.number("time_bwd") * 1e-3), "\(label) bwd")
            #expect(close(e.updateSeconds, row.number("time_apply") * 1e-3), "\(label) apply")
            let schemes = Dictionary(uniqueKeysWithValues: e.communication.map { ($0.scheme, $0.seconds) })
            #expect(close(schemes["one_to_all"]!, row.number("OneToAll") * 1e-3), "\(label) one_to_all")
            #expect(close(schemes["tree"]!, row.number("TreeAllReduce") * 1e-3), "\(label) tree")
            #expect(close(schemes["butterfly"]!, row.number("ButterflyAllReduce") * 1e-3), "\(label) butterfly")
            #expect(close(schemes["butterfly_mixing"]!, row.number("ButterflyMixing") * 1e-3), "\(label) butterfly_mixing")
        }
    }

    /// Figures printed by the original code (TalwalkarLab/paleo 984bbf5, run here with
    /// `paleo simulate NET --use_only_gemm …`), for modes the reference CSVs do not cover.
    @Test func inceptionV3TrainingStepMatchesTheOriginal() throws {
        // paleo simulate inception_v3.json --use_only_gemm --num_workers 1 --scaling weak (TITAN_X, batch 128)
        let e = try PaleoHarness.estimate(try PaleoHarness.network("inception_v3", batch: 128), device: "TITAN_X")
        #expect(close(e.forwardSeconds, 280.5297274934141e-3))
        #expect(close(e.backwardSeconds, 599.2541038951983e-3))
        #expect(close(e.updateSeconds, 0.7959923033709212e-3))
    }

    @Test func modelParallelBoundsMatchTheOriginal() throws {
        // paleo simulate alex_v2_2gpu.json --use_only_gemm --parallel model (TITAN_X, batch 128)
        let e = try PaleoHarness.estimate(try PaleoHarness.network("alex_v2_2gpu", batch: 128), device: "TITAN_X",
                                          options: ["parallel": "model"])
        let reports = Dictionary(uniqueKeysWithValues: e.reports.map { ($0.name, $0.timeSeconds!) })
        #expect(close(reports["model_parallel_forward_lower_bound"]!, 27.534882681110144e-3))
        #expect(close(reports["model_parallel_forward_upper_bound"]!, 28.712857596786225e-3))
        #expect(close(reports["model_parallel_backward_lower_bound"]!, 64.4851426161627e-3))
        #expect(close(reports["model_parallel_backward_upper_bound"]!, 80.1567968012172e-3))
    }

    @Test func hybridSchemeMatchesTheOriginal() throws {
        // paleo simulate alex_v2_2gpu.json --use_only_gemm --parallel hybrid --hybrid_workers 2 (TITAN_X, ethernet, batch 128)
        let e = try PaleoHarness.estimate(try PaleoHarness.network("alex_v2_2gpu", batch: 128), device: "TITAN_X",
                                          options: ["parallel": "hybrid", "hybrid_workers": "2"])
        let r = Dictionary(uniqueKeysWithValues: e.reports.map { ($0.name, $0.timeSeconds!) })
        #expect(close(r["hybrid_data_parallel_forward"]!, 27.913603530664382e-3))
        #expect(close(r["hybrid_data_parallel_backward"]!, 50.370184196338535e-3))
        #expect(close(r["hybrid_data_parallel_update"]!, 0.22023134584969703e-3))
        #expect(close(r["hybrid_data_parallel_sync_tree"]!, 42.0268544e-3))
        #expect(close(r["hybrid_model_parallel_forward"]!, 8.166968300427191e-3))
        #expect(close(r["hybrid_model_parallel_backward"]!, 37.154326839184e-3))
        #expect(close(r["hybrid_model_parallel_update"]!, 1.4421111601814016e-3))
    }
}

/// Settings the reference CSVs do not cover, against the original code's printed numbers.
@Suite struct PaleoPipelineAndNetworksTests {
    /// `simulate_scaling([4], 'weak', 64, K40, pcie3, use_pipeline=True, use_only_gemm=True,
    /// ppp 0.62/0.72)` in the original (TalwalkarLab/paleo 984bbf5): each layer's pass costs
    /// max(compute, memory), the update too; the exchange uses PCIe 3 (128 Gbit/s).
    @Test(arguments: [
        ("alex_v2", 36.04276611066416, 98.50553721826626, 1.9520487015446029, 104.79981666666666, 69.86654444444444,
         34.93327222222222, 17.46663611111111),
        ("inception_v3", 282.06905235469213, 611.5391839151214, 0.921012523273627, 49.44648333333333, 32.96432222222222,
         16.48216111111111, 8.241080555555556),
    ])
    func pipelinedStepsOverPCIe3MatchTheOriginal(
        net: String, forward: Double, backward: Double, update: Double, oneToAll: Double, tree: Double,
        butterfly: Double, mixing: Double
    ) throws {
        let e = try PaleoHarness.estimate(
            try PaleoHarness.network(net, batch: 64), device: "K40",
            options: ["ppp_comp": "0.62", "ppp_comm": "0.72", "workers": "4", "network": "pcie3"], pipeline: true)
        #expect(close(e.forwardSeconds, forward * 1e-3))
        #expect(close(e.backwardSeconds, backward * 1e-3))
        #expect(close(e.updateSeconds, update * 1e-3))
        let schemes = Dictionary(uniqueKeysWithValues: e.communication.map { ($0.scheme, $0.seconds) })
        #expect(close(schemes["one_to_all"]!, oneToAll * 1e-3))
        #expect(close(schemes["tree"]!, tree * 1e-3))
        #expect(close(schemes["butterfly"]!, butterfly * 1e-3))
        #expect(close(schemes["butterfly_mixing"]!, mixing * 1e-3))
    }
}
