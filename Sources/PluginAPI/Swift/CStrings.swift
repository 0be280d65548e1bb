#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// C strings and arrays that live until the process exits.
///
/// Descriptors a plugin hands to the host must outlive every use (plugins are never
/// unloaded), so the PluginAPI allocates their strings once and never frees them. The
/// total is a few kilobytes per plugin.
enum Permanent {
    /// A NUL-terminated copy of `string`.
    static func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        buffer.initialize(from: utf8, count: utf8.count)
        return UnsafePointer(buffer)
    }

    /// `cString` for optional strings: `nil` stays NULL.
    static func optionalCString(_ string: String?) -> UnsafePointer<CChar>? {
        string.map { cString($0) }
    }

    /// A permanent array of `elements`; NULL when empty.
    static func array<T>(_ elements: [T]) -> UnsafePointer<T>? {
        guard !elements.isEmpty else { return nil }
        let buffer = UnsafeMutablePointer<T>.allocate(capacity: elements.count)
        buffer.initialize(from: elements, count: elements.count)
        return UnsafePointer(buffer)
    }

    /// A permanent copy of one value.
    static func value<T>(_ value: T) -> UnsafePointer<T> {
        let buffer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        buffer.initialize(to: value)
        return UnsafePointer(buffer)
    }
}

extension String {
    /// Decodes a C string that may be NULL; invalid UTF-8 is repaired, never trusted.
    public init?(optionalCString pointer: UnsafePointer<CChar>?) {
        guard let pointer else { return nil }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// The size of one ABI struct as this side was compiled, as the `struct_size` field wants it.
@inline(__always)
public func abiSize<T>(of _: T.Type) -> UInt32 {
    UInt32(MemoryLayout<T>.size)
}

/// True when a struct whose `struct_size` says `size` bytes holds all of the field at
/// `keyPath`: the Swift spelling of `JOULE_HAS_FIELD`.
public func abiHasField<T, V>(_ keyPath: KeyPath<T, V>, structSize size: UInt32) -> Bool {
    guard let offset = MemoryLayout<T>.offset(of: keyPath) else { return false }
    return Int(size) >= offset + MemoryLayout<V>.size
}
