/// Rows only telemetry received from outside brings (schema v6): the engine writes none.

/// A trace that came in over OTLP or in log lines, with its W3C id for finding it again.
public struct ReceivedTraceRow: Sendable, Equatable {
    public var traceNo: Int64
    public var traceID: [UInt8]
    public init(traceNo: Int64, traceID: [UInt8]) { self.traceNo = traceNo; self.traceID = traceID }
}

/// A received trace learns its checkout from a later span or event.
public struct TraceCheckoutRow: Sendable, Equatable {
    public var traceNo: Int64
    public var checkoutID: String
    public init(traceNo: Int64, checkoutID: String) { self.traceNo = traceNo; self.checkoutID = checkoutID }
}

/// One of a span's events (OpenTelemetry's Span.Event), its time an offset from the trace's start.
public struct SpanEventRow: Sendable, Equatable {
    public var traceNo: Int64
    public var spanID: Int64
    public var seq: Int
    public var timeOffset: Int64
    public var name: String
    /// JSON object, nil when it has none.
    public var attributes: String?
    public init(traceNo: Int64, spanID: Int64, seq: Int, timeOffset: Int64, name: String, attributes: String?) {
        self.traceNo = traceNo; self.spanID = spanID; self.seq = seq; self.timeOffset = timeOffset; self.name = name
        self.attributes = attributes
    }
}

/// A received log record. One that carried a business event names it by its index in the
/// same batch's `businessEvents` (the writer links the two by event_no).
public struct LogRecordRow: Sendable, Equatable {
    public var timeNanos: Int64
    public var severityNumber: Int
    public var severityText: String?
    public var body: String?
    public var serviceCode: Int
    public var traceNo: Int64?
    public var spanID: Int64?
    /// JSON object, nil when it has none.
    public var attributes: String?
    public var businessEventIndex: Int?
    public init(timeNanos: Int64, severityNumber: Int, severityText: String?, body: String?, serviceCode: Int,
                traceNo: Int64?, spanID: Int64?, attributes: String?, businessEventIndex: Int?) {
        self.timeNanos = timeNanos; self.severityNumber = severityNumber; self.severityText = severityText; self.body = body
        self.serviceCode = serviceCode; self.traceNo = traceNo; self.spanID = spanID; self.attributes = attributes
        self.businessEventIndex = businessEventIndex
    }
}

/// A received metric point, merged into the period it falls in rather than replacing it:
/// several points of one series may land in one minute, across several requests.
public struct ReceivedMetricPointRow: Sendable, Equatable {
    public enum Merge: Sendable, Equatable {
        /// A counter's delta: added to the period's value.
        case add(Double)
        /// A gauge's reading: the latest is the value, the highest the max.
        case reading(Double)
        /// A distribution's observations: counts and sums added, min/max widened,
        /// quantiles the latest point's (they cannot be merged without buckets).
        case observations(count: Int64, sum: Double, min: Double?, max: Double?, p50: Double?, p95: Double?, p99: Double?)
    }
    public var seriesID: Int
    public var periodSeconds: Int
    public var periodStart: Int64
    public var merge: Merge
    public init(seriesID: Int, periodSeconds: Int, periodStart: Int64, merge: Merge) {
        self.seriesID = seriesID; self.periodSeconds = periodSeconds; self.periodStart = periodStart; self.merge = merge
    }
}

/// One receiver's counters (the `otlp_receiver` row), committed with what they count.
public struct ReceiverStatus: Sendable, Equatable {
    public var listen: String
    public var requests: Int64 = 0
    public var spansAccepted: Int64 = 0, logsAccepted: Int64 = 0, metricPointsAccepted: Int64 = 0
    public var businessEvents: Int64 = 0
    /// Items refused whole: backpressure, oversized or undecodable bodies.
    public var refused: Int64 = 0
    /// Items the receiver decoded but could not accept (partial success).
    public var rejected: Int64 = 0
    public var lastError: String?
    /// Wall-clock milliseconds since the epoch.
    public var updatedAtMillis: Int64 = 0
    public init(listen: String) { self.listen = listen }

    public var itemsAccepted: Int64 { spansAccepted + logsAccepted + metricPointsAccepted }
}

/// A service's resource attributes as last received (faas.name, cloud.region, …), apart
/// from service.name and service.version, which are the service row itself.
public struct ReceivedResourceRow: Sendable, Equatable {
    public var serviceCode: Int
    /// JSON object.
    public var attributes: String
    public init(serviceCode: Int, attributes: String) { self.serviceCode = serviceCode; self.attributes = attributes }
}
