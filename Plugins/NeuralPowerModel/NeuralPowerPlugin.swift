import PluginAPI

/// NeuralPower per-layer polynomial runtime and power models (Cai et al., ACML 2017), and
/// models users fit to their own measurements with `joule fit`.
let plugin = PluginDefinition(
    name: "joule.neuralpower",
    version: "1.0.0",
    description: "NeuralPower polynomial runtime/power models (ACML 2017): bundled fits and user models from `joule fit`",
    costModels: [
        CostModelDefinition(
            NeuralPowerModel.self, id: "neuralpower", version: "1.0.0",
            description: "NeuralPower: per-layer-type polynomials of the layer configuration, fitted on measurements (forward pass)",
            capabilities: [.time, .power, .counts, .extrapolated],
            options: [
                OptionInfo(key: "model",
                           description: "a polynomial model file from `joule fit` (what --cost-model poly:FILE sets); default: the profile's model files, else the bundled models for the GPU",
                           defaultValue: nil),
                OptionInfo(key: "any_gpu",
                           description: "true to use a model file fitted on another GPU than the one chosen",
                           defaultValue: "false"),
            ]),
    ])

@_cdecl("joule_plugin_init")
public func joulePluginInit(
    _ abi: UnsafeMutablePointer<UInt32>?, _ host: UnsafePointer<joule_host_api>?,
    _ out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?, _ error: UnsafeMutablePointer<joule_error>?
) -> joule_status {
    plugin.initialize(abi: abi, host: host, out: out, error: error)
}
