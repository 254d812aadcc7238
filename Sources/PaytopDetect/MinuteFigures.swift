import PaytopVocabulary

/// One minute of engine time as the detectors read it: the counts, percentiles and
/// gauges of that minute's roll-up, whoever wrote them (the engine's recorder, or a
/// receiver's metric points). A figure nobody reported is absent, not zero.
public struct MinuteFigures: Sendable, Equatable {
    /// The minute's start, nanoseconds of engine time.
    public var start: Int64

    public struct Rate: Sendable, Equatable {
        public var events: Int
        public var total: Int
        /// Events counted at a different moment than their total (an error whose invocation
        /// began the minute before) are capped at it.
        public init(events: Int = 0, total: Int = 0) { self.events = min(events, total); self.total = total }
        public var rate: Double? { total > 0 ? Double(events) / Double(total) : nil }
    }

    public struct Latency: Sendable, Equatable {
        public var count: Int
        /// Milliseconds.
        public var p95: Double
        public init(count: Int, p95: Double) { self.count = count; self.p95 = p95 }
    }

    /// Errors per invocation, throttles per invocation attempt, p95 duration.
    public var functionErrors: [FunctionName: Rate] = [:]
    public var functionThrottles: [FunctionName: Rate] = [:]
    public var functionLatency: [FunctionName: Latency] = [:]
    /// 5xx per request, 429 per request, p95 latency.
    public var api5xx = Rate()
    public var api429 = Rate()
    public var apiLatency: Latency?
    /// 5xx answers per call, declines by code per call, p95 latency.
    public var pspErrors = Rate()
    public var pspDeclines: [String: Int] = [:]
    public var pspCalls = 0
    public var pspLatency: Latency?
    /// Messages in each queue (visible and in flight) and the age of its oldest, seconds.
    public var queueDepth: [QueueName: Int] = [:]
    public var queueAge: [QueueName: Double] = [:]
    /// Messages visible (waiting for a consumer) in each queue.
    public var queueVisible: [QueueName: Int] = [:]
    /// Checkouts that ended in the minute, and how many of them settled.
    public var conversion = Rate()
    /// Each SLO's bad and valid events in the minute.
    public var slo: [SloName: Rate] = [:]
    /// Reconciliation items no rule explains, open at the minute's end (nil: no run yet).
    public var investigateItems: Int?

    public init(start: Int64) { self.start = start }
}
