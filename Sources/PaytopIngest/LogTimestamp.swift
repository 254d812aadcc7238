/// Timestamps as log lines carry them, to Unix nanoseconds: ISO 8601 (`biz_timestamp`,
/// `2025-12-02T22:30:00.123Z`, Python's `2026-12-01T15:26:10.608123+00:00`) and
/// Powertools Logger's own `2026-12-01 15:26:10,608+0000`; a zone-less time is UTC.
/// Numbers are taken as Unix seconds, milliseconds, microseconds or nanoseconds by size.
public enum LogTimestamp {
    public static func nanos(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= u.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = u[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ chars: String) -> Bool {
            guard i < u.count, chars.utf8.contains(u[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        guard expect("T t"), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"), let second = digits(2),
              hour < 24, minute < 60, second < 61 else { return nil }
        var fraction: Int64 = 0
        if expect(".,") {
            var scale: Int64 = 100_000_000
            var any = false
            while i < u.count, u[i] >= 0x30 && u[i] <= 0x39 {
                fraction += Int64(u[i] - 0x30) * scale
                scale /= 10
                i += 1
                any = true
            }
            guard any else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if i < u.count {
            if expect("Zz") {
                // UTC
            } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
                let sign: Int64 = u[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                _ = expect(":")
                let om = digits(2) ?? 0
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else { return nil }
        }
        guard i == u.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000_000 + fraction
    }

    /// A number read by its size: seconds (< 1e11), milliseconds (< 1e14), microseconds
    /// (< 1e17), else nanoseconds.
    public static func nanos(number v: Double) -> Int64? {
        guard v.isFinite, v > 0, v < 9e18 else { return nil }
        switch v {
        case ..<1e11: return Int64((v * 1e9).rounded())
        case ..<1e14: return Int64((v * 1e6).rounded())
        case ..<1e17: return Int64((v * 1e3).rounded())
        default: return Int64(v)
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
