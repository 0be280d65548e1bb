@testable import Registry

/// libFuzzer entry: a libffi manifest (`*.ffi.json`), as the plugin registry reads it.
///
/// Parses and validates the manifest; the library it names is never opened. A thrown
/// `PluginRejection` is the right answer to a bad manifest; a trap, a sanitizer report, a
/// hang or a leak is a bug.
///
/// The reader is internal to Registry, hence `@testable import`, which SwiftPM allows in
/// debug builds (the only kind tools/fuzz.sh makes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFFIManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? FFIManifest.parse(Array(UnsafeBufferPointer(start: data, count: size)), directory: "/fuzz")
    return 0
}
