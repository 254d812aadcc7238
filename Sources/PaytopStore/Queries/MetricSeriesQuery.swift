/// The metric series a store holds and their latest points: what `paytop metrics` prints.
public enum MetricSeriesQuery {
    /// One period of a series, as stored (nil where the column is null).
    public struct Point: Sendable, Equatable {
        public var periodStart: Int64
        public var value: Double?
        public var count: Int64?
        public var min: Double?, max: Double?, p50: Double?, p95: Double?, p99: Double?

        public init(periodStart: Int64, value: Double?, count: Int64?, min: Double? = nil, max: Double? = nil,
                    p50: Double? = nil, p95: Double? = nil, p99: Double? = nil) {
            self.periodStart = periodStart; self.value = value; self.count = count; self.min = min; self.max = max
            self.p50 = p50; self.p95 = p95; self.p99 = p99
        }
    }

    /// Every series, by name and then dimensions.
    public static func all(_ c: Connection) throws -> [MetricSeriesRow] {
        let s = try c.cached("SELECT series_id, name, dimensions, unit, kind FROM metric_series ORDER BY name, dimensions")
        defer { s.reset() }
        return try s.all(row)
    }

    /// The series of one name, by dimensions.
    public static func named(_ c: Connection, _ name: String) throws -> [MetricSeriesRow] {
        let s = try c.cached("SELECT series_id, name, dimensions, unit, kind FROM metric_series WHERE name = ? ORDER BY dimensions")
        s.bind(1, name)
        defer { s.reset() }
        return try s.all(row)
    }

    /// The last `n` points of a series at a period length, oldest first.
    public static func latestPoints(_ c: Connection, seriesID: Int, periodSeconds: Int, n: Int) throws -> [Point] {
        let s = try c.cached("""
            SELECT period_start, value, count, min, max, p50, p95, p99 FROM
              (SELECT * FROM metric_data WHERE series_id = ? AND period_seconds = ? ORDER BY period_start DESC LIMIT ?)
            ORDER BY period_start
            """)
        s.bind(1, seriesID).bind(2, periodSeconds).bind(3, n)
        defer { s.reset() }
        return try s.all { p in
            Point(periodStart: p.int(0), value: p.optionalDouble(1), count: p.optionalInt(2), min: p.optionalDouble(3),
                  max: p.optionalDouble(4), p50: p.optionalDouble(5), p95: p.optionalDouble(6), p99: p.optionalDouble(7))
        }
    }

    private static func row(_ s: Statement) -> MetricSeriesRow {
        MetricSeriesRow(id: Int(s.int(0)), name: s.string(1), dimensions: s.string(2), unit: s.string(3), kind: s.string(4))
    }
}
