/// A point in engine time: nanoseconds since the Unix epoch. Simulations start at
/// `EngineTime.simulationEpoch`; live runs continue from the time the store last saw.
public struct EngineTime: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanos: Int64

    public init(nanos: Int64) { self.nanos = nanos }

    /// 2025-12-02T22:30:00Z, the timestamp of the seed's example business event.
    public static let simulationEpoch = EngineTime(nanos: 1_764_714_600 * 1_000_000_000)

    public static func < (a: EngineTime, b: EngineTime) -> Bool { a.nanos < b.nanos }
    public static func + (t: EngineTime, d: Nanos) -> EngineTime { EngineTime(nanos: t.nanos + d) }
    public static func - (a: EngineTime, b: EngineTime) -> Nanos { a.nanos - b.nanos }
    public static func - (t: EngineTime, d: Nanos) -> EngineTime { EngineTime(nanos: t.nanos - d) }

    public var description: String { ISO8601.format(nanos: nanos) }
}

/// A length of engine time in nanoseconds.
public typealias Nanos = Int64


/// RFC 3339 timestamps without Foundation's formatters (which are slow and locale-bound).
public enum ISO8601 {
    public static func format(nanos: Int64) -> String {
        let secs = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        let millis = Int((nanos - secs * 1_000_000_000) / 1_000_000)
        var days = secs / 86_400
        var rem = secs - days * 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        let hh = Int(rem / 3600), mm = Int(rem % 3600 / 60), ss = Int(rem % 60)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2)).\(pad(millis, 3))Z"
    }

    /// The time of day in a sentence: "22:35:00" (UTC).
    public static func time(nanos: Int64) -> String {
        let f = format(nanos: nanos)
        return String(f.dropFirst(11).prefix(8))
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    // Howard Hinnant's days-to-civil algorithm.
    public static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(y + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }
}
