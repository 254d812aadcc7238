import PaytopVocabulary

/// What an experiment measures (docs/experiments.md): a probe kind and its subject. Ratios
/// are 0–1, latencies ms, counts whole.
public struct Probe: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        case sloSLI = "slo.sli"
        case sloBurnRate = "slo.burn_rate"
        case queueVisible = "queue.visible"
        case queueAgeOldest = "queue.age_oldest"
        case conversion
        case functionErrorRate = "function.error_rate"
        case functionThrottles = "function.throttles"
        case apiP99 = "api.p99_ms"
        case api5xx = "api.status_5xx"
        case moneyInvariants = "money.invariants"
        case problemsOpen = "problems.open"

        /// The keys the kind takes besides `probe` (and `name`, `tolerance`, `above`, `below`).
        var keys: [String] {
            switch self {
            case .sloSLI, .sloBurnRate: return ["slo", "window"]
            case .queueVisible, .queueAgeOldest: return ["queue"]
            case .conversion, .apiP99, .api5xx: return ["window"]
            case .functionErrorRate, .functionThrottles: return ["function", "window"]
            case .moneyInvariants, .problemsOpen: return []
            }
        }

        /// What its value is, for the report.
        public var unit: String {
            switch self {
            case .sloSLI, .conversion, .functionErrorRate, .api5xx: return "ratio"
            case .sloBurnRate: return "× budget"
            case .queueVisible, .functionThrottles, .problemsOpen: return "count"
            case .queueAgeOldest: return "s"
            case .apiP99: return "ms"
            case .moneyInvariants: return "1 = hold"
            }
        }
    }

    public var kind: Kind
    public var slo: SloName?
    public var queue: QueueName?
    public var function: FunctionName?
    /// The window a rate or ratio is over (an SLO's: one of its burn windows), ns.
    public var window: Int64?
    /// As written ("5m").
    public var windowText: String?

    /// A short description: `slo.burn_rate settlement 5m`.
    public var subject: String {
        [kind.rawValue, slo?.rawValue, queue?.rawValue, function?.rawValue, windowText].compactMap { $0 }.joined(separator: " ")
    }
}

/// A probe's acceptable values: at most `max`, at least `min` (either or both).
public struct Tolerance: Sendable, Equatable {
    public var min: Double?
    public var max: Double?

    /// No value (too little data to say) is not within any tolerance.
    public func holds(_ v: Double?) -> Bool {
        guard let v else { return false }
        return (min.map { v >= $0 } ?? true) && (max.map { v <= $0 } ?? true)
    }

    public var text: String {
        switch (min, max) {
        case let (a?, b?): return "\(Probe.format(a))–\(Probe.format(b))"
        case let (a?, nil): return "≥ \(Probe.format(a))"
        case let (nil, b?): return "≤ \(Probe.format(b))"
        default: return "any"
        }
    }
}

extension Probe {
    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.4g", v)
    }
}
