/// Scans of a received string's bytes, eight at a time (SWAR): decoding OTLP spent a sixth
/// of its instructions looking at every byte of every key and value one by one (callgrind,
/// issue 32). Each test is exact: it says whether some byte qualifies, not which.
public enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
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

    /// Whether some byte must be escaped in a JSON string: a control character (below
    /// 0x20), a quotation mark or a reverse solidus.
    public static func needsJSONEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // A byte below 0x20 (the classic "has less than n" test, exact for n ≤ 128), or
            // a zero byte after xor with the quote's and the backslash's.
            let below = (x &- ones &* 0x20) & ~x & highs
            let q = x ^ (ones &* 0x22), b = x ^ (ones &* 0x5C)
            let quote = (q &- ones) & ~q & highs, backslash = (b &- ones) & ~b & highs
            if below | quote | backslash != 0 { return true }
            i += 8
        }
        while i < bytes.count {
            let c = bytes[i]
            if c < 0x20 || c == 0x22 || c == 0x5C { return true }
            i += 1
        }
        return false
    }
}
