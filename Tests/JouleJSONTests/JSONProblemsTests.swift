import JouleJSON
import Testing

@Suite("JSONProblems")
struct JSONProblemsTests {
    @Test func startsEmptyAndKeepsProblemsInOrder() {
        let problems = JSONProblems()
        #expect(problems.isEmpty)
        problems.add("b", at: JSONPosition(line: 9, column: 1), "second in the file, first found")
        problems.add("a", at: nil, "no position")
        #expect(!problems.isEmpty)
        #expect(problems.items.map(\.field) == ["b", "a"])
        #expect(problems.items.map(\.message) == ["second in the file, first found", "no position"])
        #expect(problems.items.map(\.position) == [JSONPosition(line: 9, column: 1), nil])
    }

    @Test func problemDescriptionNamesLineAndField() {
        let problems = JSONProblems()
        problems.add("tdp_watts", at: JSONPosition(line: 7, column: 16), "must be positive, got -300")
        problems.add("id", at: nil, "missing (required)")
        // The column is left out on purpose: the line is what the user looks for.
        #expect(problems.items.map(\.description) == [
            "line 7: field 'tdp_watts': must be positive, got -300",
            "field 'id': missing (required)",
        ])
    }

    @Test func throwIfAnyIsSilentWhenEmpty() {
        #expect(throws: Never.self) { try JSONProblems().throwIfAny() }
    }

    @Test func throwIfAnyCarriesEveryProblem() throws {
        let problems = JSONProblems()
        problems.add("x", at: JSONPosition(line: 1, column: 2), "one")
        problems.add("y", at: JSONPosition(line: 3, column: 4), "two")
        let error = try #require(throws: JSONValidationError.self) { try problems.throwIfAny() }
        #expect(error.problems == problems.items)
        #expect(error.problems.map(\.field) == ["x", "y"])
    }
}
