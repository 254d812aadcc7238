import PaytopProtobuf
import PaytopStore
import PaytopVocabulary

/// Spans and log records as OTLP carries them, resolved from the store's compact rows
/// (ids as bytes, names and services spelled out, times absolute).
public struct ExportSpan: Sendable, Equatable {

    public var traceID: [UInt8]
    public var spanID: UInt64
    public var parentSpanID: UInt64?
    public var name: String
    public var kind: SpanKind
    public var serviceName: String
    public var serviceVersion: String
    public var startNanos: Int64
    public var endNanos: Int64
    /// 0 unset, 1 ok, 2 error (OTLP's StatusCode).
    public var status: SpanStatus
    public var statusMessage: String?
    /// The attributes every span of this name and service carries, already encoded as
    /// KeyValue fields (they are the same for thousands of spans); `attributes` follow.
    public var sharedAttributes: EncodedAttributes
    public var attributes: [(String, AttributeValue)]
    public var links: [(traceID: [UInt8], spanID: UInt64)]

    public static func == (a: ExportSpan, b: ExportSpan) -> Bool {
        a.traceID == b.traceID && a.spanID == b.spanID && a.parentSpanID == b.parentSpanID && a.name == b.name
            && a.kind == b.kind && a.startNanos == b.startNanos && a.endNanos == b.endNanos
    }
}

public enum AttributeValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    indirect case array([AttributeValue])
}

/// A business event as an OTLP log record, tied to its trace and span.
public struct ExportLog: Sendable {
    public var timeNanos: Int64
    public var eventName: String
    public var body: String
    public var serviceName: String
    public var serviceVersion: String
    public var traceID: [UInt8]?
    public var spanID: UInt64?
    public var severityNumber: Int64
    public var severityText: String
    /// The attributes every record of this event name carries, already encoded.
    public var sharedAttributes: EncodedAttributes
    public var attributes: [(String, AttributeValue)]
}

/// Attributes encoded once as protobuf KeyValue fields, appended as they are to every
/// span or log record that shares them.
public final class EncodedAttributes: Sendable {
    public let keys: Set<String>
    /// The attributes themselves (for exports that are not protobuf: ClickHouse's maps).
    public let plain: [(String, AttributeValue)]
    let bytes: [UInt8]

    init(field: Int, _ attributes: [(String, AttributeValue)]) {
        keys = Set(attributes.map(\.0))
        plain = attributes
        var w = ProtobufWriter(capacity: attributes.count * 40)
        for (k, v) in attributes { OTLPEncoding.keyValue(&w, field, k, v) }
        bytes = w.bytes
    }

    static let none = EncodedAttributes(field: 1, [])
}

/// One period of one metric series (the store's 60-s roll-ups).
public struct ExportMetricPoint: Sendable {
    public enum Kind: Sendable { case gauge, counter, distribution }
    public var name: String
    public var unit: String
    public var kind: Kind
    public var dimensions: [(String, AttributeValue)]
    public var startNanos: Int64
    public var endNanos: Int64
    public var value: MetricPointRow.Value
    public var count: Int64
    public var min: Double?, max: Double?, p50: Double?, p95: Double?, p99: Double?
}

/// Everything of one committed batch (or one chunk of a recorded store) to export.
public struct ExportChunk: Sendable {
    public var spans: [ExportSpan] = []
    public var logs: [ExportLog] = []
    public var metrics: [ExportMetricPoint] = []

    public var count: Int { spans.count + logs.count + metrics.count }
    public var isEmpty: Bool { spans.isEmpty && logs.isEmpty && metrics.isEmpty }

    public init(spans: [ExportSpan] = [], logs: [ExportLog] = []) {
        self.spans = spans
        self.logs = logs
    }
}
