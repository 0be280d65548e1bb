import JouleJSON
import Testing

/// The syntax error `JSONParser` reports for `text`, or nil when it parses.
private func syntaxError(_ text: String) -> JSONSyntaxError? {
    syntaxError(Array(text.utf8))
}

private func syntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

/// A position, shortly; shared by the tests of this target (JSONObjectReaderTests too).
func pos(_ line: Int, _ column: Int) -> JSONPosition {
    JSONPosition(line: line, column: column)
}

/// The string a one-string document decodes to.
private func decodedString(_ text: String) throws -> String {
    let node = try JSONParser.parse(text)
    guard case .string(let s) = node.value else {
        Issue.record("expected a string, got \(node.kindDescription)")
        return ""
    }
    return s
}

@Suite("JSONParser: RFC 8259 strictness")
struct JSONParserStrictnessTests {
    @Test func trailingCommaInObjectIsRejectedAtTheBrace() throws {
        // {"a": 1,}  -> the '}' is byte 9.
        let error = try #require(syntaxError(#"{"a": 1,}"#))
        #expect(error.message == "trailing comma before '}'")
        #expect(error.position == pos(1, 9))
    }

    @Test func trailingCommaInArrayIsRejectedAtTheBracket() throws {
        // [1, 2,]  -> the ']' is byte 7.
        let error = try #require(syntaxError("[1, 2,]"))
        #expect(error.message == "trailing comma before ']'")
        #expect(error.position == pos(1, 7))
    }

    @Test func leadingCommaAndDoubleCommaAreRejected() throws {
        let leading = try #require(syntaxError("[,1]"))
        #expect(leading.message == "unexpected ','; expected a value")
        #expect(leading.position == pos(1, 2))
        let double = try #require(syntaxError("[1,,2]"))
        #expect(double.position == pos(1, 4))
        let emptyKey = try #require(syntaxError("{,}"))
        #expect(emptyKey.message == "expected a quoted key, got ','")
    }

    @Test(arguments: [
        // (input, column of the offending digit)
        ("01", 2), ("-012", 3), ("[00]", 3), ("007", 2),
    ])
    func leadingZerosAreRejected(input: String, column: Int) throws {
        let error = try #require(syntaxError(input))
        #expect(error.message == "numbers must not have leading zeros")
        #expect(error.position == pos(1, column))
    }

    @Test(arguments: ["0", "-0", "0.5", "0e1", "-0.0E-0", "10", "1.25e+3"])
    func numbersWithALoneZeroOrNoLeadingZeroAreAccepted(input: String) {
        #expect(syntaxError(input) == nil)
    }

    @Test func nanAndInfinityLiteralsAreRejected() throws {
        let nan = try #require(syntaxError("NaN"))
        #expect(nan.message == "unexpected 'N'; expected a value")
        #expect(nan.position == pos(1, 1))

        let infinity = try #require(syntaxError("[1, Infinity]"))
        #expect(infinity.message == "unexpected 'I'; expected a value")
        #expect(infinity.position == pos(1, 5))

        let negative = try #require(syntaxError("-Infinity"))
        #expect(negative.message == "a number needs digits after '-'")

        // Lower-case "nan" starts like "null" and fails as a bad literal, naming NaN.
        let lower = try #require(syntaxError("nan"))
        #expect(lower.message.contains("NaN"))
        #expect(lower.position == pos(1, 1))
    }

    @Test(arguments: [
        ("1.", "a number needs digits after '.'"),
        ("1.e5", "a number needs digits after '.'"),
        ("1e", "a number needs digits in its exponent"),
        ("1e+", "a number needs digits in its exponent"),
        ("-", "a number needs digits after '-'"),
        (".5", "unexpected '.'; expected a value"),
        ("+1", "unexpected '+'; expected a value"),
    ])
    func malformedNumbersAreRejected(input: String, message: String) throws {
        let error = try #require(syntaxError(input))
        #expect(error.message == message)
    }

    @Test func misspelledLiteralsAreRejectedAtTheirStart() throws {
        // [true, flase]: 'f' of flase is byte 8.
        let error = try #require(syntaxError("[true, flase]"))
        #expect(error.message.hasPrefix("invalid literal; expected 'false'"))
        #expect(error.position == pos(1, 8))
        #expect(syntaxError("tru") != nil)
        #expect(syntaxError("nul") != nil)
        #expect(syntaxError("True") != nil)
    }

    @Test func rawControlCharactersInStringsAreRejected() throws {
        // "a<TAB>b": the tab is byte 3.
        let tab = try #require(syntaxError("\"a\tb\""))
        #expect(tab.message == "control character byte 0x9 inside a string; escape it")
        #expect(tab.position == pos(1, 3))

        let nul = try #require(syntaxError([0x22, 0x61, 0x00, 0x22]))
        #expect(nul.message == "control character byte 0x0 inside a string; escape it")
        #expect(nul.position == pos(1, 3))

        let unitSeparator = try #require(syntaxError([0x22, 0x1F, 0x22]))
        #expect(unitSeparator.message.contains("byte 0x1F"))
    }

    @Test func unterminatedStringsPointAtTheirOpeningQuote() throws {
        let atEnd = try #require(syntaxError(#"["abc"#))
        #expect(atEnd.message == "unterminated string (it starts at line 1, column 2)")
        #expect(atEnd.position == pos(1, 2))

        // A raw newline ends the line, so the string never closes on its own line.
        // Line 2 is `  "name": "H100`: the value's quote is byte 11.
        let newline = try #require(syntaxError("{\n  \"name\": \"H100\n}"))
        #expect(newline.message == "unterminated string (it starts at line 2, column 11)")
        #expect(newline.position == pos(2, 11))

        let escape = try #require(syntaxError(#""abc\"#))
        #expect(escape.message == "unterminated escape sequence")
    }

    @Test func duplicateKeysNameTheKeyAndTheLineOfTheFirst() throws {
        let text = """
            {
              "a": 1,
              "b": 2,
              "a": 3
            }
            """
        let error = try #require(syntaxError(text))
        #expect(error.message == #"duplicate key "a" (first at line 2)"#)
        // The second "a" is on line 4, after two spaces.
        #expect(error.position == pos(4, 3))
    }

    @Test func duplicateKeysAreComparedAfterUnescaping() throws {
        // "\u0061" is "a"; the second key starts at byte 8 of {"a":1,"\u0061":2}.
        let error = try #require(syntaxError(#"{"a":1,"\u0061":2}"#))
        #expect(error.message == #"duplicate key "a" (first at line 1)"#)
        #expect(error.position == pos(1, 8))
    }

    @Test func sameKeyInDifferentObjectsIsNotADuplicate() throws {
        let root = try JSONParser.parse(#"{"a": {"a": 1}, "b": {"a": 2}}"#)
        #expect(root["b"]?["a"]?.plain == .integer(2))
    }

    @Test func nestingAtTheLimitIsAccepted() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + "7" + String(repeating: "]", count: depth)
        var node = try JSONParser.parse(text)
        var levels = 0
        while case .array(let items) = node.value {
            levels += 1
            node = try #require(items.first)
        }
        #expect(levels == depth)
        #expect(node.plain == .integer(7))
    }

    @Test func tenThousandNestedArraysAreAnErrorNotACrash() throws {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = try #require(syntaxError(text))
        #expect(error.message == "nested more than \(JSONParser.maximumDepth) levels deep")
        // The first bracket too many is number maximumDepth + 1, one byte each.
        #expect(error.position == pos(1, JSONParser.maximumDepth + 1))
    }

    @Test func oneLevelPastTheLimitIsRejectedForObjectsToo() throws {
        let depth = JSONParser.maximumDepth + 1
        let text = String(repeating: #"{"k":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        let error = try #require(syntaxError(text))
        #expect(error.message.hasPrefix("nested more than"))
        // Each level is the five bytes {"k": so the last '{' starts at 5 * (depth - 1) + 1.
        #expect(error.position == pos(1, 5 * (depth - 1) + 1))
    }

    @Test func emptyInputIsAnError() throws {
        let empty = try #require(syntaxError(""))
        #expect(empty.message == "the file is empty; expected a JSON value")
        #expect(empty.position == pos(1, 1))

        // Only whitespace: the end is on line 2 after a tab and a space.
        let blank = try #require(syntaxError("  \n\t "))
        #expect(blank.message == "the file is empty; expected a JSON value")
        #expect(blank.position == pos(2, 3))
    }

    @Test func leadingByteOrderMarkIsSkipped() throws {
        let root = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8))
        #expect(root.plain == .object([("a", .integer(1))]))
        // Columns count from after the mark: '{' is column 1, the 1 is column 7.
        #expect(root.position == pos(1, 1))
        #expect(root["a"]?.position == pos(1, 7))
    }

    @Test func byteOrderMarkAloneIsEmptyAndAMarkElsewhereIsAnError() throws {
        let alone = try #require(syntaxError([0xEF, 0xBB, 0xBF]))
        #expect(alone.message == "the file is empty; expected a JSON value")

        let inside = try #require(syntaxError([0x5B] + [0xEF, 0xBB, 0xBF] + [0x5D]))
        #expect(inside.message == "unexpected byte 0xEF; expected a value")
        #expect(inside.position == pos(1, 2))
    }

    @Test func textAfterTheValueIsRejected() throws {
        let word = try #require(syntaxError(#"{"a": 1} x"#))
        #expect(word.message == "unexpected text after the end of the JSON value")
        #expect(word.position == pos(1, 10))

        let secondValue = try #require(syntaxError("1 2"))
        #expect(secondValue.position == pos(1, 3))

        let extraBracket = try #require(syntaxError("[1]]"))
        #expect(extraBracket.position == pos(1, 4))

        let nextLine = try #require(syntaxError("{}\n\n  {}"))
        #expect(nextLine.position == pos(3, 3))
    }

    @Test func trailingWhitespaceIsAccepted() throws {
        let root = try JSONParser.parse(" \t\r\n 5 \r\n\t ")
        #expect(root.plain == .integer(5))
        #expect(root.position == pos(2, 2))
    }

    @Test func commentsAndSingleQuotesAreRejected() throws {
        let lineComment = try #require(syntaxError("// note\n1"))
        #expect(lineComment.message == "unexpected '/'; expected a value")

        let blockComment = try #require(syntaxError(#"{"a": 1 /* x */}"#))
        #expect(blockComment.message == #"expected ',' or '}' after the value of "a", got '/'"#)
        #expect(blockComment.position == pos(1, 9))

        let singleQuotes = try #require(syntaxError("{'a': 1}"))
        #expect(singleQuotes.message == "expected a quoted key, got '''")
    }

    @Test func truncatedDocumentsAreRejected() throws {
        let object = try #require(syntaxError(#"{"a": 1"#))
        #expect(object.message == "unexpected end of file inside an object")
        #expect(object.position == pos(1, 8))

        let array = try #require(syntaxError("[1, 2"))
        #expect(array.message == "unexpected end of file inside an array")

        let open = try #require(syntaxError("["))
        #expect(open.message == "unexpected end of file; expected a value")

        let afterKey = try #require(syntaxError(#"{"a""#))
        #expect(afterKey.message == #"unexpected end of file; expected ':' after the key "a""#)

        let missingColon = try #require(syntaxError(#"{"a" 1}"#))
        #expect(missingColon.message == #"expected ':' after the key "a", got '1'"#)
        #expect(missingColon.position == pos(1, 6))
    }

    @Test func syntaxErrorDescriptionLeadsWithThePosition() {
        let error = JSONSyntaxError(message: "trailing comma before '}'", position: pos(3, 7))
        #expect(error.description == "line 3, column 7: trailing comma before '}'")
    }
}

@Suite("JSONParser: positions")
struct JSONParserPositionTests {
    @Test func documentedExamplePosition() throws {
        // { " t d p _ w a t t s " :   -
        // 1 2 3 ...           11 12 13 14 15
        let root = try JSONParser.parse(#"{"tdp_watts": -3}"#)
        #expect(root["tdp_watts"]?.position == pos(1, 15))
    }

    @Test func valuesAndKeysOnSeveralLines() throws {
        let text = """
            {
              "name": "A100",
              "peak": [1,
                       2.5],
              "ok": true
            }
            """
        let root = try JSONParser.parse(text)
        #expect(root.position == pos(1, 1))
        guard case .object(let members) = root.value else {
            Issue.record("root is not an object")
            return
        }
        #expect(members.map(\.key) == ["name", "peak", "ok"])
        #expect(members.map(\.keyPosition) == [pos(2, 3), pos(3, 3), pos(5, 3)])
        #expect(root["name"]?.position == pos(2, 11))
        #expect(root["peak"]?.position == pos(3, 11))
        guard case .array(let items) = try #require(root["peak"]).value else {
            Issue.record("peak is not an array")
            return
        }
        #expect(items.map(\.position) == [pos(3, 12), pos(4, 12)])
        #expect(root["ok"]?.position == pos(5, 9))
    }

    @Test func crlfLineEndingsCountOneLineEach() throws {
        let root = try JSONParser.parse("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}")
        #expect(root["a"]?.position == pos(2, 8))
        #expect(root["b"]?.position == pos(3, 8))
    }

    @Test func errorsOnLaterLinesReportTheirLineAndColumn() throws {
        let trailing = try #require(syntaxError("""
            {
              "a": 1,
              "b": [1, 2,],
            }
            """))
        // Line 3 is `  "b": [1, 2,],`; the ']' is byte 14.
        #expect(trailing.message == "trailing comma before ']'")
        #expect(trailing.position == pos(3, 14))

        let missingComma = try #require(syntaxError("""
            {
              "a": 1
              "b": 2
            }
            """))
        #expect(missingComma.message == #"expected ',' or '}' after the value of "a", got '"'"#)
        #expect(missingComma.position == pos(3, 3))
    }

    @Test func columnsCountBytesNotCharacters() throws {
        // "é" is two UTF-8 bytes: { " é(2) " : space 1 -> the 1 is byte 8.
        let root = try JSONParser.parse(#"{"é": 1}"#)
        #expect(root["é"]?.position == pos(1, 8))
    }
}

@Suite("JSONParser: strings")
struct JSONParserStringTests {
    @Test func simpleEscapes() throws {
        #expect(try decodedString(#""\"\\\/\b\f\n\r\t""#) == "\"\\/\u{08}\u{0C}\n\r\t")
    }

    @Test(arguments: [
        (#""\u0041""#, "A"),
        (#""\u00e9""#, "é"),
        (#""\u20AC""#, "€"),
        (#""x\u0000y""#, "x\u{0}y"),
        // U+1F600: high D83D, low DE00 -> 0x10000 + (0x3D << 10) + 0x200 = 0x1F600.
        (#""\uD83D\uDE00""#, "\u{1F600}"),
        (#""\ud83d\ude00""#, "😀"),
        // U+10FFFF, the last scalar: DBFF DFFF.
        (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
    ])
    func unicodeEscapes(input: String, expected: String) throws {
        #expect(try decodedString(input) == expected)
    }

    @Test(arguments: [
        #""\uD83D""#,         // high surrogate at the end of the string
        #""\uD83Dx""#,        // high surrogate followed by a plain character
        #""\uD83D\n""#,       // high surrogate followed by another escape
        #""\uD83D\u0041""#,   // high surrogate followed by a non-surrogate
        #""\uD83D\uD83D""#,   // two high surrogates
        #""\uDE00""#,         // lone low surrogate
    ])
    func unpairedSurrogatesAreRejected(input: String) throws {
        let error = try #require(syntaxError(input))
        #expect(error.message == "unpaired UTF-16 surrogate in \\u escape")
    }

    @Test(arguments: [#""\u12""#, #""\u12G4""#, #""\u""#, #""\uZZZZ""#])
    func shortOrNonHexUnicodeEscapesAreRejected(input: String) throws {
        let error = try #require(syntaxError(input))
        #expect(error.message == "\\u needs four hex digits")
    }

    @Test func unknownEscapeIsRejected() throws {
        let error = try #require(syntaxError(#""a\xb""#))
        #expect(error.message == #"invalid escape '\x' in a string"#)
        #expect(syntaxError(#""\a""#) != nil)
        #expect(syntaxError(#""\U0041""#) != nil)
    }

    @Test(arguments: [
        [UInt8]([0x22, 0xFF, 0x22]),               // never valid in UTF-8
        [0x22, 0xC0, 0xAF, 0x22],                  // overlong '/'
        [0x22, 0xE2, 0x82, 0x22],                  // truncated 3-byte sequence
        [0x22, 0xED, 0xA0, 0x80, 0x22],            // UTF-8-encoded surrogate D800
        [0x22, 0x80, 0x22],                        // lone continuation byte
    ])
    func invalidUTF8InStringsIsRejected(bytes: [UInt8]) throws {
        let error = try #require(syntaxError(bytes))
        #expect(error.message == "string is not valid UTF-8")
        #expect(error.position == pos(1, 1))
    }

    @Test func validMultiByteUTF8IsKept() throws {
        // "é€😀" as raw bytes: C3 A9, E2 82 AC, F0 9F 98 80.
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]
        let node = try JSONParser.parse(bytes)
        #expect(node.plain == .string("é€😀"))
    }

    @Test func invalidByteOutsideAStringIsRejected() throws {
        let error = try #require(syntaxError([0x5B, 0xFF, 0x5D]))
        #expect(error.message == "unexpected byte 0xFF; expected a value")
        #expect(error.position == pos(1, 2))
    }
}

@Suite("JSONParser: values")
struct JSONParserValueTests {
    @Test func scalars() throws {
        #expect(try JSONParser.parse("true").value == .bool(true))
        #expect(try JSONParser.parse("false").value == .bool(false))
        #expect(try JSONParser.parse("null").value == .null)
        #expect(try JSONParser.parse(#""hi""#).value == .string("hi"))
    }

    @Test func numbersKeepTheirLiteralText() throws {
        let node = try JSONParser.parse("[1E+3, -0.5e-2, 3]")
        guard case .array(let items) = node.value, items.count == 3 else {
            Issue.record("expected three items")
            return
        }
        let numbers = items.compactMap { item -> JSONNumber? in
            if case .number(let n) = item.value { return n } else { return nil }
        }
        #expect(numbers.map(\.text) == ["1E+3", "-0.5e-2", "3"])
        // 1E+3 = 1000; -0.5e-2 = -0.005.
        #expect(numbers.map(\.double) == [1000, -0.005, 3])
    }

    @Test func hugeLiteralParsesToInfinity() throws {
        let node = try JSONParser.parse("1e999")
        guard case .number(let n) = node.value else {
            Issue.record("expected a number")
            return
        }
        #expect(n.double == .infinity)
        #expect(n.text == "1e999")
    }

    @Test func objectMembersKeepFileOrder() throws {
        let root = try JSONParser.parse(#"{"z": 1, "a": 2, "m": 3}"#)
        guard case .object(let members) = root.value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["z", "a", "m"])
        #expect(root.plain == .object([("z", .integer(1)), ("a", .integer(2)), ("m", .integer(3))]))
        #expect(root.plain != .object([("a", .integer(2)), ("m", .integer(3)), ("z", .integer(1))]))
    }

    @Test func emptyContainers() throws {
        #expect(try JSONParser.parse("[ ]").plain == .array([]))
        #expect(try JSONParser.parse("{\n}").plain == .object([]))
    }

    @Test func stringOverloadMatchesBytes() throws {
        let text = #"{"a": [1, "x", null]}"#
        #expect(try JSONParser.parse(text) == JSONParser.parse(Array(text.utf8)))
    }
}
