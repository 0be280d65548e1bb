import JouleJSON
import Testing

/// The number a one-number document parses to (so the literal text is the parser's).
private func parsedNumber(_ literal: String) throws -> JSONNumber {
    let node = try JSONParser.parse(literal)
    guard case .number(let n) = node.value else {
        Issue.record("\(literal) did not parse to a number")
        return JSONNumber(text: "", double: .nan)
    }
    return n
}

@Suite("JSONNumber")
struct JSONNumberTests {
    @Test(arguments: [
        ("3", Int64(3)),
        ("-7", -7),
        ("0", 0),
        ("-0", 0),
        ("1e3", 1000),          // 1 * 10^3
        ("1E+3", 1000),
        ("2.5e1", 25),          // 2.5 * 10 = 25, an integer
        ("1.0", 1),
        ("9223372036854775807", Int64.max),   // 2^63 - 1, read from the text exactly
        ("-9223372036854775808", Int64.min),  // -2^63
        ("9007199254740993", 9_007_199_254_740_993),  // 2^53 + 1: not a Double, still exact
    ])
    func integerLiteralsGiveInt64(literal: String, expected: Int64) throws {
        #expect(try parsedNumber(literal).int64 == expected)
    }

    @Test(arguments: [
        "3.5",                       // a fraction
        "-0.25",
        "1e-3",                      // 0.001
        "10000000000000000000",      // 10^19 > 2^63 - 1 = 9223372036854775807
        "9223372036854775808",       // 2^63, one past Int64.max
        "-9223372036854775809",      // one below Int64.min
        "1e30",
        "1e999",                     // infinite as a Double
    ])
    func nonIntegersAndOutOfRangeGiveNil(literal: String) throws {
        #expect(try parsedNumber(literal).int64 == nil)
    }

    @Test func doubleIsTheNearestValue() throws {
        #expect(try parsedNumber("0.1").double == 0.1)
        #expect(try parsedNumber("-12.5e-1").double == -1.25)
        #expect(try parsedNumber("9223372036854775807").double == 9.223372036854775807e18)
    }

    @Test func initFromDoubleWritesIntegersWithoutFraction() {
        #expect(JSONNumber(3.0).text == "3")
        #expect(JSONNumber(-7.0).text == "-7")
        #expect(JSONNumber(700.0).text == "700")
        #expect(JSONNumber(85_899_345_920.0).text == "85899345920")  // 80 GiB
        #expect(JSONNumber(0.0).text == "0")
        #expect(JSONNumber(2.5).text == "2.5")
        #expect(JSONNumber(-0.125).text == "-0.125")
    }

    @Test func initFromDoubleTextParsesBackToTheSameDouble() throws {
        // Values whose shortest form is not an integer literal, or is too big for one.
        for value in [0.1, 1e-7, 6.69e13 + 0.01, 1e15, 1.2345678901234568e17, 1.7976931348623157e308, Double.leastNonzeroMagnitude] {
            let number = JSONNumber(value)
            #expect(try parsedNumber(number.text).double == value, "text \(number.text)")
        }
    }

    @Test func initFromNonFiniteDoubleWritesNull() {
        #expect(JSONNumber(Double.infinity).text == "null")
        #expect(JSONNumber(-Double.infinity).text == "null")
        #expect(JSONNumber(Double.nan).text == "null")
    }

    @Test func initFromInt64IsExact() {
        let number = JSONNumber(Int64.max)
        #expect(number.text == "9223372036854775807")
        #expect(number.int64 == Int64.max)
        #expect(JSONNumber(Int64(-42)).text == "-42")
    }

    /// `int64` promises an `Int64` only for integer literals that fit, and the type's own
    /// documentation says Joule "must say so rather than round it": a literal with a
    /// fraction, or a fraction-form integer beyond 2^53, must not be rounded through `Double`.
    @Test func fractionalLiteralsBeyondDoublePrecisionAreNotRounded() throws {
        // 12345678901234567.5 is not an integer; as a Double it would be 12345678901234568.
        let fractional = try parsedNumber("12345678901234567.5")
        #expect(fractional.int64 == nil)
        // 9007199254740993.0 is 2^53 + 1; the Double would be 2^53 = 9007199254740992. An
        // all-zero fraction is read from its digits, so the integer comes back exactly.
        let integral = try parsedNumber("9007199254740993.0")
        #expect(integral.int64 == 9_007_199_254_740_993)
    }
}
