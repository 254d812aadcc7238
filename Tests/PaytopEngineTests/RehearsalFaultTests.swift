import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// The PSP and network rehearsal faults behave as AWS would (docs/control.md, docs/experiments.md): a
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
