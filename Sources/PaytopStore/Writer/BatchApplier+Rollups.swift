import PaytopVocabulary

/// The business roll-ups (schema v5): each batch's business events counted into
/// `business_rollup` and `psp_latency_rollup` in the same transaction as the events, so
/// the roll-ups always agree with the events they count.
extension BatchApplier {
    struct RollupKey: Hashable {
        var minute: Int64, event: Int, outcome: String, currency: String, merchant: String, code: String, category: String
    }

    struct LatencyKey: Hashable {
        var minute: Int64, millis: Int64
    }

    static let minuteNanos: Int64 = 60_000_000_000

    func applyBusinessRollups(_ events: [BusinessEventRow]) throws {
        var counts: [RollupKey: (events: Int64, amount: Int64)] = [:]
        var latencies: [LatencyKey: Int64] = [:]
        for e in events {
            let minute = Self.minute(e.bizTimestamp)
            let key = RollupKey(minute: minute, event: e.eventCode, outcome: e.outcome, currency: e.amountCurrency ?? "",
                                merchant: e.merchantID ?? "", code: e.errorCode ?? "", category: e.errorCategory ?? "")
            let amount = try e.amountTotal.map(Self.hundredths) ?? 0
            counts[key, default: (0, 0)].events += 1
            counts[key, default: (0, 0)].amount += amount
            if e.eventCode == BusinessEventName.pspResponse.rawValue, let ms = e.pspLatencyMillis {
                latencies[LatencyKey(minute: minute, millis: ms), default: 0] += 1
            }
        }
        if !counts.isEmpty {
            let s = try c.cached("""
                INSERT INTO business_rollup (minute_start, event_code, outcome, currency, merchant_id, error_code, error_category,
                  events, amount_minor) VALUES (?,?,?,?,?,?,?,?,?)
                ON CONFLICT DO UPDATE SET events = events + excluded.events, amount_minor = amount_minor + excluded.amount_minor
                """)
            for (k, v) in counts {
                s.bind(1, k.minute).bind(2, k.event).bind(3, k.outcome).bind(4, k.currency).bind(5, k.merchant)
                    .bind(6, k.code).bind(7, k.category).bind(8, v.events).bind(9, v.amount)
                try s.run()
            }
        }
        if !latencies.isEmpty {
            let s = try c.cached("""
                INSERT INTO psp_latency_rollup (minute_start, latency_ms, events) VALUES (?,?,?)
                ON CONFLICT DO UPDATE SET events = events + excluded.events
                """)
            for (k, n) in latencies {
                s.bind(1, k.minute).bind(2, k.millis).bind(3, n)
                try s.run()
            }
        }
    }

    /// The start of the minute of engine time holding `t` (floor, for times before 0 too).
    static func minute(_ t: Int64) -> Int64 {
        let m = t / minuteNanos * minuteNanos
        return m > t ? m - minuteNanos : m
    }

    /// An event's amount in hundredths: the decimal text paytop writes, with a sign.
    static func hundredths(_ text: String) throws -> Int64 {
        let negative = text.hasPrefix("-")
        guard let m = Money(decimalString: negative ? String(text.dropFirst()) : text) else {
            throw StoreError.failed("business event amount \(text) is not a decimal amount")
        }
        return negative ? -m.minorUnits : m.minorUnits
    }
}
