/// The reading contract for the SLO view and `paytop slo` (docs/clickhouse.md): paytop's
/// store and the ClickHouse a Collector fills answer it alike, both through `SloReport.assemble`.
public protocol SloReading {
    func slo(definitions: [SloDefinition]) throws -> SloReport
}

/// paytop's own store.
public struct StoreSloReading: SloReading {
    public let connection: Connection

    public init(_ connection: Connection) { self.connection = connection }

    public func slo(definitions: [SloDefinition]) throws -> SloReport { try SloReport.load(connection, definitions: definitions) }
}
