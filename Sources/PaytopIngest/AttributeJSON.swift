import Foundation
import PaytopJSON

/// Attributes as the store keeps them: one JSON object, keys in the order received (a
/// key sent twice keeps its last value), integers exact, bytes as base64, arrays and maps
/// as JSON arrays and objects.
enum AttributeJSON {
    static func object(_ attributes: [KeyValue]) -> String? {
        guard !attributes.isEmpty else { return nil }
        var out = "{"
        var seen = Set<String>()
        var first = true
        // The last occurrence of each key wins: walk from the end, then keep received order.
        var keep = [Bool](repeating: false, count: attributes.count)
        for i in attributes.indices.reversed() where seen.insert(attributes[i].key).inserted { keep[i] = true }
        for (i, kv) in attributes.enumerated() where keep[i] {
            if !first { out += "," }
            first = false
            JSONText.appendQuoted(kv.key, to: &out)
            out += ":"
            append(kv.value, to: &out)
        }
        return out + "}"
    }

    static func append(_ v: AttributeValue, to out: inout String) {
        switch v {
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : JSONText.quoted(String(d))
        case .bytes(let b): JSONText.appendQuoted(Data(b).base64EncodedString(), to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                append(item, to: &out)
            }
            out += "]"
        case .map(let pairs): out += object(pairs) ?? "{}"
        }
    }

    /// A log body as text: a string as it is, anything else as JSON.
    static func text(_ v: AttributeValue) -> String {
        if case .string(let s) = v { return s }
        var out = ""
        append(v, to: &out)
        return out
    }
}
