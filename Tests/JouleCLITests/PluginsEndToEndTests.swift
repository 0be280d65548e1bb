import Foundation
import JouleJSON
import JouleTestSupport
import Testing

/// `joule plugins`, run as a user runs it.
@Suite struct PluginsEndToEndTests {
    @Test func jsonListsTheThreeBundledPluginsWithTheirComponents() throws {
        let result = try runJoule(["plugins", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try JSONParser.parse(result.standardOutput)
        #expect(root["schema_version"]?.plain == .integer(1))
        guard case .array(let plugins)? = root["plugins"]?.value else {
            Issue.record("no plugins array")
            return
        }
        let byName = Dictionary(uniqueKeysWithValues: plugins.compactMap { plugin -> (String, JSONNode)? in
            guard case .string(let name)? = plugin["name"]?.value else { return nil }
            return (name, plugin)
        })
        #expect(Set(byName.keys) == ["joule.gpu-profiles", "joule.paleo", "joule.neuralpower"])
        let profiles = byName["joule.gpu-profiles"]?["profiles"]
        guard case .array(let ids)? = profiles?.value else {
            Issue.record("no profiles")
            return
        }
        #expect(ids.count >= 25)
        #expect(byName["joule.gpu-profiles"]?["abi"]?.plain == .string("1.1"))
        #expect(byName["joule.paleo"]?["cost_models"]?.plain == .array([.string("paleo")]))
        #expect(byName["joule.neuralpower"]?["cost_models"]?.plain == .array([.string("neuralpower")]))
        #expect(root["rejected"]?.plain == .array([]))
    }

    @Test func rejectedLibrariesAreListedWithReasonsAndTheRestStillLoad() throws {
        let directory = try TemporaryDirectory()
        try directory.write("libjunk.so", "not ELF")
        try CCompiler.fixturePlugin("probe", into: directory, as: "libfails.so", extraFlags: ["-DPROBE_INIT_FAILS"])
        let result = try runJoule(["plugins", "--plugin-path", directory.path, "--format", "json"])
        #expect(result.status == 0)
        let root = try JSONParser.parse(result.standardOutput)
        #expect(root["rejected"]?.plain == .array([
            .object([("path", .string(directory.path + "/libfails.so")),
                     ("reason", .string("joule_plugin_init failed with status 1 (JOULE_FAILED): licence file /etc/probe.lic not found"))]),
            .object([("path", .string(directory.path + "/libjunk.so")), ("reason", .string("not a shared library (no ELF header)"))]),
        ]))
        guard case .array(let plugins)? = root["plugins"]?.value else { Issue.record("no plugins list"); return }
        #expect(plugins.count == 3)
    }

    @Test func pluginsComeFromTheEnvironmentToo() throws {
        let directory = try TemporaryDirectory()
        try CCompiler.fixturePlugin("probe", into: directory)
        let result = try runJoule(["plugins"], environment: ["JOULE_PLUGIN_PATH": directory.path])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("test.probe"))
        #expect(result.standardOutput.contains(directory.path + "/libprobe.so"))
    }

    @Test func versionNamesTheABIAndToolchain() throws {
        let result = try runJoule(["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("joule 0.1.0 (plugin ABI 1.1, Swift "))
    }
}
