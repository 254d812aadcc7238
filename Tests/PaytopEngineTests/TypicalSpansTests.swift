import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// A typical checkout's spans: each operation's median over a window equals SQL's over the
/// same traces, and in a PSP latency spike the slow charges stand out against the quiet
/// minute before it while the quiet ones do not.
@Suite struct TypicalSpansTests {
    @Test func mediansAreWhatSQLSaysAndTheSpikesChargesAreOutliers() throws {
        let store = TempStore()
        _ = try simulate(store, testSettings(seed: 5, rate: 10), checkouts: 1_800, scenario: try CheckoutSearchTests.scenario("latency-spike"))
        let c = try Store.openForReading(path: store.path)
        let start = EngineTime.simulationEpoch.nanos
        // A quiet window of 20 s before the spike: fewer traces than the sample, so all of them.
        let (from, to) = (start + 60_000_000_000, start + 80_000_000_000)
        let typical = try TypicalSpans.load(c, from: from, to: to)
        let rows = try store.rows("""
            SELECT v.service_name, n.name, s.duration_ns FROM trace t JOIN span_data s ON s.trace_no = t.trace_no
            JOIN span_name n ON n.name_code = s.name_code JOIN service_version v ON v.service_code = s.service_code
            WHERE t.checkout_id IS NOT NULL AND t.started_at BETWEEN \(from) AND \(to)
            """)
        var byOperation: [TypicalSpans.Operation: [Int64]] = [:]
        for r in rows { byOperation[.init(service: r[0], name: r[1]), default: []].append(Int64(r[2])!) }
        let traces = Int(try store.rows("SELECT count(*) FROM trace WHERE checkout_id IS NOT NULL AND started_at BETWEEN \(from) AND \(to)")[0][0])!
        #expect(typical.traces == traces && traces > 100 && traces < TypicalSpans.sampleSize)
        #expect(Set(typical.medians.keys) == Set(byOperation.keys) && typical.medians.count >= 10)
        for (op, d) in byOperation {
            let s = d.sorted()
            let median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
            #expect(typical.medians[op] == median, "\(op)")
        }
        // The spike's charges (10–50 s) are outliers; a quiet minute's are not.
        let spike = try store.rows("SELECT end_time_unix_nano - start_time_unix_nano FROM span WHERE name = 'charge' AND start_time_unix_nano BETWEEN \(start + 130_000_000_000) AND \(start + 170_000_000_000)").map { Int64($0[0])! }
        let quiet = try store.rows("SELECT end_time_unix_nano - start_time_unix_nano FROM span WHERE name = 'charge' AND start_time_unix_nano BETWEEN \(from) AND \(to)").map { Int64($0[0])! }
        #expect(!spike.isEmpty && spike.allSatisfy { typical.outlierRatio(service: "psp", name: "charge", nanos: $0) != nil })
        let quietOutliers = quiet.filter { typical.outlierRatio(service: "psp", name: "charge", nanos: $0) != nil }.count
        #expect(!quiet.isEmpty && Double(quietOutliers) / Double(quiet.count) < 0.05, "\(quietOutliers) of \(quiet.count)")
        // A window with no checkouts: no medians.
        #expect(try TypicalSpans.load(c, from: start - 2_000_000_000, to: start - 1_000_000_000) == TypicalSpans(medians: [:], traces: 0))
    }
}
