import Foundation

/// What a finished process printed and how it ended.
public struct ProcessResult: Sendable {
    /// The exit status, or the signal number when a signal killed it (never one of the
    /// exit codes tests expect).
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs a program to completion, capturing its output.
///
/// - Parameters:
///   - environment: added to (and overriding) the current environment; a value of `nil`
///     removes the variable.
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so that neither can fill and block the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus,
        standardOutput: String(decoding: outData, as: UTF8.self),
        standardError: String(decoding: errData, as: UTF8.self))
}

/// Runs the built `joule` with `arguments`. `JOULE_PLUGIN_PATH`, `JOULE_GPU_PATH` and
/// `XDG_CONFIG_HOME` are cleared unless given, so the developer's own setup cannot leak in.
public func runJoule(_ arguments: [String], environment: [String: String?] = [:]) throws -> ProcessResult {
    var env: [String: String?] = ["JOULE_PLUGIN_PATH": nil, "JOULE_GPU_PATH": nil, "XDG_CONFIG_HOME": "/nonexistent-joule-test-config"]
    for (key, value) in environment { env[key] = value }
    return try runProcess(try PackageLayout.joule(), arguments, environment: env)
}
