import Foundation
import PaytopVocabulary

/// One checkout's traces, spans and business events, read in one short transaction:
/// what `paytop trace` prints and the console's trace view draws.
public struct TraceWaterfall: Sendable {
    public struct SpanLine: Sendable, Equatable {
        public var spanID: String
        public var parentSpanID: String?
        public var name: String
        public var kind: SpanKind
        public var serviceName: String
        public var serviceVersion: String
        public var start: Int64
        public var end: Int64
        public var status: SpanStatus
        public var statusMessage: String?
        public var attributes: String
        /// The invocation started a new environment (`faas.coldstart`).
        public var coldStart: Bool
        /// Spans in other traces that link to this one (a batch invocation that received
        /// the message this span sent), as "name trace_id/span_id".
        public var linkedFrom: [String]
        /// The span's own events (received spans: an `exception` with its message, …).
        public var events: [SpanEvent] = []

        public init(spanID: String, parentSpanID: String?, name: String, kind: SpanKind, serviceName: String, serviceVersion: String,
                    start: Int64, end: Int64, status: SpanStatus, statusMessage: String?, attributes: String, coldStart: Bool,
                    linkedFrom: [String], events: [SpanEvent] = []) {
            self.spanID = spanID; self.parentSpanID = parentSpanID; self.name = name; self.kind = kind; self.serviceName = serviceName
            self.serviceVersion = serviceVersion; self.start = start; self.end = end; self.status = status; self.statusMessage = statusMessage
            self.attributes = attributes; self.coldStart = coldStart; self.linkedFrom = linkedFrom; self.events = events
        }
    }

    public struct SpanEvent: Sendable, Equatable {
        public var name: String
        public var at: Int64
        /// JSON object.
        public var attributes: String

        public init(name: String, at: Int64, attributes: String) { self.name = name; self.at = at; self.attributes = attributes }
    }

    public struct EventLine: Sendable, Equatable {
        public var name: String
        public var outcome: EventOutcome
        public var stage: String
        public var at: Int64
        public var amount: String?
        public var currency: String?
        public var paymentOrderID: String?
        public var merchantID: String?
        public var errorCode: String?
        public var pspLatencyMillis: Int64?
        public var spanID: String?
        public var service: String

        public init(name: String, outcome: EventOutcome, stage: String, at: Int64, amount: String?, currency: String?, paymentOrderID: String?,
                    merchantID: String?, errorCode: String?, pspLatencyMillis: Int64?, spanID: String?, service: String) {
            self.name = name; self.outcome = outcome; self.stage = stage; self.at = at; self.amount = amount; self.currency = currency
            self.paymentOrderID = paymentOrderID; self.merchantID = merchantID; self.errorCode = errorCode
            self.pspLatencyMillis = pspLatencyMillis; self.spanID = spanID; self.service = service
        }
    }

    public struct Trace: Sendable {
        /// nil for the business events that arrived with no trace id (log lines without
        /// `xray_trace_id`): no spans, only the checkout's events timeline.
        public var traceID: String?
        public var startedAt: Int64
        public var spans: [SpanLine]
        public var events: [EventLine]

        public init(traceID: String?, startedAt: Int64, spans: [SpanLine], events: [EventLine]) {
            self.traceID = traceID; self.startedAt = startedAt; self.spans = spans; self.events = events
        }
    }

    public var checkoutID: String
    public var traces: [Trace]
    /// The checkout's state, if it was accepted.
    public var outcome: String?
    public var isPaymentDone: Bool
    /// Whether the traces came from outside (OTLP or log lines): no payment state then,
    /// only what the events say.
    public var received = false

    /// Received traces (no payment state: what the events say).
    public init(receivedFor checkoutID: String, traces: [Trace]) {
        self.checkoutID = checkoutID; self.traces = traces; outcome = nil; isPaymentDone = false; received = true
    }

    init(checkoutID: String, traces: [Trace], outcome: String?, isPaymentDone: Bool, received: Bool = false) {
        self.checkoutID = checkoutID; self.traces = traces; self.outcome = outcome; self.isPaymentDone = isPaymentDone; self.received = received
    }

    /// The trace the console draws: the last an engine made (a resubmission makes
    /// another); for received telemetry every trace that names the checkout as one, each
    /// keeping its own span tree (an SQS batch invocation is a trace of its own, linked).
    public var shown: Trace? {
        guard let last = traces.last else { return nil }
        guard received, traces.count > 1 else { return last }
        return Trace(traceID: traces.lazy.compactMap(\.traceID).first, startedAt: traces.map(\.startedAt).min() ?? last.startedAt,
                     spans: traces.flatMap(\.spans), events: traces.flatMap(\.events).sorted { $0.at < $1.at })
    }

    /// For received traces, the checkout's end as its events tell it: SUCCESS after
    /// payment.checkout.settled, FAILED after payment.checkout.failed, nil before either.
    public var outcomeFromEvents: String? {
        let names = Set(traces.flatMap { $0.events.map(\.name) })
        if names.contains(BusinessEventName.checkoutFailed.name) { return "FAILED" }
        if names.contains(BusinessEventName.checkoutSettled.name) { return "SUCCESS" }
        return nil
    }

    /// Whether no span arrived for the checkout: its business events only.
    public var hasNoSpans: Bool { traces.allSatisfy(\.spans.isEmpty) }

    /// A business event as `eventLine` reads it, and the joins it needs (a WHERE follows).
    static let eventColumns = """
        SELECT n.event_name, e.outcome, n.stage, e.biz_timestamp, e.amount_total, e.amount_currency, e.payment_order_id,
               e.merchant_id, e.error_code, e.psp_latency_ms,
               CASE WHEN e.span_id IS NULL THEN NULL ELSE printf('%016x', e.span_id) END, v.service_name
        FROM business_event_data e JOIN business_event_name n ON n.event_code = e.event_code
        JOIN service_version v ON v.service_code = e.service_code
        """

    static func eventLine(_ r: Statement) -> EventLine {
        EventLine(name: r.string(0), outcome: EventOutcome(rawValue: r.string(1)), stage: r.string(2), at: r.int(3),
                  amount: r.optionalString(4), currency: r.optionalString(5), paymentOrderID: r.optionalString(6),
                  merchantID: r.optionalString(7), errorCode: r.optionalString(8),
                  pspLatencyMillis: r.optionalInt(9), spanID: r.optionalString(10), service: r.string(11))
    }

    /// How many traces the store holds (none: recorded with telemetry off).
    public static func traceCount(_ c: Connection) throws -> Int {
        Int(try c.scalarInt("SELECT count(*) FROM trace") ?? 0)
    }

    public static func load(_ c: Connection, checkoutID: String) throws -> TraceWaterfall? {
        try c.read {
            // The checkout's traces, and those where a received event names it (a batch
            // invocation's trace may carry events of many checkouts).
            let traceRows = try c.cached("""
                SELECT trace_no, lower(hex(trace_id)), started_at FROM trace
                WHERE checkout_id = ?1 OR trace_no IN (SELECT trace_no FROM business_event_data WHERE checkout_id = ?1)
                ORDER BY trace_no
                """)
            traceRows.bind(1, checkoutID)
            let found = try traceRows.all { ($0.int(0), $0.string(1), $0.int(2)) }
            traceRows.reset()
            // Received events that name the checkout and came with no trace id.
            let untraced = try c.cached("""
                \(Self.eventColumns)
                WHERE e.checkout_id = ?1 AND e.trace_no IS NULL ORDER BY e.biz_timestamp, e.event_no
                """)
            untraced.bind(1, checkoutID)
            let eventsWithoutTrace = try untraced.all(Self.eventLine)
            untraced.reset()
            guard !found.isEmpty || !eventsWithoutTrace.isEmpty else { return nil }
            let spans = try c.cached("""
                SELECT printf('%016x', s.span_id), CASE WHEN s.parent_span_id IS NULL THEN NULL ELSE printf('%016x', s.parent_span_id) END,
                       n.name, n.kind, v.service_name, v.service_version, s.start_offset_ns, s.duration_ns, s.status,
                       s.status_message, json_patch(n.attributes, coalesce(s.attributes, '{}')),
                       (SELECT group_concat(ln.name || ' ' || lower(hex(lt.trace_id)) || '/' || printf('%016x', l.span_id), ', ')
                        FROM span_link_data l JOIN span_data ls ON ls.trace_no = l.trace_no AND ls.span_id = l.span_id
                        JOIN span_name ln ON ln.name_code = ls.name_code JOIN trace lt ON lt.trace_no = l.trace_no
                        WHERE l.linked_trace_no = s.trace_no AND l.linked_span_id = s.span_id),
                       coalesce(json_extract(s.attributes, '$."faas.coldstart"'), json_extract(n.attributes, '$."faas.coldstart"'), 0)
                FROM span_data s JOIN span_name n ON n.name_code = s.name_code
                JOIN service_version v ON v.service_code = s.service_code
                WHERE s.trace_no = ? ORDER BY s.start_offset_ns, s.span_id
                """)
            let events = try c.cached("""
                \(Self.eventColumns)
                WHERE e.trace_no = ?1 AND (e.checkout_id IS NULL OR e.checkout_id = ?2) ORDER BY e.biz_timestamp, e.event_no
                """)
            let spanEvents = try c.cached("""
                SELECT span_id, printf('%016x', span_id), time_offset_ns, name, coalesce(attributes, '{}') FROM span_event_data
                WHERE trace_no = ? ORDER BY span_id, seq
                """)
            var traces: [Trace] = []
            for (no, id, started) in found {
                spans.bind(1, no)
                var lines = try spans.all {
                    SpanLine(spanID: $0.string(0), parentSpanID: $0.optionalString(1), name: $0.string(2),
                             kind: SpanKind(stored: $0.string(3)), serviceName: $0.string(4), serviceVersion: $0.string(5),
                             start: started + $0.int(6), end: started + $0.int(6) + $0.int(7),
                             status: SpanStatus(code: Int($0.int(8))), statusMessage: $0.optionalString(9), attributes: $0.string(10),
                             coldStart: $0.int(12) != 0,
                             linkedFrom: $0.optionalString(11).map { $0.components(separatedBy: ", ") } ?? [])
                }
                spans.reset()
                spanEvents.bind(1, no)
                var eventsBySpan: [String: [SpanEvent]] = [:]
                while try spanEvents.step() {
                    eventsBySpan[spanEvents.string(1), default: []].append(
                        SpanEvent(name: spanEvents.string(3), at: started + spanEvents.int(2), attributes: spanEvents.string(4)))
                }
                spanEvents.reset()
                if !eventsBySpan.isEmpty {
                    for i in lines.indices { lines[i].events = eventsBySpan[lines[i].spanID] ?? [] }
                }
                events.bind(1, no).bind(2, checkoutID)
                let eventLines = try events.all(Self.eventLine)
                events.reset()
                traces.append(Trace(traceID: id, startedAt: started, spans: lines, events: eventLines))
            }
            if let first = eventsWithoutTrace.first {
                traces.append(Trace(traceID: nil, startedAt: first.at, spans: [], events: eventsWithoutTrace))
            }
            let state = try c.cached("SELECT outcome, is_payment_done FROM payment_event WHERE checkout_id = ?")
            state.bind(1, checkoutID)
            defer { state.reset() }
            let has = try state.step()
            var w = TraceWaterfall(checkoutID: checkoutID, traces: traces, outcome: has ? state.optionalString(0) : nil,
                                   isPaymentDone: has && state.int(1) != 0)
            w.received = !eventsWithoutTrace.isEmpty  // only a receiver writes an event's own checkout_id
            let received = try c.cached("SELECT 1 FROM received_trace WHERE trace_no = ?")
            for (no, _, _) in found where !w.received {
                received.bind(1, no)
                w.received = try received.step()
                received.reset()
                if w.received { break }
            }
            return w
        }
    }
}
