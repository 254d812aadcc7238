import PaytopIngest
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// The business report from the exporter's `otel_logs` (docs/clickhouse.md): the business
/// events, in any spelling ingest reads (log attributes or a Powertools JSON body), grouped
/// and counted by ClickHouse with their amounts summed as exact decimals — one row a
/// group, never a row an event — then assembled by the arithmetic paytop's own store uses.
/// The clock is the latest span or log record; a window reads the day partitions it covers.
public struct ClickHouseBusinessReading: BusinessReading {
    public let client: ClickHouseClient
    let timestampTime: Bool
    /// The logs table has paytop's projection (`paytop clickhouse prepare`).
    public let projection: Bool

    public init(_ client: ClickHouseClient) throws(ClickHouseClient.Failure) {
        self.client = client
        let t = client.endpoint.tables
        let schema = try ClickHouseSchema.describe(client, [t.traces, t.logs])
        try schema.require(t.logs, ExporterTables.logColumns, at: client.endpoint)
        try schema.require(t.traces, ["Timestamp"], at: client.endpoint)
        timestampTime = schema.has(t.logs, "TimestampTime")
        // A ClickHouse without system.projections has none.
        projection = (try? client.read(ClickHouseQueries.businessProjectionPresent(client.endpoint)))?.rows.first?.first?.stringValue == "1"
    }

    /// The parts a business query over the records from `from` on reads: the plain records
    /// (through the projection when there is one), and those with JSON bodies when one in the
    /// window may name an event.
    func parts(from: Int64?) throws(ClickHouseClient.Failure) -> [ClickHouseQueries.BusinessPart] {
        [.plain(projection: projection, timestampTime: timestampTime)] + (try jsonBodies(from: from) ? [.jsonBodies(timestampTime: timestampTime)] : [])
    }

    /// Each part's rows of one business query.
    func rows(_ query: (ClickHouseQueries.BusinessPart) -> String, from: Int64?) throws(ClickHouseClient.Failure) -> [[JSONValue]] {
        var out: [[JSONValue]] = []
        for part in try parts(from: from) { out += try client.read(query(part)).rows }
        return out
    }

    public func business(since: Int64?) throws -> BusinessReport {
        try business(since: since, at: try ClickHouseClock.latest(client, timestampTime: timestampTime))
    }

    /// The report at a clock already read.
    func business(since: Int64?, at: Int64) throws -> BusinessReport {
        let from = since.map { BusinessReport.windowStart(at: at, nanos: $0) }
        let rows = try rows({ ClickHouseQueries.businessEventGroups(client.endpoint, fromNanos: from, $0) }, from: from)
        let names = BusinessEventFields.Key.name
        var groups: [BusinessReport.Group] = [], latency: [Int64: Int64] = [:]
        for r in rows {
            let text = r.map { $0.stringValue ?? "" }
            var fields: [String: AttributeValue] = [:]
            for (i, key) in names.enumerated() where !text[i].isEmpty { fields[key] = .string(text[i]) }
            let rest = Array(text[names.count...])
            for (key, value) in zip(["payment_stage", "payment_outcome", "amount_currency", "merchant_id", "error_code", "error_category",
                                     "psp_latency_ms"], rest) where !value.isEmpty {
                fields[key] = .string(value)
            }
            guard let f = BusinessEventFields.read(fields), let events = Int64(rest[7]), let sum = Int64(rest[8]) else { continue }
            groups.append(BusinessReport.Group(event: f.name, outcome: f.outcome, currency: f.currency ?? "", merchant: f.merchantID ?? "",
                                               code: f.errorCode ?? "", category: f.errorCategory?.rawValue ?? "", events: events, amountMinor: sum))
            if f.name == .pspResponse, let ms = f.pspLatencyMillis { latency[ms, default: 0] += events }
        }
        var recorded = !groups.isEmpty
        if !recorded { recorded = try client.read(ClickHouseQueries.anyBusinessEventRecord(client.endpoint)).rows.first?.first?.stringValue != "0" }
        return BusinessReport.assemble(at: at, from: from, groups: groups,
                                       pspLatency: HistogramBuckets(sortedPairs: latency.keys.sorted().map { ($0, latency[$0]!) }),
                                       eventsRecorded: recorded)
    }

    /// Settled ÷ received over the last `since` nanoseconds of the clock at `at` (the
    /// conversion beside the SLOs): the business events counted by name only.
    func conversion(at: Int64, since: Int64) throws -> Double? {
        let from = BusinessReport.windowStart(at: at, nanos: since)
        let names = BusinessEventFields.Key.name
        var received: Int64 = 0, settled: Int64 = 0
        for r in try rows({ ClickHouseQueries.businessEventNames(client.endpoint, fromNanos: from, $0) }, from: from) {
            let text = r.map { $0.stringValue ?? "" }
            var fields: [String: AttributeValue] = [:]
            for (i, key) in names.enumerated() where !text[i].isEmpty { fields[key] = .string(text[i]) }
            if !text[names.count].isEmpty { fields["payment_stage"] = .string(text[names.count]) }
            guard let f = BusinessEventFields.read(fields), let n = Int64(text[names.count + 1]) else { continue }
            if f.name == FunnelStep.received.event { received += n }
            if f.name == FunnelStep.settled.event { settled += n }
        }
        return received == 0 ? nil : Double(settled) / Double(received)
    }

    /// Whether JSON bodies (a CloudWatch Logs receiver's Powertools lines) may name events from
    /// `from` on: when none does, the fields are read from the attributes alone.
    func jsonBodies(from: Int64?) throws(ClickHouseClient.Failure) -> Bool {
        try client.read(ClickHouseQueries.jsonBodyEvents(client.endpoint, fromNanos: from, timestampTime: timestampTime)).rows.first?.first?.stringValue != "0"
    }
}
