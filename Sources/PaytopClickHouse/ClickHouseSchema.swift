/// The columns of the tables paytop reads, found with `DESC TABLE` (the exporter's schema
/// has changed between versions: Duration Int64 → UInt64, TimestampTime added, …). A table
/// or column missing is said in one sentence naming it.
public struct ClickHouseSchema: Sendable {
    public var columns: [String: [String: String]] = [:]

    public init() {}

    /// `DESC TABLE` of each table (a missing table throws its sentence).
    public static func describe(_ client: ClickHouseClient, _ tables: [String]) throws(ClickHouseClient.Failure) -> ClickHouseSchema {
        var s = ClickHouseSchema()
        for t in tables {
            let exists = try client.read("EXISTS TABLE \(client.endpoint.qualified(t))")
            guard exists.rows.first?.first.map({ $0.numberValue == 1 || $0.stringValue == "1" }) == true else {
                throw .init(description: "ClickHouse at \(client.endpoint.description) has no table \(client.endpoint.qualified(t))")
            }
            let d = try client.read("DESC TABLE \(client.endpoint.qualified(t))")
            var cols: [String: String] = [:]
            for row in d.rows { if let n = row.first?.stringValue { cols[n] = row.count > 1 ? row[1].stringValue ?? "" : "" } }
            s.columns[t] = cols
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
}
