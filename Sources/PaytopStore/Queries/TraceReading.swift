/// The reading contract for a checkout's traces (docs/clickhouse.md): the read commands and
/// the console ask it, and paytop's SQLite store (`StoreTraceReading`) and the ClickHouse a
/// Collector fleet fills (PaytopClickHouse) answer it alike.
public protocol TraceReading {
    /// The checkout's traces, spans and business events; nil when the store holds none.
    func waterfall(checkoutID: String) throws -> TraceWaterfall?
    /// Why nothing was found, beyond "no trace" (a store recorded without telemetry, …); nil when nothing to add.
    func emptyReason() throws -> String?
}

/// paytop's own store.
public struct StoreTraceReading: TraceReading {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public func waterfall(checkoutID: String) throws -> TraceWaterfall? { try TraceWaterfall.load(connection, checkoutID: checkoutID) }

    public func emptyReason() throws -> String? {
        try TraceWaterfall.traceCount(connection) == 0 ? "this store has no traces: was it recorded with --no-telemetry?" : nil
    }
}
