import Testing
@testable import JSONText

@Suite struct JSONReaderTests {
    @Test func readsValues() throws {
        let value = try JSONReader.parse(#"{"a":[1,-2.5e3,true,false,null],"b":"x\u00e9\ud83d\ude00\n","a":0}"#)
        guard case .object(let o) = value else { Issue.record("not an object"); return }
        #expect(o.keys == ["a", "b", "a"])
        #expect(o["a"] == .number(0))  // the last repeated key wins on lookup
        #expect(o["b"] == .string("xé😀\n"))
        #expect(o.members[0].value == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
    }

    @Test(arguments: [
        ("", "empty input"),
        ("   \n", "empty input"),
        ("{\"a\":1", "truncated"),
        ("[1,2", "truncated"),
        ("{\"a\" 1}", "expected ':'"),
        ("[NaN]", "unexpected character 'N'"),
        ("[Infinity]", "unexpected character 'I'"),
        ("[1e999]", "too large"),
        ("[01]", "leading zero"),
        ("[1.]", "after '.'"),
        ("\"abc", "unterminated string"),
        ("[\"a\u{01}\"]", "control character"),
        ("[\"\\x\"]", "bad escape"),
        ("[\"\\ud800\"]", "lone high surrogate"),
        ("[1] 2", "after the end"),
        ("{1:2}", "member name"),
        ("tru", "expected 'true'"),
    ])
    func rejectsWithAReason(text: String, expected: String) {
        do {
            _ = try JSONReader.parse(text)
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.description.contains(expected), "\(text.debugDescription): \(error)")
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONReader.parse("{\n  \"a\": [1, 2,\n  x]\n}")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 3 && error.column == 3, "\(error)")
        }
    }

    @Test func boundsNestingInsteadOfOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONReader.parse(deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try JSONReader.parse(fine) }
    }

    @Test func refusesInvalidUTF8() {
        do {
            _ = try JSONReader.parse([0x22, 0xFF, 0xFE, 0x22])
            Issue.record("accepted bytes that are not UTF-8")
        } catch {
            #expect(error.message.contains("UTF-8"))
        }
    }

    @Test func writesDeterministically() {
        let value = JSONValue.object(JSONObject([("b", .number(2)), ("a", .string("q\"\n")), ("c", .number(0.1)), ("d", .number(-3))]))
        #expect(JSONWriter.string(value) == #"{"a":"q\"\n","b":2,"c":0.1,"d":-3}"#)
        #expect(JSONWriter.string(value, sortedKeys: false) == #"{"b":2,"a":"q\"\n","c":0.1,"d":-3}"#)
        #expect(JSONWriter.number(1e20) == "1e+20")
    }
}
