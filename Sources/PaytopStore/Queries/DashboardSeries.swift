import PaytopVocabulary

/// The console's charts over a window of engine time: each a few lines of (time, value)
/// read from the metric series and the business roll-ups, and the control events of the
/// window to mark on every time axis.
public struct DashboardSeries: Sendable {
    public struct Line: Sendable {
        public var label: String
        public var points: [(t: Int64, v: Double)]
        /// The part of the pipeline the line shows, where it shows one (a function, a
        /// queue, an SLO, the PSP, the API): how a problem's chart picks its signal's line.
        public var subject: SignalSubject?
        public init(_ label: String, _ points: [(t: Int64, v: Double)], subject: SignalSubject? = nil) {
            self.label = label; self.points = points; self.subject = subject
        }
    }

    /// A control event: a fault on or off, a deploy, a rollback, a redrive, a rate change, …
    public struct ControlMark: Sendable, Equatable {
        public var at: Int64
        public var command: String
        public var summary: String
    }

    public var from: Int64, to: Int64
    /// Points are per period of this many seconds (1 where a live store keeps them, else 60).
    public var periodSeconds: Int
    public var throughput: [Line] = [], errors: [Line] = [], latency: [Line] = [], pspLatency: [Line] = []
    /// Invocations per second of each function (tile 11); errors per second and duration
    /// p95 of each (the Releases view, tile 15).
    public var invocations: [Line] = [], functionErrors: [Line] = [], functionP95: [Line] = []
    public var queueDepth: [Line] = [], dlqAge: [Line] = []
    /// Settled revenue per currency per period, in currency units (a plot's height; the
    /// figures themselves are decimal in BusinessReport). One line per currency.
    public var revenue: [Line] = []
    /// Settled ÷ received per minute, in percent.
    public var conversion: [Line] = []
    /// Per SLO: error budget remaining (percent of the budget) and the 1 h burn rate, per minute.
    public var budget: [Line] = [], burn: [Line] = []
    public var marks: [ControlMark] = []

    /// The series of the window ending at `at` (nil: from the store's first point).
    public static func load(_ c: Connection, at: Int64, windowNanos: Int64?, slos: [SloDefinition] = SloDefinition.defaults) throws -> DashboardSeries {
        let from: Int64
        if let windowNanos {
            // A store younger than the window: the charts span the data there is, not an
            // hour-wide frame with a minute of data at its right edge.
            let first = try firstPoint(c) ?? (at - windowNanos)
            from = min(at - 60_000_000_000, max(at - windowNanos, first))
        } else {
            from = min(try c.scalarInt("SELECT min(period_start) FROM metric_data") ?? at, at)
        }
        var period = 60
        if let windowNanos, windowNanos <= 15 * 60_000_000_000 {
            // Per second where a live store keeps fine points (the last hour).
            let q = try c.cached("SELECT 1 FROM metric_data WHERE period_seconds = 1 AND period_start >= ? LIMIT 1")
            q.bind(1, from)
            if try q.step() { period = 1 }
            q.reset()
        }
        var s = DashboardSeries(from: from, to: at, periodSeconds: period)
        func line(_ label: String, _ name: MetricName, _ dims: String, _ column: Column, _ subject: SignalSubject? = nil) throws -> Line {
            Line(label, try points(c, name, dims, from: from, to: at, period: period, column), subject: subject)
        }
        let api = MetricDimensions.api
        s.throughput = [try line("requests/s", .count, api, .rate),
                        try line("settled/s", .checkoutsSettled, MetricDimensions.business, .rate)]
        s.errors = [try line("5xx/s", .serverErrors, api, .rate, .api), try line("4xx/s", .clientErrors, api, .rate, .api),
                    try line("PSP 500/s", .pspResponses, MetricDimensions.pspResponses(code: 500), .rate, .psp)]
        s.latency = [try line("Latency p95", .latency, api, .p95),
                     try line("IntegrationLatency p95", .integrationLatency, api, .p95),
                     try line("initializer Duration p95", .duration, MetricDimensions.function(.initializer), .p95)]
        s.pspLatency = [try line("PSP p50", .pspLatency, MetricDimensions.psp, .p50),
                        try line("PSP p95", .pspLatency, MetricDimensions.psp, .p95),
                        try line("PSP avg", .pspLatency, MetricDimensions.psp, .mean)]
        s.invocations = try FunctionName.pipelineOrder.map {
            try line($0.rawValue, .invocations, MetricDimensions.function($0), .rate, .function($0))
        }
        s.functionErrors = try FunctionName.pipelineOrder.map {
            try line($0.rawValue, .errors, MetricDimensions.function($0), .rate, .function($0))
        }
        s.functionP95 = try FunctionName.pipelineOrder.map {
            try line($0.rawValue + " p95", .duration, MetricDimensions.function($0), .p95, .function($0))
        }
        // Visible and in flight: in an outage every message is in flight, and visible alone drew zero.
        s.queueDepth = try QueueName.allCases.map { q in
            let d = MetricDimensions.queue(q)
            return Line(q.rawValue, sum(try points(c, .messagesVisible, d, from: from, to: at, period: period, .value),
                                        try points(c, .messagesNotVisible, d, from: from, to: at, period: period, .value)),
                        subject: .queue(q))
        }
        s.dlqAge = try [QueueName.executionDLQ, .resultsDLQ].map {
            try line($0.rawValue, .ageOfOldestMessage, MetricDimensions.queue($0), .value, .queue($0))
        }
        try loadBusiness(c, &s)
        try loadSlos(c, &s, slos)
        let m = try c.cached("SELECT at, command, summary FROM control_event WHERE at >= ? AND at <= ? ORDER BY at, id")
        m.bind(1, from).bind(2, at)
        defer { m.reset() }
        s.marks = try m.all { ControlMark(at: $0.int(0), command: $0.string(1), summary: $0.string(2)) }
        return s
    }

    enum Column { case value, rate, p50, p95, mean }

    /// Two series added period by period (a period only one has counts its value).
    static func sum(_ a: [(t: Int64, v: Double)], _ b: [(t: Int64, v: Double)]) -> [(t: Int64, v: Double)] {
        var byTime: [Int64: Double] = [:]
        for p in a + b { byTime[p.t, default: 0] += p.v }
        return byTime.keys.sorted().map { ($0, byTime[$0]!) }
    }

    /// When the store's metrics begin: the first point of the API's Count or of the
    /// execution queue's depth (two index seeks each; nil for a store without either).
    static func firstPoint(_ c: Connection) throws -> Int64? {
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
    static func points(_ c: Connection, _ name: MetricName, _ dims: String, from: Int64, to: Int64, period: Int,
                       _ column: Column) throws -> [(t: Int64, v: Double)] {
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

    /// Revenue per currency and conversion per minute, from the business roll-ups.
    static func loadBusiness(_ c: Connection, _ s: inout DashboardSeries) throws {
        let q = try c.cached("""
            SELECT period_start, event_code, currency, sum(events), sum(amount_minor) FROM business_rollup
            WHERE period_seconds = 60 AND period_start >= ? AND period_start <= ? AND event_code IN (?, ?) GROUP BY 1, 2, 3 ORDER BY 1
            """)
        q.bind(1, s.from - 60_000_000_000).bind(2, s.to)
            .bind(3, BusinessEventName.requestReceived.rawValue).bind(4, BusinessEventName.checkoutSettled.rawValue)
        defer { q.reset() }
        var minutes: [Int64] = []
        var received: [Int64: Int64] = [:], settled: [Int64: Int64] = [:]
        var revenue: [String: [Int64: Int64]] = [:]
        while try q.step() {
            let minute = q.int(0)
            if minutes.last != minute { minutes.append(minute) }
            if q.int(1) == Int64(BusinessEventName.requestReceived.rawValue) {
                received[minute, default: 0] += q.int(3)
            } else {
                settled[minute, default: 0] += q.int(3)
                if !q.string(2).isEmpty { revenue[q.string(2), default: [:]][minute, default: 0] += q.int(4) }
            }
        }
        s.conversion = [Line("conversion %", minutes.compactMap { m in
            guard let r = received[m], r > 0 else { return nil }
            return (m, Double(settled[m] ?? 0) / Double(r) * 100)
        })]
        s.revenue = revenue.keys.sorted().map { currency in
            Line(currency, minutes.map { ($0, Double(revenue[currency]?[$0] ?? 0) / 100) })
        }
    }

    /// Each SLO's error budget remaining over its rolling window, and its 1 h burn rate,
    /// minute by minute through the chart's window (as Pyrra draws them), from the first
    /// minute whose window holds enough events.
    static func loadSlos(_ c: Connection, _ s: inout DashboardSeries, _ slos: [SloDefinition]) throws {
        for d in slos {
            let window = Int64(d.windowDays * 86_400e9)
            let good = try minuteCounts(c, d.goodMetric, d.dimensions, from: s.from - window, to: s.to)
            let valid = try minuteCounts(c, d.validMetric, d.dimensions, from: s.from - window, to: s.to)
            let minutes = valid.keys.filter { $0 >= s.from - 60_000_000_000 }.sorted()
            guard !minutes.isEmpty else { continue }
            let allMinutes = valid.keys.sorted()
            // Prefix sums over every minute, so each point's windows are two look-ups.
            var prefixGood: [Int64] = [0], prefixValid: [Int64] = [0]
            for m in allMinutes {
                prefixGood.append(prefixGood.last! + (good[m] ?? 0))
                prefixValid.append(prefixValid.last! + valid[m]!)
            }
            func index(after t: Int64) -> Int {  // first minute > t
                var lo = 0, hi = allMinutes.count
                while lo < hi { let mid = (lo + hi) / 2; if allMinutes[mid] <= t { lo = mid + 1 } else { hi = mid } }
                return lo
            }
            let budget = 1 - d.target
            var remaining: [(t: Int64, v: Double)] = [], burn: [(t: Int64, v: Double)] = []
            for m in minutes {
                let end = index(after: m)
                // No point where the window's events are too few for a verdict (SloReport's rule).
                func errorRate(_ length: Int64) -> Double? {
                    let start = index(after: m - length)
                    let v = prefixValid[end] - prefixValid[start], g = prefixGood[end] - prefixGood[start]
                    return SloReport.enoughData(valid: v, target: d.target) ? Double(v - g) / Double(v) : nil
                }
                if let e = errorRate(window), budget > 0 { remaining.append((m, (1 - e / budget) * 100)) }
                if let e = errorRate(3_600_000_000_000), budget > 0 { burn.append((m, e / budget)) }
            }
            let subject = SloName(rawValue: d.name).map(SignalSubject.slo)
            s.budget.append(Line(d.name, remaining, subject: subject))
            s.burn.append(Line(d.name, burn, subject: subject))
        }
    }

    /// A counter's total per minute (its roll-ups, else its fine points summed by minute).
    static func minuteCounts(_ c: Connection, _ name: String, _ dims: String, from: Int64, to: Int64) throws -> [Int64: Int64] {
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
}
