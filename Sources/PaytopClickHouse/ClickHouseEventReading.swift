import PaytopIngest
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// The business-event feed from the exporter's `otel_logs` (docs/clickhouse.md): log
/// records that carry an event name among their attributes or in a JSON `Body`, read as
/// ingest reads them (any of the seed's spellings); records that name no event of the
/// taxonomy are left out. A checkout's: those naming it, and those of its traces that name
/// no checkout.
public struct ClickHouseEventReading: EventReading {
    public let client: ClickHouseClient
    let traces: ClickHouseTraceReading

    let timestampTime: Bool

    public init(_ client: ClickHouseClient) throws(ClickHouseClient.Failure) {
        self.client = client
        traces = try ClickHouseTraceReading(client)
        timestampTime = traces.schema.has(client.endpoint.tables.logs, "TimestampTime")
    }

    public func events(last limit: Int?, checkoutID: String?) throws -> [BusinessEventFeed.Event] {
        let ids = try checkoutID.map { try traces.traceIDs($0) } ?? []
        var rows: [[JSONValue]] = []
        // The newest few of all: looked for in the last ten minutes, then the last hour and
        // day, then everywhere (a read of every partition only when the feed is that sparse).
        let spans: [Int?] = checkoutID == nil && limit != nil && timestampTime ? [600, 3_600, 86_400, nil] : [nil]
        for within in spans {
            rows = try client.read(ClickHouseQueries.latestBusinessEventRecords(client.endpoint, limit: limit, checkout: checkoutID, traceIDs: ids,
                                                                                withinSeconds: within)).rows
            if rows.count >= (limit ?? 0) { break }
        }
        var out: [BusinessEventFeed.Event] = []
        for r in rows.reversed() {
            let text = r.map { $0.stringValue ?? "" }
            let attributes = (try? JSONValue.parse(text[6]))?.objectValue ?? [:]
            let pairs = attributes.keys.sorted().map { KeyValue($0, .string(attributes[$0]?.stringValue ?? "")) }
            guard let f = BusinessEventFields.read(BusinessEventFields.fields(attributes: pairs, body: .string(text[5]))) else { continue }
            if let checkoutID, let other = f.checkoutID, other != checkoutID { continue }
            out.append(BusinessEventFeed.Event(
                eventNo: 0, name: f.name.name, type: f.name.type, stage: f.name.stage, message: f.name.message,
                checkoutID: f.checkoutID, outcome: f.outcome, bizTimestamp: f.timestamp ?? Int64(text[0]) ?? 0, amountTotal: f.amountTotal,
                amountCurrency: f.currency, orderCount: f.orderCount.map(Int64.init), paymentOrderID: f.paymentOrderID, merchantID: f.merchantID,
                errorCode: f.errorCode, errorCategory: f.errorCategory, pspLatencyMillis: f.pspLatencyMillis,
                traceID: text[1].isEmpty ? nil : text[1], spanID: text[2].isEmpty ? nil : text[2],
                serviceName: text[3].isEmpty ? f.service ?? "" : text[3], serviceVersion: text[4]))
        }
        return out
    }
}
