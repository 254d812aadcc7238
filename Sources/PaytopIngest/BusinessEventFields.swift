import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// A business event read from a log record's fields, in any of the spellings the seed
/// uses — the blog's (`event_name`, `payment_checkout_id`, `payment_outcome`,
/// `payment_stage`), its code's (`event_type` holding the full name, `biz_checkout_id`,
/// `outcome`, `stage`, `biz_timestamp`, dotted details such as `amount.total`), and what
/// paytop's own exporter sends (`event.name`, `payment.outcome`, `checkout_id`, …).
public struct BusinessEventFields: Sendable, Equatable {
    public var name: BusinessEventName
    public var checkoutID: String?
    public var outcome: EventOutcome
    /// biz_timestamp, when the record has one.
    public var timestamp: Int64?
    public var amountTotal: String?
    public var currency: String?
    public var orderCount: Int?
    public var paymentOrderID: String?
    public var merchantID: String?
    public var errorCode: String?
    public var errorCategory: ErrorCategory?
    public var pspLatencyMillis: Int64?
    /// Powertools' `service`, else `function_name`: who emitted it, when the record has no resource.
    public var service: String?

    /// The attribute keys that name a checkout, in every spelling ingest reads.
    public static var checkoutKeys: [String] { Key.checkout }

    /// Each field's spellings, the first present wins (public for stores that read log
    /// records where they are: ClickHouse's SQL looks for the same keys).
    public enum Key {
        public static let name = ["event_name", "event.name", "event_type", "event.type"]
        public static let type = ["event_type", "event.type"]
        public static let stage = ["payment_stage", "stage", "payment.stage"]
        public static let checkout = ["payment_checkout_id", "biz_checkout_id", "checkout_id", "payment.checkout_id", "checkout.id",
                               "payment.checkout.id"]
        public static let outcome = ["payment_outcome", "outcome", "payment.outcome"]
        public static let timestamp = ["biz_timestamp", "biz.timestamp"]
        public static let amount = ["amount_total", "amount.total"]
        public static let currency = ["amount_currency", "amount.currency", "currency"]
        public static let orderCount = ["order_count", "order.count"]
        public static let paymentOrder = ["payment_order_id", "payment_order.id"]
        public static let merchant = ["merchant_id", "merchant.id"]
        public static let errorCode = ["error_code", "error.code", "psp.response.error_code", "psp_response_error_code"]
        public static let errorCategory = ["error_category", "error.category"]
        public static let pspLatency = ["psp_latency_ms", "psp.latency.ms"]
        public static let service = ["service", "function_name", "faas.name"]
    }

    /// The event these fields describe, or nil when they name no event of the taxonomy.
    /// `eventName` is LogRecord.event_name, when the record has one.
    public static func read(_ fields: [String: AttributeValue], eventName: String = "") -> BusinessEventFields? {
        func text(_ keys: [String]) -> String? {
            for k in keys { if let v = fields[k]?.text, !v.isEmpty { return v } }
            return nil
        }
        var name = BusinessEventName(name: eventName)
        if name == nil { for k in Key.name { if let v = fields[k]?.text, let n = BusinessEventName(name: v) { name = n; break } } }
        if name == nil, let type = text(Key.type), let stage = text(Key.stage) {
            // The blog's short type ("queued") with its stage names one event.
            name = BusinessEventName.allCases.first { $0.type == type && $0.stage == stage }
        }
        guard let name else { return nil }
        var e = BusinessEventFields(name: name, outcome: text(Key.outcome).map(EventOutcome.init(rawValue:)) ?? .unknown)
        e.checkoutID = text(Key.checkout)
        if let t = Key.timestamp.lazy.compactMap({ fields[$0] }).first {
            if case .string(let s) = t { e.timestamp = LogTimestamp.nanos(s) } else if let n = t.integer { e.timestamp = LogTimestamp.nanos(number: Double(n)) }
        }
        if let amount = text(Key.amount) { e.amountTotal = Money(decimalString: amount)?.description }
        e.currency = text(Key.currency)
        e.orderCount = Key.orderCount.lazy.compactMap { fields[$0]?.integer }.first.map { Int(clamping: $0) }
        e.paymentOrderID = text(Key.paymentOrder)
        e.merchantID = text(Key.merchant)
        e.errorCode = text(Key.errorCode)
        e.errorCategory = text(Key.errorCategory).map(ErrorCategory.init(rawValue:))
        e.pspLatencyMillis = Key.pspLatency.lazy.compactMap { fields[$0]?.integer }.first
        e.service = text(Key.service)
        return e
    }

    init(name: BusinessEventName, outcome: EventOutcome) { self.name = name; self.outcome = outcome }

    /// A record's attributes and, when its body is a JSON object (or a map), the body's
    /// fields, flattened with dotted keys (`{"amount": {"total": …}}` → `amount.total`).
    /// Attributes win over body fields of the same name.
    public static func fields(attributes: [KeyValue], body: AttributeValue?) -> [String: AttributeValue] {
        var out: [String: AttributeValue] = [:]
        if let body {
            switch body {
            case .map(let pairs): flatten(pairs, prefix: "", into: &out)
            case .string(let s) where s.hasPrefix("{"):
                if let object = (try? JSONValue.parse(s))?.objectValue { flatten(json: object, prefix: "", into: &out) }
            default: break
            }
        }
        flatten(attributes, prefix: "", into: &out)
        return out
    }

    static func flatten(_ pairs: [KeyValue], prefix: String, into out: inout [String: AttributeValue]) {
        for kv in pairs {
            if case .map(let inner) = kv.value { flatten(inner, prefix: prefix + kv.key + ".", into: &out) }
            out[prefix + kv.key] = kv.value
        }
    }

    static func flatten(json: [String: JSONValue], prefix: String, into out: inout [String: AttributeValue]) {
        for (k, v) in json {
            if let inner = v.objectValue { flatten(json: inner, prefix: prefix + k + ".", into: &out) }
            if let value = attribute(v) { out[prefix + k] = value }
        }
    }

    /// A JSON value as an attribute: integers stay integers.
    static func attribute(_ v: JSONValue) -> AttributeValue? {
        switch v {
        case .null: return nil
        case .bool(let b): return .bool(b)
        case .number(let d): return d == d.rounded() && abs(d) < 9e15 ? .int(Int64(d)) : .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.compactMap(attribute))
        case .object(let o): return .map(o.keys.sorted().compactMap { k in attribute(o[k]!).map { KeyValue(k, $0) } })
        }
    }
}

extension BusinessEventFields {
    /// A failed checkout the buyer's bank declined (a business outcome, not a pipeline
    /// failure): not valid for payment-success, not a loss of conversion.
    var isBusinessDecline: Bool {
        name == .checkoutFailed && (errorCategory == .business || errorCode.map(DeclineCode.all.contains) == true)
    }
}
