import PaytopVocabulary

/// A metric series over a window of engine time: counters summed, gauges' peaks, and
/// distributions merged from their roll-up minutes' histograms (`metric_histogram`), so a
/// percentile over an hour is the hour's, not an average of minutes'.
public enum MetricWindow {
    /// A distribution over the window: nearest-rank percentiles to the histogram's bucket
    /// (two significant digits), in milliseconds.
    public struct Distribution: Sendable, Equatable {
        public var count: Int64
        public var p50: Double, p95: Double, p99: Double, max: Double
        /// Sum of the values in milliseconds, for the mean.
        public var sumMillis: Double
        public var mean: Double { count == 0 ? 0 : sumMillis / Double(count) }
    }

    /// Sum of a counter over [from, to): 1-minute roll-ups, plus the fine points of the
    /// minute not rolled up yet (live stores).
    public static func total(_ c: Connection, _ name: String, _ dimensions: String, from: Int64, to: Int64) throws -> Int64 {
        let s = try c.cached("""
            WITH series AS (SELECT series_id FROM metric_series WHERE name = ?1 AND dimensions = ?2),
                 rolled AS (SELECT coalesce(max(period_start), -1) + 60000000000 AS upto FROM metric_data
                            WHERE series_id = (SELECT series_id FROM series) AND period_seconds = 60)
            SELECT coalesce(sum(value), 0) FROM metric_data
            WHERE series_id = (SELECT series_id FROM series)
              AND ((period_seconds = 60 AND period_start >= ?3 AND period_start < ?4)
                OR (period_seconds < 60 AND period_start >= max(?3, (SELECT upto FROM rolled)) AND period_start < ?4))
            """)
        s.bind(1, name).bind(2, dimensions).bind(3, from).bind(4, to)
        defer { s.reset() }
        return try s.step() ? s.int(0) : 0
    }

    public static func total(_ c: Connection, _ name: MetricName, _ dimensions: String, from: Int64, to: Int64) throws -> Int64 {
        try total(c, name.rawValue, dimensions, from: from, to: to)
    }

    /// A gauge's last reading at or before `at` (a fine period's before its minute's
    /// roll-up); nil when it has none.
    public static func latestGauge(_ c: Connection, _ name: String, _ dimensions: String, at: Int64) throws -> Double? {
        // One index seek for the fine periods (1 s, live) and one for the minutes.
        let s = try c.cached("""
            WITH series AS (SELECT series_id FROM metric_series WHERE name = ?1 AND dimensions = ?2)
            SELECT value FROM (
                SELECT * FROM (SELECT value, period_start, period_seconds FROM metric_data
                               WHERE series_id = (SELECT series_id FROM series) AND period_seconds = 1 AND period_start <= ?3
                               ORDER BY period_start DESC LIMIT 1)
                UNION ALL
                SELECT * FROM (SELECT value, period_start, period_seconds FROM metric_data
                               WHERE series_id = (SELECT series_id FROM series) AND period_seconds = 60 AND period_start <= ?3
                               ORDER BY period_start DESC LIMIT 1))
            ORDER BY period_start DESC, period_seconds ASC LIMIT 1
            """)
        s.bind(1, name).bind(2, dimensions).bind(3, at)
        defer { s.reset() }
        return try s.step() ? s.double(0) : nil
    }

    /// The highest value a gauge reached in the window's points (their `max` where kept).
    public static func peak(_ c: Connection, _ name: MetricName, _ dimensions: String, from: Int64, to: Int64) throws -> Double {
        let s = try c.cached("""
            SELECT coalesce(max(coalesce(d.max, d.value)), 0) FROM metric_data d JOIN metric_series m ON m.series_id = d.series_id
            WHERE m.name = ? AND m.dimensions = ? AND d.period_start >= ? AND d.period_start < ?
            """)
        s.bind(1, name.rawValue).bind(2, dimensions).bind(3, from).bind(4, to)
        defer { s.reset() }
        return try s.step() ? s.double(0) : 0
    }

    /// A distribution over the window's whole roll-up minutes; nil when nothing was observed.
    public static func distribution(_ c: Connection, _ name: MetricName, _ dimensions: String, from: Int64, to: Int64) throws -> Distribution? {
        let s = try c.cached("""
            SELECT h.buckets, d.value FROM metric_series m
            JOIN metric_histogram h ON h.series_id = m.series_id
            JOIN metric_data d ON d.series_id = h.series_id AND d.period_seconds = 60 AND d.period_start = h.period_start
            WHERE m.name = ? AND m.dimensions = ? AND h.period_start >= ? AND h.period_start < ?
            """)
        s.bind(1, name.rawValue).bind(2, dimensions).bind(3, from).bind(4, to)
        defer { s.reset() }
        var merged = HistogramBuckets(sortedPairs: [])
        var sum = 0.0
        while try s.step() {
            guard let b = HistogramBuckets(decoding: s.blob(0)) else { continue }
            merged.add(b)
            sum += s.double(1)
        }
        return distribution(merged, sumMillis: sum)
    }

    /// A distribution from its window's merged buckets (values in microseconds) and the sum
    /// of its values in milliseconds; nil when nothing was observed.
    public static func distribution(_ merged: HistogramBuckets, sumMillis: Double) -> Distribution? {
        let micros = { (v: Int64?) in Double(v ?? 0) / 1000 }
        let count = merged.totalCount
        guard count > 0 else { return nil }
        return Distribution(count: count, p50: micros(merged.percentile(50)), p95: micros(merged.percentile(95)),
                            p99: micros(merged.percentile(99)), max: micros(merged.pairs.last?.value), sumMillis: sumMillis)
    }
}
