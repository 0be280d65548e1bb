import Foundation
import JouleTestSupport
import PluginAPI
import Registry
import Testing

/// Drop-in GPU profile files, read through the bundled GPU-profiles plugin's loader.
@Suite struct ProfileFileTests {
    /// How many profiles the bundled plugins provide with no drop-in files.
    static func builtInProfileCount() throws -> Int {
        let count = loadTestRegistry(bundled: true).profiles.count
        try #require(count > 0, "the bundled plugins provide no profiles")
        return count
    }

    static let valid = """
        {
          "id": "LAB_A100_POWERCAPPED",
          "name": "A100 SXM4 40 GB capped at 250 W",
          "vendor": "NVIDIA",
          "architecture": "Ampere",
          "aliases": ["lab-a100"],
          "peak_flops": {"fp32": "19.5 TFLOP/s", "tensor": 312e12},
          "memory_bandwidth_bytes_per_second": "1555 GB/s",
          "memory_bytes": "40 GiB",
          "tdp_watts": "250 W",
          "idle_watts": 52,
          "source": {"summary": "nvidia-smi -pl 250 on our cluster", "tdp_watts": "power cap we set"}
        }
        """

    @Test func aValidDropInIsListedWithItsUnitsConverted() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("lab.json", Self.valid)
        let registry = loadTestRegistry(bundled: true, gpuFiles: [file.path])
        #expect(registry.profileFileProblems.isEmpty, "\(registry.profileFileProblems)")
        let entry = try registry.profile(named: "LAB-A100")
        #expect(entry.origin == .file(path: file.path, loader: "joule.gpu-profiles"))
        let p = entry.profile
        #expect(p.peakFlops.fp32 == 19.5e12)
        #expect(p.peakFlops.tensor == 312e12)
        #expect(p.peakFlops.fp16 == 0)
        #expect(p.memoryBandwidthBytesPerSecond == 1555e9)
        #expect(p.memoryBytes == 40 * 1_073_741_824)
        #expect(p.tdpWatts == 250)
        #expect(p.idleWatts == 52)
        #expect(p.source["tdp_watts"] == "power cap we set")
        let builtIns = try Self.builtInProfileCount()
        #expect(registry.profiles.count == builtIns + 1, "the built-ins plus the drop-in")
    }

    @Test func aDropInWithABuiltInIDOverridesIt() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("titan.json", Self.valid.replacingOccurrences(of: "LAB_A100_POWERCAPPED", with: "titan_x"))
        let registry = loadTestRegistry(bundled: true, gpuFiles: [file.path])
        let entry = try registry.profile(named: "TITAN_X")
        #expect(entry.profile.tdpWatts == 250)
        #expect(entry.profile.peakFlops.fp32 == 19.5e12)
        #expect(entry.overrides == .plugin(name: "joule.gpu-profiles"))
        let builtIns = try Self.builtInProfileCount()
        #expect(registry.profiles.count == builtIns, "the drop-in replaces a built-in, adding none")
    }

    @Test(arguments: [
        ("missing", #""tdp_watts": "250 W","#, "", "line 1: field 'tdp_watts': missing (required)"),
        ("non-numeric", #""tdp_watts": "250 W""#, #""tdp_watts": "lots""#,
         #"line 10: field 'tdp_watts': "lots" is not a number with a unit (e.g. "700 W")"#),
        ("non-positive", #""memory_bytes": "40 GiB""#, #""memory_bytes": 0"#,
         "line 9: field 'memory_bytes': must be positive, got 0"),
        ("unknown unit", #""1555 GB/s""#, #""1555 GB/sec""#,
         "line 8: field 'memory_bandwidth_bytes_per_second': unknown unit 'GB/sec' for a bandwidth"),
        ("typo", #""idle_watts": 52"#, #""idle_wats": 52"#,
         #"line 11: field 'idle_wats': unknown field; did you mean "idle_watts"?"#),
    ])
    func eachBrokenFileIsRejectedNamingTheFileAndField(case: String, original: String, replacement: String, expected: String) throws {
        let directory = try TemporaryDirectory()
        let broken = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(broken != Self.valid, "the \(`case`) mutation must change the file")
        let file = try directory.write("broken.json", broken)
        let registry = loadTestRegistry(bundled: true, gpuFiles: [file.path])
        let problem = try #require(registry.profileFileProblems.first)
        #expect(problem.path == file.path)
        #expect(problem.description.hasPrefix("\(file.path): \(expected)"), "got: \(problem.description)")
        #expect(throws: RegistryError.self) { try registry.profile(named: "LAB_A100_POWERCAPPED") }
    }

    @Test func malformedJSONIsRejectedWithItsLine() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("bad.json", "{\n  \"id\": \"X\",\n  \"name\": \"Y\"\n  \"tdp_watts\": 3\n}\n")
        let registry = loadTestRegistry(bundled: true, gpuFiles: [file.path])
        #expect(registry.profileFileProblems.map(\.description)
                == ["\(file.path): not valid JSON: line 4, column 3: expected ',' or '}' after the value of \"name\", got '\"'"])
    }

    @Test func twoFilesWithOneIDKeepTheFirstAndNameTheSecond() throws {
        let directory = try TemporaryDirectory()
        let gpus = try directory.directory("gpus")
        try directory.write("gpus/a.json", Self.valid)
        try directory.write("gpus/b.json", Self.valid)
        try directory.write("gpus/README.txt", "not a profile, and ignored because no loader reads .txt")
        let registry = loadTestRegistry(bundled: true, gpuFiles: [gpus.path])
        #expect(try registry.profile(named: "LAB_A100_POWERCAPPED").origin == .file(path: gpus.path + "/a.json", loader: "joule.gpu-profiles"))
        #expect(registry.profileFileProblems.map(\.path) == [gpus.path + "/b.json"])
        #expect(registry.profileFileProblems[0].message.hasPrefix("field 'id': profile 'LAB_A100_POWERCAPPED' is already defined by"))
    }

    @Test func withoutAProfilesPluginFilesCannotBeRead() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("lab.json", Self.valid)
        let registry = loadTestRegistry(bundled: false, gpuFiles: [file.path])
        #expect(registry.profileFileProblems.first?.message
                == "no plugin reads profile files (is the GPU profiles plugin installed? see `joule plugins`)")
    }

    @Test func unknownNamesGetASuggestion() throws {
        let registry = loadTestRegistry(bundled: true)
        #expect(throws: RegistryError.unknownProfile("H10", suggestion: "H100", fileProblems: [])) {
            try registry.profile(named: "H10")
        }
    }
}
