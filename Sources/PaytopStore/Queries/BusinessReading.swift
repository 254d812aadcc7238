/// The reading contract for the business report (`paytop business`, the Business view;
/// docs/clickhouse.md): paytop's SQLite store and the ClickHouse a Collector fills answer it
/// alike — both count groups of alike events and share `BusinessReport.assemble`.
public protocol BusinessReading {
    /// The business over the last `since` nanoseconds of the store's clock (nil: all of it).
    func business(since: Int64?) throws -> BusinessReport
}

/// paytop's own store: its business roll-ups.
public struct StoreBusinessReading: BusinessReading {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public func business(since: Int64?) throws -> BusinessReport { try BusinessReport.load(connection, since: since) }
}
