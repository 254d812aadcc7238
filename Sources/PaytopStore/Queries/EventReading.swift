/// The reading contract for the business-event feed (`paytop events`; docs/clickhouse.md):
/// paytop's SQLite store and the ClickHouse a Collector fills answer it alike.
public protocol EventReading {
    /// The last `limit` business events (all with nil), oldest first; only those of
    /// `checkoutID` (its own, and its traces' that name no checkout) when given.
    func events(last limit: Int?, checkoutID: String?) throws -> [BusinessEventFeed.Event]
}

/// paytop's own store.
public struct StoreEventReading: EventReading {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public func events(last limit: Int?, checkoutID: String?) throws -> [BusinessEventFeed.Event] {
        try BusinessEventFeed.read(connection, limit: limit ?? Int.max, checkoutID: checkoutID, latest: limit != nil)
    }
}
