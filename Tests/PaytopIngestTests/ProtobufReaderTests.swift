import Testing
import PaytopProtobuf

@Suite struct ProtobufReaderTests {
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
