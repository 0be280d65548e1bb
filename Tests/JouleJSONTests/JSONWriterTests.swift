import JouleJSON
import Testing

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test func compactOutput() {
        let value = JSON.object([
            ("a", .integer(1)),
            ("b", .array([.bool(true), .null, .bool(false)])),
            ("c", .string("x")),
            ("d", .object([])),
            ("e", .array([])),
        ])
        #expect(JSONWriter.render(value, pretty: false) == #"{"a":1,"b":[true,null,false],"c":"x","d":{},"e":[]}"#)
    }

    @Test func prettyOutputIndentsByTwoAndEndsWithANewline() {
        let value = JSON.object([
            ("id", .string("h100")),
            ("shape", .array([.integer(1), .integer(3), .integer(224), .integer(224)])),
            ("nested", .object([("k", .null)])),
            ("empty", .object([])),
        ])
        let expected = """
            {
              "id": "h100",
              "shape": [1, 3, 224, 224],
              "nested": {
                "k": null
              },
              "empty": {}
            }

            """
        #expect(JSONWriter.render(value) == expected)
    }

    @Test func longOrNestedArraysGoOnePerLine() {
        // Nine scalars is one more than stays inline.
        let nine = JSON.array((1...9).map { JSON.integer($0) })
        #expect(JSONWriter.render(nine) == "[\n  1,\n  2,\n  3,\n  4,\n  5,\n  6,\n  7,\n  8,\n  9\n]\n")
        let eight = JSON.array((1...8).map { JSON.integer($0) })
        #expect(JSONWriter.render(eight) == "[1, 2, 3, 4, 5, 6, 7, 8]\n")
        let nested = JSON.array([.array([.integer(1), .integer(2)])])
        #expect(JSONWriter.render(nested) == "[\n  [1, 2]\n]\n")
    }

    @Test func stringEscaping() {
        // quote, backslash, newline, CR, tab, backspace, U+001F, NUL.
        let value = JSON.string("a\"b\\c\nd\re\tf\u{08}g\u{1F}h\u{0}")
        #expect(JSONWriter.render(value, pretty: false) == #""a\"b\\c\nd\re\tf\u0008g\u001fh\u0000""#)
    }

    @Test func nonControlCharactersAreWrittenAsIs() {
        // '/' need not be escaped; non-ASCII stays UTF-8; DEL (0x7F) is not a control character in JSON.
        let value = JSON.string("a/b é € 😀 \u{7F}")
        #expect(JSONWriter.render(value, pretty: false) == "\"a/b é € 😀 \u{7F}\"")
    }

    @Test func keysAreEscapedToo() {
        let value = JSON.object([("say \"hi\"\n", .integer(1))])
        #expect(JSONWriter.render(value, pretty: false) == #"{"say \"hi\"\n":1}"#)
    }

    @Test func integralNumbersArePrintedWithoutFraction() {
        #expect(JSONWriter.render(.number(3.0), pretty: false) == "3")
        #expect(JSONWriter.render(.number(-7.0), pretty: false) == "-7")
        #expect(JSONWriter.render(.number(1e3), pretty: false) == "1000")
        #expect(JSONWriter.render(.number(3.35e12), pretty: false) == "3350000000000")
        #expect(JSONWriter.render(.integer(Int64.max), pretty: false) == "9223372036854775807")
        #expect(JSONWriter.render(.integer(-5), pretty: false) == "-5")
        #expect(JSONWriter.render(.number(2.5), pretty: false) == "2.5")
        #expect(JSONWriter.render(.number(0.1), pretty: false) == "0.1")
    }

    @Test func nonFiniteNumbersBecomeNull() throws {
        let value = JSON.array([.number(.nan), .number(.infinity), .number(-.infinity), .integer(1)])
        #expect(JSONWriter.render(value, pretty: false) == "[null,null,null,1]")
        // A parsed literal too large for a Double keeps its text but is still not written.
        let huge = try JSONParser.parse("[1e999]").plain
        #expect(JSONWriter.render(huge, pretty: false) == "[null]")
    }

    @Test func parsedLiteralsRoundTripToTheSameValue() throws {
        let text = #"[1E+3,-0.5e-2,0]"#
        let plain = try JSONParser.parse(text).plain
        let again = try JSONParser.parse(JSONWriter.render(plain, pretty: false)).plain
        #expect(again == .array([.integer(1000), .number(-0.005), .integer(0)]))
    }

    static let roundTripSample = JSON.object([
        ("name", .string("NVIDIA \"H100\" — 80 GB\tSXM\\5 😀")),
        ("control", .string("\u{0}\u{1}\u{8}\u{C}\u{1F}\n\r")),
        ("", .string("")),
        ("numbers", .array([
            .integer(0), .integer(-1), .integer(Int64.max), .integer(Int64.min),
            .number(0.1), .number(-2.5e-8), .number(1e15), .number(1.2345678901234568e17),
            .number(1.7976931348623157e308), .number(Double.leastNonzeroMagnitude), .number(66_900_000_000_000.01),
        ])),
        ("flags", .array([.bool(true), .bool(false), .null])),
        ("nested", .object([
            ("z", .object([("deep", .array([.array([.object([])]), .array([])]))])),
            ("a", .array((1...12).map { JSON.integer($0) })),
        ])),
    ])

    @Test(arguments: [true, false])
    func renderThenParseGivesAnEqualValue(pretty: Bool) throws {
        let text = JSONWriter.render(Self.roundTripSample, pretty: pretty)
        let parsed = try JSONParser.parse(text)
        #expect(parsed.plain == Self.roundTripSample)
    }

    @Test func roundTripKeepsKeyOrder() throws {
        let value = JSON.object([("z", .integer(1)), ("a", .integer(2)), ("m", .integer(3))])
        let parsed = try JSONParser.parse(JSONWriter.render(value))
        guard case .object(let members) = parsed.value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["z", "a", "m"])
    }
}
