import Foundation
import JouleTestSupport
import PluginAPI
import Registry
import Testing

/// The loader's file checks beyond the plugin's own mode: every directory above it, links
/// out of a plugin directory, and files owned by someone else. Each case compiles a real C
/// plugin, so a refusal is the only thing that can keep it from loading.
@Suite struct PluginPermissionTests {
    /// outer/ (mode 777, not sticky) / inner / libprobe.so: others can rename inner and put
    /// their own library in its place, so the plugin is refused, naming outer.
    @Test func aDirectoryAboveThePluginWritableByOthersIsRefused() throws {
        let directory = try TemporaryDirectory()
        let outer = try directory.directory("outer")
        let inner = outer.appendingPathComponent("inner")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: false)
        try CCompiler.fixturePlugin("probe", into: directory, as: "outer/inner/libprobe.so")
        chmod(inner.path, 0o755)
        chmod(outer.path, 0o777)
        let refused = loadTestRegistry(pluginPaths: [inner.path])
        #expect(refused.plugins.isEmpty)
        guard case .unsafeFile(.writableByOthers(let path, true, _))? = refused.rejected.first?.reason else {
            Issue.record("expected outer/ to be named, got \(refused.rejected)")
            return
        }
        #expect(path == outer.resolvingSymlinksInPath().path)
        // The same tree with outer/ fixed loads.
        chmod(outer.path, 0o755)
        let loaded = loadTestRegistry(pluginPaths: [inner.path])
        #expect(loaded.plugins.count == 1 && loaded.rejected.isEmpty, "\(loaded.rejected)")
    }

    /// A link inside a plugin directory may point within it, not out of it; naming the
    /// target itself with --plugin-path still loads it.
    @Test func aLinkOutOfThePluginDirectoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        let plugins = try directory.directory("plugins")
        let elsewhere = try directory.directory("elsewhere")
        let outside = try CCompiler.fixturePlugin("probe", into: directory, as: "elsewhere/libprobe.so")
        try CCompiler.fixturePlugin("probe", into: directory, as: "plugins/libreal.so",
                                    extraFlags: ["-DPROBE_NAME=\"t.inside\"", "-DPROBE_MODEL_ID=\"inside\""])
        try FileManager.default.createSymbolicLink(atPath: plugins.appendingPathComponent("liblinked-out.so").path,
                                                   withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: plugins.appendingPathComponent("libalias.so").path,
                                                   withDestinationPath: "libreal.so")
        let registry = loadTestRegistry(pluginPaths: [plugins.path])
        #expect(registry.plugins.map(\.name) == ["t.inside"], "\(registry.rejected)")
        let reasons = registry.rejected.map(\.reason)
        #expect(reasons.count == 1)
        guard case .unsafeFile(.linksOutOfDirectory(_, let target, _))? = reasons.first else {
            Issue.record("expected the link out to be refused, got \(reasons)")
            return
        }
        #expect(target == outside.resolvingSymlinksInPath().path)
        _ = elsewhere
        let named = loadTestRegistry(pluginPaths: [outside.path])
        #expect(named.plugins.count == 1 && named.rejected.isEmpty)
    }

    /// Only root can give a file away, so this runs where the tests run as root (CI here).
    @Test(.enabled(if: geteuid() == 0, "needs root to chown a file to another user"))
    func aPluginOwnedBySomeoneElseIsRefused() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("probe", into: directory)
        #expect(chown(library.path, 4242, 4242) == 0)
        chmod(library.path, 0o755)  // chown may clear the mode's special bits; keep it plain
        let registry = loadTestRegistry(pluginPaths: [library.path])
        #expect(registry.plugins.isEmpty)
        guard case .unsafeFile(.foreignOwner(_, 4242))? = registry.rejected.first?.reason else {
            Issue.record("expected a foreign owner, got \(registry.rejected)")
            return
        }
    }
}
