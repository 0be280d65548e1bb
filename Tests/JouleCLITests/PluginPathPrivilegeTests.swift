import Foundation
import JouleTestSupport
import Testing

/// A set-uid `joule` must not take plugins from `$JOULE_PLUGIN_PATH`: whoever runs it
/// chooses the environment, and a plugin runs with the program's privileges.
@Suite struct PluginPathPrivilegeTests {
    /// Root can give a copy of `joule` to another user and mark it set-uid; the kernel
    /// honours the bit only where the file system is not mounted nosuid and the process may
    /// gain privileges (no `no_new_privs`, which some container runtimes set).
    static var canMakeSetUIDCopies: Bool {
        guard geteuid() == 0 else { return false }
        var info = statvfs()
        guard statvfs(NSTemporaryDirectory(), &info) == 0, info.f_flag & UInt(ST_NOSUID) == 0 else { return false }
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return !status.split(separator: "\n").contains { $0.hasPrefix("NoNewPrivs:") && $0.hasSuffix("1") }
    }

    @Test(.enabled(if: canMakeSetUIDCopies,
                   "needs root, a temporary directory on a file system without nosuid, and no no_new_privs: only then can the test run a set-uid copy of joule"))
    func thePluginPathFromTheEnvironmentIsIgnoredWhenSetUID() throws {
        let directory = try TemporaryDirectory()
        // The copy needs its bundled plugins (found next to the executable) and the
        // NeuralPower plugin's resources beside it; the Swift runtime it finds through its
        // absolute RUNPATH entry, which a set-uid program may still use ($ORIGIN it may not).
        let bin = try directory.directory("bin")
        for name in ["joule", "libJouleGPUProfiles.so", "libJoulePaleoModel.so", "libJouleNeuralPowerModel.so",
                     "Joule_NeuralPowerModel.resources"] {
            try FileManager.default.copyItem(at: try PackageLayout.product(name), to: bin.appendingPathComponent(name))
        }
        let joule = bin.appendingPathComponent("joule")
        let markers = try directory.directory("markers")
        try CCompiler.fixturePlugin("probe", into: directory, as: "markers/libmarker.so",
                                    extraFlags: ["-DPROBE_NAME=\"test.setuid-marker\""])
        let environment: [String: String?] = ["JOULE_PLUGIN_PATH": markers.path, "XDG_CONFIG_HOME": "/nonexistent-joule-test-config"]

        // The control: the same copy, not set-uid, lists the marker.
        let plain = try runProcess(joule, ["plugins"], environment: environment)
        #expect(plain.status == 0, "\(plain.standardError)")
        #expect(plain.standardOutput.contains("test.setuid-marker"), "\(plain.standardOutput)")
        #expect(plain.standardOutput.contains("joule.paleo"))

        #expect(chown(joule.path, 65534, 65534) == 0)
        #expect(chmod(joule.path, 0o4755) == 0)  // after chown, which clears the set-uid bit
        let elevated = try runProcess(joule, ["plugins"], environment: environment)
        #expect(elevated.status == 0, "\(elevated.standardError)")
        // It still finds its own plugins, so the copy did run, set-uid, and chose to ignore
        // the environment.
        #expect(elevated.standardOutput.contains("joule.paleo"), "\(elevated.standardOutput)")
        #expect(!elevated.standardOutput.contains("test.setuid-marker"), "\(elevated.standardOutput)")
        #expect(!elevated.standardOutput.contains(markers.path))
    }
}
