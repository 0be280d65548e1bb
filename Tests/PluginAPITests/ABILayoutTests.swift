import Foundation
import JouleTestSupport
import PluginAPI
import Testing

/// The ABI's layout, checked three ways: the pins in Sources/PluginAPI/abi_layout.c (which
/// the build already enforces with _Static_assert), the system C compiler's view of
/// joule_plugin.h, and Swift's view of the imported structs the host reads and writes.
@Suite struct ABILayoutTests {
    /// (struct, field or "sizeof", pinned value) from every PIN/SIZE line of abi_layout.c.
    static func pins() throws -> [(type: String, field: String, value: Int)] {
        let source = try String(contentsOf: PackageLayout.root.appendingPathComponent("Sources/PluginAPI/abi_layout.c"), encoding: .utf8)
        var pins: [(String, String, Int)] = []
        for line in source.split(separator: "\n") {
            if let match = line.wholeMatch(of: /PIN\((\w+), (\w+), (\d+)\);/) {
                pins.append((String(match.1), String(match.2), Int(match.3)!))
            } else if let match = line.wholeMatch(of: /SIZE\((\w+), (\d+)\);/) {
                pins.append((String(match.1), "sizeof", Int(match.2)!))
            }
        }
        return pins
    }

    @Test func theSystemCCompilerAgreesWithEveryPin() throws {
        let pins = try Self.pins()
        #expect(pins.count > 90, "abi_layout.c should pin every field")
        let directory = try TemporaryDirectory()
        var program = "#include <joule_plugin.h>\n#include <stdio.h>\nint main(void) {\n"
        for pin in pins {
            let expression = pin.field == "sizeof" ? "sizeof(\(pin.type))" : "offsetof(\(pin.type), \(pin.field))"
            program += "    printf(\"\(pin.type).\(pin.field) %zu\\n\", \(expression));\n"
        }
        program += "    return 0;\n}\n"
        let source = try directory.write("offsets.c", program)
        let printed = try CCompiler.run(source: source, in: directory)
        let measured = Dictionary(uniqueKeysWithValues: printed.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), Int(parts[1])!)
        })
        for pin in pins {
            #expect(measured["\(pin.type).\(pin.field)"] == pin.value, "\(pin.type).\(pin.field)")
        }
    }

    @Test func swiftSeesTheSameLayoutAsC() throws {
        let pinned = Dictionary(uniqueKeysWithValues: try Self.pins().map { ("\($0.type).\($0.field)", $0.value) })
        func check<T>(_ type: T.Type, _ name: String, _ fields: [(String, PartialKeyPath<T>)]) {
            #expect(MemoryLayout<T>.size == pinned["\(name).sizeof"], "sizeof(\(name))")
            for (field, keyPath) in fields {
                #expect(MemoryLayout<T>.offset(of: keyPath) == pinned["\(name).\(field)"], "\(name).\(field)")
            }
            // Every pinned field of this struct has a Swift counterpart above.
            let listed = Set(fields.map(\.0) + ["sizeof"])
            for key in pinned.keys where key.hasPrefix("\(name).") {
                #expect(listed.contains(String(key.dropFirst(name.count + 1))), "no Swift check for \(key)")
            }
        }
        check(joule_error.self, "joule_error", [("message", \.message), ("capacity", \.capacity)])
        check(joule_host_api.self, "joule_host_api", [
            ("struct_size", \.struct_size), ("abi_version", \.abi_version), ("host_data", \.host_data),
            ("host_version", \.host_version), ("log", \.log), ("get_service", \.get_service),
        ])
        check(joule_source_note.self, "joule_source_note", [("field", \.field), ("note", \.note)])
        check(joule_hardware_profile.self, "joule_hardware_profile", [
            ("struct_size", \.struct_size), ("device_kind", \.device_kind), ("id", \.id), ("name", \.name),
            ("vendor", \.vendor), ("architecture", \.architecture), ("aliases", \.aliases), ("alias_count", \.alias_count),
            ("source_note_count", \.source_note_count), ("peak_flops_fp32", \.peak_flops_fp32),
            ("peak_flops_fp16", \.peak_flops_fp16), ("peak_flops_tensor", \.peak_flops_tensor),
            ("memory_bandwidth_bytes_per_second", \.memory_bandwidth_bytes_per_second), ("memory_bytes", \.memory_bytes),
            ("tdp_watts", \.tdp_watts), ("idle_watts", \.idle_watts), ("clock_hz", \.clock_hz),
            ("interconnect_bytes_per_second", \.interconnect_bytes_per_second),
            ("host_link_bytes_per_second", \.host_link_bytes_per_second), ("source_notes", \.source_notes),
            ("model_files", \.model_files), ("model_file_count", \.model_file_count),
        ])
        check(joule_profile_loader.self, "joule_profile_loader", [
            ("struct_size", \.struct_size), ("id", \.id), ("description", \.description), ("file_suffix", \.file_suffix),
            ("plugin_data", \.plugin_data), ("load_file", \.load_file),
        ])
        check(joule_shape.self, "joule_shape", [("rank", \.rank), ("dims", \.dims)])
        check(joule_layer.self, "joule_layer", [
            ("struct_size", \.struct_size), ("op", \.op), ("variant", \.variant), ("direction", \.direction),
            ("flags", \.flags), ("precision", \.precision), ("name", \.name), ("type_name", \.type_name),
            ("batch", \.batch), ("input_count", \.input_count), ("padding_mode", \.padding_mode), ("inputs", \.inputs),
            ("output", \.output), ("kernel", \.kernel), ("stride", \.stride), ("padding", \.padding),
            ("dilation", \.dilation), ("groups", \.groups), ("params", \.params), ("flops", \.flops),
            ("input_bytes", \.input_bytes), ("output_bytes", \.output_bytes), ("weight_bytes", \.weight_bytes),
            ("device", \.device), ("input_devices", \.input_devices), ("spec_batch", \.spec_batch),
        ])
        check(joule_network.self, "joule_network", [
            ("struct_size", \.struct_size), ("mode", \.mode), ("name", \.name), ("batch", \.batch),
            ("layer_count", \.layer_count), ("precision", \.precision), ("layers", \.layers), ("params", \.params),
            ("weight_bytes", \.weight_bytes), ("parent_offsets", \.parent_offsets), ("parent_indices", \.parent_indices),
        ])
        check(joule_network_term.self, "joule_network_term", [
            ("struct_size", \.struct_size), ("kind", \.kind), ("phase", \.phase), ("flags", \.flags), ("name", \.name),
            ("time_seconds", \.time_seconds), ("power_watts", \.power_watts), ("energy_joules", \.energy_joules),
            ("compute_seconds", \.compute_seconds), ("memory_seconds", \.memory_seconds),
        ])
        check(joule_estimate.self, "joule_estimate", [
            ("struct_size", \.struct_size), ("flags", \.flags), ("time_seconds", \.time_seconds),
            ("power_watts", \.power_watts), ("energy_joules", \.energy_joules), ("compute_seconds", \.compute_seconds),
            ("memory_seconds", \.memory_seconds), ("detail", \.detail), ("detail_capacity", \.detail_capacity),
            ("flops", \.flops), ("memory_bytes", \.memory_bytes),
        ])
        check(joule_option.self, "joule_option", [("key", \.key), ("value", \.value)])
        check(joule_option_info.self, "joule_option_info", [
            ("key", \.key), ("description", \.description), ("default_value", \.default_value),
        ])
        check(joule_cost_model.self, "joule_cost_model", [
            ("struct_size", \.struct_size), ("capabilities", \.capabilities), ("id", \.id), ("version", \.version),
            ("description", \.description), ("plugin_data", \.plugin_data), ("options", \.options),
            ("option_count", \.option_count), ("create", \.create), ("destroy", \.destroy), ("supports", \.supports),
            ("estimate_layer", \.estimate_layer), ("estimate_network", \.estimate_network),
            ("estimate_layers", \.estimate_layers),
            ("describe_instance", \.describe_instance),
        ])
        check(joule_plugin.self, "joule_plugin", [
            ("struct_size", \.struct_size), ("abi_version", \.abi_version), ("name", \.name), ("version", \.version),
            ("description", \.description), ("swift_toolchain", \.swift_toolchain),
            ("cost_model_count", \.cost_model_count), ("profile_count", \.profile_count),
            ("cost_models", \.cost_models), ("profiles", \.profiles),
            ("profile_loader_count", \.profile_loader_count), ("profile_loaders", \.profile_loaders),
        ])
    }

    @Test func theHeaderCompilesAsStrictC99AndAsCPlusPlus() throws {
        let directory = try TemporaryDirectory()
        let c = try directory.write("only_header.c", "#include <joule_plugin.h>\nint unused_symbol_for_pedantic;\n")
        try CCompiler.sharedLibrary(sources: [c], output: directory.file("libonly.so"))
        // `$CXX` when set (as CCompiler honours `$CC`), else `c++`; env finds either on PATH.
        let compiler = ProcessInfo.processInfo.environment["CXX"].flatMap { $0.isEmpty ? nil : $0 } ?? "c++"
        let cxx = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                 [compiler, "-std=c++11", "-Wall", "-Werror", "-fsyntax-only", "-x", "c++",
                                  "-I", PackageLayout.pluginHeaderDirectory.path, c.path])
        #expect(cxx.status == 0, "\(cxx.standardError)")
    }

    @Test func versionPackingMatchesTheHeaderMacros() {
        #expect(jouleABIVersion == 0x0001_0001)
        #expect(packABIVersion(major: 2, minor: 7) == 0x0002_0007)
        #expect(describeABIVersion(0x0003_000C) == "3.12")
    }
}
