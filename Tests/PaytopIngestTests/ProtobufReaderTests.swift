import Testing
import PaytopProtobuf
import PaytopJSON

@Suite struct ProtobufReaderTests {
    /// The eight-at-a-time scans say what a byte-by-byte look says: every special byte at
    /// every position of every length up to 40, around 0x20, 0x22, 0x5C and 0x80.
    @Test func theWordScansAgreeWithAByteByByteLook() {
        let specials: [UInt8] = [0x00, 0x09, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0...40 {
            for position in 0..<max(length, 1) {
                for special in specials {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if length > 0 { bytes[position] = special }
                    bytes.withUnsafeBufferPointer { b in
                        #expect(ByteScan.isASCII(b) == !bytes.contains { $0 >= 0x80 }, "\(bytes)")
                        #expect(JSONText.needsEscape(b) == bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }, "\(bytes)")
                    }
                }
            }
        }
    }

    @Test func readsWhatTheWriterWrote() throws {
        var w = ProtobufWriter()
        w.int(1, 300)
        w.string(2, "héllo")
        w.fixed64(3, 0x0102_0304_0506_0708)
        w.message(4) { $0.double(1, 2.5) }
        let bytes = w.bytes
        try bytes.withUnsafeBufferPointer { buf in
            var r = ProtobufReader(buf)
            #expect(try r.next()! == (1, .varint)); #expect(try r.varint() == 300)
            #expect(try r.next()! == (2, .lengthDelimited)); #expect(try r.string() == "héllo")
            #expect(try r.next()! == (3, .fixed64)); #expect(try r.fixed64() == 0x0102_0304_0506_0708)
            #expect(try r.next()! == (4, .lengthDelimited))
            var m = try r.message()
            #expect(try m.next()! == (1, .fixed64)); #expect(try m.double() == 2.5)
            #expect(try m.next() == nil)
            #expect(try r.next() == nil)
        }
    }

    @Test func everyTruncationThrowsInsteadOfReadingPastTheEnd() throws {
        var w = ProtobufWriter()
        w.string(2, "a string long enough")
        w.message(4) { $0.fixed64(1, 7); $0.string(2, "inner") }
        let bytes = w.bytes
        let firstFieldEnd = 2 + "a string long enough".utf8.count  // a prefix that is a whole message
        for cut in 1..<bytes.count where cut != firstFieldEnd {
            let prefix = Array(bytes[..<cut])
            #expect(throws: ProtobufError.self, "cut at \(cut)") {
                try prefix.withUnsafeBufferPointer { buf in
                    var r = ProtobufReader(buf)
                    while let (_, wire) = try r.next() {
                        if wire == .lengthDelimited { var m = try r.message(); while let (_, w2) = try m.next() { try m.skip(w2) } } else { try r.skip(wire) }
                    }
                }
            }
        }
    }

    @Test func aStringThatIsNotUTF8IsMalformed() throws {
        let bytes: [UInt8] = [0x12, 0x02, 0xff, 0xfe]
        #expect(throws: ProtobufError.malformed("a string field is not UTF-8")) {
            try bytes.withUnsafeBufferPointer { buf in
                var r = ProtobufReader(buf)
                _ = try r.next()
                _ = try r.string()
            }
        }
    }
}
