import GPUProfileFormat
import JouleJSON
import JouleTestSupport
import PluginAPI
import Testing

/// A profile file written one member per line, so that member `i` stands on line `i + 2`.
private struct ProfileFile {
    var members: [(key: String, json: String)]

    /// A complete, valid H100 SXM profile using every field, with units where a spec sheet has them.
    static let complete = ProfileFile(members: [
        ("id", #""h100-sxm""#),
        ("name", #""NVIDIA H100 SXM5 80GB""#),
        ("vendor", #""NVIDIA""#),
        ("architecture", #""Hopper""#),
        ("kind", #""gpu""#),
        ("aliases", #"["H100", "h100_sxm5"]"#),
        ("peak_flops", #"{"fp32": "66.9 TFLOP/s", "fp16": 133.8e12, "tensor": "989.4 TFLOP/s"}"#),
        ("memory_bandwidth_bytes_per_second", #""3.35 TB/s""#),
        ("memory_bytes", #""80 GiB""#),
        ("tdp_watts", #""700 W""#),
        ("idle_watts", "60"),
        ("clock_hz", #""1.98 GHz""#),
        ("interconnect_bytes_per_second", #""450 GB/s""#),
        ("host_link_bytes_per_second", "64000000000"),
        ("source", #"{"summary": "NVIDIA H100 datasheet", "tdp_watts": "SXM5 board power"}"#),
        ("model_files", #"["models/h100.json"]"#),
    ])

    /// Only the required fields.
    static let minimal = ProfileFile(members: [
        ("id", #""tiny""#),
        ("name", #""Tiny GPU""#),
        ("peak_flops", #"{"fp32": 1e12}"#),
        ("memory_bandwidth_bytes_per_second", "1e11"),
        ("memory_bytes", "4294967296"),
        ("tdp_watts", "75"),
    ])

    var text: String {
        "{\n" + members.map { "  \"\($0.key)\": \($0.json)" }.joined(separator: ",\n") + "\n}\n"
    }

    /// The line on which `key` stands; nil, with a recorded issue, when there is no such member.
    func line(of key: String) -> Int? {
        guard let index = members.firstIndex(where: { $0.key == key }) else {
            Issue.record("no member \(key) in the file")
            return nil
        }
        return index + 2
    }

    func replacing(_ key: String, with json: String) -> ProfileFile {
        var copy = self
        guard let index = members.firstIndex(where: { $0.key == key }) else {
            Issue.record("no member \(key) to replace")
            return copy
        }
        copy.members[index].json = json
        return copy
    }

    func removing(_ key: String) -> ProfileFile {
        var copy = self
        copy.members.removeAll { $0.key == key }
        return copy
    }

    func adding(_ key: String, _ json: String) -> ProfileFile {
        var copy = self
        copy.members.append((key, json))
        return copy
    }
}

/// Decodes `text`; returns the profile or the problems.
private func decode(_ text: String) throws -> Result<HardwareProfile, JSONValidationError> {
    let root = try JSONParser.parse(text)
    do {
        return .success(try HardwareProfile.decode(from: root))
    } catch {
        return .failure(error)
    }
}

/// The problems decoding `file` reports (none recorded as an issue when it decodes).
private func problems(_ file: ProfileFile) throws -> [JSONProblems.Problem] {
    switch try decode(file.text) {
    case .success:
        Issue.record("expected the profile to be rejected:\n\(file.text)")
        return []
    case .failure(let error):
        return error.problems
    }
}

private func decoded(_ file: ProfileFile) throws -> HardwareProfile {
    try decoded(text: file.text)
}

/// The profile `text` decodes to; the problems are thrown (and so reported once) otherwise.
private func decoded(text: String) throws -> HardwareProfile {
    try decode(text).get()
}

/// Unit conversions like 3.35 * 10^12 may differ from the literal 3.35e12 in the last bit.
private let tolerance = 1e-12

@Suite("HardwareProfile.decode: valid files")
struct HardwareProfileDecodeValidTests {
    @Test func completeProfileDecodesToTheValuesWritten() throws {
        let profile = try decoded(.complete)
        #expect(profile.id == "h100-sxm")
        #expect(profile.name == "NVIDIA H100 SXM5 80GB")
        #expect(profile.vendor == "NVIDIA")
        #expect(profile.architecture == "Hopper")
        #expect(profile.kind == .gpu)
        #expect(profile.aliases == ["H100", "h100_sxm5"])
        // 66.9 TFLOP/s = 6.69e13; fp16 given bare in FLOP/s; 989.4 TFLOP/s = 9.894e14.
        #expect(close(profile.peakFlops.fp32, 6.69e13, relative: tolerance))
        #expect(profile.peakFlops.fp16 == 1.338e14)
        #expect(close(profile.peakFlops.tensor, 9.894e14, relative: tolerance))
        // 3.35 TB/s = 3.35e12 B/s; 80 GiB = 80 * 2^30 = 85,899,345,920 B.
        #expect(close(profile.memoryBandwidthBytesPerSecond, 3.35e12, relative: tolerance))
        #expect(profile.memoryBytes == 85_899_345_920)
        #expect(profile.tdpWatts == 700)
        #expect(profile.idleWatts == 60)
        #expect(close(profile.clockHz, 1.98e9, relative: tolerance))
        // 450 GB/s = 4.5e11 B/s.
        #expect(profile.interconnectBytesPerSecond == 4.5e11)
        #expect(profile.hostLinkBytesPerSecond == 6.4e10)
        #expect(profile.source == ["summary": "NVIDIA H100 datasheet", "tdp_watts": "SXM5 board power"])
        #expect(profile.modelFiles == ["models/h100.json"])
    }

    @Test func minimalProfileGetsDefaults() throws {
        let profile = try decoded(.minimal)
        #expect(profile == HardwareProfile(
            id: "tiny", name: "Tiny GPU", vendor: "", architecture: "", kind: .gpu, aliases: [],
            peakFlops: .init(fp32: 1e12, fp16: 0, tensor: 0),
            memoryBandwidthBytesPerSecond: 1e11, memoryBytes: 4_294_967_296, tdpWatts: 75,
            idleWatts: 0, clockHz: 0, interconnectBytesPerSecond: 0, hostLinkBytesPerSecond: 0,
            source: [:], modelFiles: []))
    }

    @Test(arguments: [("cpu", HardwareProfile.DeviceKind.cpu), ("accelerator", .accelerator), ("gpu", .gpu)])
    func kinds(name: String, kind: HardwareProfile.DeviceKind) throws {
        #expect(try decoded(.minimal.adding("kind", "\"\(name)\"")).kind == kind)
    }

    @Test func optionalNumbersMayBeZero() throws {
        let file = ProfileFile.minimal
            .replacing("peak_flops", with: #"{"fp32": 1e12, "fp16": 0, "tensor": "0 TFLOP/s"}"#)
            .adding("idle_watts", "0").adding("clock_hz", #""0 Hz""#)
            .adding("interconnect_bytes_per_second", "0").adding("host_link_bytes_per_second", "0")
        let profile = try decoded(file)
        #expect(profile.peakFlops.fp16 == 0)
        #expect(profile.peakFlops.tensor == 0)
        #expect(profile.idleWatts == 0)
        #expect(profile.clockHz == 0)
    }

    @Test func quotedBareNumberIsSI() throws {
        #expect(try decoded(.minimal.replacing("tdp_watts", with: #""700""#)).tdpWatts == 700)
    }

    @Test func idleJustBelowTDPIsFine() throws {
        let profile = try decoded(.minimal.adding("idle_watts", "74.5"))
        #expect(profile.idleWatts == 74.5)
    }
}

@Suite("HardwareProfile.decode: broken files")
struct HardwareProfileDecodeBrokenTests {
    @Test func missingTDP() throws {
        let found = try problems(ProfileFile.complete.removing("tdp_watts"))
        #expect(found.map(\.field) == ["tdp_watts"])
        #expect(found.map(\.message) == ["missing (required)"])
        // Reported at the object that lacks it, which opens on line 1.
        #expect(found.first?.position?.line == 1)
    }

    @Test(arguments: ["id", "name", "peak_flops", "memory_bandwidth_bytes_per_second", "memory_bytes", "tdp_watts"])
    func everyRequiredFieldIsRequired(key: String) throws {
        let found = try problems(ProfileFile.minimal.removing(key))
        #expect(found.map(\.field) == [key])
        #expect(found.map(\.message) == ["missing (required)"])
    }

    @Test func missingFP32InsidePeakFlops() throws {
        let file = ProfileFile.minimal.replacing("peak_flops", with: #"{"fp16": 1e12}"#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["peak_flops.fp32"])
        #expect(found.first?.position?.line == file.line(of: "peak_flops"))
    }

    @Test func nonNumericTDP() throws {
        let file = ProfileFile.complete.replacing("tdp_watts", with: #""abc""#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["tdp_watts"])
        #expect(found.map(\.message) == [#""abc" is not a number with a unit (e.g. "700 W")"#])
        #expect(found.first?.position?.line == file.line(of: "tdp_watts"))
    }

    @Test(arguments: [("true", "a boolean"), ("null", "null"), ("[700]", "an array"), (#"{"W": 700}"#, "an object")])
    func tdpOfTheWrongType(json: String, kind: String) throws {
        let found = try problems(ProfileFile.minimal.replacing("tdp_watts", with: json))
        #expect(found.map(\.field) == ["tdp_watts"])
        #expect(found.map(\.message) == ["expected a number, got \(kind)"])
    }

    @Test func hugeBareNumberIsOutOfRange() throws {
        let found = try problems(ProfileFile.minimal.replacing("tdp_watts", with: "1e999"))
        #expect(found.map(\.field) == ["tdp_watts"])
        #expect(found.map(\.message) == ["1e999 is out of range"])
    }

    @Test(arguments: [
        ("tdp_watts", "0"), ("tdp_watts", "-300"), ("tdp_watts", #""0 W""#), ("tdp_watts", #""-1 kW""#),
        ("memory_bytes", "0"), ("memory_bytes", #""-80 GiB""#),
        ("memory_bandwidth_bytes_per_second", "-1"), ("memory_bandwidth_bytes_per_second", #""0 TB/s""#),
    ])
    func requiredNumbersMustBePositive(key: String, json: String) throws {
        let file = ProfileFile.complete.replacing(key, with: json)
        let found = try problems(file)
        #expect(found.map(\.field) == [key])
        #expect(found.first?.message.hasPrefix("must be positive") == true, "\(found)")
        #expect(found.first?.position?.line == file.line(of: key))
    }

    @Test func fp32MustBePositive() throws {
        let file = ProfileFile.complete.replacing("peak_flops", with: #"{"fp32": "0 TFLOP/s"}"#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["peak_flops.fp32"])
        #expect(found.first?.message.hasPrefix("must be positive") == true)
        #expect(found.first?.position?.line == file.line(of: "peak_flops"))
    }

    @Test(arguments: [
        ("idle_watts", "-5"), ("clock_hz", #""-1 GHz""#), ("interconnect_bytes_per_second", "-1"),
        ("host_link_bytes_per_second", #""-64 GB/s""#),
    ])
    func optionalNumbersMustNotBeNegative(key: String, json: String) throws {
        let file = ProfileFile.complete.replacing(key, with: json)
        let found = try problems(file)
        #expect(found.map(\.field) == [key])
        #expect(found.first?.message.hasPrefix("must not be negative") == true, "\(found)")
        #expect(found.first?.position?.line == file.line(of: key))
    }

    @Test func negativeOptionalPeakFlops() throws {
        let file = ProfileFile.complete.replacing("peak_flops", with: #"{"fp32": 1e12, "tensor": -1}"#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["peak_flops.tensor"])
        #expect(found.first?.message.hasPrefix("must not be negative") == true)
    }

    @Test func unknownUnit() throws {
        let file = ProfileFile.complete.replacing("tdp_watts", with: #""700 Watt""#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["tdp_watts"])
        #expect(found.map(\.message) == ["unknown unit 'Watt' for a power; use one of W, mW, kW"])
        #expect(found.first?.position?.line == file.line(of: "tdp_watts"))
    }

    @Test func unitOfTheWrongQuantity() throws {
        // A size is not a bandwidth.
        let found = try problems(ProfileFile.complete.replacing("memory_bandwidth_bytes_per_second", with: #""3.35 TB""#))
        #expect(found.map(\.field) == ["memory_bandwidth_bytes_per_second"])
        #expect(found.first?.message.hasPrefix("unknown unit 'TB' for a bandwidth") == true)
    }

    @Test func unknownTopLevelKeyWithSuggestion() throws {
        let file = ProfileFile.complete.adding("tdp_wats", "700")
        let found = try problems(file)
        #expect(found.map(\.field) == ["tdp_wats"])
        #expect(found.map(\.message) == [#"unknown field; did you mean "tdp_watts"?"#])
        #expect(found.first?.position?.line == file.line(of: "tdp_wats"))
    }

    @Test func unknownTopLevelKeyWithoutSuggestion() throws {
        let found = try problems(ProfileFile.complete.adding("colour", #""green""#))
        #expect(found.map(\.field) == ["colour"])
        #expect(found.map(\.message) == ["unknown field"])
    }

    @Test func unknownKeyInsidePeakFlops() throws {
        let file = ProfileFile.complete.replacing("peak_flops", with: #"{"fp32": 1e12, "fp64": 5e11, "tensr": 1e14}"#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["peak_flops.fp64", "peak_flops.tensr"])
        #expect(found.allSatisfy { $0.message.hasPrefix("unknown field") })
        #expect(found.last?.message == #"unknown field; did you mean "tensor"?"#)
        #expect(found.first?.position?.line == file.line(of: "peak_flops"))
    }

    @Test(arguments: [("700", "700"), ("800", "700")])
    func idleMustBeBelowTDP(idle: String, tdp: String) throws {
        let file = ProfileFile.complete.replacing("idle_watts", with: idle).replacing("tdp_watts", with: tdp)
        let found = try problems(file)
        #expect(found.map(\.field) == ["idle_watts"])
        #expect(found.first?.message.contains("is not below the TDP") == true, "\(found)")
        #expect(found.first?.position?.line == file.line(of: "idle_watts"))
    }

    @Test(arguments: [#""h100 sxm""#, #""h100/sxm""#, #""h100é""#, #""a:b""#])
    func invalidIDCharacters(json: String) throws {
        let file = ProfileFile.complete.replacing("id", with: json)
        let found = try problems(file)
        #expect(found.map(\.field) == ["id"])
        #expect(found.first?.message.contains("must be letters, digits, '_', '-' or '.'") == true)
        #expect(found.first?.position?.line == file.line(of: "id"))
    }

    @Test func invalidAlias() throws {
        let found = try problems(ProfileFile.complete.replacing("aliases", with: #"["H100", "H 100"]"#))
        #expect(found.map(\.field) == ["aliases"])
        #expect(found.map(\.message) == [#""H 100" must be letters, digits, '_', '-' or '.'"#])
    }

    @Test func emptyAliasAndModelFile() throws {
        let file = ProfileFile.complete
            .replacing("aliases", with: #"["ok", ""]"#).replacing("model_files", with: "[3]")
        let found = try problems(file)
        #expect(found.map(\.field) == ["aliases[1]", "model_files[0]"])
    }

    @Test func wrongKind() throws {
        let file = ProfileFile.complete.replacing("kind", with: #""GPU""#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["kind"])
        #expect(found.map(\.message) == [#"unknown value "GPU"; expected one of gpu, cpu, accelerator"#])
        #expect(found.first?.position?.line == file.line(of: "kind"))

        let number = try problems(ProfileFile.complete.replacing("kind", with: "1"))
        #expect(number.map(\.message) == ["expected a string, got a number"])
    }

    @Test func emptyNameAndNonStringSource() throws {
        let file = ProfileFile.complete
            .replacing("name", with: #""  ""#)
            .replacing("source", with: #"{"summary": 5, "tdp_watts": ""}"#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["name", "source.summary", "source.tdp_watts"])
        #expect(found.map(\.message) == ["must not be empty", "expected a string, got a number", "must not be empty"])
    }

    @Test func peakFlopsMustBeAnObject() throws {
        let found = try problems(ProfileFile.complete.replacing("peak_flops", with: "6.69e13"))
        #expect(found.map(\.field) == ["peak_flops"])
        #expect(found.map(\.message) == ["expected an object, got a number"])
    }

    @Test func documentMustBeAnObject() throws {
        guard case .failure(let error) = try decode("[]") else {
            Issue.record("an array decoded as a profile")
            return
        }
        // One problem: the missing fields follow from it and are not listed one by one.
        #expect(error.problems.map(\.field) == ["the document"])
        #expect(error.problems.first?.message == "expected an object, got an array")
    }

    @Test func severalProblemsAreReportedTogetherInFieldOrder() throws {
        let file = ProfileFile.complete
            .removing("name")
            .replacing("kind", with: #""tpu""#)
            .replacing("peak_flops", with: #"{"fp32": -1, "fp64": 1}"#)
            .replacing("tdp_watts", with: #""abc""#)
            .replacing("idle_watts", with: "-1")
            .replacing("clock_hz", with: #""1.98 Ghz""#)
            .adding("colour", #""green""#)
        let found = try problems(file)
        #expect(found.map(\.field) == [
            "name", "kind", "peak_flops.fp32", "tdp_watts", "idle_watts", "clock_hz", "peak_flops.fp64", "colour",
        ])
        #expect(found.first(where: { $0.field == "clock_hz" })?.message.contains("did you mean GHz?") == true)
        let lines = found.map { $0.position?.line }
        #expect(lines == [
            1, file.line(of: "kind"), file.line(of: "peak_flops"), file.line(of: "tdp_watts"),
            file.line(of: "idle_watts"), file.line(of: "clock_hz"), file.line(of: "peak_flops"), file.line(of: "colour"),
        ])
    }

    /// A unit can turn a finite number into infinity: 1e300 PFLOP/s = 1e315, past Double's
    /// 1.8e308. The problem must point at the line of `peak_flops`, not at line 1.
    @Test func overflowingUnitIsReportedOnTheFieldsLine() throws {
        let file = ProfileFile.complete.replacing("peak_flops", with: #"{"fp32": "1e300 PFLOP/s"}"#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["peak_flops.fp32"])
        #expect(found.first?.position?.line == file.line(of: "peak_flops"))
    }

    @Test func overflowingUnitOnATopLevelFieldIsRejected() throws {
        // 1e300 TB/s = 1e312 B/s: infinite.
        let file = ProfileFile.complete.replacing("memory_bandwidth_bytes_per_second", with: #""1e300 TB/s""#)
        let found = try problems(file)
        #expect(found.map(\.field) == ["memory_bandwidth_bytes_per_second"])
        #expect(found.first?.position?.line == file.line(of: "memory_bandwidth_bytes_per_second"))
    }
}

@Suite("HardwareProfile.json")
struct HardwareProfileJSONTests {
    /// Awkward but valid values: fractions, a huge finite link rate, quotes, a tab and
    /// non-ASCII text, source keys out of schema order.
    static let sample = HardwareProfile(
        id: "mi300x.v2_b-1", name: "AMD \"MI300X\"\tOAM — 192 GB", vendor: "AMD", architecture: "CDNA 3",
        kind: .accelerator, aliases: ["MI300X", "mi300x_oam"],
        peakFlops: .init(fp32: 163.4e12, fp16: 0.1, tensor: 1307.4e12),
        memoryBandwidthBytesPerSecond: 5.3e12, memoryBytes: 192 * 1_073_741_824, tdpWatts: 750.5,
        idleWatts: 0, clockHz: 2.1e9, interconnectBytesPerSecond: 1.7976931348623157e308,
        hostLinkBytesPerSecond: 1234.5678,
        source: ["zzz": "last", "tdp_watts": "AMD spec", "summary": "datasheet \\ notes", "aaa": "first extra",
                 "peak_flops.fp32": "vector FP32"],
        modelFiles: ["models/mi300x.json", "models/mi300x-extra.json"])

    @Test(arguments: [true, false])
    func renderParseDecodeRoundTripsExactly(pretty: Bool) throws {
        #expect(Self.sample.consistencyProblems().isEmpty)
        let text = JSONWriter.render(Self.sample.json, pretty: pretty)
        let profile = try decoded(text: text)
        #expect(profile == Self.sample)
        // Field by field too, so a failure says which one.
        #expect(profile.peakFlops == Self.sample.peakFlops)
        #expect(profile.hostLinkBytesPerSecond == 1234.5678)
        #expect(profile.interconnectBytesPerSecond == 1.7976931348623157e308)
        #expect(profile.source == Self.sample.source)
        #expect(profile.name == "AMD \"MI300X\"\tOAM — 192 GB")
    }

    @Test func minimalProfileRoundTrips() throws {
        let minimal = HardwareProfile(
            id: "x", name: "X", vendor: "", architecture: "", peakFlops: .init(fp32: 1),
            memoryBandwidthBytesPerSecond: 1, memoryBytes: 1, tdpWatts: 1, idleWatts: 0, clockHz: 0, source: [:])
        let profile = try decoded(text: JSONWriter.render(minimal.json))
        #expect(profile == minimal)
    }

    @Test func keysComeInSchemaOrder() {
        guard case .object(let members) = Self.sample.json else {
            Issue.record("json is not an object")
            return
        }
        #expect(members.map(\.0) == [
            "id", "name", "vendor", "architecture", "kind", "aliases", "peak_flops",
            "memory_bandwidth_bytes_per_second", "memory_bytes", "tdp_watts", "idle_watts", "clock_hz",
            "interconnect_bytes_per_second", "host_link_bytes_per_second", "source", "model_files",
        ])
        // Source: summary, then numeric fields in schema order, then the rest alphabetically.
        guard case .object(let source)? = members.first(where: { $0.0 == "source" })?.1 else {
            Issue.record("source is not an object")
            return
        }
        #expect(source.map(\.0) == ["summary", "peak_flops.fp32", "tdp_watts", "aaa", "zzz"])
    }

    @Test func numbersAreWrittenInSIWithoutFraction() {
        let text = JSONWriter.render(Self.sample.json)
        // 192 GiB = 192 * 2^30 = 206,158,430,208; unknown idle power is 0.
        #expect(text.contains(#""memory_bytes": 206158430208,"#))
        #expect(text.contains(#""idle_watts": 0,"#))
        #expect(text.contains(#""kind": "accelerator","#))
        #expect(text.contains(#""aliases": ["MI300X", "mi300x_oam"],"#))
    }

    /// `HardwareProfile`'s documentation promises that `joule gpus show ID --format json`
    /// "always yields a file the loader accepts". So whatever `decode` rejects in a written
    /// profile (an empty name, an empty source note, an empty model file name),
    /// `consistencyProblems()` must report too, under the same field.
    @Test(arguments: ["name", "source", "model_files"])
    func whatDecodeRejectsConsistencyReports(emptyField: String) throws {
        var profile = Self.sample
        switch emptyField {
        case "name": profile.name = ""
        case "source": profile.source["summary"] = ""
        default: profile.modelFiles = [""]
        }
        #expect(profile.consistencyProblems().map(\.field) == [emptyField])
        let root = try JSONParser.parse(JSONWriter.render(profile.json))
        #expect(throws: JSONValidationError.self) { _ = try HardwareProfile.decode(from: root) }
    }
}

@Suite("HardwareProfile.consistencyProblems")
struct HardwareProfileConsistencyTests {
    static let valid = HardwareProfile(
        id: "t4", name: "NVIDIA T4", vendor: "NVIDIA", architecture: "Turing",
        peakFlops: .init(fp32: 8.1e12, fp16: 16.2e12, tensor: 65e12),
        memoryBandwidthBytesPerSecond: 320e9, memoryBytes: 16e9, tdpWatts: 70, idleWatts: 10, clockHz: 1.59e9,
        source: [:])

    @Test func validProfileHasNone() {
        #expect(Self.valid.consistencyProblems().isEmpty)
    }

    @Test func badIdentifiers() {
        var profile = Self.valid
        profile.id = ""
        profile.aliases = ["ok-1.2_3", "has space", "slash/"]
        let found = profile.consistencyProblems()
        #expect(found.map(\.field) == ["id", "aliases", "aliases"])
        #expect(found.map(\.message) == [
            "\"\" must be letters, digits, '_', '-' or '.'",
            #""has space" must be letters, digits, '_', '-' or '.'"#,
            #""slash/" must be letters, digits, '_', '-' or '.'"#,
        ])
    }

    @Test func requiredNumbersMustBePositiveAndFinite() {
        var profile = Self.valid
        profile.peakFlops.fp32 = 0
        profile.memoryBandwidthBytesPerSecond = -1
        profile.memoryBytes = .nan
        profile.tdpWatts = .infinity
        profile.idleWatts = 0
        let found = profile.consistencyProblems()
        #expect(found.map(\.field) == ["peak_flops.fp32", "memory_bandwidth_bytes_per_second", "memory_bytes", "tdp_watts"])
        #expect(found.allSatisfy { $0.message.hasPrefix("must be positive") })
    }

    @Test func optionalNumbersMustBeZeroOrPositiveAndFinite() {
        var profile = Self.valid
        profile.peakFlops.fp16 = -1
        profile.peakFlops.tensor = .nan
        profile.idleWatts = -0.5
        profile.clockHz = .infinity
        profile.interconnectBytesPerSecond = -.infinity
        profile.hostLinkBytesPerSecond = -2
        let found = profile.consistencyProblems()
        #expect(found.map(\.field) == [
            "peak_flops.fp16", "peak_flops.tensor", "idle_watts", "clock_hz",
            "interconnect_bytes_per_second", "host_link_bytes_per_second",
        ])
        #expect(found.allSatisfy { $0.message.hasPrefix("must be 0 (unknown) or positive") })
    }

    @Test func idleAtOrAboveTDP() {
        var profile = Self.valid
        profile.idleWatts = 70
        #expect(profile.consistencyProblems().map(\.field) == ["idle_watts"])
        #expect(profile.consistencyProblems().map(\.message) == ["idle power 70 W is not below the TDP 70 W"])
        profile.idleWatts = 69.9
        #expect(profile.consistencyProblems().isEmpty)
        profile.idleWatts = 0  // unknown: nothing to compare
        profile.tdpWatts = 1
        #expect(profile.consistencyProblems().isEmpty)
    }

    @Test(arguments: [
        ("a", true), ("H100-SXM_5.0", true), ("0", true), ("", false), ("a b", false), ("é", false),
        ("a/b", false), ("a:b", false), ("tab\t", false),
    ])
    func identifiers(text: String, valid: Bool) {
        #expect(HardwareProfile.isValidIdentifier(text) == valid)
    }
}
