import PaytopVocabulary
import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore

@Suite struct RetentionTests {
    /// Pruning drops whole traces, oldest first, and never payment state.
    @Test func pruningKeepsTheNewestTracesAndAllPaymentState() throws {
        let store = TempStore()
        try simulate(store, testSettings(seed: 5, rate: 10, errorMix: true), checkouts: 600)
        let checkouts = try store.int("SELECT count(*) FROM payment_event")
        let traces = try store.int("SELECT count(*) FROM trace")
        let newest = try store.int("SELECT max(trace_no) FROM trace")
        let writer = try StoreWriter(path: store.path)
        var b = WriteBatch()
        b.prune = TelemetryPrune(finePointsBefore: 0, rollupsBefore: 0, tracesBefore: 0, maxTraces: 100)
        try writer.submit(b)
        try writer.close()
        // Open checkouts (dead letters here) keep their whole trace; every other old one is gone.
        let open = try store.int("""
            SELECT count(*) FROM trace WHERE trace_no <= \(newest - 100) AND trace_no IN
              (SELECT e.trace_no FROM payment_event e WHERE e.is_payment_done = 0
               UNION SELECT e.trace_no FROM queue_message m JOIN payment_event e USING (checkout_id))
            """)
        #expect(try store.int("SELECT count(*) FROM trace") == 100 + open)
        #expect(try store.int("SELECT count(*) FROM trace WHERE trace_no > \(newest - 100)") == 100)
        #expect(try store.int("""
            SELECT count(*) FROM span_data s WHERE s.trace_no <= \(newest - 100)
              AND s.trace_no NOT IN (SELECT trace_no FROM payment_event WHERE is_payment_done = 0 AND trace_no IS NOT NULL
                                     UNION SELECT e.trace_no FROM queue_message m JOIN payment_event e USING (checkout_id))
            """) == 0)
        #expect(try store.int("SELECT count(*) FROM span_data s WHERE NOT EXISTS (SELECT 1 FROM trace t WHERE t.trace_no = s.trace_no)") == 0)
        #expect(try store.int("SELECT count(*) FROM span_data") > 0)
        #expect(try store.int("SELECT count(*) FROM payment_event") == checkouts)
        #expect(traces > 100)
        #expect(try store.invariants().isClean)
    }

    @Test func liveEnginesScheduleThePruneEachMinute() throws {
        let store = TempStore()
        var settings = testSettings(seed: 6, rate: 50)
        settings.telemetryMaxTraces = 50
        var options = Engine.Options(storePath: store.path, mode: .live, settings: settings)
        options.startTime = .simulationEpoch
        let engine = try Engine(options)
        engine.limitTraffic(to: 4_000)
        // Drive the live engine's events directly (no wall clock needed) for three minutes.
        while try engine.step(notAfter: .simulationEpoch + Span.minutes(3)) {}
        try engine.close()
        #expect(try store.int("SELECT min(trace_no) FROM trace") > 1)
        #expect(try store.int("SELECT count(*) FROM metric_data WHERE period_seconds = 1") > 0)
        #expect(try store.int("SELECT count(*) FROM metric_data WHERE period_seconds = 60") > 0)
        #expect(try store.invariants().isClean)
    }
}
