import Foundation

/// The attributes the spans of one received name share, kept once in its `span_name` row
/// as the engine keeps its spans' constant attributes: each span then stores only a JSON
/// merge patch (RFC 7396) over them — the keys whose values differ, and `null` for a
/// shared key it lacks — which the store's `span` view applies with json_patch. Received
/// spans carry every attribute on every span; the patch is what varies (20 bytes a span on average against 307, docs/ingest.md).
struct SharedSpanAttributes {
    /// The first span's attributes: the name's.
    let bytes: [UInt8]
    private let entries: [SpanAttributes.Entry]
    private var index: [UInt64: Int] = [:]
    /// False when two keys hash alike (then every span keeps all its attributes).
    private(set) var usable = true

    init(_ a: SpanAttributes) {
        bytes = a.bytes
        entries = a.entries
        for (i, e) in entries.enumerated() {
            let h = Self.hash(bytes, e.keyStart, e.keyEnd)
            if index.updateValue(i, forKey: h) != nil { usable = false }
        }
    }

    /// The name's attributes as the span_name row keeps them.
    var json: String { usable && !bytes.isEmpty ? String(decoding: bytes, as: UTF8.self) : "{}" }

    /// The span's attributes as a merge patch over the name's; nil when they are the same.
    func patch(_ a: SpanAttributes, present: inout [Bool]) -> String? {
        guard usable else { return a.json }
        present.removeAll(keepingCapacity: true)
        present.append(contentsOf: repeatElement(false, count: entries.count))
        var out: [UInt8] = []
        func add(_ slice: ArraySlice<UInt8>) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(contentsOf: slice)
        }
        for (k, e) in a.entries.enumerated() {
            // A sender writes a name's keys in one order, so the key at the same position
            // is tried first; the hash finds it elsewhere.
            let i: Int?
            if k < entries.count, Self.same(bytes, entries[k].keyStart, entries[k].keyEnd, a.bytes, e.keyStart, e.keyEnd) {
                i = k
            } else if let j = index[Self.hash(a.bytes, e.keyStart, e.keyEnd)],
                      Self.same(bytes, entries[j].keyStart, entries[j].keyEnd, a.bytes, e.keyStart, e.keyEnd) {
                i = j
            } else {
                i = nil
            }
            if let i {
                present[i] = true
                let s = entries[i]
                if Self.same(bytes, s.keyEnd, s.valueEnd, a.bytes, e.keyEnd, e.valueEnd) { continue }
            }
            add(a.bytes[Int(e.keyStart)..<Int(e.valueEnd)])
        }
        for (i, s) in entries.enumerated() where !present[i] {
            add(bytes[Int(s.keyStart)..<Int(s.keyEnd)])
            out.append(contentsOf: Self.null)
        }
        guard !out.isEmpty else { return nil }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static let null = Array(":null".utf8)

    /// Whether `a[aStart..<aEnd]` and `b[bStart..<bEnd]` hold the same bytes (memcmp, no
    /// per-byte bounds checks: the patch and the transcoder run for every received span).
    static func same(_ a: [UInt8], _ aStart: Int32, _ aEnd: Int32, _ b: [UInt8], _ bStart: Int32, _ bEnd: Int32) -> Bool {
        let n = Int(aEnd - aStart)
        guard n == Int(bEnd - bStart) else { return false }
        guard n > 0 else { return true }
        precondition(aStart >= 0 && Int(aEnd) <= a.count && bStart >= 0 && Int(bEnd) <= b.count)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress! + Int(aStart), pb.baseAddress! + Int(bStart), n) == 0 }
        }
    }

    /// FNV-1a of a key's bytes.
    private static func hash(_ bytes: [UInt8], _ start: Int32, _ end: Int32) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in Int(start)..<Int(end) { h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3 }
        return h
    }
}
