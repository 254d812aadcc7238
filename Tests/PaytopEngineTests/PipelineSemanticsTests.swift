import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// The seed's semantics, each pinned by a seeded run.
@Suite struct PipelineSemanticsTests {
    @Test func deadLettersAfterThreeReceives() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        try engine.apply(.pspOutage(on: true))
        let responses = try submitAndDrain(engine, [requestBody(checkoutID: "chk-outage")])
        try engine.close()
        #expect(responses.map(\.status) == [202])
        let rows = try store.rows("SELECT queue_name, receive_count, sent_at, moved_at, last_error FROM queue_message WHERE checkout_id = 'chk-outage'")
        #expect(rows.count == 1)
        #expect(rows[0][0] == "payment-execution-queue-dlq")
        #expect(rows[0][1] == "3")
        // Three receives, 300 s apart: the move happens on the fourth, ~900 s after the send.
        let waited = (Int64(rows[0][3])! - Int64(rows[0][2])!) / 1_000_000_000
        #expect(waited >= 900 && waited < 910)
        #expect(rows[0][4].contains("PSP returned HTTP 500"))
        #expect(try store.rows("SELECT payment_order_status FROM payment_order WHERE checkout_id = 'chk-outage'") == [["EXECUTING"]])
        #expect(try store.int("SELECT is_payment_done FROM payment_event WHERE checkout_id = 'chk-outage'") == 0)
        #expect(try store.invariants().isClean)
    }

    @Test func declineFlowsToFailedAndTheWallet() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        let declined = requestBody(checkoutID: "chk-declined", orders: 2,
                                   simulate: ["psp": ["error": true, "error_code": "INSUFFICIENT_FUNDS"]])
        let ok = requestBody(checkoutID: "chk-ok", amount: "25.50")
        _ = try submitAndDrain(engine, [declined, ok])
        try engine.close()
        #expect(try store.rows("SELECT is_payment_done, outcome, failure_code FROM payment_event WHERE checkout_id = 'chk-declined'")
                == [["1", "FAILED", "INSUFFICIENT_FUNDS"]])
        #expect(try store.rows("SELECT DISTINCT payment_order_status, wallet_updated FROM payment_order WHERE checkout_id = 'chk-declined'")
                == [["FAILED", "0"]])
        #expect(try store.rows("SELECT status, decline_code FROM psp_charge WHERE checkout_id = 'chk-declined'") == [["DECLINED", "INSUFFICIENT_FUNDS"]])
        // The result went through the results queue to the wallet, which credited nothing for it.
        #expect(try store.int("SELECT count(*) FROM ledger_entry WHERE payment_order_id LIKE 'chk-declined%'") == 0)
        #expect(try store.rows("SELECT balance FROM wallet WHERE merchant_id = 'seller-acct-001' AND currency = 'USD'") == [["25.50"]])
        #expect(try store.invariants().isClean)
    }

    @Test func partialBatchFailureRetriesOnlyTheFailedMessage() throws {
        let store = TempStore()
        var settings = testSettings()
        settings.eventSource.initialConcurrency = 1   // one batch holds all three messages
        let engine = try makeEngine(store, settings)
        let bad = requestBody(checkoutID: "chk-bad", simulate: ["executor": ["error": true, "message": "boom"]])
        _ = try submitAndDrain(engine, [requestBody(checkoutID: "chk-a"), bad, requestBody(checkoutID: "chk-b")])
        try engine.close()
        let done = try store.rows("SELECT checkout_id, outcome FROM payment_event WHERE is_payment_done = 1 ORDER BY checkout_id")
        #expect(done == [["chk-a", "SUCCESS"], ["chk-b", "SUCCESS"]])
        // Only the failed record came back: it was received three times, then dead-lettered.
        #expect(try store.rows("SELECT checkout_id, queue_name, receive_count, last_error FROM queue_message")
                == [["chk-bad", "payment-execution-queue-dlq", "3", "boom"]])
        #expect(try store.int("SELECT count(*) FROM psp_charge") == 2)
        #expect(try store.invariants().isClean)
    }

    @Test func duplicateDeliveryNeverCreditsTwice() throws {
        let store = TempStore()
        var settings = testSettings(seed: 11)
        settings.duplicateDeliveryProbability = 0.5
        let (engine, _) = try simulate(store, settings, checkouts: 300)
        #expect(engine.queue(.execution).counters.sent > 300)  // duplicates were really delivered
        // Duplicates reached the wallet too, which settled each checkout once.
        #expect(engine.queue(.results).counters.sent > engine.stats.settled + engine.stats.failed)
        #expect(try store.int("SELECT count(*) FROM payment_order WHERE payment_order_status = 'SUCCESS'")
                == store.int("SELECT count(*) FROM ledger_entry WHERE direction = 'credit'"))
        #expect(try store.int("SELECT count(*) FROM psp_charge") == store.int("SELECT count(*) FROM payment_event"))
        #expect(try store.invariants().isClean)
    }

    @Test func executingIsWrittenWhileThePspIsSlow() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        try engine.apply(.pspLatency(on: true, factor: 20))  // 2–10 s per charge
        engine.submit(requestBody(checkoutID: "chk-slow")) { _ in }
        engine.limitTraffic(to: 0)
        // Run until the executor is waiting on the PSP, then commit what the engine knows.
        while try engine.step(notAfter: EngineTime(nanos: .max)) {
            if engine.context.checkouts["chk-slow"]?.orders.first?.status == .executing { break }
        }
        try engine.waitForCommits()
        #expect(try store.rows("SELECT payment_order_status FROM payment_order WHERE checkout_id = 'chk-slow'") == [["EXECUTING"]])
        _ = try SimulationRunner.run(engine, checkouts: 0)
        try engine.close()
        let row = try store.rows("SELECT payment_order_status, executing_at < completed_at FROM payment_order WHERE checkout_id = 'chk-slow'")
        #expect(row == [["SUCCESS", "1"]])
    }

    @Test func redriveReturnsDeadLettersToTheirQueue() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        try engine.apply(.pspOutage(on: true))
        _ = try submitAndDrain(engine, (1...5).map { requestBody(checkoutID: "chk-r\($0)") })
        #expect(engine.queue(.executionDLQ).count == 5)
        try engine.apply(.pspOutage(on: false))
        try engine.apply(.redrive(.executionDLQ))
        _ = try SimulationRunner.run(engine, checkouts: 0)
        try engine.close()
        #expect(try store.int("SELECT count(*) FROM queue_message") == 0)
        #expect(try store.rows("SELECT DISTINCT outcome FROM payment_event") == [["SUCCESS"]])
        #expect(try store.rows("SELECT summary FROM control_event WHERE command = 'redrive'")
                == [["redrove 5 messages from payment-execution-queue-dlq"]])
        #expect(try store.invariants().isClean)
    }

    @Test func walletErrorsEndInTheResultsDeadLetterQueue() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        _ = try submitAndDrain(engine, [requestBody(checkoutID: "chk-w", simulate: ["wallet": ["error": true]])])
        try engine.close()
        #expect(try store.rows("SELECT queue_name, receive_count FROM queue_message") == [["payment-results-queue-dlq", "3"]])
        #expect(try store.rows("SELECT payment_order_status, wallet_updated FROM payment_order") == [["SUCCESS", "0"]])
        #expect(try store.invariants().isClean)
    }

    @Test func executorTimesOutWhenThePspIsVerySlow() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        try engine.apply(.pspLatency(on: true, factor: 100))  // 10–50 s per charge, 30 s timeout
        _ = try submitAndDrain(engine, (1...20).map { requestBody(checkoutID: "chk-t\($0)") })
        try engine.close()
        #expect(engine.function(.executor).counters.timeouts > 0)
        #expect(try store.int("SELECT count(*) FROM queue_message WHERE last_error LIKE 'Task timed out after 30.00 seconds'") > 0)
        #expect(try store.invariants().isClean)
    }

    @Test func coldStartsThenWarmReuse() throws {
        let store = TempStore()
        let (engine, _) = try simulate(store, testSettings(rate: 5), checkouts: 200)
        let c = engine.function(.initializer).counters
        #expect(c.coldStarts >= 1)
        #expect(c.coldStarts < c.invocations / 10)
    }

    @Test func gatewayThrottleAnswers429AndFunctionsThrottle() throws {
        let store = TempStore()
        var settings = testSettings(rate: 400)
        settings.api.throttleRate = 200
        settings.api.throttleBurst = 50
        settings.functions[.initializer]!.reservedConcurrency = 3
        settings.functions[.executor]!.reservedConcurrency = 2
        let (engine, _) = try simulate(store, settings, checkouts: 2_000)
        #expect(engine.stats.throttled > 0)
        #expect(engine.function(.initializer).counters.throttles > 0)
        #expect(engine.stats.serverErrors >= engine.function(.initializer).counters.throttles)
        #expect(engine.function(.executor).counters.throttles > 0)
        #expect(engine.stats.throttled + engine.stats.accepted + engine.stats.serverErrors == 2_000)
        #expect(try store.invariants().isClean)
    }

    @Test func aBadReleaseSlowsItsFunctionAndRollbackRestoresIt() throws {
        func meanExecutorSeconds(_ regression: Release.Regression?) throws -> Double {
            let store = TempStore()
            let (engine, _) = try simulate(store, testSettings(seed: 5), checkouts: 300) { e in
                try e.apply(.deploy(service: .executor, version: "1.3.0", regression: regression))
            }
            let c = engine.function(.executor).counters
            return Double(c.durationNanos) / Double(c.invocations) / 1e9
        }
        let healthy = try meanExecutorSeconds(nil)
        let regressed = try meanExecutorSeconds(.latency)
        #expect(regressed > healthy + 0.3)

        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        try engine.apply(.deploy(service: .executor, version: "1.3.0", regression: .errors))
        #expect(engine.currentRelease(.executor).version == "1.3.0")
        try engine.apply(.rollback(.executor))
        #expect(engine.currentRelease(.executor).version == "1.0.0")
        #expect(throws: ControlCommand.ParseError.self) { try engine.apply(.rollback(.executor)) }
        try engine.close()
    }
}
