import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

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
        #expect(try InvariantCheck.run(try Store.openForReading(path: store.path)).isClean)
    }

    /// Without prevent_execution the initializer's handler runs and keeps what it writes;
    /// the invocation fails after it and the client hears 502 for a checkout that goes on
    /// to settle (the reason a client must retry with the same checkout_id: the replay
    /// answers 202 from what was kept).
    @Test func anInitializerFailingAfterItsHandlerKeepsTheCheckoutAndAnswers502() throws {
        let (_, store) = try run("""
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "lambda-error"
            function = "initializer"
            percentage = 30
            """, seed: 13)
        let answers = try store.rows("""
            SELECT count(*), sum(json_extract(attributes, '$."http.response.status_code"') = 502) FROM span WHERE name = 'POST /v1/payments'
            """)[0].map { Int($0)! }
        #expect(Double(answers[1]) / Double(answers[0]) > 0.25 && Double(answers[1]) / Double(answers[0]) < 0.35, "\(answers)")
        // Every request's checkout was kept, the 502s' too, and each settled.
        #expect(try store.rows("SELECT count(*) FROM payment_event") == [["\(answers[0])"]])
        #expect(try store.rows("SELECT count(*) FROM payment_event WHERE is_payment_done = 0") == [["0"]])
        #expect(try store.rows("SELECT count(*) FROM span WHERE name = 'initializer' AND status_message = 'Injected invocation error after the handler ran'")
                == [["\(answers[1])"]])
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

    static func throttle(_ table: String, _ rate: Double) throws -> Scenario {
        try Scenario.parse("""
            name = "t"
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "dynamodb-throttle"
            table = "\(table)"
            rate = \(rate)
            """)
    }

    /// A mildly throttled table: the SDK's retries turn every throttle into latency (an
    /// error needs eleven refusals in a row); CloudWatch counts each refused request in
    /// ThrottledRequests and its items in Read/WriteThrottleEvents, none as a system error.
    @Test func throttlesShowFirstAsLatencyAndCloudWatchCountsEachRefusedRequest() throws {
        let store = TempStore()
        _ = try simulate(store, testSettings(seed: 15, rate: 10), checkouts: 300, scenario: Self.throttle("PaymentOrder", 0.3))
        let c = try Store.openForReading(path: store.path)
        let r = try FunctionsReport.load(c)
        let order = try #require(r.tables.first { $0.table == .paymentOrder })
        #expect(order.throttled > 50 && order.readThrottleEvents > 0 && order.writeThrottleEvents >= order.throttled - order.readThrottleEvents)
        #expect(r.tables.filter { $0.table != .paymentOrder }.allSatisfy { $0.throttled == 0 && $0.writeThrottleEvents == 0 })
        #expect(r.dynamo.allSatisfy { $0.failures == 0 })
        // Latency: the slowest PaymentOrder calls waited out backoffs (50 ms and up); PaymentEvent's did not.
        let slowest = Dictionary(uniqueKeysWithValues: try store.rows("""
            SELECT name, max(end_time_unix_nano - start_time_unix_nano) FROM span
            WHERE name IN ('UpdateItem PaymentOrder', 'Query PaymentOrder', 'PutItem PaymentEvent') GROUP BY name
            """).map { ($0[0], Int64($0[1])!) })
        #expect(slowest["UpdateItem PaymentOrder"]! > 50_000_000 && slowest["Query PaymentOrder"]! > 50_000_000)
        #expect(slowest["PutItem PaymentEvent"]! < 20_000_000)
        #expect(try store.rows("SELECT count(*) FROM span WHERE status_message LIKE 'ProvisionedThroughputExceeded%'") == [["0"]])
        #expect(try store.rows("SELECT count(*) FROM payment_event WHERE is_payment_done = 1") == [["300"]])
        #expect(try InvariantCheck.run(c).isClean)
        var f = FaultState()
        f.dynamoThrottleRates = [.paymentOrder: 0.3]
        #expect(FaultBadge.active(f).map(\.label) == ["PAYMENTORDER THROTTLED 30%"])
    }

    /// A table refusing almost everything: retries run out. The initializer answers 500
    /// and keeps nothing; the executor's and the wallet's records fail and come back, some
    /// until they dead-letter; the money still balances and no order is credited twice.
    @Test func whenRetriesRunOutCallsFailAndTheMoneyStillBalances() throws {
        let store = TempStore()
        let (_, result) = try simulate(store, testSettings(seed: 16, rate: 10), checkouts: 200, scenario: Self.throttle("PaymentOrder", 0.95))
        _ = result
        let c = try Store.openForReading(path: store.path)
        let failedSpans = try store.rows("""
            SELECT name, count(*) FROM span WHERE status_message LIKE 'ProvisionedThroughputExceededException%' GROUP BY name ORDER BY name
            """)
        #expect(Set(failedSpans.map { $0[0] }).isSuperset(of: ["BatchWriteItem PaymentOrder", "UpdateItem PaymentOrder", "Query PaymentOrder"]), "\(failedSpans)")
        // The initializer's 500s kept nothing; its failed checkouts are lost at initialization.
        let refused = try store.rows("SELECT count(*) FROM span WHERE name = 'BatchWriteItem PaymentOrder' AND status_message IS NOT NULL")[0][0]
        #expect(try store.rows("SELECT count(*) FROM business_event WHERE event_type = 'failed' AND error_code = 'INITIALIZER_ERROR'") == [[refused]])
        // Retries take long enough that some invocations time out (nothing kept) and API
        // Gateway answers 504 first: every request is kept, refused or timed out.
        let initializerFailed = try store.rows("SELECT count(*) FROM span WHERE name = 'initializer' AND status_message IS NOT NULL")[0][0]
        #expect(Int(try store.rows("SELECT count(*) FROM payment_event")[0][0])! + Int(initializerFailed)! == 200)
        #expect(try store.rows("SELECT count(*) FROM span WHERE name = 'initializer' AND status_message LIKE 'Task timed out%'") != [["0"]])
        // Records failed and came back until they dead-lettered.
        #expect(try store.rows("SELECT count(*) FROM span WHERE name = 'process payment-execution-queue' AND status_message LIKE 'ProvisionedThroughput%'") != [["0"]])
        #expect(try store.rows("SELECT count(*) FROM queue_message WHERE queue_name = 'payment-execution-queue-dlq'") != [["0"]])
        let r = try FunctionsReport.load(c)
        #expect(r.dynamo.allSatisfy { $0.failures == 0 })  // throttles are not SystemErrors
        #expect(try InvariantCheck.run(c).isClean)
    }
}
