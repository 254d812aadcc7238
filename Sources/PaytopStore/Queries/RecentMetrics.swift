import PaytopVocabulary

/// The latest periods of the metric series the console's panes draw (rates, sparklines,
/// latest percentiles): paytop's store reads them at its resolution (1 s live, else 60 s),
/// ClickHouse from the exporter's tables at 60 s (docs/clickhouse.md).
public protocol RecentMetrics {
    /// The last `n` values of a column of a series, oldest first.
    func series(_ name: MetricName, _ dimensions: String, n: Int, column: RecentMetricsColumn) throws -> [Double]
    /// Per second, from a counter's latest period; 0 when that period is more than three
    /// periods before `at` (nothing happened since).
    func rate(_ name: MetricName, _ dimensions: String, at: Int64) throws -> Double
}

/// A column of a period: its value (a counter's count, a gauge's reading), or a distribution's percentile.
public enum RecentMetricsColumn: String, Sendable { case value, p95, p99 }

extension RecentMetrics {
    /// The last 40 values (a sparkline's worth).
    public func series(_ name: MetricName, _ dimensions: String) throws -> [Double] {
        try series(name, dimensions, n: 40, column: .value)
    }

    /// The latest value of a column; 0 without one.
    public func latest(_ name: MetricName, _ dimensions: String, column: RecentMetricsColumn) throws -> Double {
        try series(name, dimensions, n: 1, column: column).last ?? 0
    }
}

/// paytop's own store at one period length.
public struct StoreRecentMetrics: RecentMetrics {
    let c: Connection
    public let periodSeconds: Int

    public init(_ c: Connection, periodSeconds: Int) { self.c = c; self.periodSeconds = periodSeconds }

    public func series(_ name: MetricName, _ dimensions: String, n: Int, column: RecentMetricsColumn) throws -> [Double] {
        let s = try c.cached("""
            SELECT \(column.rawValue) FROM metric_data WHERE series_id = (SELECT series_id FROM metric_series WHERE name = ? AND dimensions = ?)
              AND period_seconds = ? ORDER BY period_start DESC LIMIT ?
            """)
        s.bind(1, name.rawValue).bind(2, dimensions).bind(3, periodSeconds).bind(4, n)
        defer { s.reset() }
        return try s.all { $0.isNull(0) ? 0 : $0.double(0) }.reversed()
    }

    public func rate(_ name: MetricName, _ dimensions: String, at: Int64) throws -> Double {
        let s = try c.cached("""
            SELECT value, period_start FROM metric_data WHERE series_id = (SELECT series_id FROM metric_series WHERE name = ? AND dimensions = ?)
              AND period_seconds = ? ORDER BY period_start DESC LIMIT 1
            """)
        s.bind(1, name.rawValue).bind(2, dimensions).bind(3, periodSeconds)
        defer { s.reset() }
        guard try s.step() else { return 0 }
        if at - s.int(1) > Int64(periodSeconds) * 3_000_000_000 { return 0 }
        return s.double(0) / Double(periodSeconds)
    }
}
