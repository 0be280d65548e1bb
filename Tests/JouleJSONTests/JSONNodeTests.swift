import JouleJSON
import Testing

@Suite("JSONNode")
struct JSONNodeTests {
    @Test func subscriptFindsMembersOfObjectsOnly() throws {
        let root = try JSONParser.parse(#"{"a": 1, "b": {"c": "x"}}"#)
        #expect(root["a"]?.plain == .integer(1))
        #expect(root["b"]?["c"]?.plain == .string("x"))
        #expect(root["missing"] == nil)
        let array = try JSONParser.parse("[1, 2]")
        #expect(array["a"] == nil)
        #expect(try JSONParser.parse(#""a""#)["a"] == nil)
    }

    @Test(arguments: [
        ("null", "null"), ("true", "a boolean"), ("1.5", "a number"), (#""s""#, "a string"),
        ("[]", "an array"), ("{}", "an object"),
    ])
    func kindDescriptions(text: String, expected: String) throws {
        #expect(try JSONParser.parse(text).kindDescription == expected)
    }

    @Test func plainDropsPositionsButKeepsStructure() throws {
        let root = try JSONParser.parse("""
            {
              "list": [true, null, "s"],
              "n": -2.5
            }
            """)
        let expected = JSON.object([
            ("list", .array([.bool(true), .null, .string("s")])),
            ("n", .number(-2.5)),
        ])
        #expect(root.plain == expected)
    }

    @Test func nodesAtDifferentPositionsDifferButTheirPlainValuesAreEqual() throws {
        let a = try JSONParser.parse("[1]")
        let b = try JSONParser.parse("\n  [1]")
        #expect(a != b)
        #expect(a.plain == b.plain)
    }

    @Test func plainNumbersCompareByValue() {
        // 1e3 and 1000 are the same number written two ways.
        #expect(JSON.number(JSONNumber(text: "1e3", double: 1000)) == .integer(1000))
        #expect(JSON.number(0.5) != .number(0.25))
        #expect(JSON.integer(1) != .string("1"))
        #expect(JSON.array([.integer(1)]) != .array([.integer(1), .integer(1)]))
    }

    @Test func positionDescription() {
        #expect(JSONPosition(line: 12, column: 3).description == "line 12, column 3")
    }
}
