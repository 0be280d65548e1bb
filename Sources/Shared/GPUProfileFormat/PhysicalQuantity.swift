import Foundation

/// The kinds of number a hardware profile holds, and the units a profile file may write
/// them in.
///
/// A profile file may give a number either bare, in the SI unit its key names
/// (`"tdp_watts": 700`), or as a string with a unit copied from a spec sheet
/// (`"tdp_watts": "700 W"`, `"memory_bandwidth_bytes_per_second": "3.35 TB/s"`). Units are
/// matched exactly, because `Gb/s` (bits) and `GB/s` (bytes) differ eightfold.
public enum PhysicalQuantity: Sendable, CaseIterable {
    case flopRate, bandwidth, bytes, power, frequency

    /// What the quantity is, for messages.
    public var noun: String {
        switch self {
        case .flopRate: "a FLOP rate"
        case .bandwidth: "a bandwidth"
        case .bytes: "a size in bytes"
        case .power: "a power"
        case .frequency: "a frequency"
        }
    }

    /// Accepted unit spellings and their factor to the SI unit.
    public var units: KeyValuePairs<String, Double> {
        switch self {
        case .flopRate:
            ["FLOP/s": 1, "kFLOP/s": 1e3, "MFLOP/s": 1e6, "GFLOP/s": 1e9, "TFLOP/s": 1e12, "PFLOP/s": 1e15,
             "FLOPS": 1, "MFLOPS": 1e6, "GFLOPS": 1e9, "TFLOPS": 1e12, "PFLOPS": 1e15]
        case .bandwidth:
            ["B/s": 1, "kB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9, "TB/s": 1e12,
             "KiB/s": 1024, "MiB/s": 1_048_576, "GiB/s": 1_073_741_824, "TiB/s": 1_099_511_627_776,
             "bit/s": 0.125, "Mbit/s": 1e6 / 8, "Gbit/s": 1e9 / 8, "Gb/s": 1e9 / 8, "Tbit/s": 1e12 / 8]
        case .bytes:
            ["B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
             "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824, "TiB": 1_099_511_627_776]
        case .power:
            ["W": 1, "mW": 1e-3, "kW": 1e3]
        case .frequency:
            ["Hz": 1, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9]
        }
    }

    /// Parses `"3.35 TB/s"` (or `"3.35TB/s"`) into the SI value.
    ///
    /// - Returns: the value in SI units, or a one-line reason it could not be read.
    public func parse(_ text: String) -> Result<Double, QuantityError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let numberEnd = trimmed.firstIndex { !("0123456789.eE+-".contains($0)) } ?? trimmed.endIndex
        // "1e3" is a number but "3 EB" must not eat the E: back off a trailing exponent letter.
        var end = numberEnd
        while end > trimmed.startIndex, "eE+-".contains(trimmed[trimmed.index(before: end)]) {
            end = trimmed.index(before: end)
        }
        let numberText = String(trimmed[..<end])
        let unit = trimmed[end...].trimmingCharacters(in: .whitespaces)
        guard let number = Double(numberText), number.isFinite else {
            return .failure(QuantityError(message: "\"\(text)\" is not a number with a unit (e.g. \"\(example)\")"))
        }
        if unit.isEmpty { return .success(number) }
        if let factor = units.first(where: { $0.key == unit })?.value {
            return .success(number * factor)
        }
        let spellings = units.map(\.key).joined(separator: ", ")
        var hint = ""
        let near = units.map(\.key).filter { $0.lowercased() == unit.lowercased() }
        if !near.isEmpty {
            // "gb/s" could be GB/s or Gb/s, eight times apart: offer both.
            hint = " (did you mean \(near.joined(separator: " or "))?)"
        }
        return .failure(QuantityError(message: "unknown unit '\(unit)' for \(noun)\(hint); use one of \(spellings)"))
    }

    private var example: String {
        switch self {
        case .flopRate: "66.9 TFLOP/s"
        case .bandwidth: "3.35 TB/s"
        case .bytes: "80 GiB"
        case .power: "700 W"
        case .frequency: "1.98 GHz"
        }
    }
}

/// Why a quantity string could not be read.
public struct QuantityError: Error, Sendable, Equatable {
    public var message: String
}
