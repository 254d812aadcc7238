/// The columns of the tables paytop reads, found in `system.columns` (the exporter's schema
/// has changed between versions: Duration Int64 → UInt64, TimestampTime added, …). A table
/// or column missing is said in one sentence naming it.
public struct ClickHouseSchema: Sendable {
    public var columns: [String: [String: String]] = [:]

    public init() {}

    /// The columns of each table, from `system.columns` in one query (what `DESC TABLE`
    /// says, Nested columns as `Events.Timestamp` …); a missing table throws its sentence.
    /// `optional` tables may be missing.
    public static func describe(_ client: ClickHouseClient, _ tables: [String], optional: [String] = []) throws(ClickHouseClient.Failure) -> ClickHouseSchema {
        let e = client.endpoint
        let r = try client.read(ClickHouseQueries.columnsOf(e, tables: tables + optional))
        var s = ClickHouseSchema()
        for row in r.rows {
            guard let t = row[0].stringValue, let n = row[1].stringValue else { continue }
            s.columns[t, default: [:]][n] = row[2].stringValue ?? ""
        }
        if let missing = tables.first(where: { s.columns[$0] == nil }) {
            throw .init(description: "ClickHouse at \(e.description) has no table \(e.qualified(missing))")
        }
        return s
    }

    /// Throws unless `table` has every one of `names`.
    public func require(_ table: String, _ names: [String], at endpoint: ClickHouseEndpoint) throws(ClickHouseClient.Failure) {
        let have = columns[table] ?? [:]
        if let missing = names.first(where: { have[$0] == nil }) {
            throw .init(description: "ClickHouse table \(endpoint.qualified(table)) has no column \(missing) (paytop reads the Collector exporter's columns: docs/clickhouse.md)")
        }
    }

    public func has(_ table: String, _ column: String) -> Bool { columns[table]?[column] != nil }

    /// How many rows a table holds (the benchmark says what it read).
    public static func rowCount(_ client: ClickHouseClient, table: String) throws(ClickHouseClient.Failure) -> Int64 {
        Int64(try client.read(ClickHouseQueries.rowCount(client.endpoint, table: table)).rows.first?.first?.stringValue ?? "") ?? 0
    }
}
