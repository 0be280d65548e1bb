import Foundation
import PluginAPI
import Registry

/// Loads a registry the way `joule` does, but from places a test chooses.
///
/// - Parameters:
///   - bundled: include the bundled plugins of this build (GPU profiles, Paleo, NeuralPower).
///   - pluginPaths: extra plugin files or directories, as `--plugin-path`.
///   - gpuFiles: drop-in profile files or directories, as `--gpu-file`.
public func loadTestRegistry(
    bundled: Bool = false, pluginPaths: [String] = [], gpuFiles: [String] = [], log: PluginLog = PluginLog(echo: false)
) -> PluginRegistry {
    var entries: [PluginSearchPath.Entry] = []
    if bundled {
        for name in ["libJouleGPUProfiles.so", "libJoulePaleoModel.so", "libJouleNeuralPowerModel.so"] {
            entries.append(.init(path: PackageLayout.productsDirectory.appendingPathComponent(name).path, origin: .executableDirectory))
        }
    }
    entries += pluginPaths.map { PluginSearchPath.Entry(path: $0, origin: .commandLine) }
    return PluginRegistry.load(RegistryConfiguration(
        searchPath: PluginSearchPath(entries: entries),
        profileFiles: ProfileFileSearch(entries: gpuFiles.map { .init(path: $0, origin: .commandLine) }),
        log: log))
}

extension LayerDescriptor {
    /// A 3×3 convolution of a [batch, 32, 32, 3] input into 64 channels at stride 2, SAME
    /// padding, with hand-counted features: output [batch, 16, 16, 64]; FLOPs
    /// 2·3·3·3·16·16·64·batch; params 3·3·3·64 + 64 = 1792.
    public static func sampleConvolution(batch: Int64 = 8, direction: PassDirection = .forward) -> LayerDescriptor {
        let outputElements = Double(batch * 16 * 16 * 64)
        return LayerDescriptor(
            name: "conv1", typeName: "Convolution", operation: .convolution, direction: direction,
            flags: [.hasBias, .fedByInput], batch: batch, inputShapes: [[batch, 32, 32, 3]],
            outputShape: [batch, 16, 16, 64], paddingMode: .same,
            kernel: .init(height: 3, width: 3), stride: .init(height: 2, width: 2),
            padding: .init(top: 0, bottom: 1, left: 0, right: 1), groups: 1, params: 1792,
            flops: 2 * 27 * outputElements, inputBytes: Double(4 * batch * 32 * 32 * 3),
            outputBytes: 4 * outputElements, weightBytes: 4 * 1792)
    }
}
