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
    /// 0 unset, 1 ok, 2 error (OpenTelemetry's status codes).
    public var status: Int
    public var statusMessage: String?
    /// Only the attributes that vary per span, as JSON; constant ones live in span_name.
    public var attributes: String?
    public init(traceNo: Int64, spanID: Int64, parentSpanID: Int64?, nameCode: Int, serviceCode: Int, startOffset: Int64,
                duration: Int64, status: Int, statusMessage: String?, attributes: String?) {
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
    public var outcome: String
    public var bizTimestamp: Int64
    public var amountTotal: String?
    public var amountCurrency: String?
    public var orderCount: Int?
    public var paymentOrderID: String?
    public var merchantID: String?
    public var errorCode: String?
    public var errorCategory: String?
    public var pspLatencyMillis: Int64?
    public var traceNo: Int64?
    public var spanID: Int64?
    public var serviceCode: Int
    public init(eventCode: Int, outcome: String, bizTimestamp: Int64, amountTotal: String? = nil,
                amountCurrency: String? = nil, orderCount: Int? = nil, paymentOrderID: String? = nil,
                merchantID: String? = nil, errorCode: String? = nil, errorCategory: String? = nil,
                pspLatencyMillis: Int64? = nil, traceNo: Int64?, spanID: Int64?, serviceCode: Int) {
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
    public var code: Int, name: String, kind: String, attributes: String
    public init(code: Int, name: String, kind: String, attributes: String) {
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
