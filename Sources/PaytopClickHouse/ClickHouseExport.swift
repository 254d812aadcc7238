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

    /// Creates the traces tables when absent and writes every span of the store; returns how many.
    public static func traces(storePath: String, client: ClickHouseClient, rowsPerInsert: Int = 10_000) throws -> Int {
        for statement in ExporterTables.traces(client.endpoint) { try client.write(statement) }
        let schema = try ClickHouseSchema.describe(client, [client.endpoint.tables.traces])
        try schema.require(client.endpoint.tables.traces, ExporterTables.traceColumns, at: client.endpoint)
        let insert = "INSERT INTO \(client.endpoint.qualified(client.endpoint.tables.traces)) (\(spanColumns)) FORMAT JSONEachRow"
        let resolver = try RowResolver(storePath: storePath)
        var pending: [String] = []
        var written = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            try client.write(insert, data: Data(pending.joined(separator: "\n").utf8))
            written += pending.count
            pending.removeAll(keepingCapacity: true)
        }
        try RecordedTelemetry.read(storePath: storePath) { batch in
            for s in try resolver.resolve(batch).spans {
                pending.append(row(s).encoded)
                if pending.count >= rowsPerInsert { try flush() }
            }
        }
        try flush()
        return written
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
