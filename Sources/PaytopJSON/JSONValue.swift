import Foundation

/// A JSON document as the API gateway sees it. Numbers and strings stay distinct, which
/// the seed's validation needs: an amount sent as a JSON number is rejected.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var numberValue: Double? { if case .number(let n) = self { return n }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }

    /// Parses UTF-8 JSON text. Throws `JSONValue.ParseError` on malformed input.
    public static func parse(_ data: Data) throws -> JSONValue { try JSONParser.parse(Array(data)) }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue { try JSONParser.parse(bytes) }

    public static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String { "Invalid JSON" }
    }

    /// Compact encoding with object keys sorted, so equal values encode identically.
    public var encoded: String {
        var out = ""
        encode(into: &out)
        return out
    }

    func encode(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n):
            if n.isFinite && n == n.rounded() && abs(n) < 1e15 { out += String(Int64(n)) } else { out += String(n) }
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.encode(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSONText.appendQuoted(k, to: &out)
                out += ":"
                o[k]!.encode(into: &out)
            }
            out += "}"
        }
    }
}

extension JSONValue {
    /// The object of these pairs as `JSONValue.object(…).encoded` writes it — keys sorted, the
    /// first value of a key kept — without building the dictionary (the engine writes one for
    /// many of its spans).
    public static func encodedObject(_ pairs: [(String, JSONValue)]) -> String {
        let sorted = pairs.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
        var out = "{"
        var previous: String?
        for (_, (k, v)) in sorted where k != previous {
            if previous != nil { out += "," }
            JSONText.appendQuoted(k, to: &out)
            out += ":"
            v.encode(into: &out)
            previous = k
        }
        return out + "}"
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b }))
    }
    public init(nilLiteral: ()) { self = .null }
}

/// Small helpers for writing JSON text directly, used on hot paths where building a
/// `JSONValue` tree first would cost more than the row it fills.
public enum JSONText {
    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { needsEscape = true; break }
        if !needsEscape {
            out += s
        } else {
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out += "\""
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    /// `{"k1":"v1","k2":"v2"}` from string pairs, in the given order.
    public static func object(_ pairs: [(String, String)]) -> String {
        var out = "{"
        for (i, (k, v)) in pairs.enumerated() {
            if i > 0 { out += "," }
            appendQuoted(k, to: &out)
            out += ":"
            appendQuoted(v, to: &out)
        }
        return out + "}"
    }
}
