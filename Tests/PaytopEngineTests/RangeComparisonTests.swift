import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// Comparing a range with its baseline: after a bad executor release, the range's
/// checkouts ran the new version and the baseline's none did — the first difference, with
/// shares equal to SQL over the store.
@Suite struct RangeComparisonTests {
    @Test func aBadReleaseIsTheFirstDifferenceAndItsSharesAreWhatSQLSays() throws {
        let store = TempStore()
        _ = try simulate(store, testSettings(seed: 4, rate: 10, errorMix: true), checkouts: 4_200,
                         scenario: try CheckoutSearchTests.scenario("bad-release"))
        let c = try Store.openForReading(path: store.path)
        let deployAt = EngineTime.simulationEpoch.nanos + Span.minutes(5)
        let version = try store.rows("SELECT json_extract(args, '$.version') FROM control_event WHERE command = 'deploy'")[0][0]
        let from = deployAt + 30_000_000_000, to = deployAt + 90_000_000_000
        let r = try RangeComparison.compare(c, from: from, to: to, baselineFrom: deployAt - Span.minutes(4), baselineTo: deployAt)
        let first = try #require(r.differences.first)
        #expect(first.dimension == .release && first.value == "executor \(version)", "\(r.differences.prefix(3))")
        // (A few of the baseline's were still in flight at the deploy and met the new release.)
        #expect(first.baselineShare < 0.05 && first.rangeShare > 0.9, "\(first)")
        // The range is under the sample size: its shares are the store's, exactly.
        let window = "FROM trace t JOIN payment_event p ON p.checkout_id = t.checkout_id WHERE t.started_at BETWEEN \(from) AND \(to)"
        let total = Int(try store.rows("SELECT count(*) \(window)")[0][0])!
        let ran = Int(try store.rows("""
            SELECT count(*) \(window) AND EXISTS (SELECT 1 FROM business_event_data e JOIN service_version v ON v.service_code = e.service_code
            WHERE e.trace_no = p.trace_no AND v.service_name = 'executor' AND v.service_version = '\(version)')
            """)[0][0])!
        #expect(r.rangeCheckouts == total && total < RangeComparison.sampleSize)
        #expect(first.rangeShare == Double(ran) / Double(total))
        // Only the range's slow ones (the release's errors sent them round the queue again):
        // fewer, and most ran the new release (86 % with this seed; the baseline 0.3 %).
        let slow = try RangeComparison.compare(c, from: from, to: to, baselineFrom: deployAt - Span.minutes(4), baselineTo: deployAt, only: .slow)
        #expect(slow.rangeCheckouts > 0 && slow.rangeCheckouts < r.rangeCheckouts)
        let top = try #require(slow.differences.first)
        #expect(top.dimension == .release && top.value == "executor \(version)" && top.rangeShare > 0.8, "\(slow.differences.prefix(3))")
            // Each value's drill lists the range's checkouts with it: as many as its share says.
        for d in r.differences {
            var f = d.checkouts(in: from...to)
            f.limit = 0
            let n = try CheckoutSearch.find(c, f).count
            #expect(n == Int((d.rangeShare * Double(total)).rounded()), "\(d.dimension) \(d.value): \(n) of \(total) vs \(d.rangeShare)")
        }
        #expect(r.differences.count >= 3)
    }
}
