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
