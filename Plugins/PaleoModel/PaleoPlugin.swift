import PluginAPI

/// The Paleo analytical time model (Qi, Sparks and Talwalkar, ICLR 2017), in its GEMM mode,
/// reproducing the original code's numbers and quirks.
let plugin = PluginDefinition(
    name: "joule.paleo",
    version: "1.0.0",
    description: "Paleo analytical time model (ICLR 2017), GEMM mode, reproducing the original code",
    costModels: [
        CostModelDefinition(
            PaleoModel.self, id: "paleo", version: "1.0.0",
            description: "Paleo: FLOPs / peak + bytes / bandwidth per term, floored at a clock cycle (time only)",
            capabilities: [.time, .breakdown, .counts],
            options: [
                OptionInfo(key: "ppp_comp", description: "platform percent of peak for compute and device memory, in (0, 1]", defaultValue: "1.0"),
                OptionInfo(key: "ppp_comm", description: "platform percent of peak for network and cross-device transfers, in (0, 1]", defaultValue: "1.0"),
                OptionInfo(key: "workers", description: "data-parallel workers for the gradient-exchange terms", defaultValue: nil),
                OptionInfo(key: "network", description: "network between workers: aws, ethernet, ethernet20, infiniband, pcie2, pcie3", defaultValue: "ethernet"),
                OptionInfo(key: "parallel", description: "data, model (lower/upper bounds) or hybrid (one weird trick)", defaultValue: "data"),
                OptionInfo(key: "hybrid_workers", description: "workers of the hybrid scheme", defaultValue: "1"),
                OptionInfo(key: "pipeline", description: "overlap compute and memory in the hybrid terms (true or false)", defaultValue: "false"),
            ]),
    ])

@_cdecl("joule_plugin_init")
public func joulePluginInit(
    _ abi: UnsafeMutablePointer<UInt32>?, _ host: UnsafePointer<joule_host_api>?,
    _ out: UnsafeMutablePointer<UnsafePointer<joule_plugin>?>?, _ error: UnsafeMutablePointer<joule_error>?
) -> joule_status {
    plugin.initialize(abi: abi, host: host, out: out, error: error)
}
