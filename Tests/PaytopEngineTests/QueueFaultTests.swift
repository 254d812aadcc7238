import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// A reservation is invisible to the SQS event source (EXPERIMENTS.md §3): at it, the
/// source still receives, throttled batches return after the visibility timeout with their
/// receive counted, and healthy messages dead-letter.
@Suite struct ConcurrencyFaultTests {
    @Test func aThrottledExecutorDeadLettersHealthyMessagesAndEachReceiveCounts() throws {
        let store = TempStore()
        let s = try Scenario.parse("""
            name = "t"
            [[timeline]]
            at = "10s"
            command = "fault"
            kind = "function-concurrency"
            function = "executor"
            reserved = 1
            [[timeline]]
            at = "25m"
            command = "fault"
            kind = "function-concurrency"
            function = "executor"
            on = false
            [[timeline]]
            at = "26m"
            command = "redrive"
            queue = "payment-execution-queue-dlq"
            """)
        // 20 checkouts/s for 5 minutes against one executor at a time: the source scales out,
        // holds batches the function cannot take, and they time out.
        let (engine, _) = try simulate(store, testSettings(seed: 8, rate: 20), checkouts: 6_000, scenario: s)
        #expect(engine.function(.executor).counters.throttles > 100)
        // Healthy messages dead-lettered: no executor error, no PSP failure — only receives.
        let redriven = try store.rows("SELECT summary FROM control_event WHERE command = 'redrive'")[0][0]
        #expect(redriven.hasPrefix("redrove ") && Int(redriven.split(separator: " ")[1])! > 10, "\(redriven)")
        let errors = try store.rows("SELECT count(*) FROM business_event_data WHERE error_code = 'PSP_SERVER_ERROR'")[0][0]
        #expect(errors == "0")
        // Receives outnumber sends (each throttled batch was received), and the redrive let
        // every checkout end; the money balances.
        let sqs = try store.rows("""
            SELECT (SELECT sum(value) FROM metric_point WHERE name = 'NumberOfMessagesReceived' AND dimensions LIKE '%"payment-execution-queue"%'),
                   (SELECT sum(value) FROM metric_point WHERE name = 'NumberOfMessagesSent' AND dimensions LIKE '%"payment-execution-queue"%')
            """)[0].map { Double($0) ?? 0 }
        #expect(sqs[0] > sqs[1], "received \(sqs[0]) vs sent \(sqs[1])")
        #expect(try store.rows("SELECT count(*) FROM payment_event WHERE is_payment_done = 0")[0][0] == "0")
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
        var f = FaultState()
        f.reservedConcurrency = [.executor: 1]
        #expect(FaultBadge.active(f).map(\.label) == ["EXECUTOR CONCURRENCY 1"])
    }
}

/// A visibility timeout shorter than the work (EXPERIMENTS.md §3): messages show again while
/// their first invocation still works on them — duplicate deliveries — and idempotency keeps
/// the money right: the PSP replays, the wallet credits once.
@Suite struct VisibilityFaultTests {
    @Test func aShortVisibilityTimeoutDeliversTwiceAndNothingIsChargedOrCreditedTwice() throws {
        let store = TempStore()
        let s = try Scenario.parse("""
            name = "t"
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "visibility-timeout"
            queue = "payment-execution-queue"
            seconds = 1
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "psp-latency"
            on = true
            factor = 10
            [[timeline]]
            at = "3m"
            command = "fault"
            kind = "clear"
            """)
        let (engine, _) = try simulate(store, testSettings(seed: 9, rate: 10), checkouts: 1_000, scenario: s)
        // Records of 1–5 s against a 1 s timeout: delivered again while still in work.
        #expect(engine.psp.counters.idempotentReplays > 50, "\(engine.psp.counters)")
        let received = try store.rows("""
            SELECT (SELECT sum(value) FROM metric_point WHERE name = 'NumberOfMessagesReceived' AND dimensions LIKE '%"payment-execution-queue"%'),
                   (SELECT sum(value) FROM metric_point WHERE name = 'NumberOfMessagesSent' AND dimensions LIKE '%"payment-execution-queue"%')
            """)[0].map { Double($0) ?? 0 }
        #expect(received[0] > received[1] * 1.2, "\(received)")
        // One charge per checkout at the PSP, one credit per order in the wallet: the invariants.
        #expect(try store.rows("SELECT count(*), count(DISTINCT checkout_id) FROM psp_charge").map { $0[0] == $0[1] } == [true])
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
        var f = FaultState()
        f.visibilityTimeoutSeconds = [.execution: 1]
        #expect(FaultBadge.active(f).map(\.label) == ["PAYMENT-EXECUTION-QUEUE VISIBILITY 1S"])
    }
}

/// A poison message (EXPERIMENTS.md §3): it fails every time; with ReportBatchItemFailures
/// only it retries and dead-letters after maxReceiveCount while the rest move on; without,
/// its whole batch retries with it.
@Suite struct PoisonMessageTests {
    func run(reportItems: Bool) throws -> TempStore {
        let store = TempStore()
        var settings = testSettings(seed: 15, rate: 20)
        settings.eventSource.reportBatchItemFailures = reportItems
        // One poller, scaling slowly: messages wait in batches of several.
        settings.eventSource.initialConcurrency = 1
        settings.eventSource.scaleUpPerMinute = 1
        let s = try Scenario.parse("""
            name = "t"
            [[timeline]]
            at = "5s"
            command = "fault"
            kind = "poison-message"
            queue = "payment-execution-queue"
            """)
        _ = try simulate(store, settings, checkouts: 400, scenario: s)
        return store
    }

    @Test func withPartialBatchResponsesOnlyThePoisonRetriesAndDeadLetters() throws {
        let store = try run(reportItems: true)
        let dead = try store.rows("SELECT receive_count, last_error FROM queue_message WHERE queue_name = 'payment-execution-queue-dlq'")
        #expect(dead.count == 1 && dead[0][0] == "3" && dead[0][1].hasPrefix("PoisonMessage"), "\(dead)")
        // Everyone else settled on the first delivery.
        let retried = try store.rows("""
            SELECT count(*) FROM span WHERE name = 'process payment-execution-queue'
            AND json_extract(attributes, '$."messaging.aws_sqs.receive_count"') >= 2
            AND status_code <> 'ERROR'
            """)[0][0]
        #expect(retried == "0")
        #expect(try store.rows("SELECT count(*) FROM payment_event WHERE is_payment_done = 0")[0][0] == "1")
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }

    @Test func withoutThemTheWholeBatchRetriesWithThePoison() throws {
        let store = try run(reportItems: false)
        // Its batch-mates were delivered again (and their charges replayed, not repeated).
        let retried = try store.rows("""
            SELECT count(*) FROM span WHERE name = 'process payment-execution-queue'
            AND json_extract(attributes, '$."messaging.aws_sqs.receive_count"') >= 2
            AND status_code <> 'ERROR'
            """)[0][0]
        #expect(Int(retried)! > 0)
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }
}
