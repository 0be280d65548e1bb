import GPUProfileFormat
import JouleTestSupport
import Testing

/// The value `text` parses to; a failure is thrown, and so reported once, with its message.
private func value(_ quantity: PhysicalQuantity, _ text: String) throws -> Double {
    try quantity.parse(text).get()
}

/// The failure message for `text`, or nil (and a recorded issue) when it parses.
private func failure(_ quantity: PhysicalQuantity, _ text: String) -> String? {
    switch quantity.parse(text) {
    case .success(let value):
        Issue.record("\"\(text)\" parsed to \(value); expected a failure")
        return nil
    case .failure(let error): return error.message
    }
}

/// Values compare with `close(_:_:relative: tolerance)`: decimal literals like 3.35 are not
/// exact in binary, so 3.35 * 10^12 may differ from the literal 3.35e12 in the last bit.
private let tolerance = 1e-12

@Suite("PhysicalQuantity.parse")
struct PhysicalQuantityTests {
    @Test func specSheetValues() throws {
        #expect(close(try value(.bandwidth, "3.35 TB/s"), 3.35e12, relative: tolerance))
        #expect(close(try value(.frequency, "1.98 GHz"), 1.98e9, relative: tolerance))
        #expect(close(try value(.flopRate, "66.9 TFLOP/s"), 66.9e12, relative: tolerance))
        #expect(close(try value(.flopRate, "19.5 TFLOPS"), 19.5e12, relative: tolerance))
        #expect(close(try value(.flopRate, "989.4 TFLOP/s"), 9.894e14, relative: tolerance))
    }

    @Test func exactValues() throws {
        // 80 * 2^30 = 80 * 1,073,741,824 = 85,899,345,920.
        #expect(try value(.bytes, "80 GiB") == 85_899_345_920)
        #expect(try value(.bytes, "1 KiB") == 1024)
        #expect(try value(.bytes, "1 TiB") == 1_099_511_627_776)        // 2^40
        #expect(try value(.bytes, "16 GB") == 16e9)
        #expect(try value(.power, "700 W") == 700)
        #expect(try value(.power, "2 kW") == 2000)
        #expect(try value(.frequency, "2 MHz") == 2e6)
        #expect(try value(.bandwidth, "2 GiB/s") == 2_147_483_648)       // 2 * 2^30
    }

    @Test func bitsAreAnEighthOfBytes() throws {
        // 10 Gbit/s = 10 * 10^9 / 8 bytes/s = 1.25e9.
        #expect(try value(.bandwidth, "10 Gbit/s") == 1.25e9)
        #expect(try value(.bandwidth, "10 Gb/s") == 1.25e9)
        #expect(try value(.bandwidth, "10 GB/s") == 1e10)
        #expect(try value(.bandwidth, "8 bit/s") == 1)
    }

    @Test func smallUnits() throws {
        // 500 mW = 0.5 W.
        #expect(close(try value(.power, "500 mW"), 0.5, relative: tolerance))
    }

    @Test func bareNumbersAreAlreadySI() throws {
        #expect(try value(.power, "1e3") == 1000)
        #expect(try value(.power, "700") == 700)
        #expect(try value(.bytes, "2.5E+1") == 25)
    }

    @Test func spacingIsOptionalAndOuterWhitespaceIgnored() throws {
        #expect(close(try value(.bandwidth, "3.35TB/s"), 3.35e12, relative: tolerance))
        #expect(try value(.power, "  700 W  ") == 700)
        #expect(try value(.power, "700   W") == 700)
        #expect(try value(.power, "1e3W") == 1000)
    }

    @Test func signIsLeftToTheCaller() throws {
        // parse reads the number; positivity is the profile decoder's business.
        #expect(try value(.power, "-5 W") == -5)
    }

    @Test func unknownUnitIsNamedAndTheAlternativesListed() throws {
        let message = try #require(failure(.power, "300 Watt"))
        #expect(message == "unknown unit 'Watt' for a power; use one of W, mW, kW")
    }

    @Test func exponentLetterIsNotEatenFromAUnit() throws {
        // "3 EB" and "3EB" are 3 exabytes, which is not an accepted unit: the E must stay in it.
        let spaced = try #require(failure(.bytes, "3 EB"))
        #expect(spaced.hasPrefix("unknown unit 'EB' for a size in bytes"))
        let joined = try #require(failure(.bytes, "3EB"))
        #expect(joined.hasPrefix("unknown unit 'EB' for a size in bytes"))
    }

    @Test func wrongCaseGetsAHint() throws {
        let lower = try #require(failure(.bandwidth, "16 gb/s"))
        #expect(lower.hasPrefix("unknown unit 'gb/s' for a bandwidth (did you mean "))
        // gb/s matches GB/s (bytes) and Gb/s (bits) alike, eight times apart: both are offered.
        #expect(lower.contains("(did you mean GB/s or Gb/s?)"))
        let tera = try #require(failure(.bandwidth, "3.35 tb/s"))
        #expect(tera.contains("(did you mean TB/s?)"))
        let giga = try #require(failure(.frequency, "1.98 ghz"))
        #expect(giga.contains("(did you mean GHz?)"))
        // The list of spellings follows the hint.
        #expect(giga.hasSuffix("; use one of Hz, kHz, MHz, GHz"))
    }

    @Test func noHintWhenNoUnitMatchesIgnoringCase() throws {
        let message = try #require(failure(.frequency, "2 rpm"))
        #expect(!message.contains("did you mean"))
        #expect(message == "unknown unit 'rpm' for a frequency; use one of Hz, kHz, MHz, GHz")
    }

    @Test func unitFromAnotherQuantityIsRejected() throws {
        // Bytes are not a bandwidth: "TB" without "/s" must not be read as TB/s.
        let message = try #require(failure(.bandwidth, "3.35 TB"))
        #expect(message.hasPrefix("unknown unit 'TB' for a bandwidth"))
        #expect(failure(.power, "1.98 GHz") != nil)
    }

    @Test func notANumber() throws {
        let message = try #require(failure(.bandwidth, "abc"))
        #expect(message == #""abc" is not a number with a unit (e.g. "3.35 TB/s")"#)
        let power = try #require(failure(.power, "fast"))
        #expect(power == #""fast" is not a number with a unit (e.g. "700 W")"#)
    }

    @Test(arguments: ["", "   ", "W", "e3", "1..5 W", "1e W", "nan W", "1e999 W", "- W"])
    func malformedOrNonFiniteNumbersFail(text: String) {
        // `failure` records an issue when the text parses.
        if let message = failure(.power, text) {
            #expect(!message.isEmpty)
        }
    }

    @Test func everyQuantityHasANounAndAnSIUnitOfOne() {
        let si: [PhysicalQuantity: String] = [
            .flopRate: "FLOP/s", .bandwidth: "B/s", .bytes: "B", .power: "W", .frequency: "Hz",
        ]
        for quantity in PhysicalQuantity.allCases {
            #expect(!quantity.noun.isEmpty)
            #expect(si[quantity] != nil, "no SI unit listed here for \(quantity)")
            #expect(quantity.units.first { $0.key == si[quantity] }?.value == 1, "\(quantity)")
        }
    }
}
