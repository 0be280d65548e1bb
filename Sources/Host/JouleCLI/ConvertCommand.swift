import ArgumentParser
import Foundation
import JouleJSON
import Network

/// `joule convert`: writes any network Joule reads as a Paleo JSON spec.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a network (a spec file or nb201:CELL) as a Paleo JSON spec.",
        discussion: """
            The output reads back to the same graph: `joule estimate` and Paleo's own tools \
            take it. NAS-Bench-201 convolutions carry "bias": false, a Joule extension (Paleo \
            counts a bias for every convolution).

            Examples:
              joule convert 'nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|' --to paleo-json
              joule convert 'nb201:|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|' --to paleo-json --classes 120 --input-size 16 --out arch0.json
              joule convert Examples/nets/nin.json --to paleo-json --batch 1 --prune-dead
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case paleoJSON = "paleo-json"
    }

    @Argument(help: ArgumentHelp("The network: a Paleo JSON spec, or nb201:CELL.", valueName: "spec"))
    var spec: String

    @Option(help: "Output format: paleo-json.")
    var to: Format

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var out: String?

    @Option(help: "Images per batch (the Input layer's first dimension; default: the spec's own, 1 for nb201:).")
    var batch: Int64?

    @OptionGroup var specOptions: SpecOptions

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        try specOptions.validate(spec: spec)
    }

    func run() throws {
        try reportingFailures {
            var network = try specOptions.read(spec, batch: batch)
            if let batch, network.batch != batch { network = network.withBatch(batch) }
            if specOptions.pruneDead { network = network.prunedOfDeadBranches() }
            let text: String
            switch to {
            case .paleoJSON: text = SpecWriter.write(network)
            }
            guard let out else {
                print(text, terminator: "")
                return
            }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw JouleFailure.badInput("cannot write \(out): \(error.localizedDescription)")
            }
        }
    }
}
