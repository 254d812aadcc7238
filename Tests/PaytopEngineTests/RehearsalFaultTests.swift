import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// The rehearsal faults behave as AWS would (docs/control.md, docs/experiments.md): a
/// partial PSP outage fails its share of charges and the rest settle; a slow network hop
/// shows in the caller's timing and, past the caller's timeout, as the caller's timeout.
@Suite struct RehearsalFaultTests {
    static func scenario(_ timeline: String) throws -> Scenario {
        try Scenario.parse("name = \"t\"\n" + timeline)
    }

    @Test func aPartialOutageFailsItsShareOfChargesAndRetriesSettleTheRest() throws {
        let store = TempStore()
        let s = try Self.scenario("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "psp-partial-outage"
            rate = 0.3
            """)
        _ = try simulate(store, testSettings(seed: 4), checkouts: 2_000, scenario: s)
        // The PSP's answers: about 30 % of the calls 500 (every retry is a call of its own).
        let r = try store.rows("""
            SELECT count(*), sum(json_extract(attributes, '$."http.response.status_code"') = 500) FROM span
            WHERE name = 'charge'
            """)[0].map { Double($0)! }
        let share = r[1] / r[0]
        #expect(abs(share - 0.3) < 0.03, "\(share) of \(r[0])")
        // Retried records settle: with three receives, about 0.3³ ≈ 2.7 % dead-letter; none failed.
        let outcomes = try store.rows("SELECT count(*), sum(outcome = 'SUCCESS'), sum(is_payment_done = 0) FROM payment_event")[0].map { Double($0)! }
        #expect(outcomes[2] / outcomes[0] > 0.01 && outcomes[2] / outcomes[0] < 0.05 && outcomes[1] + outcomes[2] == outcomes[0], "\(outcomes)")
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
        // The control event says what the badge says.
        var f = FaultState()
        f.pspErrorRate = 0.3
        #expect(FaultBadge.active(f).map(\.label) == ["PSP 500s 30%"])
        #expect(try store.rows("SELECT summary FROM control_event") == [["PSP answers 500 to 30% of charges"]])
    }

    @Test func aSlowHopToThePspShowsInTheExecutorsTimingNotThePsps() throws {
        let store = TempStore()
        let s = try Self.scenario("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "hop-latency"
            hop = "executor-psp"
            milliseconds = 2000
            """)
        _ = try simulate(store, testSettings(seed: 5), checkouts: 300, scenario: s)
        // The executor's call spans the PSP's own span and 2 s of network around it.
        let gaps = try store.rows("""
            SELECT (c.end_time_unix_nano - c.start_time_unix_nano) - (p.end_time_unix_nano - p.start_time_unix_nano)
            FROM span c JOIN span p ON p.parent_span_id = c.span_id AND p.trace_id = c.trace_id
            WHERE c.name = 'POST /process' AND p.name = 'charge'
            """).map { Int64($0[0])! }
        #expect(gaps.count > 250 && gaps.allSatisfy { $0 == 2_000_000_000 }, "\(Set(gaps).prefix(3))")
        // The PSP's latency as the executor records it (business events) includes the hop.
        let latencies = try store.rows("SELECT min(psp_latency_ms) FROM business_event_data WHERE psp_latency_ms IS NOT NULL")[0]
        #expect(Int(latencies[0])! >= 2_100)
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }

    @Test func aHopSlowerThanTheExecutorsTimeoutTimesItOut() throws {
        // 35 s of network: every executor record passes its 30 s timeout; the fault ends at
        // 3 minutes and the retried records settle.
        let store = TempStore()
        let s = try Self.scenario("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "hop-latency"
            hop = "executor-psp"
            milliseconds = 35000
            [[timeline]]
            at = "3m"
            command = "fault"
            kind = "hop-latency"
            hop = "executor-psp"
            on = false
            """)
        _ = try simulate(store, testSettings(seed: 6, rate: 2), checkouts: 200, scenario: s)
        let timeouts = try store.rows("SELECT count(*) FROM span WHERE name = 'executor' AND status_message LIKE '%Task timed out%'")[0][0]
        #expect(Int(timeouts)! > 0)
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }

    @Test func aSlowHopToTheInitializerShowsInTheApisLatencyAndPast29SecondsIsA504() throws {
        let store = TempStore()
        let s = try Self.scenario("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "hop-latency"
            hop = "api-initializer"
            milliseconds = 500
            [[timeline]]
            at = "1m"
            command = "fault"
            kind = "hop-latency"
            hop = "api-initializer"
            milliseconds = 30000
            [[timeline]]
            at = "2m"
            command = "fault"
            kind = "hop-latency"
            hop = "api-initializer"
            on = false
            """)
        _ = try simulate(store, testSettings(seed: 7, rate: 2), checkouts: 300, scenario: s)
        let start = EngineTime.simulationEpoch.nanos
        // The first minute: every invocation starts at least 500 ms after its API request.
        let first = try store.rows("""
            SELECT min(i.start_time_unix_nano - a.start_time_unix_nano) FROM span a JOIN span i ON i.parent_span_id = a.span_id AND i.trace_id = a.trace_id
            WHERE a.name = 'POST /v1/payments' AND i.name = 'initializer' AND a.start_time_unix_nano < \(start + 60_000_000_000)
            """)[0][0]
        #expect(Int64(first)! >= 500_000_000, "the invocation starts after the hop: \(first)")
        // The second minute: 30 s of hop plus the function's work pass API Gateway's 29 s: 504s.
        let gatewayTimeouts = try store.rows("""
            SELECT count(*) FROM span WHERE name = 'POST /v1/payments'
            AND json_extract(attributes, '$."http.response.status_code"') = 504
            """)[0][0]
        #expect(Int(gatewayTimeouts)! > 50)
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }
}

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

/// FIS's Lambda actions (EXPERIMENTS.md §1): invocation-error with and without
/// preventExecution, invocation-add-delay billed and, past the timeout, a timeout.
@Suite struct LambdaFaultTests {
    func run(_ timeline: String, seed: UInt64, rate: Double = 10, checkouts: Int = 600) throws -> (Engine, TempStore) {
        let store = TempStore()
        let (engine, _) = try simulate(store, testSettings(seed: seed, rate: rate), checkouts: checkouts,
                                       scenario: try Scenario.parse("name = \"t\"\n" + timeline))
        return (engine, store)
    }

    @Test func preventedInvocationsRunNoHandlerAndTheirMessagesReturn() throws {
        // The executor's every invocation fails unrun for the first minute.
        let (engine, store) = try run("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "lambda-error"
            function = "executor"
            prevent_execution = true
            [[timeline]]
            at = "1m"
            command = "fault"
            kind = "lambda-error"
            function = "executor"
            on = false
            """, seed: 10)
        let start = EngineTime.simulationEpoch.nanos
        // No downstream span while it lasts: no record processed, no PSP call.
        let during = try store.rows("""
            SELECT count(*) FROM span WHERE name IN ('process payment-execution-queue', 'charge') AND start_time_unix_nano < \(start + 60_000_000_000)
            """)[0][0]
        #expect(during == "0")
        let failed = try store.rows("SELECT count(*) FROM span WHERE name = 'executor' AND status_message = 'Injected invocation error: the handler did not run'")[0][0]
        #expect(Int(failed)! > 5 && engine.function(.executor).counters.errors >= Int(failed)!)
        // Their messages came back after the visibility timeout and settled: received twice.
        #expect(try store.rows("SELECT count(*) FROM payment_event WHERE is_payment_done = 0")[0][0] == "0")
        let secondReceives = try store.rows("""
            SELECT count(*) FROM span WHERE name = 'process payment-execution-queue'
            AND json_extract(attributes, '$."messaging.aws_sqs.receive_count"') = 2
            """)[0][0]
        #expect(Int(secondReceives)! > 50)
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }

    @Test func invocationsFailingAfterTheirHandlerReturnEveryMessageAndNothingIsCreditedTwice() throws {
        let (engine, store) = try run("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "lambda-error"
            function = "wallet"
            percentage = 50
            [[timeline]]
            at = "1m"
            command = "fault"
            kind = "lambda-error"
            function = "wallet"
            on = false
            """, seed: 11)
        // The handler ran (credits written), the invocation failed, its messages came back:
        // the wallet processed records again, and credited each order once.
        let redelivered = try store.rows("""
            SELECT count(*) FROM span WHERE name = 'process payment-results-queue'
            AND json_extract(attributes, '$."messaging.aws_sqs.receive_count"') >= 2
            """)[0][0]
        #expect(Int(redelivered)! > 10 && engine.function(.wallet).counters.errors > 5)
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }

    @Test func aStartupDelayIsBilledAndPastTheTimeoutTimesOut() throws {
        let (engine, store) = try run("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "lambda-delay"
            function = "wallet"
            milliseconds = 2000
            [[timeline]]
            at = "1m"
            command = "fault"
            kind = "lambda-delay"
            function = "wallet"
            milliseconds = 40000
            [[timeline]]
            at = "2m"
            command = "fault"
            kind = "lambda-delay"
            function = "wallet"
            on = false
            """, seed: 12)
        let start = EngineTime.simulationEpoch.nanos
        // The first minute: every wallet invocation lasts at least the 2 s delay (billed).
        let shortest = try store.rows("""
            SELECT min(end_time_unix_nano - start_time_unix_nano) FROM span WHERE name = 'wallet'
            AND start_time_unix_nano < \(start + 60_000_000_000)
            """)[0][0]
        #expect(Int64(shortest)! >= 2_000_000_000)
        // The second: 40 s past the 30 s timeout: timeouts.
        #expect(engine.function(.wallet).counters.timeouts > 0)
        #expect(try store.rows("SELECT count(*) FROM payment_event WHERE is_payment_done = 0")[0][0] == "0")
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }

    @Test func aPreventedInitializerAnswers502AndWritesNothing() throws {
        let (_, store) = try run("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "lambda-error"
            function = "initializer"
            percentage = 30
            prevent_execution = true
            """, seed: 13)
        let answers = try store.rows("""
            SELECT count(*), sum(json_extract(attributes, '$."http.response.status_code"') = 502) FROM span WHERE name = 'POST /v1/payments'
            """)[0].map { Int($0)! }
        #expect(Double(answers[1]) / Double(answers[0]) > 0.25 && Double(answers[1]) / Double(answers[0]) < 0.35, "\(answers)")
        // Accepted checkouts are the 202s only.
        let accepted = try store.rows("SELECT count(*) FROM payment_event")[0][0]
        #expect(Int(accepted)! <= answers[0] - answers[1])
        #expect(throws: ControlCommand.ParseError.self) {
            try ControlCommand.parse(name: "fault", args: ["kind": "lambda-error", "function": "initializer", "percentage": 10])
        }
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }
}

/// DynamoDB latency on one table: every call on it is that much slower, in the span and the
/// table's latency metrics, and nothing else is.
@Suite struct DynamoFaultTests {
    @Test func aSlowTableSlowsEveryCallOnItAndOnlyThose() throws {
        let store = TempStore()
        let s = try Scenario.parse("""
            name = "t"
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "dynamodb-latency"
            table = "PaymentOrder"
            milliseconds = 500
            """)
        _ = try simulate(store, testSettings(seed: 14, rate: 10), checkouts: 300, scenario: s)
        let byName = Dictionary(uniqueKeysWithValues: try store.rows("""
            SELECT name, min(end_time_unix_nano - start_time_unix_nano) FROM span
            WHERE name IN ('BatchWriteItem PaymentOrder', 'UpdateItem PaymentOrder', 'Query PaymentOrder', 'PutItem PaymentEvent',
                           'TransactWriteItems Wallet') GROUP BY name
            """).map { ($0[0], Int64($0[1])!) })
        for call in ["BatchWriteItem PaymentOrder", "UpdateItem PaymentOrder", "Query PaymentOrder"] {
            #expect(byName[call]! >= 500_000_000, "\(call): \(byName[call]!)")
        }
        for call in ["PutItem PaymentEvent", "TransactWriteItems Wallet"] { #expect(byName[call]! < 100_000_000, "\(call)") }
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
        var f = FaultState()
        f.dynamoDelayMillis = [.paymentOrder: 500]
        #expect(FaultBadge.active(f).map(\.label) == ["PAYMENTORDER +500 MS"])
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
