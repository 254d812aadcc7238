import Foundation
import PaytopProtobuf

/// A span's attributes as the intake needs them: the JSON object the store keeps, and
/// the two values it reads — the checkout the span names (the seed's spellings) and the
/// HTTP status (for the api-latency SLO).
public struct SpanAttributes: Sendable, Equatable {
    /// The JSON object's UTF-8 bytes (empty: no attributes), and where each of its
    /// top-level entries lies in them (the intake diffs spans against their name's).
    public var bytes: [UInt8] = []
    var entries: [Entry] = []
    public var checkoutID: String?
    public var httpStatusCode: Int64?

    /// `"key":value` at `keyStart..<valueEnd`, the quoted key ending at `keyEnd` (its colon).
    struct Entry: Sendable, Equatable {
        var keyStart: Int32, keyEnd: Int32, valueEnd: Int32
    }

    public var json: String? { bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.bytes == b.bytes && a.checkoutID == b.checkoutID && a.httpStatusCode == b.httpStatusCode
    }

    /// From decoded key-values (the JSON encoding's path, and tests).
    public init(_ attributes: [KeyValue]) {
        if !attributes.isEmpty { AttributeJSON.appendObject(attributes, to: &bytes, entries: &entries) }
        for key in BusinessEventFields.Key.checkout {
            if let v = attributes.value(key)?.text, !v.isEmpty { checkoutID = v; break }
        }
        httpStatusCode = attributes.value(Self.httpStatusKey)?.integer
    }

    static let httpStatusKey = "http.response.status_code"
}

/// Reads a span's KeyValue fields (field 9) straight into the JSON text of
/// `AttributeJSON` — no KeyValue, no String per key or value — noting the checkout and
/// HTTP status on the way. A key sent twice (OTLP forbids it) falls back to decoding
/// the key-values, so the last one wins as it does there.
struct SpanAttributeTranscoder {
    private var out: [UInt8] = []
    private var entries: [SpanAttributes.Entry] = []
    private(set) var duplicate = false
    private var checkoutRank = Int.max
    private var result = SpanAttributes()

    static let checkoutKeys: [[UInt8]] = BusinessEventFields.Key.checkout.map { Array($0.utf8) }
    static let httpStatusKey = Array(SpanAttributes.httpStatusKey.utf8)

    /// Room for a usual span's attributes (the pipeline's carry about ten): growing the
    /// entries, and a keys array now gone, from empty cost 120 M of the transcoder's 621 M
    /// instructions for 33,339 spans (callgrind).
    init() {
        out.reserveCapacity(512)
        entries.reserveCapacity(16)
    }

    /// One KeyValue message.
    mutating func add(_ r: inout ProtobufReader) throws {
        var kv = try r.message()
        var key = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var valueReader: ProtobufReader?
        while let (f, w) = try kv.next() {
            switch (f, w) {
            case (1, .lengthDelimited): key = try kv.utf8()
            case (2, .lengthDelimited): valueReader = try kv.message()
            default: try kv.skip(w)
            }
        }
        out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
        let keyStart = out.count
        JSONBytes.quoted(key, to: &out)
        let keyEnd = out.count
        // Quoting is one-to-one, so a key sent before is the same quoted bytes.
        for e in entries where SharedSpanAttributes.same(out, e.keyStart, e.keyEnd, out, Int32(keyStart), Int32(keyEnd)) {
            duplicate = true
        }
        out.append(UInt8(ascii: ":"))
        let valueStart = out.count
        if var v = valueReader { try value(&v, depth: 0) } else { out.append(contentsOf: [0x22, 0x22]) }
        entries.append(.init(keyStart: Int32(keyStart), keyEnd: Int32(keyEnd), valueEnd: Int32(out.count)))
        // The two values the intake reads.
        if let rank = Self.checkoutKeys.firstIndex(where: { k in k.withUnsafeBufferPointer { Self.same($0, key) } }), rank < checkoutRank,
           out[valueStart] == 0x22, out.count - valueStart > 2, !out[valueStart...].contains(0x5C) {
            checkoutRank = rank
            result.checkoutID = String(decoding: out[(valueStart + 1)..<(out.count - 1)], as: UTF8.self)
        } else if Self.httpStatusKey.withUnsafeBufferPointer({ Self.same($0, key) }) {
            let text = out[valueStart...].filter { $0 != 0x22 }
            result.httpStatusCode = Int64(String(decoding: text, as: UTF8.self))
        }
    }

    /// Whether two keys are the same bytes: lengths first (most keys differ there), then memcmp.
    private static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return memcmp(pa, pb, a.count) == 0
    }

    mutating func finish() -> SpanAttributes {
        var r = result
        if !out.isEmpty {
            out.append(UInt8(ascii: "}"))
            r.bytes = out
            r.entries = entries
        }
        return r
    }

    /// An AnyValue as JSON; an empty one as "".
    private mutating func value(_ r: inout ProtobufReader, depth: Int) throws {
        guard depth < 32 else { throw ProtobufError.malformed("values nested deeper than 32") }
        var wrote = false
        let start = out.count
        while let (f, w) = try r.next() {
            // A member sent twice: the last wins, as protobuf says.
            if wrote { out.removeSubrange(start...); wrote = false }
            switch (f, w) {
            case (1, .lengthDelimited): JSONBytes.quoted(try r.utf8(), to: &out)
            case (2, .varint): JSONBytes.bool(try r.varint() != 0, to: &out)
            case (3, .varint): JSONBytes.integer(Int64(bitPattern: try r.varint()), to: &out)
            case (4, .fixed64): JSONBytes.double(try r.double(), to: &out)
            case (7, .lengthDelimited): JSONBytes.quoted(Data(try r.bytes()).base64EncodedString().utf8, to: &out)
            case (5, .lengthDelimited):
                var list = try r.message()
                out.append(UInt8(ascii: "["))
                var first = true
                while let (lf, lw) = try list.next() {
                    guard lf == 1, lw == .lengthDelimited else { try list.skip(lw); continue }
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    var item = try list.message()
                    try value(&item, depth: depth + 1)
                }
                out.append(UInt8(ascii: "]"))
            case (6, .lengthDelimited):
                // Nested maps are rare: decode them, then write them as AttributeJSON does.
                var list = try r.message()
                var pairs: [KeyValue] = []
                while let (lf, lw) = try list.next() {
                    guard lf == 1, lw == .lengthDelimited else { try list.skip(lw); continue }
                    pairs.append(try OTLPProtobufDecoding.keyValue(&list, lw, depth: depth + 1))
                }
                AttributeJSON.appendObject(pairs, to: &out)
            default:
                try r.skip(w)
                continue
            }
            wrote = true
        }
        if !wrote { out.append(contentsOf: [0x22, 0x22]) }
    }
}
