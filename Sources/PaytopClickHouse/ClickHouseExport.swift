import Foundation
import PaytopExport
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// A paytop store written into the Collector exporter's tables, as the `clickhouseexporter`
/// maps OTLP (docs/clickhouse.md): `SPAN_KIND_*` and `STATUS_CODE_*` strings, hex ids,
/// `Duration` in ns, `ServiceName` from the resource, every attribute value as a string
/// (pdata's AsString: numbers in decimal, booleans as true/false, arrays as JSON), links in
/// the Nested columns. The spans are the ones `paytop export --otlp-endpoint` sends, from
/// the same resolver. Rows go in INSERTs of `rowsPerInsert` (JSONEachRow), times as Unix
/// seconds with nine decimals in a string: exact, and no time zone involved.
public enum ClickHouseExport {
    public static let spanColumns = """
        Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, \
        ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage, `Events.Timestamp`, `Events.Name`, `Events.Attributes`, \
        `Links.TraceId`, `Links.SpanId`, `Links.TraceState`, `Links.Attributes`
        """

    public static let logColumns = """
        Timestamp, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceSchemaUrl, \
        ResourceAttributes, ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, LogAttributes
        """

    public struct Written: Sendable, Equatable {
        public var spans = 0, logs = 0, metricPoints = 0
    }

    static let metricColumns = """
        ResourceAttributes, ScopeName, ScopeVersion, ServiceName, MetricName, MetricUnit, Attributes, StartTimeUnix, TimeUnix
        """

    /// Creates the traces and logs tables when absent and writes every span and business
    /// event (a log record tied to its span) of the store.
    public static func store(storePath: String, client: ClickHouseClient, rowsPerInsert: Int = 10_000) throws -> Written {
        let e = client.endpoint
        for statement in ExporterTables.traces(e) + ExporterTables.logs(e) { try client.write(statement) }
        let schema = try ClickHouseSchema.describe(client, [e.tables.traces, e.tables.logs])
        try schema.require(e.tables.traces, ExporterTables.traceColumns, at: e)
        try schema.require(e.tables.logs, ExporterTables.logColumns, at: e)
        var spans = Inserts(client, ClickHouseQueries.insertRows(e, table: e.tables.traces, columns: spanColumns), rowsPerInsert)
        var logs = Inserts(client, ClickHouseQueries.insertRows(e, table: e.tables.logs, columns: logColumns), rowsPerInsert)
        let resolver = try RowResolver(storePath: storePath)
        try RecordedTelemetry.read(storePath: storePath) { batch in
            let chunk = try resolver.resolve(batch)
            for s in chunk.spans { try spans.add(row(s)) }
            for l in chunk.logs { try logs.add(row(l)) }
        }
        try spans.flush()
        try logs.flush()
        return Written(spans: spans.written, logs: logs.written, metricPoints: try metrics(storePath: storePath, client: client, rowsPerInsert: rowsPerInsert))
    }

    /// The 60-s roll-ups into the exporter's metric tables, as paytop's OTLP export sends them
    /// (one resource, `payments-pipeline`; dimensions as point attributes): counters as delta
    /// monotonic sums, gauges as gauges (the minute's last reading), distributions as
    /// explicit-bucket histograms whose bounds are the minute's HDR bucket values in
    /// milliseconds — so a window's percentiles merged in ClickHouse are the store's exactly.
    static func metrics(storePath: String, client: ClickHouseClient, rowsPerInsert: Int) throws -> Int {
        let e = client.endpoint
        for statement in ExporterTables.metrics(e) { try client.write(statement) }
        var sums = Inserts(client, ClickHouseQueries.insertRows(e, table: e.tables.sum, columns: metricColumns + ", Value, AggregationTemporality, IsMonotonic"), rowsPerInsert)
        var gauges = Inserts(client, ClickHouseQueries.insertRows(e, table: e.tables.gauge, columns: metricColumns + ", Value"), rowsPerInsert)
        var histograms = Inserts(client, ClickHouseQueries.insertRows(e, table: e.tables.histogram, columns: metricColumns
                                                                     + ", Count, Sum, BucketCounts, ExplicitBounds, Min, Max, AggregationTemporality"), rowsPerInsert)
        var resource: [String: JSONValue] = [:]
        for (k, v) in OTLPEncoding.resourceAttributes(service: OTLPEncoding.metricsService, version: OTLPEncoding.scopeVersion) { resource[k] = .string(text(v)) }
        let c = try Store.openForReading(path: storePath)
        try MetricMinutes.read(c) { batch in
            for m in batch {
                var row: [String: JSONValue] = [
                    "ResourceAttributes": .object(resource), "ScopeName": .string(OTLPEncoding.scopeName),
                    "ScopeVersion": .string(OTLPEncoding.scopeVersion), "ServiceName": .string(OTLPEncoding.metricsService),
                    "MetricName": .string(m.name), "MetricUnit": .string(m.unit),
                    "Attributes": .object(((try? JSONValue.parse(m.dimensions))?.objectValue ?? [:]).mapValues { .string($0.stringValue ?? $0.encoded) }),
                    "StartTimeUnix": .string(timestamp(m.periodStart)), "TimeUnix": .string(timestamp(m.periodStart + 60_000_000_000)),
                ]
                switch m.kind {
                case "counter":
                    row["Value"] = .number(m.value); row["AggregationTemporality"] = .number(1); row["IsMonotonic"] = .bool(true)
                    try sums.add(.object(row))
                case "gauge":
                    row["Value"] = .number(m.value)
                    try gauges.add(.object(row))
                default:
                    let pairs = m.buckets?.pairs ?? []
                    row["Count"] = .number(Double(m.count ?? pairs.reduce(0) { $0 + $1.count })); row["Sum"] = .number(m.value)
                    row["BucketCounts"] = .array(pairs.map { .number(Double($0.count)) } + [.number(0)])
                    row["ExplicitBounds"] = .array(pairs.map { .number(Double($0.value) / 1000) })
                    row["Min"] = .number(m.min ?? 0); row["Max"] = .number(m.max ?? 0); row["AggregationTemporality"] = .number(1)
                    try histograms.add(.object(row))
                }
            }
        }
        try sums.flush()
        try gauges.flush()
        try histograms.flush()
        return sums.written + gauges.written + histograms.written
    }

    /// Rows gathered into INSERTs of `size`.
    struct Inserts {
        let client: ClickHouseClient, statement: String, size: Int
        var pending: [String] = [], written = 0
        init(_ client: ClickHouseClient, _ statement: String, _ size: Int) { self.client = client; self.statement = statement; self.size = size }

        mutating func add(_ row: JSONValue) throws {
            pending.append(row.encoded)
            if pending.count >= size { try flush() }
        }

        mutating func flush() throws {
            guard !pending.isEmpty else { return }
            try client.write(statement, data: Data(pending.joined(separator: "\n").utf8))
            written += pending.count
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// One business event as the exporter writes a log record: the event name among the
    /// attributes (`event.name`), the body its message, severity INFO or WARN.
    static func row(_ l: ExportLog) -> JSONValue {
        var attributes: [String: JSONValue] = [:]
        for (k, v) in l.sharedAttributes.plain + l.attributes { attributes[k] = .string(text(v)) }
        var resource: [String: JSONValue] = [:]
        for (k, v) in OTLPEncoding.resourceAttributes(service: l.serviceName, version: l.serviceVersion) { resource[k] = .string(text(v)) }
        let traceID: String = l.traceID.map(hex) ?? "", spanID: String = l.spanID.map(hex) ?? ""
        let fields: [String: JSONValue] = [
            "Timestamp": .string(timestamp(l.timeNanos)), "TraceId": .string(traceID), "SpanId": .string(spanID),
            "TraceFlags": .number(0), "SeverityText": .string(l.severityText), "SeverityNumber": .number(Double(l.severityNumber)),
            "ServiceName": .string(l.serviceName), "Body": .string(l.body), "ResourceSchemaUrl": .string(""),
            "ResourceAttributes": .object(resource), "ScopeSchemaUrl": .string(""), "ScopeName": .string(OTLPEncoding.scopeName),
            "ScopeVersion": .string(OTLPEncoding.scopeVersion), "ScopeAttributes": .object([:]), "LogAttributes": .object(attributes),
        ]
        return .object(fields)
    }

    /// One span as the exporter writes it.
    static func row(_ s: ExportSpan) -> JSONValue {
        var attributes: [String: JSONValue] = [:]
        for (k, v) in s.sharedAttributes.plain + s.attributes where k != "service.name" && k != "service.version" {
            attributes[k] = .string(text(v))
        }
        var resource: [String: JSONValue] = [:]
        for (k, v) in OTLPEncoding.resourceAttributes(service: s.serviceName, version: s.serviceVersion) { resource[k] = .string(text(v)) }
        let traceID: String = hex(s.traceID), parent: String = s.parentSpanID.map(hex) ?? ""
        let links: [JSONValue] = s.links.map { .string(hex($0.traceID)) }, linkSpans: [JSONValue] = s.links.map { .string(hex($0.spanID)) }
        let fields: [String: JSONValue] = [
            "Timestamp": .string(timestamp(s.startNanos)), "TraceId": .string(traceID), "SpanId": .string(hex(s.spanID)),
            "ParentSpanId": .string(parent), "SpanName": .string(s.name),
            "SpanKind": .string("SPAN_KIND_" + s.kind.rawValue), "ServiceName": .string(s.serviceName),
            "ResourceAttributes": .object(resource),
            "ScopeName": .string(OTLPEncoding.scopeName), "ScopeVersion": .string(OTLPEncoding.scopeVersion),
            "SpanAttributes": .object(attributes), "Duration": .number(Double(max(0, s.endNanos - s.startNanos))),
            "StatusCode": .string(statusCode(s.status)), "StatusMessage": .string(s.statusMessage ?? ""),
            "TraceState": .string(""), "Events.Timestamp": .array([]), "Events.Name": .array([]), "Events.Attributes": .array([]),
            "Links.TraceId": .array(links), "Links.SpanId": .array(linkSpans), "Links.TraceState": .array(links.map { _ in .string("") }),
            "Links.Attributes": .array(links.map { _ in .object([:]) }),
        ]
        return .object(fields)
    }

    static func statusCode(_ s: SpanStatus) -> String {
        switch s {
        case .unset: return "STATUS_CODE_UNSET"
        case .ok: return "STATUS_CODE_OK"
        case .error: return "STATUS_CODE_ERROR"
        }
    }

    /// pdata's `Value.AsString`.
    static func text(_ v: AttributeValue) -> String {
        switch v {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .array(let a): return JSONValue.array(a.map(json)).encoded
        }
    }

    static func json(_ v: AttributeValue) -> JSONValue {
        switch v {
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(Double(i))
        case .double(let d): return .number(d)
        case .array(let a): return .array(a.map(json))
        }
    }

    /// Unix seconds with nine decimals: what a DateTime64(9) column reads exactly.
    static func timestamp(_ nanos: Int64) -> String {
        let (s, n) = nanos.quotientAndRemainder(dividingBy: 1_000_000_000)
        return "\(s)." + String(repeating: "0", count: 9 - String(n).count) + String(n)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func hex(_ id: UInt64) -> String { String(format: "%016llx", id) }
}
