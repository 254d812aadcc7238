import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

@Suite struct MetricsAndSloTests {
    @Test func metricsAgreeWithTheState() throws {
        let store = TempStore()
        var settings = testSettings(seed: 12, rate: 15, errorMix: true)
        settings.duplicateDeliveryProbability = 0.05
        let scenario = try Scenario.parse("""
            name = "outage"
            [[timeline]]
            at = "30s"
            command = "fault"
            kind = "psp-outage"
            on = true
            [[timeline]]
            at = "90s"
            command = "fault"
            kind = "psp-outage"
            on = false
            """)
        let (engine, _) = try simulate(store, settings, checkouts: 3_000, scenario: scenario)
        func last(_ name: String, _ dims: String) throws -> Int {
            try store.int("SELECT value FROM metric_point WHERE name = '\(name)' AND dimensions = '\(dims)' ORDER BY period_start DESC LIMIT 1")
        }
        func sum(_ name: String, _ dims: String) throws -> Int {
            try store.int("SELECT coalesce(sum(value), 0) FROM metric_point WHERE name = '\(name)' AND dimensions = '\(dims)'")
        }
        let dlq = "{\"QueueName\":\"payment-execution-queue-dlq\"}"
        let deadLetters = try store.int("SELECT count(*) FROM queue_message WHERE queue_name = 'payment-execution-queue-dlq'")
        #expect(deadLetters > 0)
        #expect(try last("ApproximateNumberOfMessagesVisible", dlq) == deadLetters)
        let exec = "{\"QueueName\":\"payment-execution-queue\"}"
        #expect(try sum("NumberOfMessagesSent", exec) == engine.queue(.execution).counters.sent)
        #expect(try sum("NumberOfMessagesDeleted", exec) == engine.queue(.execution).counters.deleted)
        let executor = "{\"FunctionName\":\"o11y-lab-payments-executor\"}"
        #expect(try sum("Invocations", executor) == engine.function(.executor).counters.invocations)
        #expect(try store.int("SELECT sum(count) FROM metric_point WHERE name = 'Duration' AND dimensions = '\(executor)'")
                == engine.function(.executor).counters.invocations - engine.function(.executor).busy)
        #expect(try sum("CheckoutsSettled", "{\"Domain\":\"payments\"}")
                == store.int("SELECT count(*) FROM payment_event WHERE outcome = 'SUCCESS'"))
        #expect(try sum("Count", "{\"ApiName\":\"o11y-lab-initializer\"}") == 3_000)
        // Revenue in minor units equals the credited orders, exactly.
        #expect(try sum("Revenue", "{\"Currency\":\"USD\"}")
                == store.int("SELECT sum(CAST(replace(amount, '.', '') AS INTEGER)) FROM payment_order WHERE wallet_updated = 1 AND currency = 'USD'"))
        // Percentiles are ordered and within min/max.
        #expect(try store.int("SELECT count(*) FROM metric_point WHERE kind = 'distribution' AND NOT (min <= p50 AND p50 <= p95 AND p95 <= p99 AND p99 <= max * 1.01)") == 0)
    }

    /// Ten checkouts whose fates are known: 7 settle, 2 are declined, 1 dead-letters.
    @Test func sloFiguresMatchAHandComputation() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        var bodies = (1...7).map { requestBody(checkoutID: "chk-ok-\($0)") }
        bodies += (1...2).map { requestBody(checkoutID: "chk-declined-\($0)", simulate: ["psp": ["error": true, "error_code": "CARD_DECLINED"]]) }
        bodies.append(requestBody(checkoutID: "chk-dead", simulate: ["psp": ["server_error": true]]))
        let responses = try submitAndDrain(engine, bodies)
        try engine.close()
        #expect(responses.allSatisfy { $0.status == 202 })
        let report = try SloReport.load(try Store.openForReading(path: store.path))
        let byName = Dictionary(uniqueKeysWithValues: report.objectives.map { ($0.definition.name, $0) })
        // Payment success: declines are not valid events; the dead letter is a bad one.
        let success = try #require(byName["payment-success"])
        #expect(success.valid == 8 && success.good == 7)
        #expect(abs(success.budgetConsumed - (1.0 / 8) / 0.005) < 1e-9)
        #expect(success.policy.hasPrefix("FREEZE"))
        // Settlement: every checkout is valid; the dead letter never reached an outcome in 2 minutes.
        let settlement = try #require(byName["settlement"])
        #expect(settlement.valid == 10 && settlement.good == 9)
        // API latency, recomputed from the API spans.
        let api = try #require(byName["api-latency"])
        let fast = try store.int("""
            SELECT count(*) FROM span WHERE name = 'POST /v1/payments'
              AND end_time_unix_nano - start_time_unix_nano <= 300000000 AND status_code != 'ERROR'
            """)
        #expect(api.valid == 10 && api.good == Int64(fast))
        #expect(report.conversion == 0.7)
        // Burn rate over 3 days = error rate ÷ budget.
        let threeDays = try #require(success.windows.first { $0.label == "3d" })
        #expect(abs(threeDays.burnRate - 25) < 1e-9)
    }

    @Test func burnRateAlertsFollowTheWorkbook() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings(rate: 20))
        try engine.apply(.pspOutage(on: true))
        _ = try SimulationRunner.run(engine, checkouts: 1_500)
        try engine.close()
        let report = try SloReport.load(try Store.openForReading(path: store.path))
        let success = try #require(report.objectives.first { $0.definition.name == "payment-success" })
        #expect(success.sli == 0)
        #expect(success.windows.first { $0.label == "1h" }!.burnRate > 14.4)
        #expect(success.alert == "PAGE" || success.alert == "TICKET")
    }
}
