import ArgumentParser
import PluginAPI
import Registry
import Reports

/// The `joule` command: estimate what a neural network costs on a GPU, and search for a
/// cheaper one. Each subcommand parses its arguments, asks the host's modules for the
/// answer, and formats it; nothing else happens here.
@main
struct Joule: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "joule",
        abstract: "Estimate the time, power and energy of neural networks on GPUs, through pluggable cost models.",
        discussion: """
            Cost models and GPU profiles are plugins. Joule loads them from the directory of \
            the joule executable, then $JOULE_PLUGIN_PATH, then --plugin-path; drop-in GPU \
            profiles come from --gpu-file, $JOULE_GPU_PATH and ~/.config/joule/gpus.

            Examples:
              joule estimate Examples/nets/vgg16.json --gpu TITAN_X    a training step
              joule compare Examples/nets/vgg16.json --gpus TITAN_X,V100,A100,H100   the same across GPUs
              joule convert 'nb201:|nor_conv_3x3~0|+|…|' --to paleo-json   a NAS-Bench-201 network as a spec
              joule plugins                   what is installed, and what was rejected
              joule gpus                      every known GPU profile
              joule gpus show h100 --format json > my-gpu.json
              joule models --gpu TITAN_X      cost models, and whether each works
            """,
        version: "joule \(JouleVersion.string) (plugin ABI \(describeABIVersion(jouleABIVersion)), \(SwiftToolchain.current))",
        subcommands: [EstimateCommand.self, CompareCommand.self, FitCommand.self, ValidateCommand.self, SearchCommand.self, SearchBenchCommand.self, ControllerBenchCommand.self, ConvertCommand.self, PluginsCommand.self, GPUsCommand.self, ModelsCommand.self, BenchCommand.self, PluginHostCommand.self]
    )
}
