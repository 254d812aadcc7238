import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// Emitting telemetry from the services' handlers. With telemetry off every call is a
/// no-op that draws nothing from the random generator.
extension EngineContext {
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

    /// Records a span with its `attributes` (only those whose value differs from its
    /// name's are stored); a DynamoDB call (`items` its items) also counts in CloudWatch's
    /// DynamoDB metrics of each table it touches.
    func recordSpan(_ name: SpanName, trace: TraceRef?, id: Int64, parent: Int64?, service: Int,
                    start: EngineTime, end: EngineTime, error: String? = nil, attributes: [(String, JSONValue)] = [], items: Int = 1,
                    throttledOut: Bool = false) {
        guard let trace, telemetry.enabled else { return }
        if let call = name.dynamoCall, let m = metrics {
            m.recordDynamoCall(call.operation, tables: call.tables, items: Int64(items), latency: max(0, end - start), failed: error != nil,
                               throttledOut: throttledOut)
        }
        telemetry.spans.append(SpanRow(
            traceNo: trace.no, spanID: id, parentSpanID: parent, nameCode: name.rawValue, serviceCode: service,
            startOffset: start.nanos - trace.startedAt, duration: max(0, end - start), status: error == nil ? .unset : .error, statusMessage: error,
            attributes: name.storedAttributes(attributes)))
        pendingRows += 1
    }

    func recordLink(from trace: TraceRef?, span: Int64, to context: SpanContext?) {
        guard let trace, let context, telemetry.enabled else { return }
        telemetry.links.append(SpanLinkRow(traceNo: trace.no, spanID: span, linkedTraceNo: context.trace.no,
                                           linkedSpanID: context.spanID))
        pendingRows += 1
    }

    func recordEvent(_ name: BusinessEventName, checkout: Checkout?, checkoutID: String? = nil, outcome: EventOutcome,
                     at t: EngineTime, trace: TraceRef?, span: Int64?, service: Int, order: Checkout.Order? = nil,
                     errorCode: String? = nil, errorCategory: ErrorCategory? = nil, pspLatency: Nanos? = nil) {
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

    /// A business event of the back office (settlement, reconciliation): no checkout of
    /// its own, tied to a checkout's trace when it concerns one.
    func recordBackOfficeEvent(_ name: BusinessEventName, outcome: EventOutcome, traceNo: Int64?, service: Int, amount: Money?,
                               currency: String?, count: Int?, errorCode: String?, errorCategory: ErrorCategory?) {
        guard telemetry.enabled else { return }
        telemetry.events.append(BusinessEventRow(
            eventCode: name.rawValue, outcome: outcome, bizTimestamp: now.nanos, amountTotal: amount?.description,
            amountCurrency: currency, orderCount: count, errorCode: errorCode, errorCategory: errorCategory,
            traceNo: traceNo, spanID: nil, serviceCode: service))
        pendingRows += 1
    }

    /// An SLO event: valid, and good or not.
    func sloEvent(_ slo: SloName, good: Bool) {
        guard let s = metrics else { return }
        s.recorder.add(s.sloValid[slo]!, 1)
        if good { s.recorder.add(s.sloGood[slo]!, 1) }
    }

    /// A checkout reached its end for the SLOs: settled, failed, or dead-lettered.
    func sloCheckoutEnded(_ c: Checkout, success: Bool, businessDecline: Bool, deadLettered: Bool = false) {
        guard let m = metrics, !c.sloCounted else { return }
        c.sloCounted = true
        // Settlement: the checkout reached its final outcome (settled or declined) within
        // 2 minutes — unless it was already counted bad when those 2 minutes ran out.
        if m.settlementDeadlines.ended(c) {
            sloEvent(.settlement, good: !deadLettered && now - c.createdAt <= SettlementDeadlines.objective)
        }
        if !businessDecline { sloEvent(.paymentSuccess, good: success) }
    }

    /// An accepted checkout: its settlement objective starts now.
    func sloCheckoutAccepted(_ c: Checkout) {
        metrics?.settlementDeadlines.track(c)
    }
}
