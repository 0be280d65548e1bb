import Estimation
import Network

/// libFuzzer entry: a Paleo JSON spec as `joule estimate` reads it.
///
/// Runs what estimate does with a spec short of calling a cost model: parse, graph
/// building and shape inference (strictly, and again passing unknown types through),
/// then the estimation plan (every count the host hands to cost models) at the spec's
/// batch, at a large one and after pruning, and a write–read round trip. A thrown
/// `SpecError` is the right answer to a bad spec; a trap, a sanitizer report, a hang or a
/// leak is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpecReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for allowUnknownTypes in [false, true] {
        guard let network = try? SpecReader.parse(bytes, file: "fuzz.json", options: .init(allowUnknownTypes: allowUnknownTypes))
        else { continue }
        exercise(network)
        exercise(network.withBatch(4096))
        exercise(network.prunedOfDeadBranches())
        // What the writer emits must read back: search and `--prune-dead` write specs
        // that users and later runs read again.
        let written = SpecWriter.write(network)
        do {
            _ = try SpecReader.parse(Array(written.utf8), file: "rewritten.json", options: .init(allowUnknownTypes: true))
        } catch {
            fatalError("the writer's output does not read back: \(error)\n\(written)")
        }
    }
    return 0
}

/// What the host hands cost models: every layer's descriptor (parameters, FLOPs, bytes,
/// window) in every training pass, and the network's totals.
private func exercise(_ network: Network) {
    let plan = EstimationPlan(network: network, isTraining: true)
    if plan.passes.isEmpty || network.activationBytes.isNaN { print("") }
}
