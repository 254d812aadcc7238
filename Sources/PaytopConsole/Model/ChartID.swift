import PaytopStore

/// Every chart the console draws: its lines, its value axis, and which checkouts are behind
/// a bucket of it (`Enter` on the chart's time cursor, docs/drill.md).
public enum ChartID: String, CaseIterable, Sendable {
    case throughput, errors, latency, pspLatency, invocations, functionErrors, functionP95
    case queueDepth, dlqAge, revenue, conversion, budget, burn

    /// The checkouts a bucket of the chart stands for.
    public enum Behind: Sendable, Equatable {
        /// Those whose request arrived in it (a rate of arrivals or of their work).
        case arrivals
        /// Those with an error (other than a decline) recorded in it.
        case erred
        /// The slowest of those that arrived in it.
        case slowest
        /// Those that arrived in it and failed (what conversion lost).
        case lost
        /// Those dead-lettered by its end (what the DLQ's age is the age of).
        case deadLettered
        /// Those that arrived in it and burned an objective's budget: failed other than by
        /// a decline, or slower than the settlement objective.
        case affected

        /// How the drill's title names them.
        public var phrase: String {
            switch self {
            case .arrivals: return "arrived"
            case .erred: return "failed or errored"
            case .slowest: return "slowest first"
            case .lost: return "arrived and failed"
            case .deadLettered: return "dead-lettered by then"
            case .affected: return "failed or slower than 2 min"
            }
        }
    }

    public var behind: Behind {
        switch self {
        case .throughput, .invocations, .revenue: return .arrivals
        case .errors, .functionErrors: return .erred
        case .latency, .pspLatency, .functionP95, .queueDepth: return .slowest
        case .conversion: return .lost
        case .dlqAge: return .deadLettered
        case .budget, .burn: return .affected
        }
    }

    /// The chart's short name (the drill's title, the status line).
    public var name: String {
        switch self {
        case .throughput: return "throughput"
        case .errors: return "errors"
        case .latency: return "API latency"
        case .pspLatency: return "PSP latency"
        case .invocations: return "invocations"
        case .functionErrors: return "function errors"
        case .functionP95: return "function p95"
        case .queueDepth: return "queue depth"
        case .dlqAge: return "DLQ age"
        case .revenue: return "revenue"
        case .conversion: return "conversion"
        case .budget: return "error budget"
        case .burn: return "burn rate"
        }
    }

    public func lines(_ s: DashboardSeries) -> [DashboardSeries.Line] {
        switch self {
        case .throughput: return s.throughput
        case .errors: return s.errors
        case .latency: return s.latency
        case .pspLatency: return s.pspLatency
        case .invocations: return s.invocations
        case .functionErrors: return s.functionErrors
        case .functionP95: return s.functionP95
        case .queueDepth: return s.queueDepth
        case .dlqAge: return s.dlqAge
        case .revenue: return s.revenue
        case .conversion: return s.conversion
        case .budget: return s.budget
        case .burn: return s.burn
        }
    }

    /// The value axis' labels.
    var format: @Sendable (Double) -> String {
        switch self {
        case .throughput, .errors, .invocations, .functionErrors: return ChartPane.perSecond
        case .latency, .pspLatency, .functionP95: return ChartPane.millis
        case .queueDepth, .dlqAge, .revenue: return ChartPane.count
        case .conversion, .budget: return ChartPane.percent
        case .burn: return ChartPane.ratio
        }
    }
}
