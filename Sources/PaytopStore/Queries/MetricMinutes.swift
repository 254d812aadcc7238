/// The 60-s metric roll-ups with their series and, for distributions, their minute's
/// histogram buckets: what `paytop export --clickhouse` writes into the exporter's metric
/// tables.
public enum MetricMinutes {
    public struct Minute: Sendable {
        public var name: String, unit: String, kind: String
        /// The series' dimensions, a JSON object.
        public var dimensions: String
        public var periodStart: Int64
        /// A counter's sum, a gauge's last reading, a distribution's sum (its unit).
        public var value: Double
        public var count: Int64?
        public var min: Double?, max: Double?
        /// A distribution's counts per bucket value (microseconds).
        public var buckets: HistogramBuckets?
    }

    /// Every minute, series by series, in batches of `batchSize`.
    public static func read(_ c: Connection, batchSize: Int = 5_000, _ body: ([Minute]) throws -> Void) throws {
        let s = try c.cached("""
            SELECT m.name, m.unit, m.kind, m.dimensions, d.period_start, coalesce(d.value, 0), d.count, d.min, d.max, h.buckets
            FROM metric_data d JOIN metric_series m ON m.series_id = d.series_id
            LEFT JOIN metric_histogram h ON h.series_id = d.series_id AND h.period_start = d.period_start
            WHERE d.period_seconds = 60 ORDER BY d.series_id, d.period_start
            """)
        defer { s.reset() }
        var batch: [Minute] = []
        while try s.step() {
            batch.append(Minute(name: s.string(0), unit: s.string(1), kind: s.string(2), dimensions: s.string(3), periodStart: s.int(4),
                                value: s.double(5), count: s.optionalInt(6), min: s.optionalDouble(7), max: s.optionalDouble(8),
                                buckets: s.isNull(9) ? nil : HistogramBuckets(decoding: s.blob(9))))
            if batch.count >= batchSize {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
    }
}
