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
        // UTF-8 bytes, then one String: growing a String pair by pair was 254 M of the
        // engine thread's 2,452 M instructions (callgrind, simulate --seed 7 --checkouts
        // 3000, issue 32); one or two pairs need no sort.
        var out: [UInt8] = []
        out.reserveCapacity(24 * pairs.count + 2)
        out.append(UInt8(ascii: "{"))
        func add(_ k: String, _ v: JSONValue) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(k, toBytes: &out)
            out.append(UInt8(ascii: ":"))
            v.encode(intoBytes: &out)
        }
        switch pairs.count {
        case 0: break
        case 1: add(pairs[0].0, pairs[0].1)
        case 2:
            let (a, b) = (pairs[0], pairs[1])
            if a.0 == b.0 { add(a.0, a.1) } else if a.0 < b.0 { add(a.0, a.1); add(b.0, b.1) } else { add(b.0, b.1); add(a.0, a.1) }
        default:
            let sorted = pairs.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
            var previous: String?
            for (_, (k, v)) in sorted where k != previous {
                add(k, v)
                previous = k
            }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `encode(into:)`'s text as UTF-8 bytes; strings, booleans, integers and null written
    /// directly, the rest through `encode(into:)`.
    func encode(intoBytes out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .string(let s): JSONText.appendQuoted(s, toBytes: &out)
        case .number(let n) where n.isFinite && n == n.rounded() && abs(n) < 1e15:
            var m = Int64(n).magnitude
            if n < 0 { out.append(UInt8(ascii: "-")) }
            let start = out.count
            repeat { out.append(UInt8(ascii: "0") + UInt8(m % 10)); m /= 10 } while m > 0
            out[start...].reverse()
        default:
            var text = ""
            encode(into: &text)
            out.append(contentsOf: text.utf8)
        }
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
        var s = s
        if !s.withUTF8(needsEscape) {
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

    /// `appendQuoted(_:to:)`'s text as UTF-8 bytes.
    public static func appendQuoted(_ s: String, toBytes out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            if !needsEscape(utf8) {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: utf8)
                out.append(UInt8(ascii: "\""))
            } else {
                var text = ""
                appendQuoted(String(decoding: utf8, as: UTF8.self), to: &text)
                out.append(contentsOf: text.utf8)
            }
        }
    }

    /// Whether some byte must be escaped in a JSON string: a control character (below
    /// 0x20), a quotation mark or a reverse solidus. Eight bytes at a time (SWAR; each word
    /// test exact): a byte-by-byte look was 15 % of decoding OTLP's instructions (callgrind,
    /// issue 32).
    public static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= bytes.count {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // A byte below 0x20 (the "has less than n" test, exact for n ≤ 128), or a zero
            // byte after xor with the quote's and the backslash's.
            let below = (x &- ones &* 0x20) & ~x & highs
            let q = x ^ (ones &* 0x22), b = x ^ (ones &* 0x5C)
            if below | ((q &- ones) & ~q & highs) | ((b &- ones) & ~b & highs) != 0 { return true }
            i += 8
        }
        while i < bytes.count {
            let c = bytes[i]
            if c < 0x20 || c == 0x22 || c == 0x5C { return true }
            i += 1
        }
        return false
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
