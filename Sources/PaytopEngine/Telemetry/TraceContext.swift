/// A trace as the engine holds it: its row number in the store and its 16-byte W3C id.
struct TraceRef: Equatable {
    let no: Int64
    let high: UInt64
    let low: UInt64
    /// Engine ns; span starts are stored as offsets from it.
    let startedAt: Int64

    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }

    var hex: String { W3CTraceContext.hex16(high) + W3CTraceContext.hex16(low) }
}

/// A span's place in a trace: what a queue message carries to its consumer.
struct SpanContext: Equatable {
    let trace: TraceRef
    let spanID: Int64

    /// `traceparent` as W3C Trace Context level 1 writes it (sampled).
    var traceparent: String {
        "00-\(trace.hex)-\(W3CTraceContext.hex16(UInt64(bitPattern: spanID)))-01"
    }
}

/// Parsing and formatting W3C `traceparent` headers.
public enum W3CTraceContext {
    public struct Parsed: Equatable, Sendable {
        public let traceIDHigh: UInt64
        public let traceIDLow: UInt64
        public let parentID: UInt64
        public let sampled: Bool
    }

    /// Parses a traceparent, or returns nil when the W3C rules say to ignore it: wrong
    /// length or separators, uppercase or non-hex digits, version ff, an all-zero trace
    /// or parent id, or (for version 00) anything after the flags. Future versions are
    /// read by their first four fields.
    public static func parse(_ header: String) -> Parsed? {
        let b = Array(header.utf8)
        guard b.count >= 55 else { return nil }
        func hexValue(_ c: UInt8) -> UInt64? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(c - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        func number(_ range: Range<Int>) -> UInt64? {
            var v: UInt64 = 0
            for i in range {
                guard let d = hexValue(b[i]) else { return nil }
                v = v << 4 | d
            }
            return v
        }
        guard b[2] == UInt8(ascii: "-"), b[35] == UInt8(ascii: "-"), b[52] == UInt8(ascii: "-"),
              let version = number(0..<2), version != 0xFF,
              let high = number(3..<19), let low = number(19..<35), let parent = number(36..<52),
              let flags = number(53..<55) else { return nil }
        if version == 0 && b.count != 55 { return nil }
        if version > 0 && b.count > 55 && b[55] != UInt8(ascii: "-") { return nil }
        if high == 0 && low == 0 { return nil }
        if parent == 0 { return nil }
        return Parsed(traceIDHigh: high, traceIDLow: low, parentID: parent, sampled: flags & 1 == 1)
    }

    static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return s.count == 16 ? s : String(repeating: "0", count: 16 - s.count) + s
    }
}
