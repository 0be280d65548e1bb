import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// Provenance in every JSON output and report: versions, the plugins used, the profile's
/// fingerprint, and the model files behind the numbers with their fits, as cost models
/// describe their instances through `describe_instance` (ABI 1.1).
@Suite struct ProvenanceEndToEndTests {
    static let nets = PackageLayout.root.appendingPathComponent("Examples/nets")

    /// The ABI version as the header defines it, read from its text.
    static func headerABI() throws -> String {
        let header = try String(contentsOf: PackageLayout.pluginHeaderDirectory.appendingPathComponent("joule_plugin.h"), encoding: .utf8)
        func define(_ name: String) -> String? {
            header.split(separator: "\n").first { $0.hasPrefix("#define \(name) ") }?.split(separator: " ").last.map(String.init)
        }
        return "\(try #require(define("JOULE_ABI_VERSION_MAJOR"))).\(try #require(define("JOULE_ABI_VERSION_MINOR")))"
    }

    /// 64-bit FNV-1a of a file, computed here from the algorithm's definition.
    static func fnv1a64(_ url: URL) throws -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in try Data(contentsOf: url) { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return "fnv1a64:" + String(format: "%016llx", hash)
    }

    /// The fingerprint a plain `joule estimate` records for a profile.
    static func numbersHash(_ gpu: String) throws -> String? {
        let result = try runJoule(["estimate", nets.appendingPathComponent("nin.json").path, "--gpu", gpu, "--format", "json"])
        if case .string(let hash)? = try JSONParser.parse(result.standardOutput)["provenance"]?["gpu_profile"]?["numbers_hash"]?.plain {
            return hash
        }
        return nil
    }

    func string(_ node: JSONNode?) -> String? {
        if case .string(let s)? = node?.plain { return s }
        return nil
    }

    func array(_ node: JSONNode?) -> [JSONNode] {
        if case .array(let items)? = node?.value { return items }
        return []
    }

    /// Estimates the two-layer network with the probe plugin built with `flags`; returns
    /// the provenance block and the plugin's path.
    func probeProvenance(_ flags: [String], options: [String] = []) throws -> (provenance: JSONNode?, plugin: URL) {
        let directory = try TemporaryDirectory()
        let plugin = try CCompiler.fixturePlugin("probe", into: directory, extraFlags: flags)
        let spec = try directory.write("net.json", """
            {"name": "tiny", "layers": {
              "data": {"parents": [], "type": "Input", "tensor": [4, 16, 16, 3]},
              "conv": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 3, 8], "padding": "SAME", "strides": [1, 1, 1, 1]}
            }}
            """)
        let result = try runJoule(["estimate", spec.path, "--plugin-path", plugin.path, "--gpu", "PROBE_GPU",
                                   "--cost-model", "probe", "--format", "json"] + options)
        #expect(result.status == 0, "\(result.standardError)")
        return (try JSONParser.parse(result.standardOutput)["provenance"], plugin)
    }

    @Test func aCostModelsOwnDescriptionOfItsFilesIsRecorded() throws {
        let (provenance, plugin) = try probeProvenance(["-DPROBE_DESCRIBE"], options: ["--cost-option", "scale=2"])
        #expect(string(provenance?["plugin_abi"]) == (try Self.headerABI()))
        #expect(string(provenance?["cost_model"]?["id"]) == "test.probe/probe")
        #expect(string(provenance?["cost_model"]?["version"]) == "1.2.3")
        #expect(string(provenance?["cost_model"]?["options"]?["scale"]) == "2")
        let plugins = array(provenance?["plugins"])
        #expect(plugins.count == 1, "the probe provides both the model and the profile")
        #expect(string(plugins.first?["name"]) == "test.probe")
        #expect(string(plugins.first?["path"]) == plugin.path)
        let files = array(provenance?["model_files"])
        #expect(files.count == 1)
        #expect(string(files.first?["path"]) == "/models/probe-fit.json")
        #expect(string(files.first?["provenance"]?["fit_date"]) == "2026-01-02")
        #expect(files.first?["used_for"]?.plain == .array([.string("PROBE_GPU")]))
        #expect(provenance?["problems"] == nil)

        // In a helper process the description is relayed unchanged.
        let isolated = try probeProvenance(["-DPROBE_DESCRIBE"], options: ["--cost-option", "scale=2", "--isolate-plugins"]).provenance
        #expect(isolated?["model_files"]?.plain == provenance?["model_files"]?.plain)
    }

    /// A 1.0 plugin's struct_size ends before describe_instance; reading the field anyway
    /// would read past what the plugin declared (the probe puts a function there, to catch
    /// a host that calls it).
    @Test func aPluginBuiltForABI10IsNotAskedForADescription() throws {
        let provenance = try probeProvenance(["-DPROBE_ABI_1_0"]).provenance
        #expect(provenance?["model_files"]?.plain == .array([]))
        #expect(provenance?["problems"] == nil)
    }

    @Test func aDescriptionThatIsNotJSONIsReportedNotTrusted() throws {
        let provenance = try probeProvenance(["-DPROBE_DESCRIBE_GARBAGE"]).provenance
        #expect(provenance?["model_files"]?.plain == .array([]))
        #expect(array(provenance?["problems"]).compactMap(string) == ["test.probe/probe on PROBE_GPU described its instance with text that is not a JSON object"])
    }

    /// A model fitted with `joule fit` carries its data's fingerprint into every estimate
    /// made with it, and the report's footer names the file and its fit.
    @Test func aFittedModelFileIsTracedToItsData() throws {
        let directory = try TemporaryDirectory()
        let data = try directory.write("layers.csv", FitValidateEndToEndTests.perLayerCSV())
        let model = directory.file("model.json")
        let fit = try runJoule(["fit", data.path, "--per-layer", "--gpu", "H100", "--out", model.path, "--folds", "3", "--quiet"])
        #expect(fit.status == 0, "\(fit.standardError)")
        let file = try JSONParser.parse(String(contentsOf: model, encoding: .utf8))
        #expect(string(file["provenance"]?["data_hash"]) == (try Self.fnv1a64(data)))
        let hash = try Self.numbersHash("H100_SXM")
        #expect(string(file["provenance"]?["gpu_profile"]?["numbers_hash"]) == hash)

        let report = directory.file("report.html")
        let result = try runJoule(["estimate", Self.nets.appendingPathComponent("nin.json").path, "--gpu", "H100_SXM", "--cost-model", "poly:\(model.path)", "--mode", "inference",
                                   "--on-unsupported", "zero", "--format", "json", "--report", report.path])
        #expect(result.status == 0, "\(result.standardError)")
        let provenance = try JSONParser.parse(result.standardOutput)["provenance"]
        let files = array(provenance?["model_files"])
        #expect(files.count == 1)
        #expect(string(files.first?["path"]) == model.standardizedFileURL.path)
        #expect(files.first?["provenance"]?.plain == file["provenance"]?.plain, "the file's own provenance, unchanged")
        #expect(files.first?["runtime_fit"]?.plain == file["runtime"]?["fit"]?.plain)
        #expect(string(provenance?["cost_model"]?["options"]?["model"]) == model.standardizedFileURL.path)
        #expect(string(provenance?["gpu_profile"]?["numbers_hash"]) == hash)

        let page = try String(contentsOf: report, encoding: .utf8)
        let fitDate = try #require(string(file["provenance"]?["fit_date"]))
        #expect(page.contains("model file \(model.standardizedFileURL.path) (fitted \(fitDate), on \(data.path)"), "\(page.suffix(800))")
    }

    /// A drop-in profile is traced to its file and to the plugin whose loader read it;
    /// its numbers are TITAN_X's, so is its fingerprint.
    @Test func aDropInProfileNamesItsFileAndLoader() throws {
        let directory = try TemporaryDirectory()
        let shown = try runJoule(["gpus", "show", "TITAN_X", "--format", "json"]).standardOutput
        let file = try directory.write("mine.json", shown.replacingOccurrences(of: "\"id\": \"TITAN_X\"", with: "\"id\": \"MY_TITAN\"")
            .replacingOccurrences(of: "\"aliases\": [\"GTX_TITAN_X\", \"TITAN_X_MAXWELL\"]", with: "\"aliases\": []"))
        let result = try runJoule(["estimate", Self.nets.appendingPathComponent("nin.json").path, "--gpu", "MY_TITAN",
                                   "--gpu-file", file.path, "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let provenance = try JSONParser.parse(result.standardOutput)["provenance"]
        #expect(array(provenance?["plugins"]).compactMap { string($0["name"]) } == ["joule.paleo", "joule.gpu-profiles"])
        #expect(string(provenance?["gpu_profile"]?["defined"]) == file.path)
        #expect(string(provenance?["gpu_profile"]?["numbers_hash"]) == "fnv1a64:a372cc4766ded4e5")
    }

    /// estimate, compare, validate, bench and search.json all carry the same provenance
    /// block, with the profile's fingerprint as `joule gpus` shows it.
    @Test func everyJSONOutputCarriesProvenance() throws {
        let directory = try TemporaryDirectory()
        let nin = Self.nets.appendingPathComponent("nin.json").path
        let version = try #require(try runJoule(["--version"]).standardOutput.split(separator: " ").dropFirst().first.map(String.init))
        // TITAN_X's fingerprint was computed outside Joule (GPUsEndToEndTests); A100's is
        // what a plain estimate records.
        let hashes = ["TITAN_X": "fnv1a64:a372cc4766ded4e5", "A100_40GB": try Self.numbersHash("A100_40GB")]

        try "spec,seconds\n\(nin),0.02\n\(Self.nets.appendingPathComponent("alex_v2.json").path),0.05\n"
            .write(to: directory.file("m.csv"), atomically: true, encoding: .utf8)
        let search = directory.file("search").path
        let runs: [(String, [String])] = [
            ("estimate", ["estimate", nin, "--gpu", "TITAN_X", "--format", "json"]),
            ("compare", ["compare", nin, "--gpus", "TITAN_X,A100_40GB", "--format", "json"]),
            ("validate", ["validate", directory.file("m.csv").path, "--cost-model", "paleo", "--gpu", "TITAN_X",
                          "--target-column", "seconds", "--format", "json", "--quiet"]),
            ("bench", ["bench", nin, "--gpu", "TITAN_X", "--seconds", "0.05", "--format", "json", "--quiet"]),
            ("search", ["search", SearchEndToEndTests.start, "--space", "nb201", "--gpu", "TITAN_X", "--accuracy", "proxy:params",
                        "--budget", "4", "--algorithm", "random", "--out", search, "--quiet"]),
        ]
        for (name, arguments) in runs {
            let result = try runJoule(arguments)
            #expect(result.status == 0, "\(name): \(result.standardError)")
            let text = name == "search" ? try String(contentsOfFile: search + "/search.json", encoding: .utf8) : result.standardOutput
            let provenance = try JSONParser.parse(text)["provenance"]
            #expect(string(provenance?["joule_version"]) == version, "\(name)")
            #expect(string(provenance?["plugin_abi"]) == (try Self.headerABI()), "\(name)")
            #expect(string(provenance?["cost_model"]?["id"]) == "joule.paleo/paleo", "\(name)")
            let plugins = array(provenance?["plugins"]).compactMap { string($0["name"]) }
            #expect(plugins == ["joule.paleo", "joule.gpu-profiles"], "\(name): \(plugins)")
            #expect(array(provenance?["plugins"]).allSatisfy { string($0["version"]) != nil && string($0["path"]) != nil }, "\(name)")
            if name == "compare" {
                let profiles = array(provenance?["gpu_profiles"])
                #expect(profiles.compactMap { string($0["id"]) }.sorted() == ["A100_40GB", "TITAN_X"])
                #expect(profiles.allSatisfy { string($0["numbers_hash"]) == hashes[string($0["id"]) ?? ""] })
            } else {
                #expect(string(provenance?["gpu_profile"]?["numbers_hash"]) == hashes["TITAN_X"], "\(name)")
            }
            #expect(provenance?["model_files"]?.plain == .array([]), "\(name): Paleo reads no model file")
        }
    }
}
