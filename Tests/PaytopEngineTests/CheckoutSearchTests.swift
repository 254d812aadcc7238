import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// Every drill list equals the same question asked in SQL over the store, on the outage,
/// decline-surge, latency-spike and bad-release scenarios (the sample files, their first
/// minutes: each fault is on by then).
@Suite struct CheckoutSearchTests {
    static let scenarios: [(file: String, checkouts: Int)] = [
        ("psp-outage", 4_800), ("decline-surge", 6_000), ("latency-spike", 1_800), ("bad-release", 4_200),
    ]

    static func scenario(_ name: String) throws -> Scenario {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Scenario.load(path: dir.appendingPathComponent("sample-data/scenarios/\(name).toml").path)
    }

    @Test(arguments: scenarios.map(\.file))
    func everyListIsWhatSQLSays(_ name: String) throws {
        let store = TempStore()
        let checkouts = Self.scenarios.first { $0.file == name }!.checkouts
        _ = try simulate(store, testSettings(seed: 11, rate: 10, errorMix: true), checkouts: checkouts, scenario: try Self.scenario(name))
        let c = try Store.openForReading(path: store.path)
        let now = try StoredEngineState.load(c).now
        func ids(_ f: CheckoutSearch.Filter) throws -> [String] { try CheckoutSearch.find(c, f).map(\.checkoutID) }
        func sql(_ q: String) throws -> [String] { try store.rows(q).map { $0[0] } }
        let span = try store.rows("SELECT min(started_at), max(started_at) FROM trace WHERE checkout_id IS NOT NULL")[0].map { Int64($0)! }
        let (from, to) = (span[0] + (span[1] - span[0]) / 4, span[0] + (span[1] - span[0]) * 3 / 4)
        let windowed = "FROM trace t JOIN payment_event p ON p.checkout_id = t.checkout_id WHERE t.started_at BETWEEN \(from) AND \(to)"
        let newest = "ORDER BY t.started_at DESC, t.trace_no DESC"

        // A window: every checkout accepted in it, newest first.
        var f = CheckoutSearch.Filter()
        f.from = from; f.to = to; f.limit = 0
        let all = try ids(f)
        #expect(all == (try sql("SELECT p.checkout_id \(windowed) \(newest)")) && all.count > 100, "\(name): window")
        // The first page of the same.
        f.limit = 25
        #expect(try ids(f) == Array(all.prefix(25)))
        f.limit = 0

        // A currency.
        var cur = f; cur.currency = "EUR"
        #expect(try ids(cur) == (try sql("SELECT p.checkout_id \(windowed) AND p.currency = 'EUR' \(newest)")), "\(name): currency")

        // Failed, lost at the PSP (a decline or a PSP technical failure).
        var lost = f; lost.outcome = "FAILED"; lost.stage = .psp
        let pspCodes = (DeclineCode.all + ErrorCodes.pspTechnical).map { "'\($0)'" }.joined(separator: ",")
        #expect(try ids(lost) == (try sql("SELECT p.checkout_id \(windowed) AND p.outcome = 'FAILED' AND p.failure_code IN (\(pspCodes)) \(newest)")),
                "\(name): stage")

        // Slower than a second end to end (to the store's clock for those in flight).
        var slow = f; slow.slowerThan = 1_000_000_000
        #expect(try ids(slow) == (try sql("SELECT p.checkout_id \(windowed) AND coalesce(p.done_at, \(now)) - p.created_at > 1000000000 \(newest)")),
                "\(name): slower than")

        // Slower than the settlement objective (the slow-and-failed index drives it).
        var late = f; late.slowerThan = ProblemAnalysis.delayedAfter
        let lateIDs = try ids(late)
        let lateSQL = try sql("SELECT p.checkout_id \(windowed) AND coalesce(p.done_at, \(now)) - p.created_at > \(ProblemAnalysis.delayedAfter) \(newest)")
        #expect(lateIDs == lateSQL, "\(name): slower than 2 minutes: \(Set(lateIDs).symmetricDifference(lateSQL).prefix(3)) \(lateIDs.count) \(lateSQL.count)")

        // A problem's affected checkouts: failed other than by a decline, or slower than the objective.
        var affected = f; affected.affected = true
        let declines = DeclineCode.all.map { "'\($0)'" }.joined(separator: ",")
        #expect(try ids(affected) == (try sql("SELECT p.checkout_id \(windowed) AND ((p.outcome = 'FAILED' AND coalesce(p.failure_code, '') NOT IN (\(declines))) OR coalesce(p.done_at, \(now)) - p.created_at > \(ProblemAnalysis.delayedAfter)) \(newest)")),
                "\(name): affected")

        // A merchant's checkouts in the window (any order: the list is newest first by order time).
        var merchant = f; merchant.merchant = "seller-acct-003"
        let byMerchant = try ids(merchant)
        let merchantSQL = try sql("""
            SELECT DISTINCT p.checkout_id \(windowed) AND EXISTS (SELECT 1 FROM payment_order o WHERE o.checkout_id = p.checkout_id
            AND o.seller_account = 'seller-acct-003')
            """)
        #expect(Set(byMerchant) == Set(merchantSQL) && byMerchant.count == merchantSQL.count && !byMerchant.isEmpty, "\(name): merchant")

        // The commonest error code: checkouts with an event carrying it.
        let code = try sql("SELECT error_code FROM business_event_data WHERE error_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")[0]
        var coded = f; coded.errorCode = code
        let byCode = try ids(coded)
        let codeSQL = try sql("""
            SELECT p.checkout_id \(windowed) AND EXISTS (SELECT 1 FROM business_event_data e WHERE e.trace_no = p.trace_no AND e.error_code = '\(code)')
            """)
        #expect(Set(byCode) == Set(codeSQL) && byCode.count == codeSQL.count && !byCode.isEmpty, "\(name): error code \(code)")

        // Each state, from the payment and its latest message's queue.
        let states = try store.rows("""
            SELECT p.checkout_id, p.is_payment_done, p.outcome,
                   (SELECT queue_name FROM queue_message m WHERE m.checkout_id = p.checkout_id ORDER BY sent_at DESC LIMIT 1)
            \(windowed) \(newest)
            """)
        for state in PaymentState.allCases {
            var s = f; s.state = state
            let want = states.filter {
                PaymentState(isPaymentDone: $0[1] == "1", outcome: $0[2].isEmpty ? nil : $0[2], latestQueue: QueueName(rawValue: $0[3])) == state
            }.map { $0[0] }
            #expect(try ids(s) == want, "\(name): state \(state)")
        }

        // A release: the executor's versions the store knows.
        for version in try sql("SELECT DISTINCT service_version FROM service_version WHERE service_name = 'executor'") {
            var r = f; r.release = .init(.executor, version)
            #expect(try ids(r) == (try sql("""
                SELECT p.checkout_id \(windowed) AND EXISTS (SELECT 1 FROM business_event_data e JOIN service_version v
                ON v.service_code = e.service_code WHERE e.trace_no = p.trace_no AND v.service_name = 'executor' AND v.service_version = '\(version)')
                \(newest)
                """)), "\(name): release executor@\(version)")
        }

        // Served by a cold start: its own spans, or a batch invocation linked to it.
        var cold = f; cold.cold = true
        let coldSQL = try sql("""
            SELECT p.checkout_id \(windowed) AND (
              EXISTS (SELECT 1 FROM span_data s WHERE s.trace_no = p.trace_no AND json_extract(s.attributes, '$."faas.coldstart"') = 1)
              OR EXISTS (SELECT 1 FROM span_link_data l JOIN span_data s ON s.trace_no = l.trace_no AND s.span_id = l.span_id
                         WHERE l.linked_trace_no = p.trace_no AND json_extract(s.attributes, '$."faas.coldstart"') = 1))
            \(newest)
            """)
        // (Newest first by the cold span's trace: a batch invocation's comes after its checkouts'.)
        let byCold = try ids(cold)
        #expect(Set(byCold) == Set(coldSQL) && byCold.count == coldSQL.count, "\(name): cold")
    
        // The slowest of the window: every match read, longest end to end first.
        var slowest = f; slowest.sort = .slowest; slowest.limit = 20
        let slowestRows = try CheckoutSearch.find(c, slowest)
        let slowestSQL = try store.rows("SELECT coalesce(p.done_at, \(now)) - p.created_at \(windowed) ORDER BY 1 DESC LIMIT 20").map { Int64($0[0])! }
        #expect(slowestRows.map(\.durationNanos) == slowestSQL, "\(name): slowest")

        // An errors chart's bucket: an error other than a decline recorded in it, or a span
        // of its trace that failed in it (a function's failed record).
        let erredWindow = (from + (to - from) / 3)...(from + (to - from) / 2)
        var erred = CheckoutSearch.Filter(); erred.erredBetween = erredWindow; erred.limit = 0
        let byErred = try ids(erred)
        let erredSQL = try sql("""
            SELECT DISTINCT coalesce(e.checkout_id, t.checkout_id) FROM business_event_data e LEFT JOIN trace t ON t.trace_no = e.trace_no
            WHERE e.error_code IS NOT NULL AND coalesce(e.error_category, '') <> 'BUSINESS'
              AND e.biz_timestamp BETWEEN \(erredWindow.lowerBound) AND \(erredWindow.upperBound)
              AND coalesce(e.checkout_id, t.checkout_id) IN (SELECT checkout_id FROM payment_event)
            UNION
            SELECT checkout_id FROM span WHERE status_code = 'ERROR' AND checkout_id IN (SELECT checkout_id FROM payment_event)
              AND start_time_unix_nano BETWEEN \(erredWindow.lowerBound) AND \(erredWindow.upperBound)
            """)
        #expect(Set(byErred) == Set(erredSQL) && byErred.count == erredSQL.count && (!["psp-outage", "bad-release"].contains(name) || !byErred.isEmpty), "\(name): erred \(byErred.count) \(erredSQL.count)")

        // Each SLO's bad events, over the whole store (the API's are rare: the error mix's 5xx).
        let everything = "FROM trace t JOIN payment_event p ON p.checkout_id = t.checkout_id WHERE 1"
        let badSQL: [SloName: String] = [
            .settlement: "AND (coalesce(p.done_at, \(now)) - p.created_at > \(ProblemAnalysis.delayedAfter) OR (p.is_payment_done = 0 AND (SELECT queue_name FROM queue_message m WHERE m.checkout_id = p.checkout_id ORDER BY sent_at DESC LIMIT 1) LIKE '%dlq'))",
            .paymentSuccess: "AND p.outcome = 'FAILED' AND coalesce(p.failure_code, '') NOT IN (\(declines))",
            .apiLatency: """
                AND EXISTS (SELECT 1 FROM span s WHERE s.checkout_id = p.checkout_id AND s.name = 'POST /v1/payments'
                  AND (s.end_time_unix_nano - s.start_time_unix_nano > 300000000 OR s.status_code = 'ERROR'
                       OR json_extract(s.attributes, '$."http.response.status_code"') = 429))
                """,
        ]
        for slo in SloName.allCases {
            var bad = CheckoutSearch.Filter(); bad.badFor = slo; bad.limit = 0
            let got = try ids(bad), want = try sql("SELECT p.checkout_id \(everything) \(badSQL[slo]!) \(newest)")
            #expect(got == want && (slo == .paymentSuccess || !got.isEmpty), "\(name): bad for \(slo.rawValue): \(got.count) vs \(want.count)")
        }

        // An amount band, as the comparison groups amounts.
        var band = f; band.amountBand = "10–100"
        #expect(try ids(band) == (try sql("SELECT p.checkout_id \(windowed) AND CAST(round(p.amount_total * 100) AS INTEGER) BETWEEN 1000 AND 9999 \(newest)")),
                "\(name): amount band")
    
        // A function's work on each checkout, longest first; and the checkouts its cold starts served.
        for fn in FunctionName.pipelineOrder {
            var work = f; work.invocationsOf = fn
            let rows = try CheckoutSearch.find(c, work)
            let longest = try store.rows("""
                SELECT p.checkout_id, max(s.duration_ns) \(windowed.replacingOccurrences(of: "WHERE", with: "JOIN span_data s ON s.trace_no = t.trace_no JOIN span_name n ON n.name_code = s.name_code JOIN service_version v ON v.service_code = s.service_code WHERE n.kind IN ('SERVER', 'CONSUMER') AND v.service_name = '\(fn.rawValue)' AND"))
                GROUP BY p.checkout_id ORDER BY 2 DESC
                """)
            #expect(Set(rows.map(\.checkoutID)) == Set(longest.map { $0[0] }) && rows.count == longest.count && !rows.isEmpty, "\(name): \(fn) work")
            let byID = Dictionary(uniqueKeysWithValues: longest.map { ($0[0], Int64($0[1])!) })
            #expect(rows.map { byID[$0.checkoutID]! } == longest.map { Int64($0[1])! }, "\(name): \(fn) longest first")
            var coldOf = f; coldOf.invocationsOf = fn; coldOf.cold = true
            let coldIDs = try ids(coldOf)
            let coldOfSQL = try sql("""
                SELECT p.checkout_id \(windowed) AND (
                  EXISTS (SELECT 1 FROM span s WHERE s.checkout_id = p.checkout_id AND s.service_name = '\(fn.rawValue)' AND json_extract(s.attributes, '$."faas.coldstart"') = 1)
                  OR EXISTS (SELECT 1 FROM span_link_data l JOIN span_data s ON s.trace_no = l.trace_no AND s.span_id = l.span_id
                             JOIN service_version v ON v.service_code = s.service_code
                             WHERE l.linked_trace_no = p.trace_no AND v.service_name = '\(fn.rawValue)' AND json_extract(s.attributes, '$."faas.coldstart"') = 1))
                """)
            #expect(Set(coldIDs) == Set(coldOfSQL) && coldIDs.count == coldOfSQL.count && Set(coldIDs).isSubset(of: Set(byCold)), "\(name): cold \(fn)")
        }
    }
}
