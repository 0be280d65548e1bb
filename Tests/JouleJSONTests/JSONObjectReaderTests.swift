import JouleJSON
import Testing

/// A reader over the root of `text`, and the problems it collects.
private func reader(_ text: String, path: String = "") throws -> (JSONObjectReader, JSONProblems) {
    let problems = JSONProblems()
    let root = try JSONParser.parse(text)
    return (JSONObjectReader(root, path: path, problems: problems), problems)
}

/// One problem as comparable text: field, full position and message.
private func P(field: String, position: JSONPosition?, message: String) -> String {
    "\(field) @ \(position.map(\.description) ?? "-"): \(message)"
}

private func summaries(_ problems: JSONProblems) -> [String] {
    problems.items.map { P(field: $0.field, position: $0.position, message: $0.message) }
}

@Suite("JSONObjectReader: fields")
struct JSONObjectReaderFieldTests {
    @Test func missingRequiredFieldIsReportedAtTheObject() throws {
        let (r, problems) = try reader("\n  {\"a\": 1}")
        #expect(r.number("tdp_watts") == nil)
        #expect(summaries(problems) == [
            P(field: "tdp_watts", position: pos(2, 3), message: "missing (required)"),
        ])
    }

    @Test func missingOptionalFieldIsNotAProblem() throws {
        let (r, problems) = try reader("{}")
        #expect(r.number("idle_watts", required: false) == nil)
        #expect(r.string("vendor", required: false) == nil)
        #expect(r.integer("count", required: false) == nil)
        #expect(r.bool("flag", required: false) == nil)
        #expect(r.object("nested", required: false) == nil)
        #expect(r.array("list", required: false) == nil)
        #expect(r.stringArray("aliases", required: false) == nil)
        #expect(r.choice("kind", from: ["gpu"], required: false) == nil)
        #expect(problems.isEmpty)
    }

    @Test func presentFieldsAreRead() throws {
        let (r, problems) = try reader(#"{"s": "H100", "n": 2.5, "i": 42, "b": false, "o": {"x": 1}, "a": [1, 2]}"#)
        #expect(r.string("s") == "H100")
        #expect(r.number("n") == 2.5)
        #expect(r.integer("i") == 42)
        #expect(r.bool("b") == false)
        #expect(r.object("o")?.number("x") == 1)
        #expect(r.array("a")?.map(\.path) == ["a[0]", "a[1]"])
        #expect(problems.isEmpty)
    }

    @Test func wrongTypeMessages() throws {
        let (r, problems) = try reader("""
            {"s": 5, "n": "abc", "n2": true, "i": "3", "b": "yes", "o": [1], "a": null}
            """)
        #expect(r.string("s") == nil)
        #expect(r.number("n") == nil)
        #expect(r.number("n2") == nil)
        #expect(r.integer("i") == nil)
        #expect(r.bool("b") == nil)
        #expect(r.object("o") == nil)
        #expect(r.array("a") == nil)
        #expect(problems.items.map(\.field) == ["s", "n", "n2", "i", "b", "o", "a"])
        #expect(problems.items.map(\.message) == [
            "expected a string, got a number",
            #"expected a number, got a string ("abc"; write the number without quotes, in SI units)"#,
            "expected a number, got a boolean",
            "expected an integer, got a string",
            "expected true or false, got a string",
            "expected an object, got an array",
            "expected an array, got null",
        ])
        // Each problem points at the offending value: "s": 5 -> the 5 is byte 7.
        #expect(problems.items.first?.position == pos(1, 7))
    }

    @Test func positiveRejectsZeroAndNegativeWithTheLiteralText() throws {
        let (r, problems) = try reader(#"{"zero": 0, "neg": -1e2, "ok": 0.5}"#)
        #expect(r.number("zero", positive: true) == nil)
        #expect(r.number("neg", positive: true) == nil)
        #expect(r.number("ok", positive: true) == 0.5)
        #expect(problems.items.map(\.message) == ["must be positive, got 0", "must be positive, got -1e2"])
        #expect(problems.items.map(\.field) == ["zero", "neg"])
    }

    @Test func nonNegativeAcceptsZeroButNotNegative() throws {
        let (r, problems) = try reader(#"{"zero": 0, "neg": -0.5}"#)
        #expect(r.number("zero", nonNegative: true) == 0)
        #expect(r.number("neg", nonNegative: true) == nil)
        #expect(problems.items.map(\.message) == ["must not be negative, got -0.5"])
    }

    @Test func infiniteNumberIsOutOfRange() throws {
        let (r, problems) = try reader(#"{"big": 1e999}"#)
        #expect(r.number("big") == nil)
        #expect(problems.items.map(\.message) == ["1e999 is out of range"])
    }

    @Test func integerChecks() throws {
        let (r, problems) = try reader("""
            {"exp": 1e3, "frac": 3.5, "huge": 10000000000000000000, "max": 9223372036854775807,
             "low": 1, "high": 8, "below": 0, "above": 9}
            """)
        #expect(r.integer("exp") == 1000)
        #expect(r.integer("frac") == nil)
        #expect(r.integer("huge") == nil)
        #expect(r.integer("max") == Int64.max)
        #expect(r.integer("low", in: 1...8) == 1)
        #expect(r.integer("high", in: 1...8) == 8)
        #expect(r.integer("below", in: 1...8) == nil)
        #expect(r.integer("above", in: 1...8) == nil)
        #expect(problems.items.map(\.message) == [
            "3.5 is not an integer",
            "10000000000000000000 is too large",
            "must be in 1...8, got 0",
            "must be in 1...8, got 9",
        ])
        #expect(problems.items.map(\.field) == ["frac", "huge", "below", "above"])
        // "above" is on line 2: ` "low": 1, "high": 8, "below": 0, "above": 9}` -> the 9 is byte 44.
        #expect(problems.items.last?.position == pos(2, 44))
    }

    @Test func emptyStrings() throws {
        let (r, problems) = try reader(#"{"a": "", "b": " \t ", "c": ""}"#)
        #expect(r.string("a") == nil)
        #expect(r.string("b") == nil)
        #expect(r.string("c", nonEmpty: false) == "")
        #expect(problems.items.map(\.message) == ["must not be empty", "must not be empty"])
        #expect(problems.items.map(\.field) == ["a", "b"])
    }

    @Test func choiceAcceptsOnlyListedValues() throws {
        let (r, problems) = try reader(#"{"kind": "gpu", "other": "GPU"}"#)
        #expect(r.choice("kind", from: ["gpu", "cpu", "accelerator"]) == "gpu")
        #expect(r.choice("other", from: ["gpu", "cpu", "accelerator"]) == nil)
        #expect(summaries(problems) == [
            // {"kind": "gpu", "other": "GPU"}: the value "GPU" starts at byte 26.
            P(field: "other", position: pos(1, 26),
                  message: #"unknown value "GPU"; expected one of gpu, cpu, accelerator"#),
        ])
    }

    @Test func stringArraySkipsAndReportsBadItems() throws {
        let (r, problems) = try reader(#"{"aliases": ["a", 3, "", "b", null]}"#)
        #expect(r.stringArray("aliases") == ["a", "b"])
        #expect(problems.items.map(\.field) == ["aliases[1]", "aliases[2]", "aliases[4]"])
        #expect(problems.items.map(\.message) == [
            "expected a non-empty string, got a number",
            "expected a non-empty string, got a string",
            "expected a non-empty string, got null",
        ])
        // {"aliases": ["a", 3, ...: the 3 is byte 19.
        #expect(problems.items.first?.position == pos(1, 19))
    }

    @Test func keysAndFieldPaths() throws {
        let (root, _) = try reader(#"{"b": 1, "a": {"c": 2}}"#)
        #expect(root.keys == ["b", "a"])
        #expect(root.fieldPath("b") == "b")
        let nested = try #require(root.object("a"))
        #expect(nested.path == "a")
        #expect(nested.fieldPath("c") == "a.c")
    }

    @Test func readerOverANonObjectRecordsOneProblem() throws {
        let (root, problems) = try reader("[1, 2]")
        #expect(root.keys.isEmpty)
        #expect(summaries(problems) == [P(field: "the document", position: pos(1, 1), message: "expected an object, got an array")])

        let (named, namedProblems) = try reader("\"x\"", path: "gpu")
        #expect(named.keys.isEmpty)
        #expect(namedProblems.items.map(\.field) == ["gpu"])
        #expect(namedProblems.items.map(\.message) == ["expected an object, got a string"])

        // Its fields are not then reported missing one by one: the type was the problem.
        #expect(root.string("id") == nil)
        #expect(root.number("tdp_watts") == nil)
        #expect(problems.items.count == 1)
    }

    @Test func arrayElementsAreReportedByIndex() throws {
        let text = """
            {
              "functions": [
                {"type": "conv"},
                {"type": 7}
              ]
            }
            """
        let (root, problems) = try reader(text)
        let items = try #require(root.array("functions"))
        var types: [String?] = []
        for (path, node) in items {
            types.append(JSONObjectReader(node, path: path, problems: problems).string("type"))
        }
        #expect(types == ["conv", nil])
        // Line 4 is `    {"type": 7}`: the 7 is byte 14.
        #expect(summaries(problems) == [P(field: "functions[1].type", position: pos(4, 14),
                                         message: "expected a string, got a number")])
    }
}

@Suite("JSONObjectReader: unknown keys and suggestions")
struct JSONObjectReaderUnknownKeyTests {
    @Test func typoGetsADidYouMean() throws {
        let text = """
            {
              "name": "x",
              "tdp_wats": 700
            }
            """
        let (r, problems) = try reader(text)
        _ = r.string("name")
        _ = r.number("tdp_watts")
        r.rejectUnknownKeys()
        #expect(summaries(problems) == [
            P(field: "tdp_watts", position: pos(1, 1), message: "missing (required)"),
            P(field: "tdp_wats", position: pos(3, 3), message: #"unknown field; did you mean "tdp_watts"?"#),
        ])
    }

    @Test func farOffKeyGetsNoSuggestion() throws {
        let (r, problems) = try reader(#"{"name": "x", "colour": "red"}"#)
        _ = r.string("name")
        r.rejectUnknownKeys()
        #expect(problems.items.map(\.field) == ["colour"])
        #expect(problems.items.map(\.message) == ["unknown field"])
    }

    @Test func allowedAndReadKeysAreNotUnknown() throws {
        let (r, problems) = try reader(#"{"name": 5, "comment": "ok", "x": 1}"#)
        _ = r.string("name")  // read, even though the type is wrong
        r.rejectUnknownKeys(except: ["comment", "x"])
        #expect(problems.items.map(\.field) == ["name"])
    }

    @Test func copiesShareTheKeysRead() throws {
        let (r, problems) = try reader(#"{"a": 1, "b": 2}"#)
        let copy = r
        _ = copy.number("a")
        _ = r.number("b")
        r.rejectUnknownKeys()
        copy.rejectUnknownKeys()
        #expect(problems.isEmpty)
    }

    @Test func nestedUnknownKeyHasADottedPath() throws {
        let (root, problems) = try reader(#"{"peak_flops": {"fp32": 1, "fp_16": 2}}"#)
        let peak = try #require(root.object("peak_flops"))
        _ = peak.number("fp32")
        _ = peak.number("fp16", required: false)
        peak.rejectUnknownKeys()
        root.rejectUnknownKeys()
        #expect(problems.items.map(\.field) == ["peak_flops.fp_16"])
        #expect(problems.items.map(\.message) == [#"unknown field; did you mean "fp16"?"#])
    }

    @Test func allProblemsAreCollectedAtOnce() throws {
        let text = """
            {
              "name": "",
              "peak_flops": {"fp32": -1, "fp16": "fast"},
              "functions": [{"type": "conv"}, {"type": 7}],
              "tdp_wats": 700
            }
            """
        let (root, problems) = try reader(text)
        _ = root.string("name")
        if let peak = root.object("peak_flops") {
            _ = peak.number("fp32", positive: true)
            _ = peak.number("fp16", required: false)
            peak.rejectUnknownKeys()
        }
        for (path, node) in root.array("functions") ?? [] {
            _ = JSONObjectReader(node, path: path, problems: problems).string("type")
        }
        _ = root.number("tdp_watts", positive: true)
        root.rejectUnknownKeys()

        #expect(problems.items.map(\.field) == [
            "name", "peak_flops.fp32", "peak_flops.fp16", "functions[1].type", "tdp_watts", "tdp_wats",
        ])
        #expect(problems.items.map { $0.position?.line } == [2, 3, 3, 4, 1, 5])

        let error = try #require(throws: JSONValidationError.self) { try problems.throwIfAny() }
        #expect(error.problems.count == 6)
        #expect(error.description.hasPrefix(
            "line 2: field 'name': must not be empty; line 3: field 'peak_flops.fp32': must be positive, got -1; "))
        #expect(error.description.hasSuffix(#"line 5: field 'tdp_wats': unknown field; did you mean "tdp_watts"?"#))
    }
}

@Suite("JSONObjectReader: closest and editDistance")
struct JSONObjectReaderDistanceTests {
    @Test(arguments: [
        ("kitten", "sitting", 3),     // k->s, e->i, +g
        ("flaw", "lawn", 2),          // -f, +n
        ("", "abc", 3),
        ("abc", "", 3),
        ("", "", 0),
        ("same", "same", 0),
        ("tdp_wats", "tdp_watts", 1),
        ("ab", "ba", 2),              // no transpositions in plain Levenshtein
        ("fp64", "fp32", 2),
        ("é", "e", 2),                // é is two UTF-8 bytes (C3 A9): substitute one, delete one
    ])
    func editDistance(a: String, b: String, expected: Int) {
        #expect(JSONObjectReader.editDistance(a, b) == expected)
        #expect(JSONObjectReader.editDistance(b, a) == expected)
    }

    @Test func closestPicksTheNearestCandidateWithinTheLimit() {
        let known = ["idle_watts", "tdp_watts", "memory_bytes"]
        #expect(JSONObjectReader.closest(to: "tdp_wats", in: known) == "tdp_watts")
        #expect(JSONObjectReader.closest(to: "idle_watt", in: known) == "idle_watts")
        #expect(JSONObjectReader.closest(to: "memory_bytes", in: known) == "memory_bytes")
        #expect(JSONObjectReader.closest(to: "colour", in: known) == nil)
        #expect(JSONObjectReader.closest(to: "anything", in: []) == nil)
    }

    @Test func wordThatAbbreviatesOrExtendsACandidateComesFirst() {
        // "batch" is "batch_size" cut at a word break, though 5 edits away.
        #expect(JSONObjectReader.closest(to: "batch", in: ["bitch", "batch_size"]) == "batch_size")
        #expect(JSONObjectReader.closest(to: "batch_size", in: ["batch", "other"]) == "batch")
        // A prefix that stops inside a word is not an abbreviation: "tdp_wa" -> "tdp_watts"
        // continues with the letter 't', and the 3 edits are past the limit.
        #expect(JSONObjectReader.closest(to: "tdp_wa", in: ["tdp_watts"]) == nil)
    }

    @Test func tiesGoToTheLongerCommonPrefix() {
        // "H10" is one edit from both; "H100" shares "H10", "A10" shares nothing.
        #expect(JSONObjectReader.closest(to: "H10", in: ["A10", "H100"]) == "H100")
        #expect(JSONObjectReader.closest(to: "H10", in: ["H100", "A10"]) == "H100")
    }

    @Test func maximumDistanceIsInclusive() {
        // "abcd" -> "abxy" is two substitutions.
        #expect(JSONObjectReader.closest(to: "abcd", in: ["abxy"]) == "abxy")
        #expect(JSONObjectReader.closest(to: "abcd", in: ["abxy"], maximumDistance: 2) == "abxy")
        #expect(JSONObjectReader.closest(to: "abcd", in: ["abxy"], maximumDistance: 1) == nil)
        #expect(JSONObjectReader.closest(to: "abcd", in: ["abcd"], maximumDistance: 0) == "abcd")
        // Three edits is past the default limit of two.
        #expect(JSONObjectReader.closest(to: "abcd", in: ["axyz"]) == nil)
        #expect(JSONObjectReader.closest(to: "abcd", in: ["axyz"], maximumDistance: 3) == "axyz")
    }
}
