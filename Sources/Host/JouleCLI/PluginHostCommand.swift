import ArgumentParser
import Foundation
import Registry

/// `joule plugin-host`: the helper process of `--isolate-plugins`. Hidden: Joule starts it
/// with a socket on descriptor 3 and talks to it in the protocol of `PluginHostWire`;
/// nobody types it.
struct PluginHostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-host",
        abstract: "Serve one cost-model instance to the joule that started this process (internal).",
        shouldDisplay: false)

    func run() throws {
        let status = PluginHostServer.serve()
        if status != 0 { throw ExitCode(status) }
    }
}
