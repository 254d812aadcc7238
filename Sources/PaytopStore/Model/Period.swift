/// Periods of engine time: the minute, hour or any length of nanoseconds holding a time.
public enum Period {
    public static let minute: Int64 = 60_000_000_000
    public static let hour: Int64 = 3_600_000_000_000

    /// The start of the period of `length` nanoseconds holding `t` (floor, before 0 too).
    public static func start(of t: Int64, length: Int64) -> Int64 {
        let m = t / length * length
        return m > t ? m - length : m
    }
}
