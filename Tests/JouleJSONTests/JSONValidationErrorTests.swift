import JouleJSON
import Testing

@Suite("JSONValidationError")
struct JSONValidationErrorTests {
    @Test func descriptionJoinsProblemsWithSemicolons() {
        let problems = JSONProblems()
        problems.add("name", at: JSONPosition(line: 2, column: 11), "must not be empty")
        problems.add("peak_flops.fp32", at: JSONPosition(line: 4, column: 13), "must be positive, got 0")
        problems.add("kind", at: nil, "unknown value \"tpu\"; expected one of gpu, cpu, accelerator")
        let error = JSONValidationError(problems: problems.items)
        #expect(error.description == """
            line 2: field 'name': must not be empty; \
            line 4: field 'peak_flops.fp32': must be positive, got 0; \
            field 'kind': unknown value "tpu"; expected one of gpu, cpu, accelerator
            """)
    }

    @Test func singleProblemHasNoSeparator() {
        let problems = JSONProblems()
        problems.add("id", at: JSONPosition(line: 1, column: 1), "missing (required)")
        #expect(JSONValidationError(problems: problems.items).description == "line 1: field 'id': missing (required)")
    }

    @Test func equalityFollowsTheProblems() {
        let a = JSONProblems()
        a.add("id", at: nil, "missing (required)")
        let b = JSONProblems()
        b.add("id", at: nil, "missing (required)")
        let c = JSONProblems()
        c.add("name", at: nil, "missing (required)")
        #expect(JSONValidationError(problems: a.items) == JSONValidationError(problems: b.items))
        #expect(JSONValidationError(problems: a.items) != JSONValidationError(problems: c.items))
    }
}
