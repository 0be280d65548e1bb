import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a measured process ended, what it printed, and what it cost.
public struct MeasuredRun: Sendable {
    /// How the process ended.
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        /// A normal exit with this status.
        case exited(Int32)
        /// Killed by this signal (a crash: SIGSEGV, SIGILL from a Swift trap, SIGABRT…).
        case signalled(Int32)
        /// Still running at the time-out, so killed with SIGKILL by the runner.
        case timedOut

        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "killed by signal \(signal)"
            case .timedOut: "killed after the time-out"
            }
        }
    }

    public var ending: Ending
    public var standardOutput: String
    public var standardError: String
    /// Wall-clock seconds from spawning to reaping.
    public var wallSeconds: Double
    /// The child's user plus system CPU seconds.
    public var cpuSeconds: Double
    /// The child's peak resident set size in bytes: the last `VmHWM` read from
    /// /proc/PID/status while it ran, polled every 2 ms (the high-water mark only grows, so
    /// this misses at most the growth of the last 2 ms).
    ///
    /// Not `ru_maxrss` from `wait4`: posix_spawn starts the child in the parent's address
    /// space (vfork), and Linux carries that space's high-water mark across exec, so
    /// `ru_maxrss` reports at least the test runner's own peak.
    public var maximumResidentBytes: Int
}

/// Runs a program to completion or until `timeout` seconds have passed, measuring its wall
/// time, CPU time and peak memory.
///
/// `runProcess` (Foundation's `Process`) cannot say how much memory a child used and waits
/// for ever on one that hangs. This spawns the child itself and reaps it with `wait4`, which
/// returns the child's own resource usage; output goes to files, so no pipe can fill and
/// block it; standard input is /dev/null.
///
/// - Parameters:
///   - environment: added to (and overriding) the current environment; `nil` removes a variable.
///   - timeout: seconds after which the child is killed with SIGKILL and the run reported
///     as `.timedOut`.
/// - Throws: `TestSupportError` when the child cannot be started.
public func runMeasured(
    _ executable: URL, _ arguments: [String], environment: [String: String?] = [:], timeout: Double
) throws -> MeasuredRun {
    let directory = try TemporaryDirectory("joule-measured")
    let outPath = directory.file("stdout").path, errPath = directory.file("stderr").path

    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

    let start = DispatchTime.now().uptimeNanoseconds
    func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
    guard spawned == 0 else {
        throw TestSupportError("posix_spawn \(executable.path) failed: \(String(cString: strerror(spawned)))")
    }

    // Poll rather than block, so that a hang is cut off at the time-out.
    var status: Int32 = 0
    var usage = rusage()
    var timedOut = false
    var peakResident = 0
    let statusFile = "/proc/\(pid)/status"
    while true {
        peakResident = max(peakResident, highWaterMark(statusFile) ?? 0)
        let reaped = wait4(pid, &status, WNOHANG, &usage)
        if reaped == pid { break }
        if reaped == -1 && errno != EINTR {
            throw TestSupportError("wait4 failed: \(String(cString: strerror(errno)))")
        }
        if elapsed() > timeout {
            kill(pid, SIGKILL)
            timedOut = true
            while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
            break
        }
        usleep(2000)
    }
    let wall = elapsed()

    // The <sys/wait.h> macros, which Swift does not import.
    let low = status & 0x7F
    let ending: MeasuredRun.Ending = timedOut ? .timedOut : (low == 0 ? .exited((status >> 8) & 0xFF) : .signalled(low))
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    func read(_ path: String) -> String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data(), as: UTF8.self)
    }
    return MeasuredRun(
        ending: ending, standardOutput: read(outPath), standardError: read(errPath), wallSeconds: wall,
        cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        maximumResidentBytes: peakResident)
}

/// `VmHWM` of a /proc/PID/status file in bytes; nil once the process has exited.
private func highWaterMark(_ statusFile: String) -> Int? {
    guard let text = try? String(contentsOfFile: statusFile, encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return nil }
    // "VmHWM:\t   35840 kB"
    return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
}

/// `runMeasured` on the built `joule`, with the environment `runJoule` uses: no plugin or
/// profile paths from the developer's own setup, then `environment` on top.
public func runJouleMeasured(_ arguments: [String], environment: [String: String?] = [:], timeout: Double) throws -> MeasuredRun {
    var env: [String: String?] = ["JOULE_PLUGIN_PATH": nil, "JOULE_GPU_PATH": nil, "XDG_CONFIG_HOME": "/nonexistent-joule-test-config"]
    for (key, value) in environment { env[key] = value }
    return try runMeasured(try PackageLayout.joule(), arguments, environment: env, timeout: timeout)
}
