import ArgumentParser
import GPUProfileFormat
import JouleJSON
import PluginAPI
import Registry
import Reports

/// `joule gpus` and `joule gpus show ID`.
struct GPUsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpus",
        abstract: "List GPU profiles (built-in and drop-in), or show one with the source of every number.",
        discussion: """
            JSON output (--format json), schema_version 1:
              {"schema_version": 1, "gpus": [PROFILE], "origins": {id: where it was defined},
               "rejected": [{"path", "reason"}]}
            where PROFILE is exactly what `joule gpus show ID --format json` prints, and is a \
            valid drop-in profile file:
              {"id", "name", "vendor", "architecture", "kind", "aliases",
               "peak_flops": {"fp32", "fp16", "tensor"} (FLOP/s),
               "memory_bandwidth_bytes_per_second", "memory_bytes", "tdp_watts", "idle_watts",
               "clock_hz", "interconnect_bytes_per_second", "host_link_bytes_per_second",
               "source": {field: note}, "model_files": [paths]}
            """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List every GPU profile.")

        @OptionGroup var plugins: PluginOptions
        @Option(help: "Output format: table or json.") var format: OutputFormat = .table

        func run() throws {
            try reportingFailures {
                let registry = try plugins.loadCheckedRegistry()
                switch format {
                case .json:
                    let document = JSON.object([
                        ("schema_version", .integer(1)),
                        ("gpus", .array(registry.profiles.map(\.profile.json))),
                        ("origins", .object(registry.profiles.map { ($0.id, .string($0.origin.description)) })),
                        ("rejected", .array(registry.profileFileProblems.map {
                            .object([("path", .string($0.path)), ("reason", .string($0.message))])
                        })),
                    ])
                    print(JSONWriter.render(document), terminator: "")
                case .table:
                    print(GPUsCommand.table(registry.profiles), terminator: "")
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one GPU profile, with the source of every number.")

        @Argument(help: "GPU profile id or alias (case does not matter).") var id: String
        @OptionGroup var plugins: PluginOptions
        @Option(help: "Output format: table or json (json is a valid drop-in profile file).") var format: OutputFormat = .table

        func run() throws {
            try reportingFailures {
                let registry = try plugins.loadCheckedRegistry()
                let entry = try registry.profile(named: id)
                switch format {
                case .json: print(JSONWriter.render(entry.profile.json), terminator: "")
                case .table: print(GPUsCommand.detail(entry), terminator: "")
                }
            }
        }
    }

    static func table(_ profiles: [ProfileEntry]) -> String {
        var table = TextTable([("ID", .left), ("NAME", .left), ("FP32 TFLOP/s", .right), ("TENSOR TFLOP/s", .right),
                               ("MEM GB/s", .right), ("MEM GiB", .right), ("TDP W", .right), ("IDLE W", .right),
                               ("ORIGIN", .left)])
        for entry in profiles {
            let p = entry.profile
            table.append([
                p.id, p.name, formatNumber(p.peakFlops.fp32 / 1e12),
                p.peakFlops.tensor > 0 ? formatNumber(p.peakFlops.tensor / 1e12) : "-",
                formatNumber(p.memoryBandwidthBytesPerSecond / 1e9), formatNumber(p.memoryBytes / ByteUnit.GiB, significantDigits: 3),
                formatNumber(p.tdpWatts, significantDigits: 3), p.idleWatts > 0 ? formatNumber(p.idleWatts, significantDigits: 3) : "-",
                origin(entry),
            ])
        }
        return table.render() + "\(profiles.count) profiles.\n"
    }

    static func origin(_ entry: ProfileEntry) -> String {
        switch entry.origin {
        case .plugin: "built-in"
        case .file(let path, _): entry.overrides == nil ? path : "\(path) (overrides built-in)"
        }
    }

    static func detail(_ entry: ProfileEntry) -> String {
        let p = entry.profile
        func unknown(_ value: Double, _ text: String) -> String { value > 0 ? text : "unknown" }
        let rows: [(String, String, String)] = [
            ("peak_flops.fp32", "FP32 peak", "\(formatNumber(p.peakFlops.fp32 / 1e12)) TFLOP/s"),
            ("peak_flops.fp16", "FP16 peak", unknown(p.peakFlops.fp16, "\(formatNumber(p.peakFlops.fp16 / 1e12)) TFLOP/s")),
            ("peak_flops.tensor", "Tensor peak", unknown(p.peakFlops.tensor, "\(formatNumber(p.peakFlops.tensor / 1e12)) TFLOP/s")),
            ("memory_bandwidth_bytes_per_second", "Memory bandwidth", "\(formatNumber(p.memoryBandwidthBytesPerSecond / 1e9)) GB/s"),
            ("memory_bytes", "Memory", "\(formatNumber(p.memoryBytes / ByteUnit.GiB, significantDigits: 3)) GiB"),
            ("tdp_watts", "TDP", "\(formatNumber(p.tdpWatts, significantDigits: 3)) W"),
            ("idle_watts", "Idle power", unknown(p.idleWatts, "\(formatNumber(p.idleWatts, significantDigits: 3)) W")),
            ("clock_hz", "Clock", unknown(p.clockHz, "\(formatNumber(p.clockHz / 1e6)) MHz")),
            ("interconnect_bytes_per_second", "Interconnect", unknown(p.interconnectBytesPerSecond, "\(formatNumber(p.interconnectBytesPerSecond / 1e9)) GB/s per direction")),
            ("host_link_bytes_per_second", "Host link", unknown(p.hostLinkBytesPerSecond, "\(formatNumber(p.hostLinkBytesPerSecond / 1e9)) GB/s per direction")),
        ]
        var out = "\(p.name) (\(p.id))\n"
        out += "  vendor: \(p.vendor.isEmpty ? "-" : p.vendor), architecture: \(p.architecture.isEmpty ? "-" : p.architecture), kind: \(p.kind.rawValue)\n"
        if !p.aliases.isEmpty { out += "  aliases: \(p.aliases.joined(separator: ", "))\n" }
        out += "  defined: \(entry.origin)\(entry.overrides.map { " (overrides the profile \($0))" } ?? "")\n"
        if let summary = p.source["summary"] { out += "  source: \(summary)\n" }
        out += "\n"
        var table = TextTable([("FIELD", .left), ("VALUE", .right), ("SOURCE", .left)])
        for (key, label, value) in rows {
            table.append([label, value, p.source[key] ?? "not stated"])
        }
        out += table.render()
        if !p.modelFiles.isEmpty { out += "\nModel files: \(p.modelFiles.joined(separator: ", "))\n" }
        return out
    }
}
