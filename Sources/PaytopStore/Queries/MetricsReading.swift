/// The reading contract for `paytop metrics` (docs/clickhouse.md): the series a store holds
/// and their latest points, from paytop's store or the exporter's metric tables.
public protocol MetricsReading {
    /// Every series (of `name` when given), by name and then dimensions.
    func series(named name: String?) throws -> [MetricSeriesRow]
    /// The last `n` points of a series at a period length, oldest first.
    func latestPoints(_ series: MetricSeriesRow, periodSeconds: Int, n: Int) throws -> [MetricSeriesQuery.Point]
}

/// paytop's own store.
public struct StoreMetricsReading: MetricsReading {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public func series(named name: String?) throws -> [MetricSeriesRow] {
        try name.map { try MetricSeriesQuery.named(connection, $0) } ?? MetricSeriesQuery.all(connection)
    }

    public func latestPoints(_ series: MetricSeriesRow, periodSeconds: Int, n: Int) throws -> [MetricSeriesQuery.Point] {
        try MetricSeriesQuery.latestPoints(connection, seriesID: series.id, periodSeconds: periodSeconds, n: n)
    }
}
