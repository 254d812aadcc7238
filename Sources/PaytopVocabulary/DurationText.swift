/// Durations as people type them in scenarios, settings and options: "90s", "10m",
/// "1h30m", "250ms", "1d"; a bare number is seconds.
public enum DurationText {
    /// Nanoseconds, or nil for text that is not a non-negative duration.
    public static func nanos(_ text: String) -> Int64? {
        guard !text.isEmpty else { return nil }
        var total = 0.0
        var number = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isASCII && (c.isNumber || c == ".") { number.append(c); i += 1; continue }
            guard let value = Double(number) else { return nil }
            number = ""
            if c == "m" && i + 1 < chars.count && chars[i + 1] == "s" { total += value / 1000; i += 2; continue }
            switch c {
            case "d": total += value * 86_400
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            i += 1
        }
        if !number.isEmpty { guard let value = Double(number) else { return nil }; total += value }
        guard total.isFinite, total >= 0, total < 9e9 else { return nil }
        return Int64((total * 1e9).rounded())
    }
}

extension DurationText {
    /// A duration in words for a sentence: 842 µs, 42 ms, 2.41 s, 15m02s, 2h05m.
    public static func words(nanos: Int64) -> String {
        let n = max(0, nanos)
        if n < 1_000_000 { return "\(n / 1000) µs" }
        if n < 1_000_000_000 { return "\(n / 1_000_000) ms" }
        if n < 60_000_000_000 {
            let hundredths = (n + 5_000_000) / 10_000_000
            let frac = hundredths % 100
            return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac) s"
        }
        let s = n / 1_000_000_000
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return s < 3600 ? "\(s / 60)m\(two(s % 60))s" : "\(s / 3600)h\(two(s % 3600 / 60))m"
    }

    public static func words(seconds: Double) -> String { words(nanos: Int64((seconds * 1e9).rounded())) }
    public static func words(millis: Double) -> String { words(nanos: Int64((millis * 1e6).rounded())) }
}
