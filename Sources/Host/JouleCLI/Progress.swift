import Foundation

/// Progress of a long operation on standard error: a bar with rate and time left when
/// standard error is a terminal, a plain line every few seconds otherwise (logs stay
/// readable), nothing with --quiet or when the operation is over within a moment.
final class Progress: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private let isTerminal: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drewBar = false
    /// Whether anything was printed: a final line only completes earlier ones.
    private var printed = false
    private let lock = NSLock()

    init(_ label: String, quiet: Bool) {
        self.label = label
        enabled = !quiet
        isTerminal = isatty(2) != 0
    }

    /// Reports `done` of `total` steps, with an optional note (a search's front so far);
    /// cheap to call often.
    func update(_ done: Int, of total: Int, detail: String? = nil) {
        guard enabled, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        // Operations that finish within a second or two print nothing at all.
        guard elapsed >= (isTerminal ? 0.5 : 2) else { return }
        let interval = isTerminal ? 0.1 : 5.0
        guard now.timeIntervalSince(lastDraw) >= interval || (done >= total && printed) else { return }
        lastDraw = now
        printed = true
        let fraction = min(Double(done) / Double(total), 1)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let timing = done > 0 ? String(format: "%.1f/s, %@ left", rate, Self.duration(left)) : "starting"
        if isTerminal {
            let width = 28
            let filled = Int((fraction * Double(width)).rounded(.down))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let note = detail.map { "; " + $0 } ?? ""
            let line = String(format: "\r%@ %@ %3.0f%% (%d/%d, %@)%@\u{1B}[K", label, bar, fraction * 100, done, total, timing, note)
            FileHandle.standardError.write(Data(line.utf8))
            drewBar = true
        } else {
            let note = detail.map { "; " + $0 } ?? ""
            let line = String(format: "%@: %d/%d (%.0f%%, %@)%@\n", label, done, total, fraction * 100, timing, note)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Ends the bar's line.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
        drewBar = false
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.0f s", seconds) }
        if seconds < 3600 { return String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%d h %02d min", Int(seconds) / 3600, Int(seconds) % 3600 / 60)
    }
}
