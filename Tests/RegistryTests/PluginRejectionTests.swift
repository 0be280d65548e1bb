import Foundation
import JouleTestSupport
import PluginAPI
import Registry
import Testing

/// Libraries that must be refused, each with its own reason, without stopping the others.
@Suite struct PluginRejectionTests {
    @Test func eachBadLibraryIsRejectedWithItsReasonAndTheRestLoad() throws {
        let directory = try TemporaryDirectory()
        let plugins = try directory.directory("plugins")
        func build(_ flags: [String], _ name: String) throws {
            try CCompiler.fixturePlugin("probe", into: directory, as: "plugins/\(name)", extraFlags: flags)
        }
        try build([], "libgood.so")
        try build(["-DPROBE_ABI_MISMATCH", "-DPROBE_NAME=\"t.abi\""], "libabi.so")
        try build(["-DPROBE_NO_ENTRY", "-DPROBE_NAME=\"t.noentry\""], "libnoentry.so")
        try build(["-DPROBE_INIT_FAILS", "-DPROBE_NAME=\"t.initfails\""], "libinitfails.so")
        try build(["-DPROBE_SWIFT_TOOLCHAIN=\"Swift 5.9\"", "-DPROBE_NAME=\"t.swift\""], "libswift.so")
        try build(["-DPROBE_NULL_MODEL_ID", "-DPROBE_NAME=\"t.nullid\""], "libnullid.so")
        try build(["-DPROBE_NAME=\"t.writable\""], "libwritable.so")
        chmod(plugins.appendingPathComponent("libwritable.so").path, 0o775)
        // Same plugin name as libgood.so, loaded after it (directory order is sorted).
        try build(["-DPROBE_MODEL_ID=\"other\""], "libzz-duplicate.so")
        var garbage = Data("this is not a shared library\n".utf8)
        garbage.append(contentsOf: (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        try garbage.write(to: plugins.appendingPathComponent("libgarbage.so"))
        chmod(plugins.appendingPathComponent("libgarbage.so").path, 0o644)

        let registry = loadTestRegistry(pluginPaths: [plugins.path])
        #expect(registry.plugins.map(\.name) == ["test.probe"])
        #expect(try registry.costModel(named: "probe").pluginName == "test.probe")

        let reasons = Dictionary(uniqueKeysWithValues: registry.rejected.map {
            (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason)
        })
        #expect(reasons.count == 8)
        #expect(reasons["libabi.so"] == .abiMajorMismatch(plugin: packABIVersion(major: 2, minor: 0), host: jouleABIVersion))
        #expect(reasons["libnoentry.so"] == .missingEntrySymbol)
        #expect(reasons["libinitfails.so"] == .initFailed(status: JOULE_FAILED, message: "licence file /etc/probe.lic not found"))
        #expect(reasons["libswift.so"] == .swiftToolchainMismatch(plugin: "Swift 5.9", host: SwiftToolchain.current))
        #expect(reasons["libnullid.so"] == .invalidDescriptor(DescriptorError(field: "cost_models[0].id", problem: "is NULL")))
        #expect(reasons["libgarbage.so"] == .notSharedLibrary)
        #expect(reasons["libzz-duplicate.so"] == .duplicatePlugin(name: "test.probe", loadedFrom: plugins.appendingPathComponent("libgood.so").path))

        // The messages a user reads say what to do.
        #expect(reasons["libabi.so"]?.description.contains("plugin implements 2.0, host speaks 1.1; upgrade Joule") == true)
        #expect(reasons["libgarbage.so"]?.description == "not a shared library (no ELF header)")
        #expect(reasons["libwritable.so"]?.description.contains("chmod go-w") == true)

        guard case .unsafeFile(.writableByOthers(_, false, let mode))? = reasons["libwritable.so"] else {
            Issue.record("group-writable file not refused: \(String(describing: reasons["libwritable.so"]))")
            return
        }
        #expect(mode & 0o777 == 0o775)
    }

    @Test func aDirectoryWritableByOthersIsRefused() throws {
        let directory = try TemporaryDirectory()
        let plugins = try directory.directory("shared-plugins")
        try CCompiler.fixturePlugin("probe", into: directory, as: "shared-plugins/libprobe.so")
        chmod(plugins.path, 0o777)
        let registry = loadTestRegistry(pluginPaths: [plugins.path])
        #expect(registry.plugins.isEmpty)
        guard case .unsafeFile(.writableByOthers(let path, true, _))? = registry.rejected.first?.reason else {
            Issue.record("expected a refusal of the directory, got \(registry.rejected)")
            return
        }
        #expect(path == plugins.path)
    }

    @Test func aMissingPathNamedByTheUserIsReported() {
        let registry = loadTestRegistry(pluginPaths: ["/nonexistent/joule-plugins"])
        #expect(registry.rejected == [RejectedPlugin(path: "/nonexistent/joule-plugins",
                                                     reason: .cannotOpen("no such file or directory (from --plugin-path)"))])
    }

    @Test func theSameFileReachedTwiceLoadsOnce() throws {
        let directory = try TemporaryDirectory()
        let library = try CCompiler.fixturePlugin("probe", into: directory)
        let registry = loadTestRegistry(pluginPaths: [directory.path, library.path])
        #expect(registry.plugins.count == 1)
        #expect(registry.rejected.isEmpty)
    }

    @Test func searchPathOrderIsExecutableDirectoryThenEnvironmentThenCommandLine() {
        let path = PluginSearchPath.standard(executableDirectory: "/opt/joule/bin",
                                             environment: ["JOULE_PLUGIN_PATH": "/a:/b::"], commandLine: ["/c"])
        #expect(path.entries == [
            .init(path: "/opt/joule/bin", origin: .executableDirectory),
            .init(path: "/a", origin: .environment),
            .init(path: "/b", origin: .environment),
            .init(path: "/c", origin: .commandLine),
        ])
        let none = PluginSearchPath.standard(executableDirectory: nil, environment: [:], commandLine: [])
        #expect(none.entries.isEmpty, "the current directory is never searched implicitly")
    }

    @Test func aModelIDSharedByTwoPluginsResolvesToTheFirstAndBothByQualifiedID() throws {
        let directory = try TemporaryDirectory()
        let first = try CCompiler.fixturePlugin("probe", into: directory, as: "liba.so")
        let second = try CCompiler.fixturePlugin("probe", into: directory, as: "libb.so", extraFlags: ["-DPROBE_NAME=\"test.second\""])
        let registry = loadTestRegistry(pluginPaths: [first.path, second.path])
        #expect(try registry.costModel(named: "probe").qualifiedID == "test.probe/probe")
        #expect(try registry.costModel(named: "test.second/probe").pluginName == "test.second")
        #expect(throws: RegistryError.unknownCostModel("nope", available: ["test.probe/probe", "test.second/probe"])) {
            try registry.costModel(named: "nope")
        }
    }
}
