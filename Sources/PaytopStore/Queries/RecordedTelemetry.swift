import PaytopVocabulary
/// Reads a recorded store's telemetry back as the writer once committed it, a few
/// hundred traces at a time in trace order, for `paytop export`.
public enum RecordedTelemetry {
    /// The metric period read back: the 60-s roll-ups, which live runs and simulations
    /// both write (live runs' 1-s points would count everything twice in a backend).
    public static let metricPeriodSeconds = 60

    /// Calls `body` with batches holding traces `(after, after + tracesPerBatch]`, their
    /// spans, links and business events; then batches of the metric roll-ups; then one
    /// with the events tied to no trace. Returns the number of spans and events read.
    @discardableResult
    public static func read(storePath: String, tracesPerBatch: Int = 256, _ body: (WriteBatch) throws -> Void) throws -> (spans: Int, events: Int) {
        let c = try Store.openForReading(path: storePath)
        var spans = 0, events = 0
        var after: Int64 = -1
        let traceQuery = try c.cached("SELECT trace_no, trace_id, checkout_id, started_at FROM trace WHERE trace_no > ? ORDER BY trace_no LIMIT ?")
        let spanQuery = try c.cached("""
            SELECT trace_no, span_id, parent_span_id, name_code, service_code, start_offset_ns, duration_ns, status, status_message, attributes
            FROM span_data WHERE trace_no > ? AND trace_no <= ?
            """)
        let linkQuery = try c.cached("SELECT trace_no, span_id, linked_trace_no, linked_span_id FROM span_link_data WHERE trace_no > ? AND trace_no <= ?")
        let eventQuery = try c.cached(eventColumns + " WHERE trace_no > ? AND trace_no <= ? ORDER BY event_no")
        while true {
            var b = WriteBatch()
            traceQuery.bind(1, after).bind(2, Int64(tracesPerBatch))
            while try traceQuery.step() {
                b.traces.append(TraceRow(traceNo: traceQuery.int(0), traceID: traceQuery.blob(1), checkoutID: traceQuery.optionalString(2),
                                         startedAt: traceQuery.int(3)))
            }
            traceQuery.reset()
            guard let last = b.traces.last?.traceNo else { break }
            spanQuery.bind(1, after).bind(2, last)
            while try spanQuery.step() {
                let s = spanQuery
                b.spans.append(SpanRow(traceNo: s.int(0), spanID: s.int(1), parentSpanID: s.optionalInt(2), nameCode: Int(s.int(3)),
                                       serviceCode: Int(s.int(4)), startOffset: s.int(5), duration: s.int(6), status: SpanStatus(code: Int(s.int(7))),
                                       statusMessage: s.optionalString(8), attributes: s.optionalString(9)))
            }
            spanQuery.reset()
            linkQuery.bind(1, after).bind(2, last)
            while try linkQuery.step() {
                b.spanLinks.append(SpanLinkRow(traceNo: linkQuery.int(0), spanID: linkQuery.int(1), linkedTraceNo: linkQuery.int(2),
                                               linkedSpanID: linkQuery.int(3)))
            }
            linkQuery.reset()
            eventQuery.bind(1, after).bind(2, last)
            while try eventQuery.step() { b.businessEvents.append(event(eventQuery)) }
            eventQuery.reset()
            spans += b.spans.count
            events += b.businessEvents.count
            try body(b)
            after = last
        }
        // The 60-s metric roll-ups, a few thousand points at a time.
        let points = try c.cached("""
            SELECT series_id, period_seconds, period_start, value, count, min, max, p50, p95, p99 FROM metric_data
            WHERE period_seconds = ? AND (period_start, series_id) > (?, ?) ORDER BY period_start, series_id LIMIT 4096
            """)
        var lastStart: Int64 = .min, lastSeries: Int64 = .min
        while true {
            var b = WriteBatch()
            points.bind(1, Int64(metricPeriodSeconds)).bind(2, lastStart).bind(3, lastSeries)
            while try points.step() {
                let p = points
                let value: MetricPointRow.Value = p.isInteger(3) ? .integer(p.int(3)) : .real(p.double(3))
                b.metricPoints.append(MetricPointRow(seriesID: Int(p.int(0)), periodSeconds: Int(p.int(1)), periodStart: p.int(2), value: value,
                                                     count: p.optionalInt(4), min: p.optionalDouble(5), max: p.optionalDouble(6),
                                                     p50: p.optionalDouble(7), p95: p.optionalDouble(8), p99: p.optionalDouble(9)))
                lastStart = p.int(2)
                lastSeries = p.int(0)
            }
            points.reset()
            if b.metricPoints.isEmpty { break }
            try body(b)
        }
        let untraced = try c.cached(eventColumns + " WHERE trace_no IS NULL ORDER BY event_no")
        var b = WriteBatch()
        while try untraced.step() { b.businessEvents.append(event(untraced)) }
        untraced.reset()
        if !b.businessEvents.isEmpty {
            events += b.businessEvents.count
            try body(b)
        }
        return (spans, events)
    }

    /// The columns `event` reads, in its order.
    private static let eventColumns = """
        SELECT event_code, outcome, biz_timestamp, amount_total, amount_currency, order_count, payment_order_id, merchant_id,
               error_code, error_category, psp_latency_ms, trace_no, span_id, service_code
        FROM business_event_data
        """

    private static func event(_ s: Statement) -> BusinessEventRow {
        BusinessEventRow(eventCode: Int(s.int(0)), outcome: EventOutcome(rawValue: s.string(1)), bizTimestamp: s.int(2), amountTotal: s.optionalString(3),
                         amountCurrency: s.optionalString(4), orderCount: s.optionalInt(5).map { Int($0) }, paymentOrderID: s.optionalString(6),
                         merchantID: s.optionalString(7), errorCode: s.optionalString(8), errorCategory: s.optionalString(9).map(ErrorCategory.init(rawValue:)),
                         pspLatencyMillis: s.optionalInt(10), traceNo: s.optionalInt(11), spanID: s.optionalInt(12), serviceCode: Int(s.int(13)))
    }
}
