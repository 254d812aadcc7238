import DequeModule
import PaytopStore
import PaytopVocabulary

/// The seed's SLO events, read from received telemetry as the engine counts them from its
/// own (docs/telemetry.md): api-latency from each `POST /v1/payments` SERVER span (a 400
/// or 409 is not valid; good within 300 ms and without a 5xx or 429), payment-success and
/// settlement from each checkout's end event (payment.checkout.settled or .failed; a
/// business decline is not valid for payment-success; settlement is good within two
/// minutes of the checkout's payment.request.received or .initiated event, when it came).
/// As in the engine, a checkout with no end two minutes after its start is a bad
/// settlement event then (`sweep`), counted once; `lateInFlight` counts those not ended.
struct ReceivedSlos {
    struct Event { let slo: SloName; let good: Bool; let at: Int64 }

    /// When each open checkout started, by checkout id (dropped when it ends).
    private var started: [String: Int64] = [:]
    /// The open checkouts in the order their starts arrived, for the sweep.
    private var byStart = Deque<(checkout: String, at: Int64)>()
    /// Counted bad at their objective, no end seen yet.
    private var late: Set<String> = []
    var lateInFlight: Int { late.count }
    private let openLimit = 500_000
    static let settlementLimit: Int64 = 120_000_000_000
    static let latencyLimit: Int64 = 300_000_000

    func span(_ s: ReceivedSpan) -> Event? {
        guard SpanKind(otlpNumber: s.kind) == .server, s.name == PipelineNames.paymentsRequestSpan else { return nil }
        let status = s.attributes.httpStatusCode ?? (SpanStatus(code: s.statusCode) == .error ? 500 : 202)
        guard status != 400 && status != 409 else { return nil }
        let good = s.endNanos - s.startNanos <= Self.latencyLimit && status < 500 && status != 429 && SpanStatus(code: s.statusCode) != .error
        return Event(slo: .apiLatency, good: good, at: s.endNanos)
    }

    mutating func businessEvent(_ e: BusinessEventFields, at: Int64) -> [Event] {
        guard let checkout = e.checkoutID else { return [] }
        switch e.name {
        case .requestReceived, .checkoutInitiated:
            if started[checkout] == nil && !late.contains(checkout) {
                if started.count >= openLimit {
                    started.removeAll(keepingCapacity: true)
                    byStart.removeAll(keepingCapacity: true)
                    late.removeAll(keepingCapacity: true)
                }
                started[checkout] = at
                byStart.append((checkout, at))
            }
            return []
        case .checkoutSettled, .checkoutFailed:
            let success = e.name == .checkoutSettled
            var out: [Event] = []
            if let start = started.removeValue(forKey: checkout) {
                out.append(Event(slo: .settlement, good: at - start <= Self.settlementLimit, at: at))
            } else {
                late.remove(checkout)  // counted bad at its objective already
            }
            if !e.isBusinessDecline { out.append(Event(slo: .paymentSuccess, good: success, at: at)) }
            return out
        default:
            return []
        }
    }

    /// Settlement events for the open checkouts whose two minutes ran out by `now` (the
    /// newest time received): bad, at their objective.
    mutating func sweep(through now: Int64) -> [Event] {
        var out: [Event] = []
        while let first = byStart.first, first.at + Self.settlementLimit <= now {
            byStart.removeFirst()
            // Ended, or started again after the map was cleared: nothing to count.
            guard started[first.checkout] == first.at else { continue }
            started[first.checkout] = nil
            late.insert(first.checkout)
            out.append(Event(slo: .settlement, good: false, at: first.at + Self.settlementLimit))
        }
        return out
    }
}
