import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// The Functions view's figures (and `paytop functions`) against the store's own rows:
/// counters against SQL over metric_point, DynamoDB calls against the spans they came from,
/// and window percentiles against the histograms merged by hand.
@Suite struct FunctionsReportTests {
    let store: TempStore

    init() throws {
        store = TempStore("functions-report")
        try simulate(store, testSettings(seed: 7, rate: 20, errorMix: true), checkouts: 2_000)
    }

    func report() throws -> FunctionsReport { try FunctionsReport.load(try Store.openForReading(path: store.path)) }

    @Test func countersEqualSQLOverMetricPoints() throws {
        let r = try report()
        for f in FunctionName.pipelineOrder {
            let row = try #require(r.row(.function(f)))
            func sum(_ name: MetricName) throws -> Int64 {
                Int64(try store.int("""
                    SELECT coalesce(sum(value), 0) FROM metric_point WHERE name = '\(name.rawValue)'
                    AND dimensions = '\(MetricDimensions.function(f))' AND period_length_seconds = 60
                    """))
            }
            #expect(row.invocations == (try sum(.invocations)) && row.invocations > 0, "\(f)")
            #expect(row.errors == (try sum(.errors)), "\(f)")
            #expect(row.coldStarts == (try sum(.coldStarts)) && row.coldStarts > 0, "\(f)")
            let duration = try #require(row.duration)
            #expect((row.cold?.count ?? 0) + (row.warm?.count ?? 0) == duration.count, "cold and warm split every invocation of \(f)")
            #expect(row.cold?.count == row.coldStarts, "\(f): a cold start is one invocation")
            #expect(duration.p50 <= duration.p95 && duration.p95 <= duration.p99 && duration.p99 <= duration.max)
            #expect((row.cold?.p50 ?? 0) > (row.warm?.p50 ?? .infinity), "\(f): a cold start takes longer")
        }
        #expect(r.api.requests == 2_000)
        #expect(r.api.initializerDuration == r.row(.function(.initializer))?.duration)
    }

    @Test func dynamoCallsEqualTheSpansTheyCameFrom() throws {
        let r = try report()
        #expect(!r.dynamo.isEmpty)
        for (name, op, table) in [("PutItem PaymentEvent", DynamoOperation.putItem, DynamoTable.paymentEvent),
                                  ("Query PaymentOrder", .query, .paymentOrder),
                                  ("TransactWriteItems Wallet", .transactWriteItems, .wallet),
                                  ("TransactWriteItems Wallet", .transactWriteItems, .ledgerEntry)] {
            let spans = try store.int("SELECT count(*) FROM span WHERE name = '\(name)' AND status_code != 'ERROR'")
            let call = try #require(r.dynamo.first { $0.operation == op && $0.table == table })
            #expect(call.calls == Int64(spans), "\(name) → \(table)")
        }
        let orders = try store.int("SELECT count(*) FROM payment_order")
        let wallet = try #require(r.tables.first { $0.table == .wallet })
        #expect(wallet.writeUnits == 2 * (r.dynamo.first { $0.operation == .transactWriteItems && $0.table == .wallet }?.calls ?? 0))
        let batch = try #require(r.tables.first { $0.table == .paymentOrder })
        #expect(batch.writeUnits >= Int64(orders), "BatchWriteItem writes a unit per order")
        #expect(try #require(r.tables.first { $0.table == .paymentOrder }).readUnits > 0)
    }

    @Test func windowPercentilesMergeTheMinutesHistograms() throws {
        let c = try Store.openForReading(path: store.path)
        let dims = MetricDimensions.function(.executor)
        let blobs = try store.rows("""
            SELECT hex(h.buckets) FROM metric_histogram h JOIN metric_series s USING (series_id)
            WHERE s.name = 'Duration' AND s.dimensions = '\(dims)'
            """)
        #expect(blobs.count > 1)
        var merged = HistogramBuckets(sortedPairs: [])
        for row in blobs {
            let hex = Array(row[0].utf8)
            let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
            merged.add(try #require(HistogramBuckets(decoding: bytes)))
        }
        let d = try #require(try MetricWindow.distribution(c, .duration, dims, from: .min, to: .max))
        #expect(d.count == merged.totalCount)
        #expect(d.p95 == Double(merged.percentile(95)!) / 1000)
        let points = try store.int("SELECT sum(count) FROM metric_point WHERE name = 'Duration' AND dimensions = '\(dims)' AND period_length_seconds = 60")
        #expect(d.count == Int64(points))
    }

    @Test func stepSuccessIsCountedInMessages() throws {
        let r = try report()
        #expect(r.steps.initialized > 0)
        for rate in [r.steps.oneToThree, r.steps.oneToFive, r.steps.oneToSeven] {
            let v = try #require(rate)
            #expect(v > 0.9 && v <= 1.0)
        }
    }
}

/// The histogram rows' encoding, merging and percentiles.
@Suite struct HistogramBucketsTests {
    @Test func roundTripsMergesAndRanks() throws {
        let a = HistogramBuckets(sortedPairs: [(1, 2), (300, 1), (1_000_000_000, 5)])
        #expect(HistogramBuckets(decoding: a.encoded) == a)
        var b = HistogramBuckets(sortedPairs: [(2, 1), (300, 4)])
        b.add(a)
        #expect(b.pairs.map(\.value) == [1, 2, 300, 1_000_000_000])
        #expect(b.pairs.map(\.count) == [2, 1, 5, 5])
        #expect(b.percentile(50) == 300)   // rank 7 of 13
        #expect(b.percentile(100) == 1_000_000_000)
        #expect(b.percentile(1) == 1)
        #expect(HistogramBuckets(sortedPairs: []).percentile(50) == nil)
        #expect(HistogramBuckets(decoding: [0x80]) == nil, "a truncated varint is refused")
        #expect(HistogramBuckets(decoding: [0x01]) == nil, "a value without its count is refused")
    }
}
