import Estimation
import Foundation
import JouleTestSupport
import Network
import Testing

/// Networks beyond the reference CSVs, costed by the original Paleo code
/// (Tests/Fixtures/paleo-original/README.md): blocks, residual sums, deconvolutions,
/// upsampling, reshapes, and geometries the original itself rejects.
@Suite struct OriginalPaleoTests {
    static let directory = PackageLayout.fixture("paleo-original")

    @Test func everyNetworkMatchesTheOriginalOrFailsWhereItFails() throws {
        let rows = try ReferenceCSV.load(url: Self.directory.appendingPathComponent("expected.csv"))
        #expect(rows.count == 201)
        var networks: [String: Network] = [:]
        for row in rows {
            let file = row["spec"]!
            let label = "\(file) \(row["device"]!) b\(row["batch"]!)"
            let base = try networks[file] ?? SpecReader.read(file: Self.directory.appendingPathComponent("specs/\(file)").path)
            networks[file] = base
            let network = base.withBatch(Int64(row["batch"]!)!)
            var options = PaleoHarness.ppp(row)
            options["workers"] = "8"
            options["network"] = "ethernet"
            if row["fwd_ms"] == "ERROR" {
                #expect(throws: (any Error).self, "\(label) should fail as the original does") {
                    try PaleoHarness.estimate(network, device: row["device"]!, options: options)
                }
                continue
            }
            let e = try PaleoHarness.estimate(network, device: row["device"]!, options: options)
            #expect(try close(e.forwardSeconds, row.number("fwd_ms") * 1e-3, relative: 1e-9), "\(label) fwd")
            #expect(try close(e.backwardSeconds, row.number("bwd_ms") * 1e-3, relative: 1e-9), "\(label) bwd")
            #expect(try close(e.updateSeconds, row.number("apply_ms") * 1e-3, relative: 1e-9), "\(label) update")
            let tree = e.communication.first { $0.scheme == "tree" }?.seconds ?? -1
            #expect(try close(tree, row.number("tree_8_workers_ethernet_ms") * 1e-3, relative: 1e-9), "\(label) tree")
        }
    }
}
