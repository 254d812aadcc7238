/// A received string's bytes checked eight at a time (SWAR): the byte-by-byte UTF-8 check
/// was 7 % of decoding OTLP's instructions (callgrind, issue 32). JSON's escape test,
/// the same way, is `JSONText.needsEscape`.
public enum ByteScan {
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether every byte is below 0x80.
    public static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        var seen: UInt64 = 0
        while i + 8 <= bytes.count {
            seen |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        if seen & highs != 0 { return false }
        while i < bytes.count {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }
}
