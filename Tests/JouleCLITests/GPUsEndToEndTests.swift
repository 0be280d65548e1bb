import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule gpus`, `joule gpus show`, and drop-in profiles through the command line.
@Suite struct GPUsEndToEndTests {
    @Test func theListHasAtLeast25ProfilesInTableAndJSON() throws {
        let table = try runJoule(["gpus"])
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("H100_SXM"))
        #expect(table.standardOutput.contains("TITAN_X"))
        let json = try runJoule(["gpus", "--format", "json"])
        let root = try JSONParser.parse(json.standardOutput)
        guard case .array(let gpus)? = root["gpus"]?.value else {
            Issue.record("no gpus array")
            return
        }
        #expect(gpus.count >= 25)
        let titan = try #require(gpus.first { $0["id"]?.plain == .string("TITAN_X") })
        #expect(titan["peak_flops"]?["fp32"]?.plain == .number(6144e9))
        #expect(titan["memory_bandwidth_bytes_per_second"]?.plain == .number(336.5e9))
        #expect(titan["aliases"] != nil && titan["tdp_watts"] != nil && titan["idle_watts"] != nil && titan["source"] != nil)
    }

    @Test func showPrintsAValidDropInThatLoadsBackUnderANewID() throws {
        let shown = try runJoule(["gpus", "show", "h100", "--format", "json"])
        #expect(shown.status == 0, "\(shown.standardError)")
        let directory = try TemporaryDirectory()
        let edited = shown.standardOutput
            .replacingOccurrences(of: "\"id\": \"H100_SXM\"", with: "\"id\": \"MY_H100_500W\"")
            .replacingOccurrences(of: "\"tdp_watts\": 700", with: "\"tdp_watts\": 500")
            .replacingOccurrences(of: "\"aliases\": [\"H100\", \"H100_SXM5\", \"H100_SXM5_80GB\"]", with: "\"aliases\": []")
        #expect(edited != shown.standardOutput)
        let file = try directory.write("my-h100.json", edited)
        let listed = try runJoule(["gpus", "show", "MY_H100_500W", "--gpu-file", file.path, "--format", "json"])
        #expect(listed.status == 0, "\(listed.standardError)")
        let root = try JSONParser.parse(listed.standardOutput)
        #expect(root["tdp_watts"]?.plain == .number(500))
        #expect(root["memory_bandwidth_bytes_per_second"]?.plain == .number(3.35e12))
    }

    @Test func aBrokenGPUFileFailsWithTheFileAndFieldOnStandardError() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("broken.json", """
            {"id": "BROKEN", "name": "Broken GPU", "peak_flops": {"fp32": "12 TFLOP/s"},
             "memory_bandwidth_bytes_per_second": "500 GB/s", "memory_bytes": "16 GiB",
             "tdp_watts": -300}
            """)
        let result = try runJoule(["gpus", "--gpu-file", file.path])
        #expect(result.status == 65)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "joule: error: \(file.path): line 3: field 'tdp_watts': must be positive, got -300\n")
    }

    @Test func brokenFilesInTheEnvironmentAreWarnedAboutNotFatal() throws {
        let directory = try TemporaryDirectory()
        try directory.write("gpus/bad.json", "{\"id\": \"X\"}")
        let result = try runJoule(["gpus"], environment: ["JOULE_GPU_PATH": directory.path + "/gpus"])
        #expect(result.status == 0)
        #expect(result.standardError.hasPrefix("joule: warning: GPU profile \(directory.path)/gpus/bad.json: line 1: field 'name': missing (required)"))
    }

    @Test func userConfigurationDirectoryIsRead() throws {
        let directory = try TemporaryDirectory()
        try directory.write("joule/gpus/lab.json", """
            {"id": "LAB_GPU", "name": "Lab GPU", "peak_flops": {"fp32": 1e13},
             "memory_bandwidth_bytes_per_second": 5e11, "memory_bytes": 1.6e10, "tdp_watts": 250}
            """)
        let result = try runJoule(["gpus", "show", "lab_gpu"], environment: ["XDG_CONFIG_HOME": directory.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Lab GPU (LAB_GPU)"))
        #expect(result.standardOutput.contains("not stated"), "unsourced numbers say so")
    }

    @Test func anUnknownGPUIsABadInputWithASuggestion() throws {
        let result = try runJoule(["gpus", "show", "A1000"])
        #expect(result.status == 65)
        #expect(result.standardError.hasPrefix("joule: error: unknown GPU 'A1000'; did you mean"))
    }

    /// Estimates record a fingerprint of the profile's numbers. TITAN_X's was computed
    /// outside Joule (FNV-1a 64 in Python over the documented canonical line); a drop-in
    /// that changes a number changes it, one that changes only the name does not.
    @Test func estimatesFingerprintTheProfileNumbers() throws {
        let spec = PackageLayout.root.appendingPathComponent("Examples/nets/nin.json").path
        func hash(_ gpu: String, _ extra: [String] = []) throws -> JSON? {
            let result = try runJoule(["estimate", spec, "--gpu", gpu, "--format", "json"] + extra)
            #expect(result.status == 0, "\(result.standardError)")
            return try JSONParser.parse(result.standardOutput)["provenance"]?["gpu_profile"]?["numbers_hash"]?.plain
        }
        #expect(try hash("TITAN_X") == .string("fnv1a64:a372cc4766ded4e5"))

        let shown = try runJoule(["gpus", "show", "TITAN_X", "--format", "json"]).standardOutput
        let directory = try TemporaryDirectory()
        func dropIn(_ name: String, _ edit: (String) -> String) throws -> String {
            let text = edit(shown.replacingOccurrences(of: "\"id\": \"TITAN_X\"", with: "\"id\": \"MY_TITAN\"")
                .replacingOccurrences(of: "\"aliases\": [\"GTX_TITAN_X\", \"TITAN_X_MAXWELL\"]", with: "\"aliases\": []"))
            return try directory.write(name, text).path
        }
        let renamed = try dropIn("renamed.json") { $0.replacingOccurrences(of: "\"name\": \"NVIDIA GeForce GTX TITAN X (Maxwell, 12 GB)\"", with: "\"name\": \"Mine\"") }
        let hotter = try dropIn("hotter.json") { $0.replacingOccurrences(of: "\"tdp_watts\": 250", with: "\"tdp_watts\": 275") }
        #expect(try hash("MY_TITAN", ["--gpu-file", renamed]) == .string("fnv1a64:a372cc4766ded4e5"))
        let changed = try hash("MY_TITAN", ["--gpu-file", hotter])
        #expect(changed != nil && changed != .string("fnv1a64:a372cc4766ded4e5"))
    }
}

