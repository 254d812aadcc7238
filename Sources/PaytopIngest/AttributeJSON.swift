import Foundation
import PaytopJSON

/// Attributes as the store keeps them: one JSON object, keys in the order received (a
/// key sent twice keeps its last value), integers exact, bytes as base64, arrays and maps
/// as JSON arrays and objects. Written as UTF-8 bytes: the protobuf decoder transcodes a
/// span's attributes straight into the same text (`SpanAttributeTranscoder`).
enum AttributeJSON {
    static func object(_ attributes: [KeyValue]) -> String? {
        guard !attributes.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(attributes.count * 32)
        appendObject(attributes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendObject(_ attributes: [KeyValue], to out: inout [UInt8]) {
        var entries: [SpanAttributes.Entry] = []
        appendObject(attributes, to: &out, entries: &entries)
    }

    /// The object, and where each top-level entry lies in `out`.
    static func appendObject(_ attributes: [KeyValue], to out: inout [UInt8], entries: inout [SpanAttributes.Entry]) {
        // The last occurrence of each key wins; received order otherwise.
        var keep = [Bool](repeating: true, count: attributes.count)
        if attributes.count > 1 {
            var seen = Set<String>()
            for i in attributes.indices.reversed() where !seen.insert(attributes[i].key).inserted { keep[i] = false }
        }
        out.append(UInt8(ascii: "{"))
        var first = true
        for (i, kv) in attributes.enumerated() where keep[i] {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            let keyStart = out.count
            JSONBytes.quoted(kv.key.utf8, to: &out)
            let keyEnd = out.count
            out.append(UInt8(ascii: ":"))
            append(kv.value, to: &out)
            entries.append(.init(keyStart: Int32(keyStart), keyEnd: Int32(keyEnd), valueEnd: Int32(out.count)))
        }
        out.append(UInt8(ascii: "}"))
    }

    static func append(_ v: AttributeValue, to out: inout [UInt8]) {
        switch v {
        case .string(let s): JSONBytes.quoted(s.utf8, to: &out)
        case .bool(let b): JSONBytes.bool(b, to: &out)
        case .int(let i): JSONBytes.integer(i, to: &out)
        case .double(let d): JSONBytes.double(d, to: &out)
        case .bytes(let b): JSONBytes.quoted(Data(b).base64EncodedString().utf8, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let pairs): appendObject(pairs, to: &out)
        }
    }

    /// A log body as text: a string as it is, anything else as JSON.
    static func text(_ v: AttributeValue) -> String {
        if case .string(let s) = v { return s }
        var out: [UInt8] = []
        append(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// JSON text as bytes, escaped as `JSONText` escapes it (\" \\ \n \r \t, other control
/// characters as \u00xx).
enum JSONBytes {
    static func quoted<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ quoted($0, to: &out) }) == nil {
            Array(bytes).withUnsafeBufferPointer { quoted($0, to: &out) }
        }
    }

    /// Most keys and values need no escape: one copy.
    static func quoted(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        if !JSONText.needsEscape(bytes) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
        } else {
            escaped(bytes, to: &out)
        }
    }

    private static func escaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static let hex = Array("0123456789abcdef".utf8)

    static func integer(_ v: Int64, to out: inout [UInt8]) {
        if v == 0 { out.append(UInt8(ascii: "0")); return }
        var m = v.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        while m > 0 { digits.append(UInt8(ascii: "0") + UInt8(m % 10)); m /= 10 }
        if v < 0 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: digits.reversed())
    }

    static func bool(_ b: Bool, to out: inout [UInt8]) { out.append(contentsOf: b ? trueBytes : falseBytes) }
    static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)

    /// A finite double as Swift prints it; NaN and infinities (not JSON numbers) as strings.
    static func double(_ d: Double, to out: inout [UInt8]) {
        if d.isFinite { out.append(contentsOf: "\(d)".utf8) } else { quoted(String(d).utf8, to: &out) }
    }
}
