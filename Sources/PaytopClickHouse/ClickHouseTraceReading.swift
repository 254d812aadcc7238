import PaytopIngest
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// A checkout's traces from the exporter's tables (docs/clickhouse.md): the trace ids of the
/// log records and spans that name the checkout in any spelling ingest reads (the bloom
/// index on the attribute maps' values prunes granules), each trace's spans (bounded by
/// the trace-id lookup table's time range when it exists, so the day partitions prune) and
/// its business events, read from log attributes or a Powertools JSON body as ingest reads
/// them. Received data: no payment state, what the events say.
public struct ClickHouseTraceReading: TraceReading {
    public let client: ClickHouseClient
    public let schema: ClickHouseSchema

    /// Finds the tables and their columns (one sentence if one is missing).
    public init(_ client: ClickHouseClient) throws(ClickHouseClient.Failure) {
        self.client = client
        let t = client.endpoint.tables
        schema = try ClickHouseSchema.describe(client, [t.traces, t.logs], optional: [t.traceIDLookup])
        try schema.require(t.traces, ExporterTables.traceColumns, at: client.endpoint)
        try schema.require(t.logs, ExporterTables.logColumns, at: client.endpoint)
    }

    public func emptyReason() throws -> String? { nil }

    /// The ids of the traces whose log records or spans name the checkout, first seen first.
    func traceIDs(_ checkoutID: String) throws -> [String] { try tracesNaming(checkoutID).map(\.0) }

    func tracesNaming(_ checkoutID: String) throws -> [(String, Int64)] {
        try client.read(ClickHouseQueries.tracesNamingCheckout(client.endpoint, checkoutID)).rows.compactMap { r -> (String, Int64)? in
                guard let id = r.first?.stringValue, let t = r.last?.stringValue.flatMap({ Int64($0) }) else { return nil }
                return (id, t)
            }
    }

    public func waterfall(checkoutID: String) throws -> TraceWaterfall? {
        let found = try tracesNaming(checkoutID)
        // Every event of these traces and those naming the checkout with no trace id, in one query.
        let events = try eventLines(ClickHouseQueries.recordsOfTraces(client.endpoint, found.map(\.0), orNaming: checkoutID), checkoutID: checkoutID)
        var out: [TraceWaterfall.Trace] = []
        for (id, first) in found {
            let spans = try spanLines(id)
            out.append(.init(traceID: id, startedAt: spans.map(\.start).min() ?? first, spans: spans, events: events.filter { $0.trace == id }.map(\.line)))
        }
        // Business events naming the checkout that came with no trace id.
        let alone = events.filter { $0.trace.isEmpty && $0.naming }.map(\.line)
        if !alone.isEmpty { out.append(.init(traceID: nil, startedAt: alone[0].at, spans: [], events: alone)) }
        return out.isEmpty ? nil : TraceWaterfall(receivedFor: checkoutID, traces: out)
    }

    /// The trace's spans: in one query, within the lookup table's time range when the table
    /// has the trace (a scalar subquery ClickHouse folds before it picks partitions).
    func spanLines(_ traceID: String) throws -> [TraceWaterfall.SpanLine] {
        let rows = try client.read(ClickHouseQueries.spansOfTrace(client.endpoint, traceID,
                                                                  lookup: schema.columns[client.endpoint.tables.traceIDLookup] != nil)).rows
        // Spans of other traces linking to these (a batch invocation that received what one
        // sent): links have no index, so they are looked for from the trace's start to an
        // hour after its end (a message waits at most that long here: docs/clickhouse.md),
        // and only for a trace that sent something (a PRODUCER span).
        var linkedFrom: [String: [String]] = [:]
        if rows.contains(where: { Self.kind($0[3].stringValue ?? "") == .producer }),
           let first = rows.first?[6].stringValue, let last = rows.map({ Int64($0[6].stringValue ?? "") ?? 0 }).max() {
            let links = try client.read(ClickHouseQueries.linksIntoTrace(client.endpoint, traceID, fromNanos: Int64(first) ?? 0, toNanos: last)).rows
            for l in links {
                let t = l.map { $0.stringValue ?? "" }
                linkedFrom[t[3], default: []].append("\(t[0]) \(t[1])/\(t[2])")
            }
        }
        return rows.map { r in
            let text = r.map { $0.stringValue ?? "" }
            let start = Int64(text[6]) ?? 0, attributes = text[10]
            let times = r[11].arrayValue ?? [], names = r[12].arrayValue ?? [], eventAttributes = r[13].arrayValue ?? []
            let events = zip(times, zip(names, eventAttributes)).map { t, e in
                TraceWaterfall.SpanEvent(name: e.0.stringValue ?? "", at: Int64(t.stringValue ?? "") ?? 0, attributes: e.1.stringValue ?? "{}")
            }
            let cold = (try? JSONValue.parse(attributes))?["faas.coldstart"]?.stringValue == "true"
            return TraceWaterfall.SpanLine(spanID: text[0], parentSpanID: text[1].isEmpty ? nil : text[1], name: text[2], kind: Self.kind(text[3]),
                                           serviceName: text[4], serviceVersion: text[5], start: start, end: start + (Int64(text[7]) ?? 0),
                                           status: Self.status(text[8]), statusMessage: text[9].isEmpty ? nil : text[9], attributes: attributes,
                                           coldStart: cold, linkedFrom: linkedFrom[text[0]] ?? [], events: events)
        }
    }

    /// Business events of the log records `query` returns, read as ingest reads them,
    /// each with its trace id and whether it names the checkout; those naming another
    /// checkout are left out (a batch's trace carries many).
    func eventLines(_ query: String, checkoutID: String) throws -> [(trace: String, naming: Bool, line: TraceWaterfall.EventLine)] {
        let rows = try client.read(query).rows
        var out: [(trace: String, naming: Bool, line: TraceWaterfall.EventLine)] = []
        for r in rows {
            let text = r.map { $0.stringValue ?? "" }
            let attributes = (try? JSONValue.parse(text[4]))?.objectValue ?? [:]
            let pairs = attributes.keys.sorted().map { KeyValue($0, .string(attributes[$0]?.stringValue ?? "")) }
            let fields = BusinessEventFields.fields(attributes: pairs, body: .string(text[3]))
            guard let f = BusinessEventFields.read(fields) else { continue }
            if let other = f.checkoutID, other != checkoutID { continue }
            out.append((text[5], f.checkoutID != nil, .init(
                name: f.name.name, outcome: f.outcome, stage: f.name.stage, at: f.timestamp ?? Int64(text[0]) ?? 0,
                amount: f.amountTotal, currency: f.currency, paymentOrderID: f.paymentOrderID, merchantID: f.merchantID,
                errorCode: f.errorCode, pspLatencyMillis: f.pspLatencyMillis, spanID: text[1].isEmpty ? nil : text[1],
                service: text[2].isEmpty ? f.service ?? "" : text[2])))
        }
        return out.sorted { $0.line.at < $1.line.at }
    }

    /// A span kind as the exporter writes it: `SPAN_KIND_SERVER` (pdata's traceutil), or
    /// `Server` as versions that write the enum's String() do.
    static func kind(_ text: String) -> SpanKind {
        let name = text.hasPrefix("SPAN_KIND_") ? String(text.dropFirst(10)) : text.uppercased()
        return SpanKind(rawValue: name) ?? .internal
    }

    /// A status code as the exporter writes it: `STATUS_CODE_ERROR`, or `Error`.
    static func status(_ text: String) -> SpanStatus {
        switch text.hasPrefix("STATUS_CODE_") ? String(text.dropFirst(12)) : text.uppercased() {
        case "ERROR": return .error
        case "OK": return .ok
        default: return .unset
        }
    }
}
