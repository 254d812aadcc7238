import PaytopVocabulary
/// Telemetry rows as the engine hands them to the writer. Ids are the compact physical
/// form: a trace is a `trace_no` (its 16-byte W3C id lives once in `trace`), a span id
/// is the 8 bytes of the W3C span id as a signed 64-bit integer.

public struct TraceRow: Sendable, Equatable {
    public var traceNo: Int64
    public var traceID: [UInt8]  // 16 bytes
    public var checkoutID: String?
    public var startedAt: Int64
    public init(traceNo: Int64, traceID: [UInt8], checkoutID: String?, startedAt: Int64) {
        self.traceNo = traceNo; self.traceID = traceID; self.checkoutID = checkoutID; self.startedAt = startedAt
    }
}

public struct SpanRow: Sendable, Equatable {
    public var traceNo: Int64
    public var spanID: Int64
    public var parentSpanID: Int64?
    public var nameCode: Int
    public var serviceCode: Int
    /// Nanoseconds after the trace's start (trace.started_at).
    public var startOffset: Int64
    public var duration: Int64
    public var status: SpanStatus
    public var statusMessage: String?
    /// Only the attributes that vary per span, as JSON; constant ones live in span_name.
    public var attributes: String?
    public init(traceNo: Int64, spanID: Int64, parentSpanID: Int64?, nameCode: Int, serviceCode: Int, startOffset: Int64,
                duration: Int64, status: SpanStatus, statusMessage: String?, attributes: String?) {
        self.traceNo = traceNo; self.spanID = spanID; self.parentSpanID = parentSpanID; self.nameCode = nameCode
        self.serviceCode = serviceCode; self.startOffset = startOffset; self.duration = duration; self.status = status
        self.statusMessage = statusMessage; self.attributes = attributes
    }
}

public struct SpanLinkRow: Sendable, Equatable {
    public var traceNo: Int64
    public var spanID: Int64
    public var linkedTraceNo: Int64
    public var linkedSpanID: Int64
    public init(traceNo: Int64, spanID: Int64, linkedTraceNo: Int64, linkedSpanID: Int64) {
        self.traceNo = traceNo; self.spanID = spanID; self.linkedTraceNo = linkedTraceNo; self.linkedSpanID = linkedSpanID
    }
}

/// Its checkout_id is its trace's (trace.checkout_id).
public struct BusinessEventRow: Sendable, Equatable {
    public var eventCode: Int
    public var outcome: EventOutcome
    public var bizTimestamp: Int64
    public var amountTotal: String?
    public var amountCurrency: String?
    public var orderCount: Int?
    public var paymentOrderID: String?
    public var merchantID: String?
    public var errorCode: String?
    public var errorCategory: ErrorCategory?
    public var pspLatencyMillis: Int64?
    public var traceNo: Int64?
    public var spanID: Int64?
    public var serviceCode: Int
    /// The event's own checkout, where its trace does not say it (received events only:
    /// one batch trace may carry many checkouts). The engine leaves it nil.
    public var checkoutID: String?
    public init(eventCode: Int, outcome: EventOutcome, bizTimestamp: Int64, amountTotal: String? = nil,
                amountCurrency: String? = nil, orderCount: Int? = nil, paymentOrderID: String? = nil,
                merchantID: String? = nil, errorCode: String? = nil, errorCategory: ErrorCategory? = nil,
                pspLatencyMillis: Int64? = nil, traceNo: Int64?, spanID: Int64?, serviceCode: Int, checkoutID: String? = nil) {
        self.checkoutID = checkoutID
        self.eventCode = eventCode; self.outcome = outcome; self.bizTimestamp = bizTimestamp
        self.amountTotal = amountTotal; self.amountCurrency = amountCurrency; self.orderCount = orderCount
        self.paymentOrderID = paymentOrderID; self.merchantID = merchantID; self.errorCode = errorCode
        self.errorCategory = errorCategory; self.pspLatencyMillis = pspLatencyMillis; self.traceNo = traceNo
        self.spanID = spanID; self.serviceCode = serviceCode
    }
}

public struct SdlcEventRow: Sendable, Equatable {
    public var at: Int64
    public var eventType: String       // deployment
    public var eventStatus: String     // started or finished
    public var deploymentID: String
    public var artifactName: String
    public var artifactVersion: String
    public var revision: String
    public var previousVersion: String?
    public var regression: String?
    public var source: String
    public init(at: Int64, eventType: String, eventStatus: String, deploymentID: String, artifactName: String,
                artifactVersion: String, revision: String, previousVersion: String?, regression: String?, source: String) {
        self.at = at; self.eventType = eventType; self.eventStatus = eventStatus; self.deploymentID = deploymentID
        self.artifactName = artifactName; self.artifactVersion = artifactVersion; self.revision = revision
        self.previousVersion = previousVersion; self.regression = regression; self.source = source
    }
}

/// Dictionary rows written once: span names with their constant attributes, event names,
/// service versions.
public struct SpanNameRow: Sendable, Equatable {
    public var code: Int, name: String, kind: SpanKind, attributes: String
    public init(code: Int, name: String, kind: SpanKind, attributes: String) {
        self.code = code; self.name = name; self.kind = kind; self.attributes = attributes
    }
}

public struct EventNameRow: Sendable, Equatable {
    public var code: Int, name: String, type: String, stage: String, message: String
    public init(code: Int, name: String, type: String, stage: String, message: String) {
        self.code = code; self.name = name; self.type = type; self.stage = stage; self.message = message
    }
}

public struct ServiceVersionRow: Sendable, Equatable {
    public var code: Int, name: String, version: String
    public init(code: Int, name: String, version: String) { self.code = code; self.name = name; self.version = version }
}

/// A metric series: a name (CloudWatch's, where one exists) and its dimensions.
public struct MetricSeriesRow: Sendable, Equatable {
    public var id: Int, name: String, dimensions: String, unit: String, kind: String
    public init(id: Int, name: String, dimensions: String, unit: String, kind: String) {
        self.id = id; self.name = name; self.dimensions = dimensions; self.unit = unit; self.kind = kind
    }
}

/// One period of one series. Counters: `value` is the count in the period. Gauges:
/// `value` is the reading at the period's end (`max` the highest seen). Distributions:
/// `value` is the sum, `count` the observations, the rest in the series' unit, with
/// percentiles from an HDR histogram.
public struct MetricPointRow: Sendable, Equatable {
    public enum Value: Sendable, Equatable { case integer(Int64), real(Double) }
    public var seriesID: Int
    public var periodSeconds: Int
    public var periodStart: Int64
    public var value: Value
    public var count: Int64?
    public var min: Double?, max: Double?, p50: Double?, p95: Double?, p99: Double?
    /// A roll-up minute's histogram (distributions only), kept in `metric_histogram`.
    public var buckets: HistogramBuckets?
    public init(seriesID: Int, periodSeconds: Int, periodStart: Int64, value: Value, count: Int64? = nil,
                min: Double? = nil, max: Double? = nil, p50: Double? = nil, p95: Double? = nil, p99: Double? = nil,
                buckets: HistogramBuckets? = nil) {
        self.seriesID = seriesID; self.periodSeconds = periodSeconds; self.periodStart = periodStart; self.value = value
        self.count = count; self.min = min; self.max = max; self.p50 = p50; self.p95 = p95; self.p99 = p99
        self.buckets = buckets
    }

    public enum Kind { case counter, gauge, distribution }
    /// What the row is, as the recorder writes them: distributions carry a count, gauges
    /// their peak in `max`, counters neither.
    public var kind: Kind { count != nil ? .distribution : (max != nil ? .gauge : .counter) }
}

/// Live-mode retention: what to delete, oldest first.
public struct TelemetryPrune: Sendable, Equatable {
    /// Fine (period_seconds < 60) metric points before this engine time.
    public var finePointsBefore: Int64
    /// Roll-ups before this engine time.
    public var rollupsBefore: Int64
    /// Whole traces (spans, links, events) started before this engine time.
    public var tracesBefore: Int64
    /// Then keep at most this many traces (the newest).
    public var maxTraces: Int64
    public init(finePointsBefore: Int64, rollupsBefore: Int64, tracesBefore: Int64, maxTraces: Int64) {
        self.finePointsBefore = finePointsBefore; self.rollupsBefore = rollupsBefore
        self.tracesBefore = tracesBefore; self.maxTraces = maxTraces
    }
}
