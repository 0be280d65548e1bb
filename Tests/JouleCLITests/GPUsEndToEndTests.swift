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
}
