import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// The critical path of real checkouts: through a PSP outage, the checkouts that were
/// retried spend their time waiting in the execution queue, and every path's segments add
/// up to its checkout's end-to-end time.
@Suite struct CriticalPathOnCheckoutsTests {
    @Test func everyPathAddsUpAndARetriedCheckoutWaitedInTheQueue() throws {
        let store = TempStore()
        _ = try simulate(store, testSettings(seed: 5, rate: 1, errorMix: true), checkouts: 600, scenario: ProblemTests.outageScenario())
        let c = try Store.openForReading(path: store.path)
        let ids = try store.rows("SELECT checkout_id FROM payment_event ORDER BY created_at").map { $0[0] }
        var retried = 0
        for id in ids {
            let w = try #require(try TraceWaterfall.load(c, checkoutID: id))
            let spans = w.shown?.spans ?? []
            guard let path = CriticalPath.of(spans) else { continue }
            #expect(path.start == spans.map(\.start).min() && path.end == spans.map(\.end).max())
            #expect(path.segments.reduce(0) { $0 + $1.nanos } == path.end - path.start, "\(id)")
            for (a, b) in zip(path.segments, path.segments.dropFirst()) { #expect(a.end == b.start, "\(id): a gap or an overlap") }
            #expect(path.segments.allSatisfy { $0.nanos > 0 })
            // Retried after the visibility timeout: the 300 s it waited are on the path, in the queue.
            if spans.filter({ $0.name == "process payment-execution-queue" }).count > 1 {
                retried += 1
                let waited = path.segments.filter { $0.kind == .queueWait && $0.name == "wait before process payment-execution-queue" }
                    .reduce(0) { $0 + $1.nanos }
                #expect(waited >= 290_000_000_000, "\(id) waited \(waited / 1_000_000_000) s")
                // Every delivery, failed ones included, is on the path whole (itself or its calls).
                for d in spans where d.name == "process payment-execution-queue" {
                    let inside = path.segments.filter { $0.kind == .span && $0.start >= d.start && $0.end <= d.end }
                    #expect(inside.reduce(0) { $0 + $1.nanos } == d.end - d.start, "\(id): delivery \(d.spanID) is off the path")
                }
            }
        }
        #expect(retried > 10, "the outage made retries")
    }
}
