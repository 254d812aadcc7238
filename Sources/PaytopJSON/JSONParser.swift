/// A strict RFC 8259 parser from UTF-8 bytes into `JSONValue`.
///
/// Strings and numbers stay distinct (the seed rejects an amount sent as a number);
/// nesting is limited to `maxDepth` so a hostile body cannot exhaust the stack; a
/// repeated object key keeps its last value. Anything else malformed — trailing
/// commas, leading zeros, lone surrogates, control characters in strings, text after
/// the value — is an error.
struct JSONParser {
    static let maxDepth = 64

    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ bytes: [UInt8]) throws(JSONValue.ParseError) -> JSONValue {
        var p = JSONParser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw JSONValue.ParseError() }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ literal: StaticString) throws(JSONValue.ParseError) {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw JSONValue.ParseError() }
        let p = literal.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] { throw JSONValue.ParseError() }
        i += n
    }

    private mutating func value(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard let c = peek else { throw JSONValue.ParseError() }
        switch c {
        case UInt8(ascii: "{"):
            guard depth < JSONParser.maxDepth else { throw JSONValue.ParseError() }
            i += 1
            var o: [String: JSONValue] = [:]
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return .object(o) }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw JSONValue.ParseError() }
                let key = try string()
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw JSONValue.ParseError() }
                i += 1
                skipSpace()
                o[key] = try value(depth: depth + 1)
                skipSpace()
                guard let next = peek else { throw JSONValue.ParseError() }
                i += 1
                if next == UInt8(ascii: "}") { return .object(o) }
                guard next == UInt8(ascii: ",") else { throw JSONValue.ParseError() }
            }
        case UInt8(ascii: "["):
            guard depth < JSONParser.maxDepth else { throw JSONValue.ParseError() }
            i += 1
            var a: [JSONValue] = []
            skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                skipSpace()
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard let next = peek else { throw JSONValue.ParseError() }
                i += 1
                if next == UInt8(ascii: "]") { return .array(a) }
                guard next == UInt8(ascii: ",") else { throw JSONValue.ParseError() }
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func string() throws(JSONValue.ParseError) -> String {
        i += 1  // the opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let s = String(validating: bytes[start..<i], as: UTF8.self)
                i += 1
                guard let s else { throw JSONValue.ParseError() }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw JSONValue.ParseError() }
            i += 1
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: out, as: UTF8.self) else { throw JSONValue.ParseError() }
                return s
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw JSONValue.ParseError() }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard peek == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") else {
                            throw JSONValue.ParseError()
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw JSONValue.ParseError() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw JSONValue.ParseError()
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw JSONValue.ParseError() }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw JSONValue.ParseError()
                }
            default:
                if c < 0x20 { throw JSONValue.ParseError() }
                out.append(c)
            }
        }
        throw JSONValue.ParseError()
    }

    private mutating func hex4() throws(JSONValue.ParseError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw JSONValue.ParseError() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            i += 1
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw JSONValue.ParseError()
            }
            v = v << 4 | d
        }
        return v
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func number() throws(JSONValue.ParseError) -> Double {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if peek == UInt8(ascii: "-") { i += 1 }
        if peek == UInt8(ascii: "0") {
            i += 1
        } else if digits() == 0 {
            throw JSONValue.ParseError()
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw JSONValue.ParseError() }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw JSONValue.ParseError() }
        }
        guard let v = Double(String(decoding: bytes[start..<i], as: UTF8.self)), v.isFinite else { throw JSONValue.ParseError() }
        return v
    }
}
