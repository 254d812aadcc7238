/// Protocol Buffers wire format, written by hand for the few OTLP messages paytop sends and answers
/// (https://protobuf.dev/programming-guides/encoding/). `message(field) { ... }` writes a
/// nested message in place behind a one-byte length, widened afterwards in the rare case
/// the message is 128 bytes or longer — no buffer per nested message.
public struct ProtobufWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    /// int64, enum, bool (varint; zero values are skipped, as proto3 does).
    public mutating func int(_ field: Int, _ v: Int64) {
        guard v != 0 else { return }
        tag(field, 0)
        varint(UInt64(bitPattern: v))
    }

    public mutating func bool(_ field: Int, _ v: Bool) { int(field, v ? 1 : 0) }

    /// The 8 bytes of a 64-bit wire value, least significant first.
    private mutating func littleEndian(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    public mutating func fixed64(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        tag(field, 1)
        littleEndian(v)
    }

    /// sfixed64 (written even when zero: a data point's value is a oneof).
    public mutating func sfixed64(_ field: Int, _ v: Int64) {
        tag(field, 1)
        littleEndian(UInt64(bitPattern: v))
    }

    public mutating func fixed32(_ field: Int, _ v: UInt32) {
        guard v != 0 else { return }
        tag(field, 5)
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    public mutating func double(_ field: Int, _ v: Double) {
        tag(field, 1)
        littleEndian(v.bitPattern)
    }

    public mutating func bytes(_ field: Int, _ v: [UInt8]) {
        guard !v.isEmpty else { return }
        tag(field, 2)
        lengthDelimited(v)
    }

    public mutating func string(_ field: Int, _ v: String) {
        guard !v.isEmpty else { return }
        tag(field, 2)
        lengthDelimited(v)
    }

    /// A length and the bytes, with no field key: for formats that lay fields out by
    /// position (the store's redo log) rather than by number.
    public mutating func lengthDelimited(_ v: String) {
        let utf8 = v.utf8
        varint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    public mutating func lengthDelimited(_ v: [UInt8]) {
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    /// A oneof member: written even when it is the zero value, so the receiver sees
    /// which member was set.
    public mutating func oneofString(_ field: Int, _ v: String) {
        tag(field, 2)
        lengthDelimited(v)
    }

    public mutating func oneofInt(_ field: Int, _ v: Int64) {
        tag(field, 0)
        varint(UInt64(bitPattern: v))
    }

    /// Bytes already encoded (whole fields).
    public mutating func raw(_ encoded: [UInt8]) { bytes.append(contentsOf: encoded) }

    /// A nested message (written even when empty: presence matters for messages).
    public mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        tag(field, 2)
        let lengthAt = bytes.count
        bytes.append(0)
        build(&self)
        let length = bytes.count - lengthAt - 1
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
        } else {
            var prefix: [UInt8] = []
            var v = UInt64(length)
            while v >= 0x80 {
                prefix.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            prefix.append(UInt8(v))
            bytes.replaceSubrange(lengthAt..<(lengthAt + 1), with: prefix)
        }
    }
}
