import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule estimate --epochs --dataset-size` and `--requests`: the whole run from one step,
/// checked by hand against the step's own figures, and the flags' errors.
@Suite struct RunEnergyEndToEndTests {
    func number(_ node: JSONNode?) -> Double {
        if case .number(let n)? = node?.plain { return n.double }
        return .nan
    }

    func estimate(_ arguments: [String]) throws -> JSONNode {
        let result = try runJoule(["estimate", PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path]
                                  + arguments + ["--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        return try JSONParser.parse(result.standardOutput)
    }

    /// ImageNet-1k's 1,281,167 training images at batch 256: ⌈1281167 / 256⌉ = 5005 steps per
    /// epoch (the last one partial), 90 epochs = 450,450 steps; France's 56 g/kWh.
    @Test func aTrainingRunIsStepsTimesTheStep() throws {
        let root = try estimate(["--gpu", "A100", "--batch", "256", "--epochs", "90", "--dataset-size", "1281167",
                                 "--grid-intensity", "france"])
        let step = try #require(root["training"])
        let run = try #require(root["run"])
        #expect(run["kind"]?.plain == .string("training"))
        #expect(number(run["steps"]) == 450_450)
        let joules = 450_450 * number(step["energy_joules"])
        #expect(abs(number(run["energy_joules"]) / joules - 1) < 1e-12)
        #expect(abs(number(run["seconds"]) / (450_450 * number(step["step_seconds"])) - 1) < 1e-12)
        #expect(abs(number(run["kilowatt_hours"]) / (joules / 3.6e6) - 1) < 1e-12)
        #expect(abs(number(run["kilograms_co2e"]) / (joules / 3.6e6 * 56 / 1000) - 1) < 1e-12)
        #expect(run["grid"]?["name"]?.plain == .string("france"))
    }

    /// 1,000,001 requests at batch 8 are 125,001 batches; the default grid is the world's 480 g/kWh.
    @Test func servingCountsPartialBatchesAndDefaultsToTheWorldGrid() throws {
        let root = try estimate(["--gpu", "L4", "--mode", "inference", "--batch", "8", "--requests", "1000001"])
        let batch = try #require(root["inference"])
        let run = try #require(root["run"])
        #expect(run["kind"]?.plain == .string("serving") && number(run["steps"]) == 125_001)
        let kilowattHours = 125_001 * number(batch["energy_joules"]) / 3.6e6
        #expect(abs(number(run["kilograms_co2e"]) / (kilowattHours * 0.48) - 1) < 1e-12)
        #expect(run["grid"]?["grams_co2e_per_kwh"]?.plain == .number(480))
        // A number is taken as gCO2e/kWh.
        let given = try estimate(["--gpu", "L4", "--mode", "inference", "--batch", "8", "--requests", "1000001", "--grid-intensity", "100"])
        #expect(abs(number(given["run"]?["kilograms_co2e"]) / (kilowattHours * 0.1) - 1) < 1e-12)
    }

    @Test(arguments: [
        (["--epochs", "3"], "--epochs and --dataset-size go together"),
        (["--requests", "10"], "--requests describes serving"),
        (["--mode", "inference", "--epochs", "3", "--dataset-size", "100"], "--epochs describes a training run"),
        (["--epochs", "3", "--dataset-size", "100", "--grid-intensity", "mars"], "'mars' is neither"),
        (["--epochs", "3", "--dataset-size", "100", "--grid-intensity=-5"], "'-5' is neither"),
        (["--grid-intensity", "france"], "--grid-intensity applies to a whole run"),
        (["--epochs", "0", "--dataset-size", "100"], "--epochs must be from 1"),
        (["--epochs", "3", "--dataset-size", "100", "--workers", "4"], "do not combine with --workers"),
    ])
    func wrongFlagsAreRefused(arguments: [String], message: String) throws {
        let result = try runJoule(["estimate", PackageLayout.root.appendingPathComponent("Examples/nets/vgg16.json").path,
                                   "--gpu", "A100"] + arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }
}
