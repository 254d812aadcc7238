import Foundation
import Histogram
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

@Suite struct MetricsAndSloTests {
    /// The recorder's one-walk percentiles give what the library's own `valueAtPercentile`
    /// gives, over shapes that put the percentiles in one bucket, across buckets, at the
    /// ends of the layout and on histograms of one value.
    @Test(arguments: 0..<6) func oneWalkPercentilesAgreeWithTheLibrary(shape: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(shape)
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for size in [1, 2, 3, 7, 100, 5_000] {
            var h = MetricsRecorder.newHistogram()
            for _ in 0..<size {
                let v: UInt64 = switch shape {
                case 0: 1 + next() % 100                                  // small, exact buckets
                case 1: 1_000 + next() % 50_000                           // ms-scale latencies in µs
                case 2: 1 << (next() % 36)                                // every power of two in range
                case 3: 42                                                // one value
                case 4: next() % 10 == 0 ? 86_400_000_000 : 1 + next() % 5 // the layout's two ends
                default: 1 + (next() % 1_000) * (next() % 1_000)            // skewed
                }
                _ = h.record(v)
            }
            let ps: [Double] = [1, 50, 90, 95, 99, 99.9]
            #expect(MetricsRecorder.valuesAtPercentiles(h, ps) == ps.map { h.valueAtPercentile($0) }, "shape \(shape), \(size) values")
        }
        #expect(MetricsRecorder.valuesAtPercentiles(MetricsRecorder.newHistogram(), [50, 99]) == [0, 0])
    }

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
        // Eight events cannot judge a 0.5 % budget: the SLI, and no verdict.
        #expect(!success.enoughData && success.eventsForVerdict == 2_000)
        #expect(success.budgetConsumed == nil && success.policy == nil && success.alert == nil)
        #expect(success.windows.allSatisfy { $0.burnRate == nil })
        #expect(success.alerts.allSatisfy { !$0.firing && $0.longBurn == nil && $0.secondsToExhaustion == nil })
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
        #expect(settlement.badInFlight == 0, "every checkout has ended")
    }

    /// With enough events, budget and burn rates are the hand-computed ones: 2,000 valid
    /// payment-success events of which 40 are dead letters.
    @Test func budgetAndBurnRatesMatchAHandComputation() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings())
        // In waves of 100 (the API's burst would throttle 2,000 at one instant), every
        // 50th a dead letter.
        for wave in 0..<20 {
            let bodies = (1...100).map { i in
                let n = wave * 100 + i
                return n % 50 == 0 ? requestBody(checkoutID: "chk-dead-\(n)", simulate: ["psp": ["server_error": true]])
                    : requestBody(checkoutID: "chk-ok-\(n)")
            }
            #expect(try submitAndDrain(engine, bodies).allSatisfy { $0.status == 202 })
        }
        try engine.close()
        let report = try SloReport.load(try Store.openForReading(path: store.path))
        let success = try #require(report.objectives.first { $0.definition.name == "payment-success" })
        #expect(success.valid == 2_000 && success.good == 1_960 && success.enoughData)
        let consumed = try #require(success.budgetConsumed)
        #expect(abs(consumed - 0.02 / 0.005) < 1e-9)
        #expect(success.policy == .freeze)
        // Burn rate over 3 days = error rate ÷ budget.
        let threeDays = try #require(success.windows.first { $0.label == "3d" }?.burnRate)
        #expect(abs(threeDays - 4) < 1e-9)
    }

    /// The seed's settlement SLO is a latency objective: a checkout still unsettled two
    /// minutes after it was accepted is a bad event then. With the PSP down from the
    /// start, the SLI falls below target and a page fires before the first dead letter
    /// (3 receives × 300 s of visibility later); the bad events are still in flight.
    @Test func aPspOutagePagesBeforeTheFirstDeadLetter() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings(rate: 20))
        try engine.apply(.pspOutage(on: true))
        let far = EngineTime(nanos: Int64.max / 2)
        while engine.queue(.executionDLQ).count == 0 { #expect(try engine.step(notAfter: far)) }
        try engine.waitForCommits()
        let report = try SloReport.load(try Store.openForReading(path: store.path))
        let settlement = try #require(report.objectives.first { $0.definition.name == "settlement" })
        let sli = try #require(settlement.sli)
        #expect(settlement.enoughData && sli < settlement.definition.target, "SLI \(sli)")
        #expect(settlement.alert == .page)
        #expect((settlement.badInFlight ?? 0) > 1_000 && settlement.badInFlight! <= settlement.valid - settlement.good)
        // Nothing has ended yet, so payment-success has seen no bad event.
        let success = try #require(report.objectives.first { $0.definition.name == "payment-success" })
        #expect(success.valid == 0)
        // Each checkout counts once: once all have ended (dead-lettered), every accepted
        // checkout is one valid event, whether counted at its objective or at its end.
        _ = try SimulationRunner.run(engine, checkouts: 0)
        try engine.close()
        let after = try SloReport.load(try Store.openForReading(path: store.path))
        let ended = try #require(after.objectives.first { $0.definition.name == "settlement" })
        #expect(ended.valid == Int64(try store.int("SELECT count(*) FROM payment_event")))
    }

    /// The queue-depth chart counts what is in flight: with the PSP down every message of
    /// the execution queue is in flight (visible alone drew a flat zero). A store younger
    /// than the chart's window is charted over the data there is.
    @Test func queueChartsCountInFlightAndSpanTheDataThereIs() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings(rate: 20))
        try engine.apply(.pspOutage(on: true))
        let stop = engine.now + Span.minutes(4)
        while try engine.step(notAfter: stop) {}
        try engine.waitForCommits()
        let c = try Store.openForReading(path: store.path)
        let at = try StoredEngineState.load(c).now
        let series = try DashboardSeries.load(c, at: at, windowNanos: 3_600_000_000_000)
        let execution = try #require(series.queueDepth.first { $0.label == QueueName.execution.rawValue })
        #expect((execution.points.map(\.v).max() ?? 0) > 1_000, "in flight counted")
        #expect(series.from >= EngineTime.simulationEpoch.nanos - 60_000_000_000, "not an hour before the store began")
        #expect(series.to - series.from < 6 * 60_000_000_000)
        try engine.close()
    }

    /// A resumed engine neither counts a missed objective twice nor skips one: stopped in
    /// the middle of a PSP outage and resumed, every accepted checkout is still one valid
    /// settlement event once all have ended, and each counted bad at its objective stays so.
    @Test(arguments: [EngineClock.Mode.simulated, .live]) func aResumedEngineCountsEachSettlementOnce(mode: EngineClock.Mode) throws {
        let store = TempStore()
        func makeEngine(_ store: TempStore, _ settings: EngineSettings) throws -> Engine {
            try Engine(Engine.Options(storePath: store.path, mode: mode, settings: settings))  // live: 1-s periods, 1-min roll-ups
        }
        let first = try makeEngine(store, testSettings(rate: 20))
        try first.apply(.pspOutage(on: true))
        let stop = first.now + Span.minutes(6) + Span.seconds(Int64(17))  // mid-period
        while try first.step(notAfter: stop) {}
        first.limitTraffic(to: first.traffic.generated)
        try first.close()
        let before = try #require(try SloReport.load(try Store.openForReading(path: store.path)).objectives
            .first { $0.definition.name == "settlement" })
        #expect(before.valid > 1_000 && before.good < before.valid / 10, "the outage's checkouts counted bad at their objective")
        let resumed = try makeEngine(store, testSettings(rate: 20))
        resumed.limitTraffic(to: resumed.traffic.generated)
        try resumed.apply(.pspOutage(on: false))
        _ = try SimulationRunner.run(resumed, checkouts: 0)  // the rest retry, settle or dead-letter
        try resumed.apply(.redrive(.executionDLQ))
        _ = try SimulationRunner.run(resumed, checkouts: 0)
        try resumed.close()
        let after = try #require(try SloReport.load(try Store.openForReading(path: store.path)).objectives
            .first { $0.definition.name == "settlement" })
        let accepted = Int64(try store.int("SELECT count(*) FROM payment_event"))
        let open = try store.int("SELECT count(*) FROM payment_event WHERE is_payment_done = 0")
        #expect(after.valid == accepted, "each accepted checkout once: \(after.valid) of \(accepted), \(before.valid) before, \(open) not done")
        #expect(after.valid - after.good >= before.valid - before.good, "bad stays bad")
        #expect(after.badInFlight == 0)
    }

    /// A fresh store judges nothing: a few hundred events give SLIs, not budgets,
    /// policies or alerts (it once said FREEZE eight seconds in).
    @Test func aFreshStoreHasNoPolicy() throws {
        let store = TempStore()
        try simulate(store, testSettings(rate: 20), checkouts: 300)
        let report = try SloReport.load(try Store.openForReading(path: store.path))
        for o in report.objectives {
            #expect(o.sli != nil)
            #expect(!o.enoughData && o.policy == nil && o.budgetConsumed == nil && o.alert == nil, "\(o.definition.name)")
            #expect(o.windows.allSatisfy { $0.burnRate == nil }, "\(o.definition.name)")
        }
    }

    @Test func burnRateAlertsFollowTheWorkbook() throws {
        let store = TempStore()
        let engine = try makeEngine(store, testSettings(rate: 20))
        try engine.apply(.pspOutage(on: true))
        _ = try SimulationRunner.run(engine, checkouts: 2_500)  // payment-success judges from 2,000
        try engine.close()
        let report = try SloReport.load(try Store.openForReading(path: store.path))
        let success = try #require(report.objectives.first { $0.definition.name == "payment-success" })
        #expect(success.sli == 0)
        #expect(try #require(success.windows.first { $0.label == "1h" }?.burnRate) > 14.4)
        #expect(success.alert != nil)
    }
}
