import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Collects the spans, links and events the engine emits until the next flush, and
/// assigns the compact codes the store uses (trace numbers, service-version codes).
final class TelemetryRecorder {
    var enabled: Bool
    var nextTraceNo: Int64 = 1
    private var serviceCodes: [String: Int] = [:]
    private var nextServiceCode = 1
    /// Span and event names are written with the first batch of every engine.
    private var dictionariesPending = true

    var traces: [TraceRow] = []
    var spans: [SpanRow] = []
    var links: [SpanLinkRow] = []
    var events: [BusinessEventRow] = []
    var sdlcEvents: [SdlcEventRow] = []
    var newServices: [ServiceVersionRow] = []

    init(enabled: Bool) { self.enabled = enabled }

    var pendingCount: Int { traces.count + spans.count + links.count + events.count + sdlcEvents.count }

    func serviceCode(_ name: String, _ version: String) -> Int {
        let key = name + "\u{0}" + version
        if let c = serviceCodes[key] { return c }
        let c = nextServiceCode
        nextServiceCode += 1
        serviceCodes[key] = c
        newServices.append(ServiceVersionRow(code: c, name: name, version: version))
        return c
    }

    /// Restores the service codes a store already holds.
    func restoreService(code: Int, name: String, version: String) {
        serviceCodes[name + "\u{0}" + version] = code
        nextServiceCode = max(nextServiceCode, code + 1)
    }

    /// Moves everything collected into `batch`.
    func drain(into b: inout WriteBatch) {
        if dictionariesPending {
            dictionariesPending = false
            b.spanNames = SpanName.allCases.map {
                SpanNameRow(code: $0.rawValue, name: $0.name, kind: $0.kind, attributes: $0.constantAttributes.encoded)
            }
            b.eventNames = BusinessEventName.allCases.map {
                EventNameRow(code: $0.rawValue, name: $0.name, type: $0.type, stage: $0.stage, message: $0.message)
            }
        }
        b.serviceVersions = newServices
        b.traces = traces
        b.spans = spans
        b.spanLinks = links
        b.businessEvents = events
        b.sdlcEvents = sdlcEvents
        newServices.removeAll()
        traces.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        links.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        sdlcEvents.removeAll()
    }
}

/// Emitting telemetry from the engine's handlers. With telemetry off every call is a
/// no-op that draws nothing from the random generator.
extension Engine {
    func serviceCode(_ f: FunctionName) -> Int { telemetry.serviceCode(f.rawValue, currentRelease(f).version) }

    /// Starts a trace. Its id comes from the engine's random generator, or from the
    /// client's traceparent when the trace continues the client's.
    func newTrace(checkoutID: String?, at t: EngineTime, continuing client: W3CTraceContext.Parsed? = nil) -> TraceRef? {
        guard telemetry.enabled else { return nil }
        var high: UInt64, low: UInt64
        if let client {
            (high, low) = (client.traceIDHigh, client.traceIDLow)
        } else {
            (high, low) = (random.next(), random.next())
            if high == 0 && low == 0 { high = 1; low = 1 }
        }
        let ref = TraceRef(no: telemetry.nextTraceNo, high: high, low: low, startedAt: t.nanos)
        telemetry.nextTraceNo += 1
        telemetry.traces.append(TraceRow(traceNo: ref.no, traceID: ref.bytes, checkoutID: checkoutID, startedAt: t.nanos))
        pendingRows += 1
        return ref
    }

    /// A new, non-zero span id (0 when telemetry is off).
    func newSpanID() -> Int64 {
        guard telemetry.enabled else { return 0 }
        var v = random.next()
        while v == 0 { v = random.next() }
        return Int64(bitPattern: v)
    }

    func recordSpan(_ name: SpanName, trace: TraceRef?, id: Int64, parent: Int64?, service: Int,
                    start: EngineTime, end: EngineTime, error: String? = nil, attributes: String? = nil) {
        guard let trace, telemetry.enabled else { return }
        telemetry.spans.append(SpanRow(
            traceNo: trace.no, spanID: id, parentSpanID: parent, nameCode: name.rawValue, serviceCode: service,
            startOffset: start.nanos - trace.startedAt, duration: max(0, end - start), status: error == nil ? 0 : 2, statusMessage: error,
            attributes: attributes))
        pendingRows += 1
    }

    func recordLink(from trace: TraceRef?, span: Int64, to context: SpanContext?) {
        guard let trace, let context, telemetry.enabled else { return }
        telemetry.links.append(SpanLinkRow(traceNo: trace.no, spanID: span, linkedTraceNo: context.trace.no,
                                           linkedSpanID: context.spanID))
        pendingRows += 1
    }

    func recordEvent(_ name: BusinessEventName, checkout: Checkout?, checkoutID: String? = nil, outcome: String,
                     at t: EngineTime, trace: TraceRef?, span: Int64?, service: Int, order: Checkout.Order? = nil,
                     errorCode: String? = nil, errorCategory: String? = nil, pspLatency: Nanos? = nil) {
        guard telemetry.enabled else { return }
        let r = checkout?.request
        telemetry.events.append(BusinessEventRow(
            eventCode: name.rawValue, outcome: outcome, bizTimestamp: t.nanos,
            amountTotal: order.map { $0.spec.amount.description } ?? r?.total.description,
            amountCurrency: order?.spec.currency ?? r?.currency, orderCount: order == nil ? r?.orders.count : nil,
            paymentOrderID: order?.spec.paymentOrderID, merchantID: order?.spec.sellerAccount, errorCode: errorCode,
            errorCategory: errorCategory, pspLatencyMillis: pspLatency.map { $0 / 1_000_000 },
            traceNo: trace?.no, spanID: span, serviceCode: service))
        pendingRows += 1
    }

    /// Small JSON object of per-span attributes.
    func attrs(_ pairs: [(String, JSONValue)]) -> String? {
        guard telemetry.enabled else { return nil }
        return JSONValue.object(Dictionary(pairs, uniquingKeysWith: { a, _ in a })).encoded
    }
}
