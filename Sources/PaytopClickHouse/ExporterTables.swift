/// The tables the OpenTelemetry Collector's `clickhouseexporter` creates (its
/// `internal/sql_templates`, v0.12x: MergeTree partitioned by day, traces ordered by
/// (ServiceName, SpanName, toDateTime(Timestamp)), a TraceId → time-range lookup table fed
/// by a materialized view). `paytop export --clickhouse` creates them when absent; the
/// tests create them to stand in for a Collector.
public enum ExporterTables {
    public static func traces(_ e: ClickHouseEndpoint) -> [String] {
        let t = e.qualified(e.tables.traces), lookup = e.qualified(e.tables.traceIDLookup)
        return [
            """
            CREATE TABLE IF NOT EXISTS \(t) (
                Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
                TraceId String CODEC(ZSTD(1)),
                SpanId String CODEC(ZSTD(1)),
                ParentSpanId String CODEC(ZSTD(1)),
                TraceState String CODEC(ZSTD(1)),
                SpanName LowCardinality(String) CODEC(ZSTD(1)),
                SpanKind LowCardinality(String) CODEC(ZSTD(1)),
                ServiceName LowCardinality(String) CODEC(ZSTD(1)),
                ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                ScopeName String CODEC(ZSTD(1)),
                ScopeVersion String CODEC(ZSTD(1)),
                SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                Duration UInt64 CODEC(ZSTD(1)),
                StatusCode LowCardinality(String) CODEC(ZSTD(1)),
                StatusMessage String CODEC(ZSTD(1)),
                Events Nested (Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
                Links Nested (TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
                INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
                INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_duration Duration TYPE minmax GRANULARITY 1
            ) ENGINE = MergeTree
            PARTITION BY toDate(Timestamp)
            ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
            SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
            """,
            """
            CREATE TABLE IF NOT EXISTS \(lookup) (
                TraceId String CODEC(ZSTD(1)),
                Start DateTime CODEC(Delta, ZSTD(1)),
                End DateTime CODEC(Delta, ZSTD(1)),
                INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
            ) ENGINE = MergeTree
            PARTITION BY toDate(Start)
            ORDER BY (TraceId, Start)
            SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
            """,
            """
            CREATE MATERIALIZED VIEW IF NOT EXISTS \(lookup)_mv TO \(lookup) AS
            SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
            FROM \(t) WHERE TraceId != '' GROUP BY TraceId
            """,
        ]
    }

    public static func logs(_ e: ClickHouseEndpoint) -> [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS \(e.qualified(e.tables.logs)) (
                Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
                TimestampTime DateTime DEFAULT toDateTime(Timestamp),
                TraceId String CODEC(ZSTD(1)),
                SpanId String CODEC(ZSTD(1)),
                TraceFlags UInt8,
                SeverityText LowCardinality(String) CODEC(ZSTD(1)),
                SeverityNumber UInt8,
                ServiceName LowCardinality(String) CODEC(ZSTD(1)),
                Body String CODEC(ZSTD(1)),
                ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
                ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
                ScopeName String CODEC(ZSTD(1)),
                ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
                ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
                INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
            ) ENGINE = MergeTree
            PARTITION BY toDate(TimestampTime)
            PRIMARY KEY (ServiceName, TimestampTime)
            ORDER BY (ServiceName, TimestampTime, Timestamp)
            SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
            """,
        ]
    }

    /// The exporter's metric tables paytop writes and reads: sums, gauges, explicit-bucket histograms.
    public static func metrics(_ e: ClickHouseEndpoint) -> [String] {
        let common = """
                ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                ResourceSchemaUrl String CODEC(ZSTD(1)),
                ScopeName String CODEC(ZSTD(1)),
                ScopeVersion String CODEC(ZSTD(1)),
                ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1)),
                ScopeSchemaUrl String CODEC(ZSTD(1)),
                ServiceName LowCardinality(String) CODEC(ZSTD(1)),
                MetricName String CODEC(ZSTD(1)),
                MetricDescription String CODEC(ZSTD(1)),
                MetricUnit String CODEC(ZSTD(1)),
                Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
                StartTimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),
                TimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),
            """
        let exemplars = """
                Exemplars Nested (FilteredAttributes Map(LowCardinality(String), String), TimeUnix DateTime64(9), Value Float64,
                                  SpanId String, TraceId String) CODEC(ZSTD(1)),
            """
        let tail = """
                INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
                INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1
            ) ENGINE = MergeTree
            PARTITION BY toDate(TimeUnix)
            ORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))
            SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
            """
        return [
            "CREATE TABLE IF NOT EXISTS \(e.qualified(e.tables.sum)) (\n\(common)\n    Value Float64 CODEC(ZSTD(1)),\n    Flags UInt32 CODEC(ZSTD(1)),\n"
                + "\(exemplars)\n    AggregationTemporality Int32 CODEC(ZSTD(1)),\n    IsMonotonic Boolean CODEC(Delta, ZSTD(1)),\n\(tail)",
            "CREATE TABLE IF NOT EXISTS \(e.qualified(e.tables.gauge)) (\n\(common)\n    Value Float64 CODEC(ZSTD(1)),\n    Flags UInt32 CODEC(ZSTD(1)),\n"
                + "\(exemplars)\n\(tail)",
            "CREATE TABLE IF NOT EXISTS \(e.qualified(e.tables.histogram)) (\n\(common)\n    Count UInt64 CODEC(Delta, ZSTD(1)),\n"
                + "    Sum Float64 CODEC(ZSTD(1)),\n    BucketCounts Array(UInt64) CODEC(ZSTD(1)),\n    ExplicitBounds Array(Float64) CODEC(ZSTD(1)),\n"
                + "\(exemplars)\n    Flags UInt32 CODEC(ZSTD(1)),\n    Min Float64 CODEC(ZSTD(1)),\n    Max Float64 CODEC(ZSTD(1)),\n"
                + "    AggregationTemporality Int32 CODEC(ZSTD(1)),\n\(tail)",
        ]
    }

    /// The columns paytop reads from each metric table.
    public static let metricColumns = ["ServiceName", "MetricName", "MetricUnit", "Attributes", "StartTimeUnix", "TimeUnix"]
    public static let sumColumns = metricColumns + ["Value", "AggregationTemporality"]
    public static let gaugeColumns = metricColumns + ["Value"]
    public static let histogramColumns = metricColumns + ["Count", "Sum", "BucketCounts", "ExplicitBounds", "Min", "Max"]

    /// paytop's projection of the logs table: every record grouped by its minute, whether its
    /// body is a JSON object, and the business keys read from its attributes — counted, amounts
    /// summed: what the plain part of the business queries groups by (`BusinessPart`), kept
    /// per part as ClickHouse writes and merges them. Then built for the parts already there.
    public static func businessProjection(_ e: ClickHouseEndpoint) -> [String] {
        let keys = ["toStartOfMinute(Timestamp)", ClickHouseQueries.jsonBody] + ClickHouseQueries.businessKeys(bodies: false).map(\.expr)
        let table = e.qualified(e.tables.logs)
        return [
            """
            ALTER TABLE \(table) ADD PROJECTION IF NOT EXISTS \(ClickHouseQueries.businessProjectionName) (
                SELECT \(keys.joined(separator: ", ")), count(), \(ClickHouseQueries.amountSum(bodies: false))
                GROUP BY \(keys.joined(separator: ", ")))
            """,
            "ALTER TABLE \(table) MATERIALIZE PROJECTION \(ClickHouseQueries.businessProjectionName) SETTINGS mutations_sync = 2",
        ]
    }

    /// A copy of the spans ordered by TraceId (as ClickStack keeps one): a trace's spans in one
    /// granule instead of one a span name. It doubles the traces table's size on disk.
    public static func traceProjection(_ e: ClickHouseEndpoint) -> [String] {
        let table = e.qualified(e.tables.traces)
        return [
            "ALTER TABLE \(table) ADD PROJECTION IF NOT EXISTS \(ClickHouseQueries.traceProjectionName) (SELECT * ORDER BY TraceId)",
            "ALTER TABLE \(table) MATERIALIZE PROJECTION \(ClickHouseQueries.traceProjectionName) SETTINGS mutations_sync = 2",
        ]
    }

    /// Adds paytop's projection to the logs table and builds it for the parts already there
    /// (`paytop clickhouse prepare`), and with `traceOrder` the trace-ordered one to the traces
    /// table; waits until they are built.
    public static func prepare(_ client: ClickHouseClient, traceOrder: Bool = false) throws(ClickHouseClient.Failure) {
        let e = client.endpoint
        for r in try client.read(ClickHouseQueries.otherBusinessProjections(e)).rows {
            guard let name = r.first?.stringValue, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            try client.write("ALTER TABLE \(e.qualified(e.tables.logs)) DROP PROJECTION IF EXISTS \(name)")
        }
        for statement in businessProjection(e) + (traceOrder ? traceProjection(e) : []) { try client.write(statement) }
    }

    /// The columns paytop reads from the logs table.
    public static let logColumns = ["Timestamp", "TraceId", "SpanId", "SeverityText", "SeverityNumber", "ServiceName", "Body",
                                    "ResourceAttributes", "LogAttributes"]

    /// The columns paytop reads from the traces table.
    public static let traceColumns = ["Timestamp", "TraceId", "SpanId", "ParentSpanId", "SpanName", "SpanKind", "ServiceName",
                                      "ResourceAttributes", "SpanAttributes", "Duration", "StatusCode", "StatusMessage"]
}
