import PaytopVocabulary

/// The business roll-ups (schema v5): the business events of each commit counted into
/// `business_rollup` and `psp_latency_rollup`, per minute and per hour, in the same
/// transaction as the events, so the roll-ups always agree with the events they count.
extension BatchApplier {
    struct RollupKey: Hashable {
        var period: Int64, start: Int64, event: Int, outcome: String, currency: String, merchant: String, code: String, category: String

        /// Hashes the fields that tell a batch's keys apart (equal keys still hash alike):
        /// the roll-ups were a tenth of the committing thread's instructions, a third of
        /// that hashing five strings twice an event (194 M → 128 M, callgrind, issue 32).
        func hash(into h: inout Hasher) {
            h.combine(start)
            h.combine(event)
            h.combine(merchant)
        }
    }

    struct LatencyKey: Hashable {
        var period: Int64, start: Int64, millis: Int64
    }

    /// The two levels, in seconds: minutes for a window's edges, hours for its body.
    static let rollupPeriods: [Int64] = [60, 3600]

    func applyBusinessRollups(_ events: some Sequence<BusinessEventRow>) throws {
        var counts: [RollupKey: (events: Int64, amount: Int64)] = [:]
        var latencies: [LatencyKey: Int64] = [:]
        for e in events {
            let amount = try e.amountTotal.map(Self.hundredths) ?? 0
            for period in Self.rollupPeriods {
                let start = Period.start(of: e.bizTimestamp, length: period * 1_000_000_000)
                let key = RollupKey(period: period, start: start, event: e.eventCode, outcome: e.outcome.rawValue, currency: e.amountCurrency ?? "",
                                    merchant: e.merchantID ?? "", code: e.errorCode ?? "", category: e.errorCategory?.rawValue ?? "")
                Self.count(&counts[key, default: (0, 0)], amount)
                if e.eventCode == BusinessEventName.pspResponse.rawValue, let ms = e.pspLatencyMillis {
                    latencies[LatencyKey(period: period, start: start, millis: ms), default: 0] += 1
                }
            }
        }
        if !counts.isEmpty {
            let s = try c.cached("""
                INSERT INTO business_rollup (period_seconds, period_start, event_code, outcome, currency, merchant_id, error_code,
                  error_category, events, amount_minor) VALUES (?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT DO UPDATE SET events = events + excluded.events, amount_minor = amount_minor + excluded.amount_minor
                """)
            for (k, v) in counts {
                s.bind(1, k.period).bind(2, k.start).bind(3, k.event).bind(4, k.outcome).bind(5, k.currency).bind(6, k.merchant)
                    .bind(7, k.code).bind(8, k.category).bind(9, v.events).bind(10, v.amount)
                try s.run()
            }
        }
        if !latencies.isEmpty {
            let s = try c.cached("""
                INSERT INTO psp_latency_rollup (period_seconds, period_start, latency_ms, events) VALUES (?,?,?,?)
                ON CONFLICT DO UPDATE SET events = events + excluded.events
                """)
            for (k, n) in latencies {
                s.bind(1, k.period).bind(2, k.start).bind(3, k.millis).bind(4, n)
                try s.run()
            }
        }
    }

    private static func count(_ v: inout (events: Int64, amount: Int64), _ amount: Int64) {
        v.events += 1
        v.amount += amount
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
