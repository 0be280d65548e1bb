import Foundation
import GPUProfileFormat
import JouleJSON
import PluginAPI

/// Built-in hardware profiles, and the reader of drop-in profile files.
let plugin = PluginDefinition(
    name: "joule.gpu-profiles",
    version: "1.0.0",
    description: "Built-in GPU and CPU profiles (Paleo's devices and current GPUs) and the JSON profile-file loader",
    profiles: builtInProfiles,
    profileLoaders: [
        ProfileLoaderDefinition(
            id: "json", description: "hardware profile files in JSON (the format of `joule gpus show ID --format json`)",
            fileSuffix: ".json", load: readProfileFile),
    ])

@_cdecl("joule_plugin_init")
public func joulePluginInit(
    _ abi: UnsafeMutablePointer<UInt32>?, _ host: UnsafePointer<joule_host_api>?,
    _ out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?, _ error: UnsafeMutablePointer<joule_error>?
) -> joule_status {
    plugin.initialize(abi: abi, host: host, out: out, error: error)
}

/// Profile files larger than this are refused unread: a profile is a few kilobytes.
let maximumProfileFileBytes = 1 << 20

/// Reads and validates one drop-in profile file.
///
/// - Throws: `PluginError` with every problem found, each naming its line and field.
@Sendable func readProfileFile(_ path: String) throws -> HardwareProfile {
    let data: Data
    do {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes[.size] as? Int, size > maximumProfileFileBytes {
            throw PluginError("file is \(size) bytes; a profile file is at most \(maximumProfileFileBytes) bytes")
        }
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch let error as PluginError {
        throw error
    } catch {
        throw PluginError("cannot read the file: \(error.localizedDescription)")
    }
    let root: JSONNode
    do {
        root = try JSONParser.parse(Array(data))
    } catch {
        throw PluginError("not valid JSON: \(error)")
    }
    var profile: HardwareProfile
    do {
        profile = try HardwareProfile.decode(from: root)
    } catch {
        throw PluginError(error.description)
    }
    // Model files are written relative to the profile file, so a profile and its models
    // can travel together as one folder; cost models receive absolute paths.
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
    profile.modelFiles = profile.modelFiles.map { file in
        file.hasPrefix("/") ? file : folder.appendingPathComponent(file).standardizedFileURL.path
    }
    return profile
}
