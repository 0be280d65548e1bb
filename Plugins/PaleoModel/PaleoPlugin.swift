import PluginAPI

/// The Paleo analytical time model (Qi, Sparks, Talwalkar, ICLR 2017).
///
/// The model itself lands with the Paleo issue; until then the plugin loads, reports its
/// identity, and registers no cost model, so no number is ever attributed to Paleo that
/// Paleo's method did not produce.
let plugin = PluginDefinition(
    name: "joule.paleo",
    version: "0.1.0",
    description: "Paleo analytical time model (ICLR 2017); no cost model registered yet")

@_cdecl("joule_plugin_init")
public func joulePluginInit(
    _ abi: UnsafeMutablePointer<UInt32>?, _ host: UnsafePointer<joule_host_api>?,
    _ out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?, _ error: UnsafeMutablePointer<joule_error>?
) -> joule_status {
    plugin.initialize(abi: abi, host: host, out: out, error: error)
}
