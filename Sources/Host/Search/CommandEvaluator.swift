import Dispatch
import Foundation
import Network

/// `--accuracy command:"CMD {spec}"`: runs the user's training script on each candidate's
/// Paleo JSON and reads the last number it prints on standard output as the accuracy.
///
/// Each trial runs under `/bin/sh -c` in its own process group, with `{spec}` replaced by
/// the quoted path of the candidate's spec, so a time-out kills the script and every process
/// it started. A trial that exits non-zero, times out or prints no number is a recorded
/// failure, and the search goes on. Trials' output is kept beside their specs.
public struct CommandEvaluator: AccuracyEvaluator {
    public let template: String
    /// Seconds a trial may run; nil for no limit.
    public let timeoutSeconds: Double?
    /// Trials run at once by `evaluate(_: [Candidate])`.
    public let jobs: Int
    /// Where the candidates' specs and the trials' output go.
    public let folder: String

    public init(template: String, timeoutSeconds: Double? = nil, jobs: Int = 1, folder: String) throws(SearchError) {
        guard template.contains("{spec}") else {
            throw SearchError("command:\(template): the command must contain {spec}, where the candidate's Paleo JSON path goes")
        }
        guard jobs >= 1 else { throw SearchError("--jobs must be at least 1, got \(jobs)") }
        if let timeoutSeconds, !(timeoutSeconds > 0) { throw SearchError("--trial-timeout must be positive, got \(timeoutSeconds)") }
        self.template = template
        self.timeoutSeconds = timeoutSeconds
        self.jobs = jobs
        self.folder = folder
    }

    public var label: String { "command:\(template)" }
    public var isProxy: Bool { false }

    public func evaluate(_ candidate: Candidate) -> Evaluation {
        let network: Network
        do {
            network = try candidate.network()
        } catch {
            return .failed("cannot build the network: \(error)", source: label)
        }
        let name = "trial-" + Self.fileName(candidate.key)
        let spec = folder + "/\(name).json"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try SpecWriter.write(network).write(toFile: spec, atomically: true, encoding: .utf8)
        } catch {
            return .failed("cannot write \(spec): \(error.localizedDescription)", source: label)
        }
        let command = template.replacingOccurrences(of: "{spec}", with: Self.shellQuoted(spec))
        let outcome = Self.run(command, output: folder + "/\(name).out", errors: folder + "/\(name).err", timeout: timeoutSeconds)
        switch outcome {
        case .exited(0, let output, _):
            guard let value = Self.lastNumber(in: output) else {
                return .failed("the command printed no number on standard output (see \(folder)/\(name).out)", source: label)
            }
            return .value(value, source: label)
        case .exited(let status, _, let errors):
            let last = errors.split(separator: "\n").last.map { ": \($0)" } ?? ""
            return .failed("the command exited with status \(status)\(last)", source: label)
        case .signalled(let signal):
            return .failed("the command was killed by signal \(signal)", source: label)
        case .timedOut:
            return .failed("the command ran longer than --trial-timeout \(timeoutSeconds.map { String($0) } ?? "") s and was killed", source: label)
        case .couldNotStart(let reason):
            return .failed("the command could not start: \(reason)", source: label)
        }
    }

    /// Runs up to `jobs` trials at once; answers in the candidates' order.
    public func evaluate(_ candidates: [Candidate]) -> [Evaluation] {
        let results = Results(count: candidates.count)
        let slots = DispatchSemaphore(value: jobs)
        DispatchQueue.concurrentPerform(iterations: candidates.count) { i in
            slots.wait()
            results.set(i, evaluate(candidates[i]))
            slots.signal()
        }
        return results.values.map { $0! }
    }

    private final class Results: @unchecked Sendable {
        var values: [Evaluation?]
        let lock = NSLock()
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: Evaluation) {
            lock.lock()
            values[i] = value
            lock.unlock()
        }
    }

    /// The last whitespace-separated token of `text` that reads as a finite number (a
    /// trailing `%` allowed).
    static func lastNumber(in text: String) -> Double? {
        for token in text.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "=" }).reversed() {
            var t = Substring(token)
            if t.hasSuffix("%") { t = t.dropLast() }
            if let value = Double(t), value.isFinite { return value }
        }
        return nil
    }

    /// `text` as one shell word: as it is when it holds only characters the shell leaves
    /// alone, else in single quotes.
    public static func shellQuoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,+@%".contains($0) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A file name for an architecture key: its readable characters, then a hash so that
    /// different keys never share a file.
    static func fileName(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let readable = key.map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40)
        return String(readable) + "-" + String(hash, radix: 16)
    }

    enum Outcome {
        case exited(Int32, String, String)
        case signalled(Int32)
        case timedOut
        case couldNotStart(String)
    }

    /// Runs `command` with /bin/sh in a new process group, its output in files.
    static func run(_ command: String, output: String, errors: String, timeout: Double?) -> Outcome {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", command]
        var cArguments = arguments.map { strdup($0) } + [nil]
        defer { for p in cArguments { free(p) } }
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArguments, environ)
        guard status == 0 else { return .couldNotStart(String(cString: strerror(status))) }

        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var waitStatus: Int32 = 0
        while true {
            let done = waitpid(pid, &waitStatus, WNOHANG)
            if done == pid { break }
            if done == -1 && errno != EINTR { return .couldNotStart(String(cString: strerror(errno))) }
            if let deadline, Date() >= deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &waitStatus, 0)
                return .timedOut
            }
            usleep(10_000)
        }
        // Whatever the shell left running in its group goes with it.
        kill(-pid, SIGKILL)
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let low = waitStatus & 0x7f
        if low == 0 { return .exited((waitStatus >> 8) & 0xff, read(output), read(errors)) }
        return .signalled(low)
    }
}
