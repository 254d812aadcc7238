import Foundation
import Testing
@testable import PaytopJSON

/// The request parser: RFC 8259, strings and numbers distinct, bounded nesting.
struct JSONParserTests {
    /// The engine's span attributes are written from pairs without a dictionary: exactly as the
    /// dictionary's object encodes (keys sorted, the first value of a repeated key, escapes).
    @Test func anObjectFromPairsEncodesAsTheDictionaryObject() {
        let cases: [[(String, JSONValue)]] = [
            [], [("b", 1), ("a", "x")], [("k", 1), ("k", 2), ("a\"\n", .null)], [("z", [1, "two", true]), ("é", ["n": 1.5]), ("A", false)],
            [("n", -42)], [("n", 0)], [("n", -0.0)], [("n", 1.5)], [("n", 1e15)], [("n", -999_999_999_999_999)], [("n", .number(.nan))],
            [("k", "v\u{01}\t\\")], [("k", 1), ("k", 2)], [("a", true), ("b", false)], [("é", "x"), ("e", "y")], [("", "")],
        ]
        for pairs in cases {
            #expect(JSONValue.encodedObject(pairs) == JSONValue.object(Dictionary(pairs, uniquingKeysWith: { a, _ in a })).encoded)
        }
    }

    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONValue.parse(#" {"s": "a\"b\\c\/\u00e9\ud83d\ude00\n", "n": -12.5e2, "z": 0, "t": true, "f": false, "x": null, "a": [1, "1", []], "o": {}} "#)
        #expect(v["s"] == .string("a\"b\\c/é😀\n"))
        #expect(v["n"] == .number(-1250))
        #expect(v["z"] == .number(0))
        #expect(v["t"] == .bool(true) && v["f"] == .bool(false) && v["x"] == .null)
        #expect(v["a"] == [1, "1", []])
        #expect(v["o"] == .object([:]))
        #expect(try JSONValue.parse("\"€ and ünïcödé\"") == "€ and ünïcödé")
        #expect(try JSONValue.parse(#"{"k": 1, "k": 2}"#)["k"] == 2, "a repeated key keeps its last value")
    }

    @Test func refusesMalformedText() {
        let bad = [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "01", "1.", ".5", "-", "+1", "1e", "NaN", "Infinity",
            "tru", "nul", "\"unterminated", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"tab\there\"", "1 2",
            "{\"a\" 1}", "[1 2]", "\"\u{01}\"", "1e999",
        ]
        for text in bad {
            #expect(throws: JSONValue.ParseError.self, "\(text.debugDescription)") { try JSONValue.parse(text) }
        }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0xFF, 0xFE]) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array("\"\u{FF}".utf8.dropLast()) + [0xC3, 0x22]) }
    }

    @Test func nestingIsBounded() throws {
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func amountAsNumberStaysANumber() throws {
        let v = try JSONValue.parse(#"{"amount": 25, "text": "25"}"#)
        #expect(v["amount"]?.numberValue == 25 && v["amount"]?.stringValue == nil)
        #expect(v["text"]?.stringValue == "25")
    }
}
