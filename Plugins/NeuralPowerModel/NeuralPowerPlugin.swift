import PluginAPI

/// NeuralPower per-layer polynomial runtime and power models (Cai et al., ACML 2017), and
/// models users fit to their own measurements with `joule fit`.
///
/// The models land with the NeuralPower issue; until then the plugin loads, reports its
/// identity, and registers no cost model.
let plugin = PluginDefinition(
    name: "joule.neuralpower",
    version: "0.1.0",
    description: "NeuralPower polynomial runtime/power models (ACML 2017); no cost model registered yet")

@_cdecl("joule_plugin_init")
public func joulePluginInit(
    _ abi: UnsafeMutablePointer<UInt32>?, _ host: UnsafePointer<joule_host_api>?,
    _ out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?, _ error: UnsafeMutablePointer<joule_error>?
) -> joule_status {
    plugin.initialize(abi: abi, host: host, out: out, error: error)
}
