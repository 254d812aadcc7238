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
        try assemble(StoreChartSource(c), at: at, windowNanos: windowNanos, slos: slos)
    }

    /// The series from a source of points: one arithmetic for every store that can give them.
    public static func assemble(_ source: some ChartSource, at: Int64, windowNanos: Int64?,
                                slos: [SloDefinition] = SloDefinition.defaults) throws -> DashboardSeries {
        let from: Int64
        if let windowNanos {
            // A store younger than the window: the charts span the data there is, not an
            // hour-wide frame with a minute of data at its right edge.
            let first = try source.firstPoint() ?? (at - windowNanos)
            from = min(at - 60_000_000_000, max(at - windowNanos, first))
        } else {
            from = min(try source.earliestPoint() ?? at, at)
        }
        var period = 60
        // Per second where a live store keeps fine points (the last hour).
        if let windowNanos, windowNanos <= 15 * 60_000_000_000, try source.hasFinePoints(from: from) { period = 1 }
        var s = DashboardSeries(from: from, to: at, periodSeconds: period)
        func points(_ name: MetricName, _ dims: String, _ column: Column) throws -> [(t: Int64, v: Double)] {
            try source.points(name, dims, from: from, to: at, period: period, column)
        }
        func line(_ label: String, _ name: MetricName, _ dims: String, _ column: Column, _ subject: SignalSubject? = nil) throws -> Line {
            Line(label, try points(name, dims, column), subject: subject)
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
            return Line(q.rawValue, sum(try points(.messagesVisible, d, .value), try points(.messagesNotVisible, d, .value)), subject: .queue(q))
        }
        s.dlqAge = try [QueueName.executionDLQ, .resultsDLQ].map {
            try line($0.rawValue, .ageOfOldestMessage, MetricDimensions.queue($0), .value, .queue($0))
        }
        loadBusiness(try source.businessMinutes(from: s.from - 60_000_000_000, to: s.to), &s)
        try loadSlos(source, &s, slos)
        s.marks = try source.marks(from: from, to: at)
        return s
    }

    /// What a chart's line shows of a period: its value, per second, a percentile, the mean.
    public enum Column: Sendable { case value, rate, p50, p95, mean }

    /// Two series added period by period (a period only one has counts its value).
    static func sum(_ a: [(t: Int64, v: Double)], _ b: [(t: Int64, v: Double)]) -> [(t: Int64, v: Double)] {
        var byTime: [Int64: Double] = [:]
        for p in a + b { byTime[p.t, default: 0] += p.v }
        return byTime.keys.sorted().map { ($0, byTime[$0]!) }
    }

    /// Revenue per currency and conversion per minute, from the received and settled
    /// checkouts counted per minute (and currency).
    static func loadBusiness(_ counted: [BusinessMinute], _ s: inout DashboardSeries) {
        var minutes: [Int64] = []
        var received: [Int64: Int64] = [:], settled: [Int64: Int64] = [:]
        var revenue: [String: [Int64: Int64]] = [:]
        for g in counted.sorted(by: { $0.minute < $1.minute }) {
            if minutes.last != g.minute { minutes.append(g.minute) }
            if g.event == .requestReceived {
                received[g.minute, default: 0] += g.events
            } else if g.event == .checkoutSettled {
                settled[g.minute, default: 0] += g.events
                if !g.currency.isEmpty { revenue[g.currency, default: [:]][g.minute, default: 0] += g.amountMinor }
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
    static func loadSlos(_ source: some ChartSource, _ s: inout DashboardSeries, _ slos: [SloDefinition]) throws {
        for d in slos {
            let window = Int64(d.windowDays * 86_400e9)
            let good = try windowCounts(source, d.goodMetric, d.dimensions, window: window, s)
            let valid = try windowCounts(source, d.validMetric, d.dimensions, window: window, s)
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

    /// A counter's counts per minute as the budget and burn lines read them: every minute
    /// where a point's window starts or ends (around `from − window … to − window` and
    /// `from − 1 h … to`), and what lies between as one sum under its first minute — no
    /// window starts or ends inside it, so every window's sum is exact, and a 30-day window
    /// reads two stretches of minutes rather than thirty days of them.
    static func windowCounts(_ source: some ChartSource, _ name: String, _ dims: String, window: Int64,
                             _ s: DashboardSeries) throws -> [Int64: Int64] {
        let minute: Int64 = 60_000_000_000, hour: Int64 = 3_600_000_000_000
        let early = (s.from - window - minute)...(Period.start(of: s.to - window, length: minute) + 2 * minute - 1)
        let late = Period.start(of: s.from - hour - minute, length: minute)...s.to
        guard early.upperBound + minute < late.lowerBound else {
            return try source.minuteCounts(name, dims, from: early.lowerBound, to: s.to)
        }
        var counts = try source.minuteCounts(name, dims, from: early.lowerBound, to: early.upperBound)
        counts.merge(try source.minuteCounts(name, dims, from: late.lowerBound, to: late.upperBound)) { a, _ in a }
        let between = early.upperBound + 1
        let middle = try source.total(name, dims, from: between, to: late.lowerBound)
        if middle != 0 { counts[between, default: 0] += middle }
        return counts
    }
}
