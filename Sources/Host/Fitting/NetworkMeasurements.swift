import Foundation
import Network

/// Whole-network measurements (`joule fit --per-network`, `joule validate`): one row per
/// measured network, named by a spec column, with a measured total.
///
/// A spec cell is a Paleo JSON file (relative to the CSV's folder), `nb201:CELL`, or a bare
/// NAS-Bench-201 cell string (`|nor_conv_3x3~0|+|…|`, as in the `arch_str` column of the
/// NAS-Bench-201 tables).
public struct NetworkMeasurements: Sendable {
    public var specs: [String]
    public var networks: [Network]
    /// In SI units after `scale`.
    public var measured: [Double]
    public var lines: [Int]

    /// How each network is built and at which batch.
    public struct Settings: Sendable {
        public var specColumn: String
        public var targetColumn: String
        /// Multiplies every measured value (a unit conversion: 1e-3 for milliseconds).
        public var scale: Double
        /// The batch the networks were measured at; nil keeps each spec's own.
        public var batch: Int64?
        public var reader: SpecReader.Options
        public var nb201: NB201Options
        public var pruneDead: Bool

        public init(specColumn: String, targetColumn: String, scale: Double = 1, batch: Int64? = nil,
                    reader: SpecReader.Options = .init(), nb201: NB201Options = .init(), pruneDead: Bool = false) {
            self.specColumn = specColumn
            self.targetColumn = targetColumn
            self.scale = scale
            self.batch = batch
            self.reader = reader
            self.nb201 = nb201
            self.pruneDead = pruneDead
        }
    }

    public init(table: MeasurementTable, settings: Settings,
                progress: ((Int, Int) -> Void)? = nil) throws(MeasurementError) {
        let specs = try table.strings(settings.specColumn)
        measured = try table.numbers(settings.targetColumn, scale: settings.scale)
        lines = (0..<table.rowCount).map(table.lineNumber(ofRow:))
        self.specs = specs
        let folder = URL(fileURLWithPath: table.file).deletingLastPathComponent()
        var nb201 = settings.nb201
        nb201.pruneDead = settings.pruneDead
        if let batch = settings.batch { nb201.batch = batch }
        var cache: [String: Network] = [:]
        var networks: [Network] = []
        networks.reserveCapacity(specs.count)
        for (row, raw) in specs.enumerated() {
            progress?(row, specs.count)
            let cell = raw.trimmingCharacters(in: .whitespaces)
            if let known = cache[cell] {
                networks.append(known)
                continue
            }
            guard !cell.isEmpty else {
                throw MeasurementError(file: table.file, line: lines[row], column: settings.specColumn, "missing value (a spec file, nb201:CELL or a cell string)")
            }
            var argument = cell
            if cell.hasPrefix("|") {
                argument = "nb201:" + cell
            } else if !cell.hasPrefix("nb201:") && !cell.hasPrefix("/") {
                argument = folder.appendingPathComponent(cell).path
            }
            var network: Network
            do {
                network = try SpecSource.read(argument, options: settings.reader, nb201: nb201)
            } catch {
                throw MeasurementError(file: table.file, line: lines[row], column: settings.specColumn, error.description)
            }
            if let batch = settings.batch, network.batch != batch { network = network.withBatch(batch) }
            if settings.pruneDead { network = network.prunedOfDeadBranches() }
            cache[cell] = network
            networks.append(network)
        }
        progress?(specs.count, specs.count)
        self.networks = networks
    }
}
