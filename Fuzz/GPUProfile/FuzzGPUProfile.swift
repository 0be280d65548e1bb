import GPUProfileFormat
import PluginAPI
import JouleJSON

/// libFuzzer entry: a drop-in GPU profile file, as the GPUProfiles plugin reads it.
///
/// Parses the JSON, decodes and checks the profile, then writes it back and reads that
/// again, and takes the numbers' fingerprint that reports record. A thrown error is the
/// right answer to a bad profile; a trap, a sanitizer report, a hang or a leak is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGPUProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let root = try? JSONParser.parse(bytes), let profile = try? HardwareProfile.decode(from: root) else { return 0 }
    _ = profile.consistencyProblems()
    _ = profile.numbersHash
    // A profile Joule wrote must read back: `joule gpus --export` hands users such files.
    let written = JSONWriter.render(profile.json)
    do {
        _ = try HardwareProfile.decode(from: try JSONParser.parse(Array(written.utf8)))
    } catch {
        fatalError("the profile's JSON does not read back: \(error)\n\(written)")
    }
    return 0
}
