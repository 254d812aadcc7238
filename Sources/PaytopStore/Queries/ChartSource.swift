import PaytopVocabulary

/// Where the console's charts come from (`DashboardSeries.assemble`): paytop's store, or
/// ClickHouse (docs/clickhouse.md).
public protocol ChartSource {
    /// When the pipeline's metrics begin: the first point of the API's Count or of the
    /// execution queue's depth; nil without either.
    func firstPoint() throws -> Int64?
    /// The first point of any series; nil without one.
    func earliestPoint() throws -> Int64?
    /// Whether per-second points exist from `from` on (a live store's last hour).
    func hasFinePoints(from: Int64) throws -> Bool
    /// One series' points in [from − a period, to] at one period length.
    func points(_ name: MetricName, _ dims: String, from: Int64, to: Int64, period: Int,
                _ column: DashboardSeries.Column) throws -> [(t: Int64, v: Double)]
    /// A counter's total per minute over [from, to].
    func minuteCounts(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> [Int64: Int64]
    /// A counter's total over [from, to).
    func total(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> Int64
    /// Requests received and checkouts settled per minute (and currency) over [from, to].
    func businessMinutes(from: Int64, to: Int64) throws -> [DashboardSeries.BusinessMinute]
    /// The control events of [from, to], to mark on every time axis.
    func marks(from: Int64, to: Int64) throws -> [DashboardSeries.ControlMark]
}

extension DashboardSeries {
    /// Business events of one kind counted in one minute (and currency).
    public struct BusinessMinute: Sendable, Equatable {
        public var minute: Int64, event: BusinessEventName, currency: String, events: Int64, amountMinor: Int64
        public init(minute: Int64, event: BusinessEventName, currency: String, events: Int64, amountMinor: Int64) {
            self.minute = minute; self.event = event; self.currency = currency; self.events = events; self.amountMinor = amountMinor
        }
    }
}

/// paytop's own store.
public struct StoreChartSource: ChartSource {
    let c: Connection

    public init(_ c: Connection) { self.c = c }

    /// When the store's metrics begin: the first point of the API's Count or of the
    /// execution queue's depth (two index seeks each; nil for a store without either).
    public func firstPoint() throws -> Int64? {
        let s = try c.cached("""
            SELECT min(t) FROM (
                SELECT (SELECT period_start FROM metric_data WHERE series_id = m.series_id AND period_seconds = 1
                        ORDER BY period_start LIMIT 1) AS t FROM metric_series m WHERE (m.name, m.dimensions) IN ((?1, ?2), (?3, ?4))
                UNION ALL
                SELECT (SELECT period_start FROM metric_data WHERE series_id = m.series_id AND period_seconds = 60
                        ORDER BY period_start LIMIT 1) FROM metric_series m WHERE (m.name, m.dimensions) IN ((?1, ?2), (?3, ?4)))
            """)
        s.bind(1, MetricName.count.rawValue).bind(2, MetricDimensions.api)
            .bind(3, MetricName.messagesVisible.rawValue).bind(4, MetricDimensions.queue(.execution))
        defer { s.reset() }
        return try s.step() ? s.optionalInt(0) : nil
    }

    /// One series' points in [from, to] at one period length.
    public func points(_ name: MetricName, _ dims: String, from: Int64, to: Int64, period: Int,
                       _ column: DashboardSeries.Column) throws -> [(t: Int64, v: Double)] {
        let s = try c.cached("""
            SELECT d.period_start, d.value, d.count, d.p50, d.p95 FROM metric_data d
            WHERE d.series_id = (SELECT series_id FROM metric_series WHERE name = ? AND dimensions = ?)
              AND d.period_seconds = ? AND d.period_start >= ? AND d.period_start <= ? ORDER BY d.period_start
            """)
        s.bind(1, name.rawValue).bind(2, dims).bind(3, period).bind(4, from - Int64(period) * 1_000_000_000).bind(5, to)
        defer { s.reset() }
        return try s.all { r in
            let v: Double
            switch column {
            case .value: v = r.double(1)
            case .rate: v = r.double(1) / Double(period)
            case .p50: v = r.double(3)
            case .p95: v = r.double(4)
            case .mean: v = r.int(2) > 0 ? r.double(1) / Double(r.int(2)) : 0
            }
            return (r.int(0), v)
        }
    }

    public func earliestPoint() throws -> Int64? { try c.scalarInt("SELECT min(period_start) FROM metric_data") }

    public func hasFinePoints(from: Int64) throws -> Bool {
        let q = try c.cached("SELECT 1 FROM metric_data WHERE period_seconds = 1 AND period_start >= ? LIMIT 1")
        q.bind(1, from)
        defer { q.reset() }
        return try q.step()
    }

    /// A counter's total per minute (its roll-ups, else its fine points summed by minute).
    public func minuteCounts(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> [Int64: Int64] {
        let q = try c.cached("""
            SELECT period_start / 60000000000 * 60000000000, period_seconds, sum(value) FROM metric_data
            WHERE series_id = (SELECT series_id FROM metric_series WHERE name = ? AND dimensions = ?)
              AND period_start >= ? AND period_start <= ? GROUP BY 1, 2
            """)
        q.bind(1, name).bind(2, dims).bind(3, from).bind(4, to)
        defer { q.reset() }
        var rolled: [Int64: Int64] = [:], fine: [Int64: Int64] = [:]
        while try q.step() {
            if q.int(1) == 60 { rolled[q.int(0)] = q.int(2) } else { fine[q.int(0), default: 0] += q.int(2) }
        }
        return rolled.merging(fine) { r, _ in r }
    }

    public func total(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> Int64 {
        try MetricWindow.total(c, name, dims, from: from, to: to)
    }

    /// From the business roll-ups' minutes.
    public func businessMinutes(from: Int64, to: Int64) throws -> [DashboardSeries.BusinessMinute] {
        let q = try c.cached("""
            SELECT period_start, event_code, currency, sum(events), sum(amount_minor) FROM business_rollup
            WHERE period_seconds = 60 AND period_start >= ? AND period_start <= ? AND event_code IN (?, ?) GROUP BY 1, 2, 3 ORDER BY 1
            """)
        q.bind(1, from).bind(2, to).bind(3, BusinessEventName.requestReceived.rawValue).bind(4, BusinessEventName.checkoutSettled.rawValue)
        defer { q.reset() }
        return try q.all { r in
            DashboardSeries.BusinessMinute(minute: r.int(0), event: BusinessEventName(rawValue: Int(r.int(1))) ?? .requestReceived,
                                           currency: r.string(2), events: r.int(3), amountMinor: r.int(4))
        }
    }

    public func marks(from: Int64, to: Int64) throws -> [DashboardSeries.ControlMark] {
        let m = try c.cached("SELECT at, command, summary FROM control_event WHERE at >= ? AND at <= ? ORDER BY at, id")
        m.bind(1, from).bind(2, to)
        defer { m.reset() }
        return try m.all { DashboardSeries.ControlMark(at: $0.int(0), command: $0.string(1), summary: $0.string(2)) }
    }
}
