import PaytopVocabulary

/// A window's metric figures as the reports ask for them (FunctionsReport; docs/clickhouse.md):
/// paytop's store answers from its roll-ups, ClickHouse from the exporter's metric tables.
/// Dimensions are the engine's JSON objects with sorted keys (`MetricDimensions`).
public protocol WindowMetrics {
    /// A counter summed over the window.
    func total(_ name: String, _ dimensions: String) throws -> Int64
    /// A gauge's highest reading in the window; 0 without one.
    func peak(_ name: MetricName, _ dimensions: String) throws -> Double
    /// A distribution over the window's minutes, merged from their buckets; nil when nothing was observed.
    func distribution(_ name: MetricName, _ dimensions: String) throws -> MetricWindow.Distribution?
    /// Whether the store holds any metric at all (not with `--no-telemetry`).
    func anyRecorded() throws -> Bool
}

/// paytop's own store over [from, to) of engine time.
public struct StoreWindowMetrics: WindowMetrics {
    let c: Connection, from: Int64, to: Int64

    public init(_ c: Connection, from: Int64, to: Int64) { self.c = c; self.from = from; self.to = to }

    public func total(_ name: String, _ dimensions: String) throws -> Int64 { try MetricWindow.total(c, name, dimensions, from: from, to: to) }
    public func peak(_ name: MetricName, _ dimensions: String) throws -> Double { try MetricWindow.peak(c, name, dimensions, from: from, to: to) }
    public func distribution(_ name: MetricName, _ dimensions: String) throws -> MetricWindow.Distribution? {
        try MetricWindow.distribution(c, name, dimensions, from: from, to: to)
    }
    public func anyRecorded() throws -> Bool { try c.scalarInt("SELECT EXISTS (SELECT 1 FROM metric_data)") == 1 }
}

/// The reading contract for the Functions view and `paytop functions`.
public protocol FunctionsReading {
    /// The functions over the last `since` nanoseconds of the store's clock (nil: all of it).
    func functions(since: Int64?) throws -> FunctionsReport
}

/// paytop's own store.
public struct StoreFunctionsReading: FunctionsReading {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public func functions(since: Int64?) throws -> FunctionsReport { try FunctionsReport.load(connection, since: since) }
}
