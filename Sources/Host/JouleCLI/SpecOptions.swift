import ArgumentParser
import Network

/// How to read a network argument (a Paleo JSON file or `nb201:CELL`): accepted by every
/// command that reads one.
struct SpecOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Classes of an nb201: network: 10 (CIFAR-10), 100 (CIFAR-100) or 120 (ImageNet16-120).",
                               valueName: "n"))
    var classes: Int?

    @Option(name: .customLong("input-size"),
            help: ArgumentHelp("Input height and width of an nb201: network: 32 (CIFAR) or 16 (ImageNet16-120).", valueName: "pixels"))
    var inputSize: Int?

    @Flag(name: .customLong("prune-dead"),
          help: "Leave out layers whose output reaches no output (as graph compilers do); for nb201: build only the live edges.")
    var pruneDead = false

    @Flag(name: .customLong("allow-unknown-types"), help: "Pass unknown layer types through as Paleo does, instead of failing.")
    var allowUnknownTypes = false

    func validate() throws {
        if let classes, !NB201Options.allowedClasses.contains(classes) {
            throw ValidationError("--classes must be 10, 100 or 120 (NB201's data sets), got \(classes)")
        }
        if let inputSize, !NB201Options.allowedInputSizes.contains(inputSize) {
            throw ValidationError("--input-size must be 32 or 16 (NB201's data sets), got \(inputSize)")
        }
    }

    /// Checks the flags against the command's network argument: --classes and --input-size
    /// shape NB201 networks only. Call it from the command's `validate()`.
    func validate(spec: String) throws {
        if !SpecSource.isNB201(spec) && (classes != nil || inputSize != nil) {
            throw ValidationError("--classes and --input-size apply to nb201: networks; '\(spec)' is a spec file")
        }
    }

    /// The NB201 builder's options, at batch 1.
    var nb201Options: NB201Options {
        NB201Options(classes: classes ?? 10, inputSize: inputSize ?? 32, batch: 1, pruneDead: pruneDead)
    }

    /// The spec reader's options.
    var readerOptions: SpecReader.Options { SpecReader.Options(allowUnknownTypes: allowUnknownTypes) }

    /// Reads `spec` at its own batch (NB201 networks: `batch`, default 1). Dead layers are
    /// still in the network (`--prune-dead` on a file spec is applied by the caller, which
    /// reports what it left out), except that an NB201 network is built from live edges only.
    ///
    /// - Throws: `ValidationError` when --classes or --input-size is given for a file spec;
    ///   `SpecError` when the spec is wrong.
    func read(_ spec: String, batch: Int64? = nil) throws -> Network {
        try validate(spec: spec)
        guard SpecSource.isNB201(spec) else { return try SpecSource.read(spec, options: readerOptions) }
        var nb201 = nb201Options
        if let batch { nb201.batch = batch }
        return try SpecSource.read(spec, options: readerOptions, nb201: nb201)
    }
}
