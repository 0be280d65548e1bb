import Foundation

/// How an isolated plugin host stopped serving: what the user reads after "cost model …,
/// layer …:" when `--isolate-plugins` caught a plugin that crashed or hung.
public enum PluginHostFault: Error, Sendable, Equatable, CustomStringConvertible {
    /// Killed by a signal: the plugin crashed (SIGSEGV, SIGBUS, SIGFPE, SIGABRT…).
    case crashed(signal: Int32)
    /// Exited on its own in the middle of a call (a plugin that calls `exit`).
    case exited(status: Int32)
    /// No answer within the time-out; the helper was killed.
    case timedOut(seconds: Double)
    /// The helper could not be started, or its answers do not parse.
    case broken(String)

    public var description: String {
        switch self {
        case .crashed(let signal):
            return "crashed with \(signalName(signal)) (\(String(cString: strsignal(signal)))) in its isolated plugin host process"
        case .exited(let status):
            return "its isolated plugin host process exited with status \(status) in the middle of the call"
        case .timedOut(let seconds):
            return "timed out after \(formatSeconds(seconds)) s (--plugin-timeout); its isolated plugin host process was killed"
        case .broken(let reason):
            return "the isolated plugin host failed: \(reason)"
        }
    }
}

/// The conventional name of a signal, e.g. "SIGSEGV".
public func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT",
        SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
        SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
    ]
    return names[signal] ?? "signal \(signal)"
}

/// "10" for whole seconds, "0.25" otherwise.
func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() && seconds < 1e15 ? String(Int64(seconds)) : String(seconds)
}

/// One helper process serving one cost-model instance over a socket, and the discipline
/// that keeps it from hurting Joule: every exchange has a deadline; a helper that misses
/// it is killed with SIGKILL and reaped at once; one that dies is reaped and its signal or
/// status read. Nothing here blocks without a deadline, so Joule neither hangs nor leaves
/// zombies behind.
///
/// Why a socket pair rather than two pipes: one descriptor each way is enough, and
/// `send(MSG_NOSIGNAL)` turns a write to a dead helper into an error instead of a SIGPIPE
/// that would kill Joule, without touching the process-wide signal settings.
///
/// The helper sees the socket as file descriptor 3, standard input as /dev/null and
/// standard output as Joule's standard error, so a plugin that prints can neither corrupt
/// the protocol nor Joule's own output. Not thread-safe: one caller at a time, as for any
/// cost-model instance.
final class PluginHostProcess {
    /// The helper's end of the socket: fixed, so the helper needs no argument to find it.
    static let helperDescriptor: Int32 = 3

    let pid: pid_t
    private var socket: Int32
    let timeout: Double
    /// The first fault seen, and in which call; every call after it fails with it.
    private(set) var fault: (PluginHostFault, call: String)?
    private var reaped = false

    /// Starts `executable arguments…` with the socket on descriptor 3.
    ///
    /// - Parameter environment: added to the inherited environment.
    init(executable: String, arguments: [String], environment: [String: String], timeout: Double) throws(PluginHostFault) {
        self.timeout = timeout
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw .broken("socketpair: \(String(cString: strerror(errno)))")
        }
        // Both ends are close-on-exec, so a helper started concurrently by another thread
        // never inherits this one's socket (it would keep the socket open after this helper
        // died, and Joule would wait for the time-out instead of seeing the crash). The
        // child's end is dup2'ed onto 3 in the child, which clears the flag there; it must
        // not already be 3, where dup2 would do nothing.
        var child = pair[1]
        if child <= Self.helperDescriptor {
            let moved = fcntl(child, F_DUPFD_CLOEXEC, 10)
            close(child)
            child = moved
        }
        defer { close(child) }
        socket = pair[0]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        posix_spawn_file_actions_adddup2(&actions, child, Self.helperDescriptor)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            close(pair[0])
            throw .broken("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
    }

    deinit { shutDown() }

    /// Sends one message and waits for the answer, all within the time-out.
    ///
    /// - Parameter call: what is being asked, for the message of a later call that finds the
    ///   helper already gone ("estimate_layer of conv2").
    /// - Throws: the fault; the helper is then dead and reaped.
    func exchange(_ message: WireWriter, call: String) throws(PluginHostFault) -> (PluginHostMessage, WireReader) {
        if let (fault, _) = fault { throw fault }
        let deadline = Deadline(seconds: timeout)
        do throws(PluginHostFault) {
            try send(message.framed, deadline)
            let header = try receive(4, deadline)
            let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
            guard length >= 1, length <= PluginHostWire.maximumPayload else {
                throw PluginHostFault.broken("an answer of \(length) bytes; a plugin may have written to descriptor 3")
            }
            let payload = try receive(length, deadline)
            guard let kind = PluginHostMessage(rawValue: payload[0]) else {
                throw PluginHostFault.broken("an answer of unknown kind \(payload[0])")
            }
            return (kind, WireReader(payload: Array(payload[1...])))
        } catch {
            fail(error, call: call)
            throw self.fault!.0
        }
    }

    /// Records a fault found by the caller (an answer that does not parse) and stops the
    /// helper.
    func fail(_ fault: PluginHostFault, call: String) {
        // A helper that talks nonsense is killed; the nonsense, not the SIGKILL, is the news.
        if case .broken = fault { stop(kill: true) }
        if self.fault == nil { self.fault = (fault, call) }
        shutDown()
    }

    /// Closes the socket, which tells a healthy helper to finish, and reaps it; a helper
    /// that does not exit within a second is killed.
    func shutDown() {
        if socket >= 0 {
            close(socket)
            socket = -1
        }
        _ = stop(kill: false)
    }

    /// Reaps the helper, killing it first when `kill` is set or when it lingers; returns how
    /// it ended, as a fault, when it ended abnormally.
    @discardableResult
    private func stop(kill force: Bool) -> PluginHostFault? {
        guard !reaped else { return nil }
        var status: Int32 = 0
        if force { kill(pid, SIGKILL) }
        let grace = Deadline(seconds: 1)
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result == -1 && errno != EINTR {
                reaped = true
                return nil
            }
            if grace.expired {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                break
            }
            usleep(1000)
        }
        reaped = true
        // The <sys/wait.h> macros, which Swift does not import.
        let signal = status & 0x7F
        if signal != 0 { return .crashed(signal: signal) }
        return .exited(status: (status >> 8) & 0xFF)
    }

    /// Turns the end of the stream into the reason: the helper died, so reap it and say how.
    private func ended() -> PluginHostFault {
        close(socket)
        socket = -1
        return stop(kill: false) ?? .broken("the helper closed its socket")
    }

    private func send(_ bytes: [UInt8], _ deadline: Deadline) throws(PluginHostFault) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try wait(for: Int16(POLLOUT), deadline)
            } else {
                throw ended()
            }
        }
    }

    private func receive(_ count: Int, _ deadline: Deadline) throws(PluginHostFault) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + got, count - got, 0) }
            if n > 0 {
                got += n
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                try wait(for: Int16(POLLIN), deadline)
            } else {
                throw ended()
            }
        }
        return bytes
    }

    /// Waits until the socket is ready or the deadline passes; at the deadline the helper
    /// is killed and reaped.
    private func wait(for events: Int16, _ deadline: Deadline) throws(PluginHostFault) {
        while true {
            let left = deadline.millisecondsLeft
            if left <= 0 {
                close(socket)
                socket = -1
                stop(kill: true)
                throw .timedOut(seconds: timeout)
            }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left, 1000)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .broken("poll: \(String(cString: strerror(errno)))") }
        }
    }
}

/// A point in time on the monotonic clock.
struct Deadline {
    let nanoseconds: UInt64

    init(seconds: Double) {
        nanoseconds = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, min(seconds, 1e9)) * 1e9)
    }

    var millisecondsLeft: Int {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= nanoseconds ? 0 : Int((nanoseconds - now + 999_999) / 1_000_000)
    }

    var expired: Bool { millisecondsLeft == 0 }
}
