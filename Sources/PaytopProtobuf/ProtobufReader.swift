/// Protocol Buffers wire format, read by hand for the OTLP requests paytop receives
/// (https://protobuf.dev/programming-guides/encoding/). A reader walks one message's
/// bytes without copying them: a nested message is another reader over a sub-range of
/// the same buffer. Every length is checked against the bytes that are there, so a
/// truncated or hostile body ends in `ProtobufError`, never a crash.
public struct ProtobufReader {
    public enum WireType: UInt8, Sendable { case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5 }

    // Inlinable into the decoders of other modules (the receiver's in PaytopIngest, the
    // redo log's in PaytopStore): decoding 33,339 received spans took 688 M instructions
    // with a call for each field read, 619 M inlined (callgrind).
    @usableFromInline let buffer: UnsafeBufferPointer<UInt8>
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    /// A reader over `buffer`, which must outlive it (use inside `withUnsafeBufferPointer`).
    @inlinable
    public init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.buffer = buffer
        position = 0
        end = buffer.count
    }

    @inlinable
    init(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.buffer = buffer
        position = range.lowerBound
        end = range.upperBound
    }

    /// Whether every byte has been read.
    @inlinable
    public var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type, or nil at the end of the message.
    @inlinable
    public mutating func next() throws -> (field: Int, wire: WireType)? {
        guard position < end else { return nil }
        let key = try varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0, field <= 536_870_911, let wire = WireType(rawValue: UInt8(key & 7)) else {
            throw ProtobufError.malformed("invalid field key \(key)")
        }
        return (field, wire)
    }

    @inlinable
    public mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ProtobufError.truncated }
            let b = buffer[position]
            position += 1
            if shift == 63 && b > 1 { throw ProtobufError.malformed("varint longer than 64 bits") }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw ProtobufError.malformed("varint longer than 10 bytes") }
        }
    }

    @inlinable
    public mutating func fixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw ProtobufError.truncated }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(buffer[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    @inlinable
    public mutating func fixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw ProtobufError.truncated }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(buffer[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    @inlinable
    public mutating func double() throws -> Double { Double(bitPattern: try fixed64()) }

    /// A length-delimited field's bytes, as a range of the buffer.
    @inlinable
    mutating func delimited() throws -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw ProtobufError.truncated }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// A nested message.
    @inlinable
    public mutating func message() throws -> ProtobufReader { ProtobufReader(buffer, try delimited()) }

    @inlinable
    public mutating func bytes() throws -> [UInt8] { Array(buffer[try delimited()]) }

    /// A string field; invalid UTF-8 is refused (proto3 strings are UTF-8).
    @inlinable
    public mutating func string() throws -> String {
        String(decoding: try utf8(), as: UTF8.self)
    }

    /// A string field's bytes, checked to be UTF-8, without making a String of them.
    @inlinable
    public mutating func utf8() throws -> UnsafeBufferPointer<UInt8> {
        let bytes = UnsafeBufferPointer(rebasing: buffer[try delimited()])
        if !ByteScan.isASCII(bytes) && String(validating: bytes, as: UTF8.self) == nil {
            throw ProtobufError.malformed("a string field is not UTF-8")
        }
        return bytes
    }

    /// A packed repeated fixed64 / double field (or one unpacked element).
    public mutating func packedFixed64(_ wire: WireType) throws -> [UInt64] {
        if wire == .fixed64 { return [try fixed64()] }
        guard wire == .lengthDelimited else { throw ProtobufError.malformed("wrong wire type for a repeated fixed64") }
        var sub = try message()
        guard (sub.end - sub.position) % 8 == 0 else { throw ProtobufError.malformed("packed fixed64 of a length not a multiple of 8") }
        var out: [UInt64] = []
        out.reserveCapacity((sub.end - sub.position) / 8)
        while sub.position < sub.end { out.append(try sub.fixed64()) }
        return out
    }

    /// Skips a field this reader does not use.
    @inlinable
    public mutating func skip(_ wire: WireType) throws {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try delimited()
        case .startGroup, .endGroup: throw ProtobufError.malformed("groups are not used by OTLP")
        }
    }

    /// Whether `wire` is the one a field must have; a mismatch is a malformed message.
    @inlinable
    public static func expect(_ wire: WireType, _ wanted: WireType, field: Int) throws {
        guard wire == wanted else { throw ProtobufError.malformed("field \(field) has wire type \(wire.rawValue), not \(wanted.rawValue)") }
    }
}

public enum ProtobufError: Error, Equatable, CustomStringConvertible {
    case truncated
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated: "the protobuf message is truncated"
        case .malformed(let why): "the protobuf message is malformed: \(why)"
        }
    }
}
