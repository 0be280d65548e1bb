import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule compare`: each GPU's row equals `joule estimate` on that GPU alone, the rows are
/// sorted by energy per sample, and the named winners are the right rows.
@Suite struct CompareEndToEndTests {
    static let gpus = ["TITAN_X", "K80", "P100", "V100", "A100", "H100_SXM"]

    func number(_ node: JSONNode?) -> Double {
        if case .number(let n)? = node?.plain { return n.double }
        return .nan
    }

    @Test(arguments: ["training", "inference"]) func rowsMatchSingleEstimatesAndAreSorted(mode: String) throws {
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path
        let result = try runJoule(["compare", spec, "--gpus", Self.gpus.joined(separator: ","), "--mode", mode, "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try JSONParser.parse(result.standardOutput)
        guard case .array(let rows)? = root["gpus"]?.value else {
            Issue.record("no gpus array: \(result.standardOutput)")
            return
        }
        #expect(rows.count == Self.gpus.count)
        let perSample = rows.map { number($0["energy_per_sample_joules"]) }
        #expect(perSample == perSample.sorted(), "\(perSample)")
        #expect(root["most_energy_efficient"]?.plain == rows[0]["gpu"]?.plain)
        let fastest = rows.min { number($0["seconds"]) < number($1["seconds"]) }
        #expect(root["fastest"]?.plain == fastest?["gpu"]?.plain)

        for row in rows {
            guard case .string(let gpu)? = row["gpu"]?.plain else { continue }
            let single = try runJoule(["estimate", spec, "--gpu", gpu, "--mode", mode, "--format", "json"])
            #expect(single.status == 0, "\(single.standardError)")
            let estimate = try JSONParser.parse(single.standardOutput)
            let section = estimate[mode]
            let seconds = number(section?[mode == "training" ? "step_seconds" : "latency_seconds"])
            let joules = number(section?["energy_joules"])
            let batch = number(estimate["batch"])
            #expect(abs(number(row["seconds"]) / seconds - 1) < 1e-12, "\(gpu): \(number(row["seconds"])) vs \(seconds)")
            #expect(abs(number(row["energy_joules"]) / joules - 1) < 1e-12, "\(gpu)")
            #expect(abs(number(row["energy_per_sample_joules"]) * batch / joules - 1) < 1e-12, "\(gpu)")
        }
    }

    @Test func anUnknownGPUIsRefusedByName() throws {
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path
        let result = try runJoule(["compare", spec, "--gpus", "TITAN_X,NO_SUCH_GPU"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("NO_SUCH_GPU"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        let repeated = try runJoule(["compare", spec, "--gpus", "TITAN_X,TITAN_X"])
        #expect(repeated.status != 0 && repeated.standardError.contains("TITAN_X twice"), "\(repeated.standardError)")
    }

    /// With --epochs and --dataset-size every GPU runs the same 450,450 steps (90 epochs of
    /// 1,281,167 samples at 256), so each row's run is its step energy × 450,450.
    @Test func aWholeRunIsComparedStepForStep() throws {
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path
        let result = try runJoule(["compare", spec, "--gpus", "A100,H100,L4", "--batch", "256", "--epochs", "90",
                                   "--dataset-size", "1281167", "--grid-intensity", "germany", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        guard case .array(let rows)? = try JSONParser.parse(result.standardOutput)["gpus"]?.value else {
            Issue.record("no gpus array")
            return
        }
        #expect(rows.count == 3)
        for row in rows {
            let run = row["run"]
            #expect(number(run?["steps"]) == 450_450)
            let joules = 450_450 * number(row["energy_joules"])
            #expect(abs(number(run?["kilowatt_hours"]) / (joules / 3.6e6) - 1) < 1e-12)
            #expect(abs(number(run?["kilograms_co2e"]) / (joules / 3.6e6 * 0.381) - 1) < 1e-12)
        }
        let refused = try runJoule(["compare", spec, "--gpus", "A100", "--requests", "10"])
        #expect(refused.status != 0 && refused.standardError.contains("--requests describes serving"), "\(refused.standardError)")
    }
}

