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

    /// A ClickHouse string literal.
    static func literal(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// A condition: the map names the checkout under one of ingest's spellings.
    static func names(_ map: String, _ checkout: String) -> String {
        let v = literal(checkout)
        return "has(mapValues(\(map)), \(v)) AND (" + BusinessEventFields.checkoutKeys.map { "\(map)[\(literal($0))] = \(v)" }.joined(separator: " OR ") + ")"
    }

    public func emptyReason() throws -> String? { nil }

    /// The ids of the traces whose log records or spans name the checkout, first seen first.
    func traceIDs(_ checkoutID: String) throws -> [String] { try tracesNaming(checkoutID).map(\.0) }

    func tracesNaming(_ checkoutID: String) throws -> [(String, Int64)] {
        let e = client.endpoint, traces = e.qualified(e.tables.traces), logs = e.qualified(e.tables.logs)
        return try client.read("""
            SELECT TraceId, toString(min(toUnixTimestamp64Nano(Timestamp))) AS first FROM (
                SELECT TraceId, Timestamp FROM \(logs) WHERE \(Self.names("LogAttributes", checkoutID)) AND TraceId != ''
                UNION ALL
                SELECT TraceId, Timestamp FROM \(traces) WHERE \(Self.names("SpanAttributes", checkoutID))
            ) GROUP BY TraceId ORDER BY first, TraceId
            """).rows.compactMap { r -> (String, Int64)? in
                guard let id = r.first?.stringValue, let t = r.last?.stringValue.flatMap({ Int64($0) }) else { return nil }
                return (id, t)
            }
    }

    public func waterfall(checkoutID: String) throws -> TraceWaterfall? {
        let found = try tracesNaming(checkoutID)
        // Every event of these traces and those naming the checkout with no trace id, in one query.
        let ids = found.map { Self.literal($0.0) }
        let untraced = "(TraceId = '' AND \(Self.names("LogAttributes", checkoutID)))"
        let events = try eventLines(ids.isEmpty ? untraced : "(TraceId IN (\(ids.joined(separator: ", "))) OR \(untraced))", checkoutID: checkoutID)
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
        let e = client.endpoint, id = Self.literal(traceID)
        var with = "", bound = ""
        if schema.columns[e.tables.traceIDLookup] != nil {
            with = "WITH (SELECT tuple(min(Start), max(End), count()) FROM \(e.qualified(e.tables.traceIDLookup)) WHERE TraceId = \(id)) AS range\n"
            bound = " AND (range.3 = 0 OR (Timestamp >= toDateTime64(range.1, 9) - 1 AND Timestamp <= toDateTime64(range.2, 9) + 1))"
        }
        let rows = try client.read("""
            \(with)SELECT SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes['service.version'],
                   toString(toUnixTimestamp64Nano(Timestamp)), toString(Duration), StatusCode, StatusMessage, toJSONString(SpanAttributes)
            FROM \(e.qualified(e.tables.traces)) WHERE TraceId = \(id)\(bound)
            ORDER BY Timestamp, SpanId
            """).rows
        // Spans of other traces linking to these (a batch invocation that received what one
        // sent): links have no index, so they are looked for from the trace's start to an
        // hour after its end (a message waits at most that long here: docs/clickhouse.md),
        // and only for a trace that sent something (a PRODUCER span).
        var linkedFrom: [String: [String]] = [:]
        if rows.contains(where: { $0[3].stringValue == "SPAN_KIND_PRODUCER" }),
           let first = rows.first?[6].stringValue, let last = rows.map({ Int64($0[6].stringValue ?? "") ?? 0 }).max() {
            let links = try client.read("""
                SELECT SpanName, TraceId, SpanId, link.2 FROM \(e.qualified(e.tables.traces))
                ARRAY JOIN arrayZip(`Links.TraceId`, `Links.SpanId`) AS link
                WHERE Timestamp >= fromUnixTimestamp64Nano(toInt64(\(first))) AND Timestamp <= fromUnixTimestamp64Nano(toInt64(\(last))) + INTERVAL 1 HOUR
                  AND has(`Links.TraceId`, \(Self.literal(traceID))) AND link.1 = \(Self.literal(traceID))
                ORDER BY Timestamp, SpanId
                """).rows
            for l in links {
                let t = l.map { $0.stringValue ?? "" }
                linkedFrom[t[3], default: []].append("\(t[0]) \(t[1])/\(t[2])")
            }
        }
        return rows.map { r in
            let text = r.map { $0.stringValue ?? "" }
            let start = Int64(text[6]) ?? 0, attributes = text[10]
            let kind = SpanKind(rawValue: text[3].replacingOccurrences(of: "SPAN_KIND_", with: "")) ?? .internal
            let status: SpanStatus = text[8] == "STATUS_CODE_ERROR" ? .error : text[8] == "STATUS_CODE_OK" ? .ok : .unset
            let cold = (try? JSONValue.parse(attributes))?["faas.coldstart"]?.stringValue == "true"
            return TraceWaterfall.SpanLine(spanID: text[0], parentSpanID: text[1].isEmpty ? nil : text[1], name: text[2], kind: kind,
                                           serviceName: text[4], serviceVersion: text[5], start: start, end: start + (Int64(text[7]) ?? 0),
                                           status: status, statusMessage: text[9].isEmpty ? nil : text[9], attributes: attributes,
                                           coldStart: cold, linkedFrom: linkedFrom[text[0]] ?? [])
        }
    }

    /// Business events of the log records matching `condition`, read as ingest reads them,
    /// each with its trace id and whether it names the checkout; those naming another
    /// checkout are left out (a batch's trace carries many).
    func eventLines(_ condition: String, checkoutID: String) throws -> [(trace: String, naming: Bool, line: TraceWaterfall.EventLine)] {
        let e = client.endpoint
        let rows = try client.read("""
            SELECT toString(toUnixTimestamp64Nano(Timestamp)), SpanId, ServiceName, Body, toJSONString(LogAttributes), TraceId
            FROM \(e.qualified(e.tables.logs)) WHERE \(condition) ORDER BY Timestamp
            """).rows
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
}
