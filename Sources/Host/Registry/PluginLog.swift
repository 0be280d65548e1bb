import Foundation
import PluginAPI
import Synchronization

/// Where messages from plugins (through `joule_host_api.log`) and from the loader go.
///
/// Messages at or above `threshold` are written to standard error as
/// `joule: [plugin] warning: message`; all are kept so tests and reports can read them.
public final class PluginLog: Sendable {
    /// One logged message.
    public struct Message: Sendable, Equatable {
        public var source: String
        public var level: PluginHost.LogLevel
        public var text: String

        public init(source: String, level: PluginHost.LogLevel, text: String) {
            self.source = source
            self.level = level
            self.text = text
        }
    }

    /// The least severe level written to standard error.
    public let threshold: PluginHost.LogLevel
    private let messages = Mutex<[Message]>([])
    private let echo: Bool

    /// - Parameters:
    ///   - threshold: least severe level to print.
    ///   - echo: whether to print at all (tests turn it off).
    public init(threshold: PluginHost.LogLevel = .warning, echo: Bool = true) {
        self.threshold = threshold
        self.echo = echo
    }

    /// Everything logged so far.
    public var all: [Message] { messages.withLock { $0 } }

    public func log(_ level: PluginHost.LogLevel, source: String, _ text: String) {
        messages.withLock { $0.append(Message(source: source, level: level, text: text)) }
        guard echo, level.rawValue >= threshold.rawValue else { return }
        let label = switch level {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
        FileHandle.standardError.write(Data("joule: [\(source)] \(label): \(text)\n".utf8))
    }
}

/// The `joule_host_api` handed to one plugin, and what it points back to.
///
/// Each plugin gets its own table so that `log` knows who is speaking. Tables live until
/// exit, as the ABI promises.
final class HostServices: @unchecked Sendable {
    let source: String
    let log: PluginLog

    private init(source: String, log: PluginLog) {
        self.source = source
        self.log = log
    }

    /// A permanent host table for the plugin at `source`.
    static func makeTable(source: String, log: PluginLog) -> UnsafePointer<joule_host_api> {
        let services = HostServices(source: source, log: log)
        let table = UnsafeMutablePointer<joule_host_api>.allocate(capacity: 1)
        table.initialize(to: joule_host_api(
            struct_size: abiSize(of: joule_host_api.self),
            abi_version: jouleABIVersion,
            host_data: Unmanaged.passRetained(services).toOpaque(),
            host_version: JouleVersion.cString,
            log: hostLog,
            get_service: hostGetService))
        return UnsafePointer(table)
    }
}

private let hostLog: @convention(c) (UnsafePointer<joule_host_api>?, Int32, UnsafePointer<CChar>?) -> Void = { host, level, message in
    guard let host, let data = host.pointee.host_data else { return }
    let services = Unmanaged<HostServices>.fromOpaque(data).takeUnretainedValue()
    let text = String(optionalCString: message) ?? ""
    let clamped = PluginHost.LogLevel(rawValue: max(0, min(3, level))) ?? .info
    services.log.log(clamped, source: services.source, text)
}

// ABI 1.0 hosts offer no named services yet.
private let hostGetService: @convention(c) (UnsafePointer<joule_host_api>?, UnsafePointer<CChar>?) -> UnsafeRawPointer? = { _, _ in
    nil
}

/// Joule's own version.
public enum JouleVersion {
    public static let string = "0.1.0"
    // Written once, never mutated, never freed: the ABI says it lives until exit.
    nonisolated(unsafe) static let cString: UnsafePointer<CChar> = {
        let utf8 = Array(string.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        buffer.initialize(from: utf8, count: utf8.count)
        return UnsafePointer(buffer)
    }()
}
