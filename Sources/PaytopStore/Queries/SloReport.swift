import PaytopVocabulary

/// A service level objective: which metric counts its good and valid events, its target
/// and its window. Defaults are the seed's SLOs; a TOML file can replace them
/// (docs/telemetry.md, sample-data/slo.toml).
public struct SloDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var target: Double          // e.g. 0.995
    public var windowDays: Double      // rolling
    public var goodMetric: String      // metric name
    public var validMetric: String
    public var dimensions: String      // JSON, shared by both metrics

    public init(name: String, description: String, target: Double, windowDays: Double, goodMetric: String,
                validMetric: String, dimensions: String) {
        self.name = name; self.description = description; self.target = target; self.windowDays = windowDays
        self.goodMetric = goodMetric; self.validMetric = validMetric; self.dimensions = dimensions
    }

    public static let defaults: [SloDefinition] = [
        // The seed gives no target for API latency; 99 % leaves room for Lambda cold starts.
        builtIn(.apiLatency, "POST /v1/payments answers within 300 ms and without a 5xx (or 429)", target: 0.99),
        builtIn(.settlement, "accepted checkouts settle within 2 minutes", target: 0.99),
        builtIn(.paymentSuccess, "valid payments settle successfully (business declines excluded)", target: 0.995),
    ]

    /// A built-in SLO over the engine's good and valid event counters.
    static func builtIn(_ name: SloName, _ description: String, target: Double) -> SloDefinition {
        SloDefinition(name: name.rawValue, description: description, target: target, windowDays: 30,
                      goodMetric: MetricName.sloGoodEvents.rawValue, validMetric: MetricName.sloValidEvents.rawValue,
                      dimensions: MetricDimensions.slo(name.rawValue))
    }
}


/// SLIs, error budgets, multiwindow multi-burn-rate alerts (SRE Workbook) and the seed's
/// error-budget policy, computed from the SLO counters in `metric_point` over windows of
/// engine time ending at the store's clock.
///
/// No verdict without data: a window whose valid events could not yet hold 10 bad ones
/// within the budget (valid × (1 − target) < 10) gives its SLI but no burn rate, budget,
/// policy or alert (docs/telemetry.md).
public struct SloReport: Sendable {
    /// Bad events a window's budget must be able to hold before it says anything.
    public static let minimumBudgetEvents = 10.0

    public struct Window: Sendable, Equatable {
        public var label: String
        public var good: Int64
        public var valid: Int64
        /// nil: too few events in the window for a rate.
        public var burnRate: Double?
    }

    public enum Severity: String, Sendable, Equatable {
        case page = "PAGE", ticket = "TICKET"
    }

    /// A multiwindow, multi-burn-rate alert (SRE Workbook, chapter 5): it fires when the
    /// burn rates over both its long and its short window exceed its threshold.
    public struct AlertRule: Sendable, Equatable {
        public var severity: Severity
        public var long: String, short: String
        public var threshold: Double
    }

    /// The Workbook's four rules: 2 % of a 30-day budget in 1 h, 5 % in 6 h (pages), 10 % in
    /// 1 d and in 3 d (tickets).
    public static let alertRules: [AlertRule] = [
        AlertRule(severity: .page, long: "1h", short: "5m", threshold: 14.4),
        AlertRule(severity: .page, long: "6h", short: "30m", threshold: 6),
        AlertRule(severity: .ticket, long: "1d", short: "2h", threshold: 3),
        AlertRule(severity: .ticket, long: "3d", short: "6h", threshold: 1),
    ]

    /// One rule against one SLO now.
    public struct AlertState: Sendable, Equatable {
        public var rule: AlertRule
        /// nil: too few events in that window.
        public var longBurn: Double?, shortBurn: Double?
        public var firing: Bool
        /// Seconds until the remaining budget is gone at the long window's burn rate (nil:
        /// not burning, nothing left, or too few events).
        public var secondsToExhaustion: Double?
    }

    /// The seed's error-budget policy, by the share of the budget consumed.
    public enum Policy: Sendable, Equatable {
        case normal, scrutiny, reliabilityFirst, freeze

        public init(consumed: Double) {
            switch consumed {
            case ..<0.5: self = .normal
            case ..<0.75: self = .scrutiny
            case ...1.0: self = .reliabilityFirst
            default: self = .freeze
            }
        }

        public var description: String {
            switch self {
            case .normal: return "normal: feature work as usual"
            case .scrutiny: return "scrutiny: more testing and change review"
            case .reliabilityFirst: return "reliability first: risky changes deferred"
            case .freeze: return "FREEZE: deployments frozen except critical fixes; postmortem required"
            }
        }
    }

    public struct Objective: Sendable, Equatable {
        public var definition: SloDefinition
        public var good: Int64
        public var valid: Int64
        public var sli: Double?                 // nil with no valid events
        /// Whether the window holds enough events for a budget verdict.
        public var enoughData: Bool
        /// 1.0 = the whole budget; nil without enough data.
        public var budgetConsumed: Double?
        public var windows: [Window]
        /// The most severe firing alert; nil when none fires.
        public var alert: Severity?
        public var alerts: [AlertState]
        /// nil without enough data.
        public var policy: Policy?
        /// Events already counted bad whose checkout has not ended (settlement past its
        /// objective and still in flight); nil when the SLO has no such gauge.
        public var badInFlight: Int64?

        /// Valid events the window needs before it gives a budget verdict.
        public var eventsForVerdict: Int64 { SloReport.eventsForVerdict(target: definition.target) }
    }

    /// Valid events for which a budget of `1 − target` can hold `minimumBudgetEvents` bad ones.
    /// (A millionth off before rounding up: 10 ÷ (1 − 0.99) is 1,000.000…1 in binary.)
    public static func eventsForVerdict(target: Double) -> Int64 {
        max(1, Int64((minimumBudgetEvents / (1 - target) - 1e-6).rounded(.up)))
    }

    public var at: Int64
    public var objectives: [Objective]
    /// Checkouts settled ÷ requests received over the longest SLO window (as BusinessReport).
    public var conversion: Double?
    public var conversionWindowDays: Int64

    /// (label, length) of the burn-rate windows.
    public static let burnWindows: [(String, Int64)] = [
        ("5m", 300), ("30m", 1_800), ("1h", 3_600), ("2h", 7_200), ("6h", 21_600), ("1d", 86_400), ("3d", 259_200),
    ].map { ($0.0, Int64($0.1) * 1_000_000_000) }

    /// Whether `valid` events are enough to judge an objective of `target`.
    public static func enoughData(valid: Int64, target: Double) -> Bool {
        valid >= eventsForVerdict(target: target)
    }

    public static func load(_ c: Connection, definitions: [SloDefinition] = SloDefinition.defaults,
                            transaction: Bool = true) throws -> SloReport {
        try c.readIf(transaction) {
            let at = try StoredEngineState.load(c).now
            let longest = longestWindow(definitions)
            let business = try BusinessReport.load(c, at: at, from: BusinessReport.windowStart(at: at, nanos: longest))
            return try assemble(at: at, definitions: definitions,
                                total: { name, dimensions, from in try MetricWindow.total(c, name, dimensions, from: from, to: at) },
                                latestGauge: { name, dimensions in try MetricWindow.latestGauge(c, name, dimensions, at: at) },
                                conversion: business.conversion)
        }
    }

    /// The longest SLO window, for the conversion beside them.
    public static func longestWindow(_ definitions: [SloDefinition]) -> Int64 {
        Int64((definitions.map(\.windowDays).max() ?? 30) * 86_400e9)
    }

    /// Where each window of a definition starts, for `at`: its own window's, then the burn-rate windows'.
    public static func windowStarts(_ d: SloDefinition, at: Int64) -> [Int64] {
        [at - Int64(d.windowDays * 86_400e9)] + burnWindows.map { at - $0.1 }
    }

    /// The report from counter totals over [from, at) (name, dimensions, from), gauges'
    /// latest readings and the conversion: one arithmetic for every store that can give them.
    public static func assemble(at: Int64, definitions: [SloDefinition], total: (String, String, Int64) throws -> Int64,
                                latestGauge: (String, String) throws -> Double?, conversion: Double?) throws -> SloReport {
        var objectives: [Objective] = []
        for d in definitions {
            func sums(_ from: Int64) throws -> (Int64, Int64) {
                (try total(d.goodMetric, d.dimensions, from), try total(d.validMetric, d.dimensions, from))
            }
            let budget = 1 - d.target
            let (good, valid) = try sums(at - Int64(d.windowDays * 86_400e9))
            let windows = try burnWindows.map { label, length -> Window in
                let (g, v) = try sums(at - length)
                let rate = enoughData(valid: v, target: d.target) ? Double(v - g) / Double(v) / budget : nil
                return Window(label: label, good: g, valid: v, burnRate: rate)
            }
            let burn = Dictionary(uniqueKeysWithValues: windows.map { ($0.label, $0.burnRate) })
            let enough = enoughData(valid: valid, target: d.target)
            let consumed = enough ? (Double(valid - good) / Double(valid)) / budget : nil
            let windowSeconds = d.windowDays * 86_400
            let alerts = alertRules.map { rule -> AlertState in
                let (l, sh) = (burn[rule.long] ?? nil, burn[rule.short] ?? nil)
                let firing = enough && (l ?? 0) > rule.threshold && (sh ?? 0) > rule.threshold
                let left = consumed.map { max(0, 1 - $0) } ?? 0
                return AlertState(rule: rule, longBurn: l, shortBurn: sh, firing: firing,
                                  secondsToExhaustion: (l ?? 0) > 0 && left > 0 ? left * windowSeconds / l! : nil)
            }
            let alert: Severity? = alerts.contains { $0.firing && $0.rule.severity == .page } ? .page
                : (alerts.contains { $0.firing } ? .ticket : nil)
            let inFlight = try latestGauge(MetricName.sloBadEventsInFlight.rawValue, d.dimensions)
            objectives.append(Objective(definition: d, good: good, valid: valid,
                                        sli: valid == 0 ? nil : Double(good) / Double(valid), enoughData: enough,
                                        budgetConsumed: consumed, windows: windows, alert: alert, alerts: alerts,
                                        policy: consumed.map(Policy.init(consumed:)),
                                        badInFlight: inFlight.map { Int64($0) }))
        }
        // The one conversion: settled ÷ received (the seed's), over the longest SLO window.
        return SloReport(at: at, objectives: objectives, conversion: conversion,
                         conversionWindowDays: longestWindow(definitions) / 86_400_000_000_000)
    }
}
