import ArgumentParser
import Fitting
import Foundation
import JouleJSON
import Network
import PolynomialModel
import Registry
import Reports
import Search

/// `joule fit`: polynomial runtime (and power) models from measurements.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit NeuralPower polynomial models to per-layer or whole-network measurements.",
        discussion: """
            Per layer type, Lasso (coordinate descent, features standardised) chooses the terms of a \
            runtime polynomial (configuration up to degree 3, plus FLOPs and memory bytes) and, \
            with per-layer power data, a power polynomial (configuration and log2, degree 2); k-fold \
            cross-validation chooses the degree and the penalty. Use the model with \
            --cost-model poly:MODEL.json.

            --per-layer: one row per measured layer; columns layer_type, batch, the layer's \
            configuration and runtime_seconds and/or power_watts (the README lists them).
            --per-network: one row per network; a spec column (a Paleo JSON path relative to the \
            CSV, nb201:CELL or a bare NAS-Bench-201 cell string) and a measured total runtime. Each \
            network's design row is the sum of its layers' terms, so the fit stays linear.

            Example (a bundled model):
              joule fit ../shared/data/nb201/latency_dev.csv --per-network --spec-column arch_str \\
                --target-column 1080ti_32 --target-unit ms --batch 32 --gpu GTX_1080_TI \\
                --train-fraction 0.2 --seed 1 --out 1080ti-b32.json
            """)

    enum Kind: String, EnumerableFlag {
        case perLayer, perNetwork
        static func name(for value: Kind) -> NameSpecification { .customLong(value == .perLayer ? "per-layer" : "per-network") }
    }

    enum LambdaRule: String, ExpressibleByArgument, CaseIterable { case min, oneSE = "1se" }

    enum TimeUnit: String, ExpressibleByArgument, CaseIterable {
        case s, ms, us
        var scale: Double { switch self { case .s: 1; case .ms: 1e-3; case .us: 1e-6 } }
    }

    @Argument(help: ArgumentHelp("The measurements, a CSV file.", valueName: "data.csv"))
    var data: String
    @Flag(help: "What each row measures.")
    var kind: Kind
    @OptionGroup var plugins: PluginOptions
    @Option(help: ArgumentHelp("The GPU profile the measurements were taken on.", valueName: "id"))
    var gpu: String
    @Option(help: ArgumentHelp("Where to write the model file.", valueName: "model.json"))
    var out: String
    @Option(name: .customLong("spec-column"), help: "--per-network: the column naming each network.")
    var specColumn = "spec"
    @Option(name: .customLong("target-column"), help: "--per-network: the measured total runtime column.")
    var targetColumn = "runtime_seconds"
    @Option(name: .customLong("runtime-column"), help: "--per-layer: the measured runtime column (seconds after --target-unit).")
    var runtimeColumn = "runtime_seconds"
    @Option(name: .customLong("power-column"), help: "--per-layer: the measured power column, watts.")
    var powerColumn = "power_watts"
    @Option(name: .customLong("target-unit"), help: "The unit of the runtime column: s, ms or us.")
    var targetUnit: TimeUnit = .s
    @Option(help: "--per-network: the batch the networks were measured at (default: each spec's own; NAS-Bench-201 cells: 1).")
    var batch: Int64?
    @OptionGroup var specOptions: SpecOptions
    @Option(name: .customLong("train-fraction"), help: "Share of the rows to fit on; the rest are held out and scored.")
    var trainFraction = 0.8
    @Option(help: "Seed of the train/held-out split and of the folds.")
    var seed: UInt64 = 1
    @Option(help: "Cross-validation folds.")
    var folds = 10
    @Option(help: "Fit only this degree instead of choosing by cross-validation.")
    var degree: Int?
    @Option(name: .customLong("lambda-rule"),
            help: "min: the λ with the least cross-validated error; 1se: the sparsest model within one standard error of it.")
    var lambdaRule: LambdaRule = .min
    @Option(help: "A line describing the model, stored in the file.")
    var description: String?
    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard trainFraction > 0 && trainFraction <= 1 else { throw ValidationError("--train-fraction must be in (0, 1], got \(trainFraction)") }
        guard (2...100).contains(folds) else { throw ValidationError("--folds must be from 2 to 100, got \(folds)") }
        if let degree, !(1...3).contains(degree) { throw ValidationError("--degree must be 1, 2 or 3, got \(degree)") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if kind == .perLayer && batch != nil { throw ValidationError("--batch applies to --per-network; per-layer rows carry a batch column") }
    }

    func run() throws {
        try reportingFailures {
            let registry = try plugins.loadCheckedRegistry()
            let entry = try registry.profile(named: gpu)
            let profile = entry.profile
            let table = try MeasurementTable.read(file: data)

            var samples: [[LayerConfiguration]] = []
            var runtime: [Double]?
            var watts: [Double]?
            switch kind {
            case .perLayer:
                // The measured columns first: checking them is cheap, while each row's layer is
                // built by the spec reader, so a bad number must not wait for every row's layer.
                let hasRuntime = table.columns.contains(runtimeColumn), hasPower = table.columns.contains(powerColumn)
                guard hasRuntime || hasPower else {
                    throw MeasurementError(file: data, line: 1, "no measurement column: per-layer rows need \(runtimeColumn) and/or \(powerColumn) (the file has \(table.columns.joined(separator: ", ")))")
                }
                if hasRuntime { runtime = try table.numbers(runtimeColumn, scale: targetUnit.scale) }
                if hasPower { watts = try table.numbers(powerColumn) }
                let rows = try LayerMeasurements(table: table)
                samples = rows.layers.map { [$0] }
            case .perNetwork:
                let loading = Progress("reading networks", quiet: quiet)
                let settings = NetworkMeasurements.Settings(
                    specColumn: specColumn, targetColumn: targetColumn, scale: targetUnit.scale, batch: batch,
                    reader: specOptions.readerOptions, nb201: specOptions.nb201Options, pruneDead: specOptions.pruneDead)
                let rows = try NetworkMeasurements(table: table, settings: settings) { loading.update($0, of: $1) }
                loading.finish()
                var uncovered: [String: Int] = [:]
                for network in rows.networks {
                    let configurations = NetworkConfigurations(network)
                    samples.append(configurations.layers)
                    for layer in configurations.uncovered { uncovered[layer.type, default: 0] += 1 }
                }
                if !uncovered.isEmpty {
                    warn("no polynomial category covers " + uncovered.keys.sorted().map { "\($0) (\(uncovered[$0]!) layers)" }.joined(separator: ", ")
                         + "; their time is absorbed by the other layers' polynomials")
                }
                runtime = rows.measured
            }

            var model = PolynomialModelFile(
                gpu: profile.id, description: description ?? "fitted by joule fit on \((data as NSString).lastPathComponent)",
                runtime: [:], provenance: provenance(table: table, profile: entry))
            var lines: [String] = []
            if let runtime {
                let result = try fit(.runtime, samples: samples, measured: runtime)
                model.runtime = result.polynomials
                model.runtimeFit = fitJSON(result, target: .runtime)
                lines += describe(result, what: "runtime", unit: "seconds")
            }
            if let watts {
                let result = try fit(.power, samples: samples, measured: watts)
                model.power = result.polynomials
                model.powerFit = fitJSON(result, target: .power)
                lines += describe(result, what: "power", unit: "watts")
            }
            try writeFileAtomically(JSONWriter.render(model.json), to: out)
            print("\(profile.id): \(kind == .perLayer ? "per-layer" : "per-network") fit of \(table.rowCount) rows from \(data)")
            for line in lines { print(line) }
            print("wrote \(out); use it with --cost-model poly:\(out) --gpu \(profile.id)")
        }
    }

    private func fit(_ target: PolynomialFitter.Target, samples: [[LayerConfiguration]], measured: [Double]) throws -> PolynomialFitter.Result {
        let settings = PolynomialFitter.Settings(degrees: degree.map { [min($0, target.degrees.last!)] } ?? target.degrees,
                                                 folds: folds, seed: seed, trainFraction: trainFraction,
                                                 oneStandardErrorRule: lambdaRule == .oneSE)
        let progress = Progress("fitting \(target.rawValue)", quiet: quiet)
        defer { progress.finish() }
        return try PolynomialFitter(target: target, settings: settings).fit(samples: samples, measured: measured) { done, total in
            progress.update(done, of: total)
        }
    }

    private func describe(_ r: PolynomialFitter.Result, what: String, unit: String) -> [String] {
        var lines = ["\(what) (\(unit)): degree \(r.degree), λ = \(String(format: "%.3g", r.lambda)), "
                     + "\(r.nonZeroTerms) non-zero terms of \(r.candidateTerms) candidates, fitted on \(r.trainSamples) rows"]
        lines.append("  cross-validated RMSPE (\(folds) folds): "
                     + r.rmspeByDegree.map { "degree \($0.degree) \(percent($0.rmspe))" }.joined(separator: ", "))
        if let h = r.heldOut {
            lines.append("  held out (\(h.n) rows): Kendall τ \(String(format: "%.3f", h.kendallTau)), Spearman ρ \(String(format: "%.3f", h.spearman)), "
                         + "MAPE \(percent(h.mape)), RMSPE \(percent(h.rmspe))")
        } else {
            lines.append("  no rows held out (--train-fraction 1)")
        }
        for category in r.polynomials.keys.sorted() {
            let p = r.polynomials[category]!
            lines.append("  \(category.rawValue): " + (p.terms.isEmpty ? "no term kept" : p.terms.map(\.description).joined(separator: " + ")))
        }
        return lines
    }

    private func fitJSON(_ r: PolynomialFitter.Result, target: PolynomialFitter.Target) -> JSON {
        var fields: [(String, JSON)] = [
            ("kind", .string(kind == .perLayer ? "per-layer" : "per-network")),
            ("method", .string("lasso, coordinate descent, relative residuals, \(folds)-fold cross-validation over λ and degree")),
            ("degree", .integer(r.degree)),
            ("lambda", .number(r.lambda)),
            ("lambda_rule", .string(lambdaRule.rawValue)),
            ("cv_rmspe", .number(r.crossValidatedRMSPE)),
            ("cv_rmspe_by_degree", .object(r.rmspeByDegree.map { ("\($0.degree)", .number($0.rmspe)) })),
            ("non_zero_terms", .integer(r.nonZeroTerms)),
            ("candidate_terms", .integer(r.candidateTerms)),
            ("train_rows", .integer(r.trainSamples)),
            ("train_fraction", .number(trainFraction)),
            ("seed", .integer(Int64(truncatingIfNeeded: seed))),
        ]
        if let h = r.heldOut {
            fields.append(("held_out", .object([
                ("n", .integer(h.n)), ("kendall_tau", .number(h.kendallTau)), ("spearman", .number(h.spearman)),
                ("mape", .number(h.mape)), ("rmspe", .number(h.rmspe)),
            ])))
        }
        return .object(fields)
    }

    /// Where the data came from (file, its fingerprint, its own `# key: value` block),
    /// when and how the fit was made, and the profile it was made for.
    private func provenance(table: MeasurementTable, profile: ProfileEntry) -> [(String, JSON)] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        var fields: [(String, JSON)] = [
            ("data_source", .string(data)),
            ("data_hash", .string(table.fingerprint)),
            ("data_rows", .integer(table.rowCount)),
            ("fit_date", .string(formatter.string(from: Date()))),
            ("command", .string((["joule"] + CommandLine.arguments.dropFirst().map(CommandEvaluator.shellQuoted)).joined(separator: " "))),
            ("joule_version", .string(JouleVersion.string)),
            ("gpu_profile", RunProvenance.json(profile)),
        ]
        if !table.provenance.isEmpty {
            fields.append(("data_provenance", .object(table.provenance.keys.sorted().map { ($0, .string(table.provenance[$0]!)) })))
        }
        return fields
    }
}

func percent(_ fraction: Double) -> String {
    fraction.isFinite ? String(format: "%.2f %%", fraction * 100) : "n/a"
}
