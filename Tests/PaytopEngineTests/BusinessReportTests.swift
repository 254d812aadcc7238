import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// The Business view's figures (and `paytop business`) against counts computed directly in
/// SQL over `business_event`: the roll-ups must agree with the events they count.
@Suite struct BusinessReportTests {
    /// A fixed-seed store with the default error mix: declines, rejections, several currencies.
    let store: TempStore

    init() throws {
        store = TempStore("business-report")
        try simulate(store, testSettings(seed: 7, rate: 20, errorMix: true), checkouts: 3_000)
    }

    func report(from: Int64?) throws -> BusinessReport {
        let c = try Store.openForReading(path: store.path)
        let at = try StoredEngineState.load(c).clock
        return try BusinessReport.load(c, at: at, from: from)
    }

    func whereWindow(_ from: Int64?) -> String { from.map { " AND biz_timestamp >= \($0)" } ?? "" }

    /// Minor units per currency from SQL, for comparing with the report's amounts.
    func amounts(_ condition: String, _ from: Int64?) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try store.rows("""
            SELECT amount_currency, sum(CAST(replace(amount_total, '.', '') AS INTEGER)) FROM business_event
            WHERE \(condition) AND amount_currency IS NOT NULL\(whereWindow(from)) GROUP BY 1
            """) {
            out[row[0]] = Int64(row[1])!
        }
        return out
    }

    func dictionary(_ list: [BusinessReport.Amount]) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: list.map { ($0.currency, $0.amount.minorUnits) })
    }

    func check(from: Int64?) throws {
        let r = try report(from: from)
        let w = whereWindow(from)
        for step in FunnelStep.allCases {
            let outcome = step.outcome.map { " AND outcome = '\($0)'" } ?? ""
            let n = try store.int("SELECT count(*) FROM business_event WHERE event_name = '\(step.event.name)'\(outcome)\(w)")
            #expect(r.count(step) == Int64(n), "\(step)")
        }
        #expect(r.count(.received) > 0)
        #expect(dictionary(r.revenue) == (try amounts("event_name = 'payment.checkout.settled'", from)))
        #expect(dictionary(r.lostRevenue) == (try amounts("event_name IN ('payment.checkout.failed', 'payment.checkout.rejected')", from)))
        #expect(r.revenue.count > 1, "several currencies, each its own")

        // Merchants: orders, settled, failed and revenue per currency.
        let merchants = try store.rows("""
            SELECT merchant_id, count(*), sum(event_name = 'payment.order.settled'), sum(event_name = 'payment.order.failed')
            FROM business_event WHERE event_name IN ('payment.order.settled', 'payment.order.failed')\(w) GROUP BY 1 ORDER BY 1
            """)
        #expect(r.merchants.map(\.merchantID) == merchants.map { $0[0] })
        for (m, row) in zip(r.merchants, merchants) {
            #expect([m.orders, m.settled, m.failed] == [Int64(row[1])!, Int64(row[2])!, Int64(row[3])!], "\(m.merchantID)")
            let revenue = try amounts("event_name = 'payment.order.settled' AND merchant_id = '\(m.merchantID)'", from)
            #expect(dictionary(m.revenue) == revenue, "\(m.merchantID)")
        }

        // Stages: every lost checkout in exactly one.
        let rejected = try store.int("SELECT count(*) FROM business_event WHERE event_name = 'payment.checkout.rejected'\(w)")
        let failed = try store.int("SELECT count(*) FROM business_event WHERE event_name = 'payment.checkout.failed'\(w)")
        #expect(r.stages.first { $0.stage == .validation }?.loss.checkouts == Int64(rejected))
        #expect(r.stages.reduce(0) { $0 + $1.loss.checkouts } == Int64(rejected + failed))
        let declines = try store.int("""
            SELECT count(*) FROM business_event WHERE event_name = 'payment.checkout.failed' AND error_category = 'BUSINESS'\(w)
            """)
        #expect(r.stages.first { $0.stage == .psp }?.loss.checkouts == Int64(declines))
        #expect(r.errorCodes.reduce(0) { $0 + $1.loss.checkouts } == Int64(rejected + failed))

        // PSP latency: nearest-rank percentiles over the events themselves.
        let n = try store.int("SELECT count(*) FROM business_event WHERE event_name = 'payment.psp.response' AND psp_latency_ms IS NOT NULL\(w)")
        #expect(r.pspLatency?.count == Int64(n))
        for (p, got) in [(50, r.pspLatency?.p50), (95, r.pspLatency?.p95), (99, r.pspLatency?.p99)] {
            let rank = (n * p + 99) / 100
            let v = try store.int("""
                SELECT psp_latency_ms FROM business_event WHERE event_name = 'payment.psp.response' AND psp_latency_ms IS NOT NULL\(w)
                ORDER BY psp_latency_ms LIMIT 1 OFFSET \(rank - 1)
                """)
            #expect(got == Int64(v), "p\(p)")
        }
        let technical = try store.int("""
            SELECT count(*) FROM business_event WHERE event_name = 'payment.psp.response' AND error_code IN ('PSP_SERVER_ERROR', 'CONNECTION_ERROR')\(w)
            """)
        #expect(r.pspTechnicalFailures == Int64(technical))
    }

    @Test func wholeStoreEqualsSQLOverBusinessEvents() throws { try check(from: nil) }

    @Test func aWindowEqualsSQLOverItsMinutes() throws {
        let first = try store.int("SELECT min(biz_timestamp) FROM business_event")
        let last = try store.int("SELECT max(biz_timestamp) FROM business_event WHERE event_name = 'payment.request.received'")
        let from = BusinessReport.windowStart(at: Int64(last), nanos: Int64(last - first) / 2)
        try check(from: from)
        #expect(try report(from: from).count(.received) < (try report(from: nil)).count(.received))
    }

    /// What the writer keeps, minute by minute and hour by hour, equals a GROUP BY over the
    /// events (the v5 migration's own fill).
    @Test func rollupsEqualAGroupByOverTheEvents() throws {
        for seconds in [60, 3600] {
            let length = Int64(seconds) * 1_000_000_000
            let kept = try store.rows("""
                SELECT period_start, event_code, outcome, currency, merchant_id, error_code, error_category, events, amount_minor
                FROM business_rollup WHERE period_seconds = \(seconds) ORDER BY 1, 2, 3, 4, 5, 6, 7
                """)
            let computed = try store.rows("""
                SELECT biz_timestamp / \(length) * \(length), event_code, outcome, coalesce(amount_currency, ''),
                       coalesce(merchant_id, ''), coalesce(error_code, ''), coalesce(error_category, ''), count(*),
                       coalesce(sum(CAST(replace(amount_total, '.', '') AS INTEGER)), 0)
                FROM business_event_data GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
                """)
            #expect(!kept.isEmpty)
            #expect(kept == computed, "per \(seconds) s")
            let latencies = try store.rows("SELECT period_start, latency_ms, events FROM psp_latency_rollup WHERE period_seconds = \(seconds) ORDER BY 1, 2")
            let fromEvents = try store.rows("""
                SELECT biz_timestamp / \(length) * \(length), psp_latency_ms, count(*) FROM business_event_data
                WHERE event_code = 5 AND psp_latency_ms IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
                """)
            #expect(latencies == fromEvents, "per \(seconds) s")
        }
    }

    /// A window that starts inside an hour reads that hour's minutes and the hours after:
    /// over a store spanning two hour boundaries, every start minute counts each event once.
    @Test func windowsInsideAnHourCountEachEventOnce() throws {
        let long = TempStore("business-report-hours")
        try simulate(long, testSettings(seed: 8, rate: 0.25, errorMix: true), checkouts: 1_200)
        let lens = BusinessReportTests(store: long)
        let first = try long.int("SELECT min(biz_timestamp) FROM business_event")
        #expect(try long.int("SELECT count(DISTINCT period_start) FROM business_rollup WHERE period_seconds = 3600") >= 2)
        let minute: Int64 = 60_000_000_000
        for offset: Int64 in [0, 13, 47, 60, 61, 75] {
            try lens.check(from: BusinessReport.windowStart(at: Int64(first) + offset * minute + 1, nanos: 1))
        }
    }

    init(store: TempStore) { self.store = store }

    /// A store from before the roll-ups (schema v4) is filled from its events when it is opened.
    @Test func aVersionFourStoreIsFilledFromItsEvents() throws {
        let expected = try store.rows("SELECT * FROM business_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7, 8")
        let latencies = try store.rows("SELECT * FROM psp_latency_rollup ORDER BY 1, 2, 3")
        do {
            let c = try Store.openForWriting(path: store.path, create: false)
            // Back to v4: undo v10 and v9 (the drill), v8 and v7 (problems), v6 (received telemetry), then v5.
            try c.execute("DROP INDEX span_first_bad; DROP INDEX business_event_error_trace; DROP INDEX business_event_error; DROP INDEX payment_order_seller; DROP INDEX payment_event_failed; DROP INDEX span_cold; DROP INDEX payment_event_affected; DROP TABLE problem; DROP TABLE problem_signal")
            try c.execute("""
                DROP VIEW span_event; DROP INDEX business_event_checkout; DROP VIEW business_event;
                ALTER TABLE business_event_data DROP COLUMN checkout_id; CREATE VIEW business_event AS SELECT 1;
                DROP TABLE received_trace; DROP TABLE received_resource; DROP TABLE span_event_data; DROP TABLE log_record;
                DROP TABLE otlp_receiver;
                """)
            try c.execute("DROP TABLE business_rollup; DROP TABLE psp_latency_rollup; DROP TABLE metric_histogram; PRAGMA user_version = 4")
        }
        _ = try Store.openForWriting(path: store.path, create: false)
        #expect(try store.rows("SELECT * FROM business_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7, 8") == expected)
        #expect(try store.rows("SELECT * FROM psp_latency_rollup ORDER BY 1, 2, 3") == latencies)
    }
}

/// The business words, the window's start and durations as typed.
@Suite struct BusinessTermsTests {
    @Test func windowsStartAtTheMinuteHoldingTheirStart() {
        let minute: Int64 = 60_000_000_000
        #expect(BusinessReport.windowStart(at: 10 * minute + 5, nanos: 5 * minute) == 5 * minute)
        #expect(BusinessReport.windowStart(at: 10 * minute, nanos: 5 * minute) == 5 * minute)
        #expect(BusinessReport.windowStart(at: 10 * minute - 1, nanos: 5 * minute) == 4 * minute)
    }

    @Test func averageOrderValueRoundsHalfUpToTheCent() {
        var m = BusinessReport.Merchant(merchantID: "m")
        m.revenue = [.init(currency: "USD", amount: Money(minorUnits: 1001))]
        m.settledByCurrency = ["USD": 2]
        #expect(m.averageOrderValue("USD") == Money(minorUnits: 501))
        #expect(m.averageOrderValue("EUR") == nil)
    }

    @Test func durationsAsPeopleTypeThem() {
        #expect(DurationText.nanos("5m") == 300_000_000_000)
        #expect(DurationText.nanos("1d") == 86_400_000_000_000)
        #expect(DurationText.nanos("1h30m") == 5_400_000_000_000)
        #expect(DurationText.nanos("250ms") == 250_000_000)
        #expect(DurationText.nanos("90") == 90_000_000_000)
        for bad in ["", "x", "5q", "-5m", "1e9d"] { #expect(DurationText.nanos(bad) == nil, "\(bad)") }
    }

    @Test func everyLostCheckoutHasOneStage() {
        #expect(LossStage.of(event: .checkoutRejected, errorCode: "VALIDATION_FAILED") == .validation)
        #expect(LossStage.of(event: .checkoutFailed, errorCode: ErrorCodes.initializerError) == .initialization)
        #expect(LossStage.of(event: .checkoutFailed, errorCode: DeclineCode.expiredCard) == .psp)
        #expect(LossStage.of(event: .checkoutFailed, errorCode: "WALLET_ERROR") == .settlement)
        #expect(LossStage.of(event: .checkoutSettled, errorCode: nil) == nil)
        #expect(ErrorCodes.action(DeclineCode.insufficientFunds) == "retry or split payment")
    }
}
