import PaytopJSON
import PaytopStore

/// `paytop metrics` from the exporter's metric tables (docs/clickhouse.md): series from the
/// sum (counters), gauge and histogram (distributions) tables, points at their 60-s periods;
/// a histogram point's percentiles are the upper bounds of the buckets holding those ranks.
public struct ClickHouseMetricsReading: MetricsReading {
    public let client: ClickHouseClient

    public init(_ client: ClickHouseClient) throws(ClickHouseClient.Failure) {
        self.client = client
        let t = client.endpoint.tables
        let schema = try ClickHouseSchema.describe(client, [t.sum, t.gauge, t.histogram])
        try schema.require(t.sum, ExporterTables.sumColumns, at: client.endpoint)
        try schema.require(t.gauge, ExporterTables.gaugeColumns, at: client.endpoint)
        try schema.require(t.histogram, ExporterTables.histogramColumns, at: client.endpoint)
    }

    public func series(named name: String?) throws -> [MetricSeriesRow] {
        let rows = try client.read(ClickHouseQueries.metricSeries(client.endpoint, named: name)).rows.map { r -> MetricSeriesRow in
            let text = r.map { $0.stringValue ?? "" }
            let o = (try? JSONValue.parse(text[1]))?.objectValue ?? [:]
            return MetricSeriesRow(id: 0, name: text[0], dimensions: JSONText.object(o.keys.sorted().map { ($0, o[$0]?.stringValue ?? "") }),
                                   unit: text[2], kind: text[3])
        }
        return rows.sorted { ($0.name, $0.dimensions) < ($1.name, $1.dimensions) }
    }

    public func latestPoints(_ series: MetricSeriesRow, periodSeconds: Int, n: Int) throws -> [MetricSeriesQuery.Point] {
        guard periodSeconds == 60 else {
            throw ClickHouseClient.Failure(description: "ClickHouse holds the 60-s periods the exporter wrote; --period \(periodSeconds) is paytop's own live store's")
        }
        let e = client.endpoint, histogram = series.kind == "distribution"
        let table = histogram ? e.tables.histogram : series.kind == "gauge" ? e.tables.gauge : e.tables.sum
        let o = (try? JSONValue.parse(series.dimensions))?.objectValue ?? [:]
        let pairs = o.keys.sorted().map { ($0, o[$0]?.stringValue ?? "") }
        let rows = try client.read(ClickHouseQueries.latestMetricPoints(e, table: table, histogram: histogram, name: series.name, attributes: pairs, n: n)).rows
        return rows.reversed().map { r in
            let start = Int64(r[0].stringValue ?? "") ?? 0
            let value = Double(r[1].stringValue ?? "")
            guard histogram else { return MetricSeriesQuery.Point(periodStart: start, value: value, count: nil) }
            let bounds = (r[5].arrayValue ?? []).map { $0.numberValue ?? Double($0.stringValue ?? "") ?? 0 }
            let counts = (r[6].arrayValue ?? []).map { Int64($0.stringValue ?? "") ?? $0.numberValue.map { Int64($0) } ?? 0 }
            let buckets = HistogramBuckets(sortedPairs: zip(bounds, counts).filter { $0.1 > 0 }.map { (Int64(($0.0 * 1000).rounded()), $0.1) })
            func ms(_ p: Double) -> Double? { buckets.percentile(p).map { Double($0) / 1000 } }
            return MetricSeriesQuery.Point(periodStart: start, value: value, count: Int64(r[2].stringValue ?? ""),
                                           min: Double(r[3].stringValue ?? ""), max: Double(r[4].stringValue ?? ""),
                                           p50: ms(50), p95: ms(95), p99: ms(99))
        }
    }
}
