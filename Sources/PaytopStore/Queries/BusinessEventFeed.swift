import PaytopVocabulary

/// Business events in the order they were recorded, for `paytop events` and the
/// console's event tail. Each read is one short query.
public enum BusinessEventFeed {
    public struct Event: Sendable, Equatable {
        public var eventNo: Int64
        public var name: String
        public var type: String
        public var stage: String
        public var message: String
        public var checkoutID: String?
        public var outcome: EventOutcome
        public var bizTimestamp: Int64
        public var amountTotal: String?
        public var amountCurrency: String?
        public var orderCount: Int64?
        public var paymentOrderID: String?
        public var merchantID: String?
        public var errorCode: String?
        public var errorCategory: ErrorCategory?
        public var pspLatencyMillis: Int64?
        public var traceID: String?
        public var spanID: String?
        public var serviceName: String
        public var serviceVersion: String

        public init(eventNo: Int64, name: String, type: String, stage: String, message: String, checkoutID: String?, outcome: EventOutcome,
                    bizTimestamp: Int64, amountTotal: String?, amountCurrency: String?, orderCount: Int64?, paymentOrderID: String?,
                    merchantID: String?, errorCode: String?, errorCategory: ErrorCategory?, pspLatencyMillis: Int64?, traceID: String?,
                    spanID: String?, serviceName: String, serviceVersion: String) {
            self.eventNo = eventNo; self.name = name; self.type = type; self.stage = stage; self.message = message
            self.checkoutID = checkoutID; self.outcome = outcome; self.bizTimestamp = bizTimestamp; self.amountTotal = amountTotal
            self.amountCurrency = amountCurrency; self.orderCount = orderCount; self.paymentOrderID = paymentOrderID
            self.merchantID = merchantID; self.errorCode = errorCode; self.errorCategory = errorCategory
            self.pspLatencyMillis = pspLatencyMillis; self.traceID = traceID; self.spanID = spanID
            self.serviceName = serviceName; self.serviceVersion = serviceVersion
        }
    }

    /// Events with `event_no` above `after`, oldest first; `limit` caps the count. With
    /// `latest`, the last `limit` events instead (still oldest first).
    /// The number of the newest event, 0 when there is none (where `--follow` starts).
    public static func latestEventNo(_ c: Connection) throws -> Int64 {
        try c.scalarInt("SELECT coalesce(max(event_no), 0) FROM business_event_data") ?? 0
    }

    public static func read(_ c: Connection, after: Int64 = 0, limit: Int = 1000, checkoutID: String? = nil,
                            latest: Bool = false) throws -> [Event] {
        // The event's own checkout (received events carry it) before its trace's; a
        // batch invocation's trace names no checkout, or another.
        let filter = checkoutID == nil ? "" : """
            AND (e.checkout_id = ?2 OR (e.checkout_id IS NULL AND e.trace_no IN (SELECT trace_no FROM trace WHERE checkout_id = ?2)))
            """
        let order = latest ? "DESC" : "ASC"
        let s = try c.cached("""
            SELECT e.event_no, n.event_name, n.event_type, n.stage, n.message, coalesce(e.checkout_id, t.checkout_id), e.outcome,
                   e.biz_timestamp, e.amount_total, e.amount_currency, e.order_count, e.payment_order_id, e.merchant_id, e.error_code,
                   e.error_category, e.psp_latency_ms, CASE WHEN t.trace_id IS NULL THEN NULL ELSE lower(hex(t.trace_id)) END,
                   CASE WHEN e.span_id IS NULL THEN NULL ELSE printf('%016x', e.span_id) END, v.service_name, v.service_version
            FROM business_event_data e JOIN business_event_name n ON n.event_code = e.event_code
            JOIN service_version v ON v.service_code = e.service_code
            LEFT JOIN trace t ON t.trace_no = e.trace_no
            WHERE e.event_no > ?1 \(filter) ORDER BY e.event_no \(order) LIMIT ?3
            """)
        s.bind(1, after)
        if let checkoutID { s.bind(2, checkoutID) }
        s.bind(3, limit)
        defer { s.reset() }
        let rows = try s.all {
            Event(eventNo: $0.int(0), name: $0.string(1), type: $0.string(2), stage: $0.string(3), message: $0.string(4),
                  checkoutID: $0.optionalString(5), outcome: EventOutcome(rawValue: $0.string(6)), bizTimestamp: $0.int(7),
                  amountTotal: $0.optionalString(8), amountCurrency: $0.optionalString(9), orderCount: $0.optionalInt(10),
                  paymentOrderID: $0.optionalString(11), merchantID: $0.optionalString(12), errorCode: $0.optionalString(13),
                  errorCategory: $0.optionalString(14).map(ErrorCategory.init(rawValue:)), pspLatencyMillis: $0.optionalInt(15), traceID: $0.optionalString(16),
                  spanID: $0.optionalString(17), serviceName: $0.string(18), serviceVersion: $0.string(19))
        }
        return latest ? rows.reversed() : rows
    }
}
