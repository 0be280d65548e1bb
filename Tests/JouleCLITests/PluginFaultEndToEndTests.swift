import Foundation
import JouleTestSupport
import Testing

/// Plugins that misbehave, compiled from `Tests/Fixtures/plugins/faulty.c` with one
/// `-DFAULTY_*` flag each, and what `joule estimate` makes of them: one `joule: error:` line
/// naming the plugin, the model and the layer, exit 69 (a plugin failed), and never a
/// death by signal or a hang. Numeric faults are caught in process; crashes and hangs need
/// `--isolate-plugins`, which must also give the in-process numbers bit for bit.
@Suite struct PluginFaultEndToEndTests {
    /// conv2 is the layer faulty.c fails on; AlexNet's conv2 comes after conv1 and pool1,
    /// so a culprit found by position would be visibly wrong.
    static let network = PackageLayout.root.appendingPathComponent("Examples/nets/alex_v2.json").path

    /// Builds faulty.c with `flags` into a fresh directory.
    static func plugin(_ flags: [String], in directory: TemporaryDirectory) throws -> URL {
        try CCompiler.fixturePlugin("faulty", into: directory, extraFlags: flags.map { "-D\($0)" })
    }

    static func estimate(_ library: URL, _ extra: [String] = []) -> [String] {
        ["estimate", network, "--gpu", "TITAN_X", "--cost-model", "faulty", "--plugin-path", library.path] + extra
    }

    /// The run's error lines, after checking that it exited (no signal) with 69 and printed
    /// exactly one.
    static func oneErrorLine(_ run: MeasuredRun, _ label: String) -> String {
        #expect(run.ending == .exited(69), "\(label): \(run.ending); stderr: \(run.standardError)")
        let errors = run.standardError.split(separator: "\n").filter { $0.hasPrefix("joule: error: ") }
        #expect(errors.count == 1, "\(label): \(run.standardError)")
        #expect(run.standardOutput.isEmpty, "\(label): \(run.standardOutput)")
        return errors.first.map(String.init) ?? ""
    }

    struct NumericFault: Sendable, CustomTestStringConvertible {
        var flags: [String]
        var message: String
        var testDescription: String { flags.joined(separator: "+") }
    }

    static let numericFaults: [NumericFault] = [
        .init(flags: ["FAULTY_NAN_TIME"], message: "layer conv2 (forward): returned time_seconds = nan; costs must be finite and not negative"),
        .init(flags: ["FAULTY_NEGATIVE_TIME"], message: "layer conv2 (forward): returned time_seconds = -1.0;"),
        .init(flags: ["FAULTY_INFINITE_POWER"], message: "layer conv2 (forward): returned power_watts = inf;"),
        .init(flags: ["FAULTY_NEGATIVE_ENERGY"], message: "layer conv2 (forward): returned energy_joules = -5.0;"),
        .init(flags: ["FAULTY_NAN_FLOPS"], message: "layer conv2 (forward): returned flops = nan;"),
        .init(flags: ["FAULTY_ERROR"], message: "layer conv2 (forward): deliberate failure: no table entry for conv2"),
        .init(flags: ["FAULTY_NAN_TERM"], message: "layer (network term weight_update): returned time_seconds = nan;"),
        .init(flags: ["FAULTY_BATCH", "FAULTY_ERROR"], message: "layer conv2 (forward): deliberate failure: no table entry for conv2"),
        .init(flags: ["FAULTY_BATCH", "FAULTY_NAN_TIME"], message: "layer conv2 (forward): returned time_seconds = nan;"),
    ]

    /// Each invalid number or error status is reported in process, and the same line comes
    /// back through `--isolate-plugins` (the checks live in joule, not in the helper).
    @Test(arguments: numericFaults)
    func anInvalidAnswerIsOneLineNamingPluginModelAndLayer(_ fault: NumericFault) throws {
        let directory = try TemporaryDirectory()
        let library = try Self.plugin(fault.flags, in: directory)
        let inProcess = Self.oneErrorLine(try runJouleMeasured(Self.estimate(library), timeout: 60), "in process")
        #expect(inProcess.hasPrefix("joule: error: cost model test.faulty/faulty, "), "\(inProcess)")
        #expect(inProcess.contains(fault.message), "\(inProcess)")
        let isolated = Self.oneErrorLine(try runJouleMeasured(Self.estimate(library, ["--isolate-plugins"]), timeout: 60), "isolated")
        #expect(isolated == inProcess)
    }

    struct Crash: Sendable, CustomTestStringConvertible {
        var flags: [String]
        var message: String
        var testDescription: String { flags.joined(separator: "+") }
    }

    static let crashes: [Crash] = [
        .init(flags: ["FAULTY_SEGFAULT"], message: "layer conv2 (forward): crashed with SIGSEGV"),
        .init(flags: ["FAULTY_ABORT"], message: "layer conv2 (forward): crashed with SIGABRT"),
        .init(flags: ["FAULTY_EXIT"], message: "layer conv2 (forward): its isolated plugin host process exited with status 3"),
        // Through estimate_layers the helper dies in one call for every layer; joule then
        // asks a fresh helper about each layer alone to name the culprit.
        .init(flags: ["FAULTY_BATCH", "FAULTY_SEGFAULT"], message: "layer conv2 (forward): crashed with SIGSEGV"),
    ]

    /// A plugin that crashes costs the estimate, not joule: exit 69 with the signal's name.
    @Test(arguments: crashes)
    func aCrashingPluginIsReportedUnderIsolation(_ crash: Crash) throws {
        let directory = try TemporaryDirectory()
        let library = try Self.plugin(crash.flags, in: directory)
        let run = try runJouleMeasured(Self.estimate(library, ["--isolate-plugins"]), timeout: 60)
        let line = Self.oneErrorLine(run, "isolated")
        #expect(line.hasPrefix("joule: error: cost model test.faulty/faulty, "), "\(line)")
        #expect(line.contains(crash.message), "\(line)")
        #expect(run.wallSeconds < 30, "took \(run.wallSeconds) s")
    }

    /// The control: without isolation the same plugin takes joule down with it, which is
    /// what --isolate-plugins is for.
    @Test func withoutIsolationACrashingPluginKillsJoule() throws {
        let directory = try TemporaryDirectory()
        let library = try Self.plugin(["FAULTY_SEGFAULT"], in: directory)
        let run = try runJouleMeasured(Self.estimate(library), environment: ["SWIFT_BACKTRACE": "enable=no"], timeout: 60)
        #expect(run.ending == .signalled(SIGSEGV), "\(run.ending)")
    }

    /// A plugin that never returns is killed after --plugin-timeout and reaped: joule
    /// exits 69 within a few seconds and the helper (whose pid the plugin wrote down) is gone.
    @Test(arguments: [["FAULTY_HANG"], ["FAULTY_BATCH", "FAULTY_HANG"]])
    func aHangingPluginTimesOut(_ flags: [String]) throws {
        let directory = try TemporaryDirectory()
        let library = try Self.plugin(flags, in: directory)
        let pidFile = directory.file("helper.pid").path
        let run = try runJouleMeasured(Self.estimate(library, ["--isolate-plugins", "--plugin-timeout", "1"]),
                                       environment: ["FAULTY_PID_FILE": pidFile], timeout: 60)
        let line = Self.oneErrorLine(run, "isolated")
        #expect(line.contains("cost model test.faulty/faulty, layer conv2 (forward): timed out after 1 s (--plugin-timeout)"), "\(line)")
        // One time-out, or two when the culprit is looked for in a batch; never the 60 s cut-off.
        #expect(run.wallSeconds >= 1 && run.wallSeconds < 30, "took \(run.wallSeconds) s")
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "helper \(pid) is still there")
    }

    /// --isolate-plugins changes where the numbers are computed, not the numbers: every
    /// layer's figures and the totals print the same, for Paleo (training, data-parallel
    /// terms) and NeuralPower (inference, predicted power).
    @Test(arguments: ["alex_v2", "vgg16", "inception_v3"])
    func isolatedEstimatesAreBitIdentical(_ name: String) throws {
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/\(name).json").path
        let runs: [[String]] = [
            ["estimate", spec, "--gpu", "TITAN_X", "--workers", "4", "--per-layer", "--format", "json"],
            ["estimate", spec, "--gpu", "GTX_1080_TI", "--cost-model", "neuralpower", "--mode", "inference",
             "--on-unsupported", "zero", "--per-layer", "--format", "json"],
        ]
        for arguments in runs {
            let plain = try runJoule(arguments)
            let isolated = try runJoule(arguments + ["--isolate-plugins"])
            #expect(plain.status == 0, "\(plain.standardError)")
            #expect(isolated.status == 0, "\(isolated.standardError)")
            #expect(isolated.standardOutput == plain.standardOutput, "\(arguments)")
        }
    }

    /// A plugin that prints to standard output corrupts neither the helper's protocol nor
    /// joule's own output: under isolation its chatter goes to standard error.
    @Test func aChattyPluginDoesNotCorruptIsolatedOutput() throws {
        let directory = try TemporaryDirectory()
        let quiet = try Self.plugin([], in: directory)
        let chatty = try CCompiler.fixturePlugin("faulty", into: directory, as: "libchatty.so",
                                                 extraFlags: ["-DFAULTY_PRINTS", "-DFAULTY_NAME=\"test.chatty\""])
        let expected = try runJoule(Self.estimate(quiet, ["--format", "json"]))
        let run = try runJoule(["estimate", Self.network, "--gpu", "TITAN_X", "--cost-model", "test.chatty/faulty",
                                "--plugin-path", chatty.path, "--format", "json", "--isolate-plugins"])
        #expect(run.status == 0, "\(run.standardError)")
        // The same JSON but for the plugin's name and file (in its provenance).
        #expect(run.standardOutput == expected.standardOutput.replacingOccurrences(of: "test.faulty", with: "test.chatty")
            .replacingOccurrences(of: quiet.path, with: chatty.path))
        #expect(run.standardError.contains("faulty plugin chatter about conv2"))
    }

    @Test func pluginTimeoutNeedsIsolationAndAPositiveNumber() throws {
        let spec = Self.network
        let alone = try runJoule(["estimate", spec, "--gpu", "TITAN_X", "--plugin-timeout", "1"])
        #expect(alone.status == 64 && alone.standardError.contains("--plugin-timeout applies with --isolate-plugins"))
        let zero = try runJoule(["estimate", spec, "--gpu", "TITAN_X", "--isolate-plugins", "--plugin-timeout", "0"])
        #expect(zero.status == 64 && zero.standardError.contains("positive"))
    }

    /// Every command that runs cost models takes the flags.
    @Test func theCommandsThatCostAcceptIsolation() throws {
        let spec = Self.network
        let compare = try runJoule(["compare", spec, "--gpus", "TITAN_X,V100", "--isolate-plugins", "--format", "json"])
        #expect(compare.status == 0, "\(compare.standardError)")
        let plain = try runJoule(["compare", spec, "--gpus", "TITAN_X,V100", "--format", "json"])
        #expect(compare.standardOutput == plain.standardOutput)
        for command in ["search", "validate", "bench"] {
            let help = try runJoule([command, "--help"])
            #expect(help.standardOutput.contains("--isolate-plugins") && help.standardOutput.contains("--plugin-timeout"), "\(command)")
        }
    }
}
