/// Telemetry as it arrives (OTLP's data model, decoded from protobuf or JSON, or built
/// from a Lambda log line), before the intake maps it onto the store's rows.

/// OTLP's AnyValue.
public indirect enum AttributeValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case array([AttributeValue])
    case map([KeyValue])

    /// The value as text, for fields the store keeps as text (ids, codes, amounts).
    public var text: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .bytes, .array, .map: return nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d): return d.isFinite && d == d.rounded() && abs(d) < 9e18 ? Int64(d) : nil
        case .string(let s): return Int64(s) ?? Double(s).flatMap { $0.isFinite && abs($0) < 9e18 ? Int64($0.rounded()) : nil }
        default: return nil
        }
    }
}

public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: AttributeValue
    public init(_ key: String, _ value: AttributeValue) { self.key = key; self.value = value }
}

extension Array where Element == KeyValue {
    /// The last value of `key` (a key sent twice: the later wins, as SDKs dedupe).
    public func value(_ key: String) -> AttributeValue? { last(where: { $0.key == key })?.value }
}

/// A Resource: who sent the items under it.
public struct ReceivedResource: Sendable, Equatable {
    public var attributes: [KeyValue]
    public init(attributes: [KeyValue]) { self.attributes = attributes }

    public var serviceName: String { attributes.value("service.name")?.text ?? "unknown_service" }
    public var serviceVersion: String { attributes.value("service.version")?.text ?? "" }
}

public struct ReceivedSpan: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        public var timeNanos: Int64
        public var name: String
        public var attributes: [KeyValue]
    }
    public struct Link: Sendable, Equatable {
        public var traceID: [UInt8]
        public var spanID: [UInt8]
    }
    public var resource: Int
    public var traceID: [UInt8] = []
    public var spanID: [UInt8] = []
    public var parentSpanID: [UInt8] = []
    public var name = ""
    /// OTLP's SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
    public var kind = 0
    public var startNanos: Int64 = 0
    public var endNanos: Int64 = 0
    public var attributes = SpanAttributes()
    public var events: [Event] = []
    public var links: [Link] = []
    /// 0 unset, 1 ok, 2 error.
    public var statusCode = 0
    public var statusMessage = ""
    public init(resource: Int) { self.resource = resource }
}

public struct ReceivedLog: Sendable, Equatable {
    public var resource: Int
    public var timeNanos: Int64 = 0
    public var observedNanos: Int64 = 0
    public var severityNumber = 0
    public var severityText = ""
    public var body: AttributeValue?
    public var attributes: [KeyValue] = []
    public var traceID: [UInt8] = []
    public var spanID: [UInt8] = []
    /// LogRecord.event_name (OTLP 1.5+).
    public var eventName = ""
    public init(resource: Int) { self.resource = resource }
}

public struct ReceivedMetricPoint: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case gauge
        /// A sum: monotonic or not, delta (1) or cumulative (2) temporality.
        case sum(monotonic: Bool, cumulative: Bool)
        case histogram(cumulative: Bool)
        case summary
    }
    public var resource: Int
    public var name: String
    public var unit: String
    public var kind: Kind
    public var attributes: [KeyValue] = []
    public var startNanos: Int64 = 0
    public var timeNanos: Int64 = 0
    /// Gauges and sums.
    public var value: Double = 0
    /// Histograms and summaries.
    public var count: Int64 = 0
    public var sum: Double = 0
    public var min: Double?
    public var max: Double?
    public var quantiles: [(quantile: Double, value: Double)] = []
    public var bucketCounts: [UInt64] = []
    public var explicitBounds: [Double] = []
    public init(resource: Int, name: String, unit: String, kind: Kind) {
        self.resource = resource; self.name = name; self.unit = unit; self.kind = kind
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.resource == b.resource && a.name == b.name && a.unit == b.unit && a.kind == b.kind && a.attributes == b.attributes
            && a.startNanos == b.startNanos && a.timeNanos == b.timeNanos && a.value == b.value && a.count == b.count
            && a.sum == b.sum && a.min == b.min && a.max == b.max && a.bucketCounts == b.bucketCounts
            && a.explicitBounds == b.explicitBounds && a.quantiles.map(\.quantile) == b.quantiles.map(\.quantile)
            && a.quantiles.map(\.value) == b.quantiles.map(\.value)
    }
}

/// One request's items: resources, and the spans, logs and points that name them by index.
public struct ReceivedTelemetry: Sendable, Equatable {
    public var resources: [ReceivedResource] = []
    public var spans: [ReceivedSpan] = []
    public var logs: [ReceivedLog] = []
    public var metricPoints: [ReceivedMetricPoint] = []
    public init() {}

    public var itemCount: Int { spans.count + logs.count + metricPoints.count }
}

/// Which OTLP signal a request carries.
public enum Signal: String, Sendable, CaseIterable {
    case traces, logs, metrics

    /// The OTLP/HTTP path.
    public var path: String { "/v1/\(rawValue)" }
}
