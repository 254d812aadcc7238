import PaytopIngest
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// Metric points read from the exporter's tables, by series (name and the engine's
/// dimension JSON), oldest first: what the console's panes and charts draw from ClickHouse.
struct ClickHouseMetricPoints {
    struct Point {
        var t: Int64
        /// A counter's count, a gauge's reading, a histogram's sum.
        var value: Double
        var count: Int64 = 0
        /// A histogram's buckets (upper bounds in microseconds).
        var buckets: HistogramBuckets?

        func column(_ c: DashboardSeries.Column, period: Int) -> Double {
            switch c {
            case .value: return value
            case .rate: return value / Double(period)
            case .p50: return percentile(50)
            case .p95: return percentile(95)
            case .mean: return count > 0 ? value / Double(count) : 0
            }
        }

        /// In milliseconds, as the store keeps a distribution's percentiles.
        func percentile(_ p: Double) -> Double { Double(buckets?.percentile(p) ?? 0) / 1000 }
    }

    var series: [String: [Point]] = [:]

    /// The points of `names` in the sum, gauge and histogram tables over [from, to], the latest
    /// `perSeries` of each (all with nil).
    init(_ client: ClickHouseClient, names: [MetricName], from: Int64, to: Int64, perSeries: Int?) throws(ClickHouseClient.Failure) {
        let e = client.endpoint, wanted = names.map(\.rawValue)
        for (table, histogram) in [(e.tables.sum, false), (e.tables.gauge, false), (e.tables.histogram, true)] {
            let sql = ClickHouseQueries.metricPoints(e, table: table, histogram: histogram, names: wanted, from: from, to: to, perSeries: perSeries)
            for r in try client.read(sql).rows {
                let text = r.map { $0.stringValue ?? "" }
                var p = Point(t: Int64(text[2]) ?? 0, value: Double(text[3]) ?? 0)
                if histogram {
                    p.count = Int64(text[4]) ?? 0
                    let bounds = (r[5].arrayValue ?? []).map { $0.numberValue ?? Double($0.stringValue ?? "") ?? 0 }
                    let counts = (r[6].arrayValue ?? []).map { Int64($0.stringValue ?? "") ?? $0.numberValue.map { Int64($0) } ?? 0 }
                    p.buckets = HistogramBuckets(sortedPairs: zip(bounds, counts).filter { $0.1 > 0 }.map { (Int64(($0.0 * 1000).rounded()), $0.1) })
                }
                series[ClickHouseWindowMetrics.key(text[0], text[1]), default: []].append(p)
            }
        }
        for k in series.keys { series[k]!.sort { $0.t < $1.t } }
    }

    func points(_ name: MetricName, _ dimensions: String) -> [Point] { series[ClickHouseWindowMetrics.key(name.rawValue, dimensions)] ?? [] }
}

/// The console's rates, sparklines and latest percentiles from ClickHouse: the last 40
/// minutes' points of every series the panes draw, in three queries (one a table), within
/// the day before the clock.
struct ClickHouseRecentMetrics: RecentMetrics {
    static let names: [MetricName] = [
        .messagesVisible, .messagesNotVisible, .ageOfOldestMessage, .messagesSent, .messagesReceived, .messagesDeleted,
        .invocations, .errors, .throttles, .duration, .concurrentExecutions, .count, .serverErrors, .clientErrors, .latency,
        .pspCalls, .pspLatency, .pspResponses, .checkoutsReceived,
    ]
    let points: ClickHouseMetricPoints

    init(_ client: ClickHouseClient, at: Int64) throws(ClickHouseClient.Failure) {
        points = try ClickHouseMetricPoints(client, names: Self.names, from: at - 86_400_000_000_000, to: at, perSeries: 40)
    }

    func series(_ name: MetricName, _ dimensions: String, n: Int, column: RecentMetricsColumn) throws -> [Double] {
        points.points(name, dimensions).suffix(n).map { p in
            switch column {
            case .value: return p.value
            case .p95: return p.percentile(95)
            case .p99: return p.percentile(99)
            }
        }
    }

    func rate(_ name: MetricName, _ dimensions: String, at: Int64) throws -> Double {
        guard let last = points.points(name, dimensions).last, at - last.t <= 180_000_000_000 else { return 0 }
        return last.value / 60
    }
}

/// The console's charts from ClickHouse: every line's points of the window in three queries,
/// SLO counters per minute for the budget and burn lines, business events per minute from
/// the logs. No control events there: paytop's own.
final class ClickHouseChartSource: ChartSource {
    let client: ClickHouseClient
    let business: ClickHouseBusinessReading
    private var window: (from: Int64, to: Int64, points: ClickHouseMetricPoints)?

    init(_ client: ClickHouseClient, business: ClickHouseBusinessReading) { self.client = client; self.business = business }

    static let names: [MetricName] = [
        .count, .checkoutsSettled, .serverErrors, .clientErrors, .pspResponses, .latency, .integrationLatency, .duration, .pspLatency,
        .invocations, .errors, .messagesVisible, .messagesNotVisible, .ageOfOldestMessage,
    ]

    static func pairs(_ dimensions: String) -> [(String, String)] {
        let o = (try? JSONValue.parse(dimensions))?.objectValue ?? [:]
        return o.keys.sorted().map { ($0, o[$0]?.stringValue ?? "") }
    }

    /// Where the pipeline's metrics begin moves only when old parts expire: read once a minute.
    private var first = ReadEvery<Int64?>(seconds: 60)

    func firstPoint() throws -> Int64? {
        let e = client.endpoint, client = self.client
        return try first.value { () throws(ClickHouseClient.Failure) in
            let t = try client.read(ClickHouseQueries.firstMetricPoint(e, series: [
                (e.tables.sum, MetricName.count.rawValue, Self.pairs(MetricDimensions.api)),
                (e.tables.gauge, MetricName.messagesVisible.rawValue, Self.pairs(MetricDimensions.queue(.execution))),
            ])).rows.first?.first?.stringValue.flatMap { Int64($0) } ?? 0
            return t == 0 ? nil : t
        }
    }

    func earliestPoint() throws -> Int64? {
        let t = try client.read(ClickHouseQueries.earliestMetricPoint(client.endpoint)).rows.first?.first?.stringValue.flatMap { Int64($0) } ?? 0
        return t == 0 ? nil : t
    }

    func hasFinePoints(from: Int64) throws -> Bool { false }

    /// Drops what was read for the last charts (the console reads again).
    func forget() {
        window = nil
        minuteCache.removeAll()
        totalCache.removeAll()
    }

    func points(_ name: MetricName, _ dims: String, from: Int64, to: Int64, period: Int,
                _ column: DashboardSeries.Column) throws -> [(t: Int64, v: Double)] {
        let lo = from - Int64(period) * 1_000_000_000
        if window == nil || window!.from != lo || window!.to != to {
            window = (lo, to, try ClickHouseMetricPoints(client, names: Self.names, from: lo, to: to, perSeries: nil))
            // A new window: the counts asked before are of another clock.
            minuteCache.removeAll()
            totalCache.removeAll()
        }
        return window!.points.points(name, dims).map { ($0.t, $0.column(column, period: period)) }
    }

    /// Each SLO's counters are asked for alike (good and valid of every objective over the
    /// same stretches): one query a metric name and stretch answers every series of it.
    private var minuteCache: [String: [String: [Int64: Int64]]] = [:], totalCache: [String: [String: Int64]] = [:]

    func minuteCounts(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> [Int64: Int64] {
        let k = "\(name) \(from) \(to)"
        if minuteCache[k] == nil {
            var bySeries: [String: [Int64: Int64]] = [:]
            for r in try client.read(ClickHouseQueries.counterMinutes(client.endpoint, name: name, from: from, to: to)).rows {
                let text = r.map { $0.stringValue ?? "" }
                if let m = Int64(text[1]), let n = Int64(text[2]) { bySeries[ClickHouseWindowMetrics.key(name, text[0]), default: [:]][m] = n }
            }
            minuteCache[k] = bySeries
        }
        return minuteCache[k]?[ClickHouseWindowMetrics.key(name, dims)] ?? [:]
    }

    func total(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> Int64 {
        let k = "\(name) \(from) \(to)"
        if totalCache[k] == nil {
            var bySeries: [String: Int64] = [:]
            for r in try client.read(ClickHouseQueries.counterTotal(client.endpoint, name: name, from: from, to: to)).rows {
                let text = r.map { $0.stringValue ?? "" }
                bySeries[ClickHouseWindowMetrics.key(name, text[0])] = Int64(text[1]) ?? 0
            }
            totalCache[k] = bySeries
        }
        return totalCache[k]?[ClickHouseWindowMetrics.key(name, dims)] ?? 0
    }

    func businessMinutes(from: Int64, to: Int64) throws -> [DashboardSeries.BusinessMinute] {
        let names = BusinessEventFields.Key.name
        var out: [DashboardSeries.BusinessMinute] = []
        for r in try business.rows({ ClickHouseQueries.businessEventMinutes(client.endpoint, from: from, to: to, $0) }, from: from) {
            let text = r.map { $0.stringValue ?? "" }
            var fields: [String: AttributeValue] = [:]
            for (i, key) in names.enumerated() where !text[i].isEmpty { fields[key] = .string(text[i]) }
            // stage, currency, the minute (as ClickHouse writes a DateTime), the minute in ns, events, amounts.
            let rest = Array(text[names.count...])
            if !rest[0].isEmpty { fields["payment_stage"] = .string(rest[0]) }
            guard let f = BusinessEventFields.read(fields), f.name == .requestReceived || f.name == .checkoutSettled,
                  let minute = Int64(rest[3]), let n = Int64(rest[4]), let amount = Int64(rest[5]) else { continue }
            out.append(DashboardSeries.BusinessMinute(minute: minute, event: f.name, currency: rest[1], events: n, amountMinor: amount))
        }
        return out
    }

    func marks(from: Int64, to: Int64) throws -> [DashboardSeries.ControlMark] { [] }
}
