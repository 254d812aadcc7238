/// A span's kind as OpenTelemetry defines it (SERVER for the API and each invocation,
/// CLIENT for DynamoDB and the PSP, PRODUCER for sends, CONSUMER for queue processing);
/// the store keeps its name in `span_name.kind`.
public enum SpanKind: String, CaseIterable, Sendable {
    case `internal` = "INTERNAL", server = "SERVER", client = "CLIENT", producer = "PRODUCER", consumer = "CONSUMER"

    /// OTLP's number for the kind (SPAN_KIND_INTERNAL = 1 … SPAN_KIND_CONSUMER = 5).
    public var otlpNumber: Int {
        switch self {
        case .internal: return 1
        case .server: return 2
        case .client: return 3
        case .producer: return 4
        case .consumer: return 5
        }
    }

    /// From OTLP's number; unspecified (0) and unknown numbers are internal.
    public init(otlpNumber n: Int) {
        self = SpanKind.allCases.first { $0.otlpNumber == n } ?? .internal
    }

    /// From the stored name; anything else is internal.
    public init(stored name: String) { self = SpanKind(rawValue: name) ?? .internal }
}

/// A span's status (OpenTelemetry's codes, as the store keeps them in `span_data.status`).
public enum SpanStatus: Int, CaseIterable, Sendable {
    case unset = 0, ok = 1, error = 2

    /// UNSET, OK or ERROR, as OTLP/JSON and `paytop trace --json` spell it.
    public var name: String {
        switch self {
        case .unset: return "UNSET"
        case .ok: return "OK"
        case .error: return "ERROR"
        }
    }

    /// From the stored or received code; unknown codes are unset.
    public init(code: Int) { self = SpanStatus(rawValue: code) ?? .unset }
}
