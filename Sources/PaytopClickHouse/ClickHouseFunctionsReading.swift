import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// A window's metric figures from the exporter's metric tables (docs/clickhouse.md), each
/// kind in one query grouped by series — counters summed, gauges' peaks, histograms' buckets
/// merged by bound — so the reports ask a dictionary, never ClickHouse a series at a time.
/// Series are named as CloudWatch names them, their point attributes the dimensions.
public struct ClickHouseWindowMetrics: WindowMetrics {
    var totals: [String: Int64] = [:], peaks: [String: Double] = [:]
    var buckets: [String: [(value: Int64, count: Int64)]] = [:], sums: [String: Double] = [:]

    /// The figures of the points whose period starts in [from, to) (nil: from the first).
    public init(_ client: ClickHouseClient, from: Int64?, to: Int64) throws(ClickHouseClient.Failure) {
        let e = client.endpoint
        func rows(_ sql: String) throws(ClickHouseClient.Failure) -> [(key: String, values: [String])] {
            try client.read(sql).rows.map { r in
                let text = r.map { $0.stringValue ?? "" }
                return (Self.key(text[0], text[1]), Array(text.dropFirst(2)))
            }
        }
        for (k, v) in try rows(ClickHouseQueries.counterTotals(e, from: from, to: to)) { totals[k, default: 0] += Int64(v[0]) ?? 0 }
        for (k, v) in try rows(ClickHouseQueries.gaugePeaks(e, from: from, to: to)) { peaks[k] = max(peaks[k] ?? 0, Double(v[0]) ?? 0) }
        for r in try client.read(ClickHouseQueries.histogramBuckets(e, from: from, to: to)).rows {
            let k = Self.key(r[0].stringValue ?? "", r[1].stringValue ?? "")
            let bounds = (r[2].arrayValue ?? []).map { Double($0.stringValue ?? "") }, counts = (r[3].arrayValue ?? []).map { Int64($0.stringValue ?? "") }
            for (bound, n) in zip(bounds, counts) {
                guard let bound, let n, n > 0 else { continue }
                buckets[k, default: []].append((Int64((bound * 1000).rounded()), n))  // milliseconds → the store's microseconds
            }
            sums[k, default: 0] += Double(r[4].stringValue ?? "") ?? 0
        }
    }

    /// A series' key: its name and its attributes as the engine's JSON (keys sorted).
    static func key(_ name: String, _ attributesJSON: String) -> String {
        let o = (try? JSONValue.parse(attributesJSON))?.objectValue ?? [:]
        return name + " " + JSONText.object(o.keys.sorted().map { ($0, o[$0]?.stringValue ?? "") })
    }

    public func total(_ name: String, _ dimensions: String) throws -> Int64 { totals[Self.key(name, dimensions)] ?? 0 }
    public func peak(_ name: MetricName, _ dimensions: String) throws -> Double { peaks[Self.key(name.rawValue, dimensions)] ?? 0 }

    public func distribution(_ name: MetricName, _ dimensions: String) throws -> MetricWindow.Distribution? {
        let k = Self.key(name.rawValue, dimensions)
        guard let pairs = buckets[k] else { return nil }
        var merged: [Int64: Int64] = [:]
        for (v, n) in pairs { merged[v, default: 0] += n }
        return MetricWindow.distribution(HistogramBuckets(sortedPairs: merged.keys.sorted().map { ($0, merged[$0]!) }), sumMillis: sums[k] ?? 0)
    }

    public func anyRecorded() throws -> Bool { !totals.isEmpty || !peaks.isEmpty || !buckets.isEmpty }
}

/// The Functions view's figures from ClickHouse: the window's metrics in three queries, the
/// report assembled by the arithmetic paytop's store uses.
public struct ClickHouseFunctionsReading: FunctionsReading {
    public let client: ClickHouseClient
    let timestampTime: Bool

    public init(_ client: ClickHouseClient) throws(ClickHouseClient.Failure) {
        self.client = client
        let t = client.endpoint.tables
        let schema = try ClickHouseSchema.describe(client, [t.traces, t.logs, t.sum, t.gauge, t.histogram])
        timestampTime = schema.has(t.logs, "TimestampTime")
        try schema.require(t.sum, ExporterTables.sumColumns, at: client.endpoint)
        try schema.require(t.gauge, ExporterTables.gaugeColumns, at: client.endpoint)
        try schema.require(t.histogram, ExporterTables.histogramColumns, at: client.endpoint)
    }

    public func functions(since: Int64?) throws -> FunctionsReport {
        try functions(since: since, at: try ClickHouseClock.latest(client, timestampTime: timestampTime))
    }

    /// The report at a clock already read.
    func functions(since: Int64?, at: Int64) throws -> FunctionsReport {
        let from = since.map { BusinessReport.windowStart(at: at, nanos: $0) }
        return try FunctionsReport.assemble(at: at, from: from, metrics: try ClickHouseWindowMetrics(client, from: from, to: at + 1))
    }
}

/// The store's clock on ClickHouse: the latest span or log record (ns; 0 when empty).
enum ClickHouseClock {
    static func latest(_ client: ClickHouseClient, timestampTime: Bool) throws(ClickHouseClient.Failure) -> Int64 {
        try client.read(ClickHouseQueries.latestRecordTime(client.endpoint, timestampTime: timestampTime)).rows.first?.first?.stringValue
            .flatMap { Int64($0) } ?? 0
    }
}
