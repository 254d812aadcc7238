/// The reading contract for the console's screens (docs/clickhouse.md): the snapshot every
/// view draws and a checkout's trace, from paytop's store or from the ClickHouse a Collector
/// fleet fills. What only paytop's store holds (payment state, problems, the drill, range
/// comparison, control) the console reads from the store itself, and says so elsewhere.
public protocol ConsoleReading: AnyObject {
    /// Where it reads, for the header and sentences ("ClickHouse 10.0.0.5:8123 · otel").
    var location: String { get }
    /// Whether to read again: the store changed, or (where a store cannot tell) a refresh is due.
    func changed() -> Bool
    func snapshot(limits: ConsoleSnapshot.Limits, windowNanos: Int64?, parts: ConsoleSnapshot.Parts) throws -> ConsoleSnapshot
    func waterfall(checkoutID: String) throws -> TraceWaterfall?
}

/// paytop's own store: it changed when SQLite's data version moved.
public final class StoreConsoleReading: ConsoleReading {
    public let connection: Connection
    let storePath: String
    private var lastVersion: Int64 = -1

    public init(_ connection: Connection, storePath: String) { self.connection = connection; self.storePath = storePath }

    public var location: String { storePath }

    public func changed() -> Bool {
        let v = connection.dataVersion
        defer { lastVersion = v }
        return v != lastVersion
    }

    public func snapshot(limits: ConsoleSnapshot.Limits, windowNanos: Int64?, parts: ConsoleSnapshot.Parts) throws -> ConsoleSnapshot {
        try ConsoleSnapshot.load(connection, storePath: storePath, limits: limits, windowNanos: windowNanos, parts: parts)
    }

    public func waterfall(checkoutID: String) throws -> TraceWaterfall? { try TraceWaterfall.load(connection, checkoutID: checkoutID) }
}
