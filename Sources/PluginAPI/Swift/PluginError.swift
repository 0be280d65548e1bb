/// An error a Swift plugin throws to fail a call with a message.
///
/// The PluginAPI thunks catch every error a plugin's Swift code throws and turn it into a
/// status code plus the message in the caller's `joule_error` buffer: no Swift error
/// crosses the C boundary. Throw `PluginError` to choose the status; any other error becomes
/// `JOULE_FAILED` with its description.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    /// One of the `JOULE_*` status codes other than `JOULE_OK`.
    public var status: joule_status
    /// One line saying what is wrong.
    public var message: String

    public init(_ message: String, status: joule_status = JOULE_FAILED) {
        self.message = message
        self.status = status
    }

    /// A bad option value or other invalid argument.
    public static func invalidArgument(_ message: String) -> PluginError {
        PluginError(message, status: JOULE_INVALID_ARGUMENT)
    }

    /// The call is valid but this component cannot answer it.
    public static func unsupported(_ message: String) -> PluginError {
        PluginError(message, status: JOULE_UNSUPPORTED)
    }

    public var description: String { message }
}

extension joule_error {
    /// Writes `message` into the buffer, truncated to its capacity on a UTF-8 boundary.
    public mutating func set(_ message: String) {
        guard let buffer = self.message, capacity > 0 else { return }
        var bytes = Array(message.utf8)
        if bytes.count > capacity - 1 {
            bytes.removeLast(bytes.count - (capacity - 1))
            // Do not leave half a multi-byte character at the end.
            while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
            if let last = bytes.last, last & 0xC0 == 0xC0 { bytes.removeLast() }
        }
        buffer.withMemoryRebound(to: UInt8.self, capacity: capacity) { out in
            for (i, byte) in bytes.enumerated() { out[i] = byte }
            out[bytes.count] = 0
        }
    }
}

/// Runs `body` and turns what it throws into a status code and a message in `error`.
@inline(__always)
func withPluginErrors(_ error: UnsafeMutablePointer<joule_error>?, _ body: () throws -> Void) -> joule_status {
    do {
        try body()
        return JOULE_OK
    } catch let failure as PluginError {
        error?.pointee.set(failure.message)
        return failure.status == JOULE_OK ? JOULE_FAILED : failure.status
    } catch let other {
        error?.pointee.set(String(describing: other))
        return JOULE_FAILED
    }
}
