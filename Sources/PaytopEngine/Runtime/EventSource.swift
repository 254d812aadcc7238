import PaytopVocabulary

/// Lambda's SQS event source mapping for one queue: how many batches it runs at once,
/// scaling up while a backlog lasts, and how many empty long polls its idle pollers make.
struct EventSource {
    var settings: EngineSettings.EventSource
    /// Concurrent batches allowed now.
    var limit: Int
    var active = 0
    var lastScaleAt: EngineTime?
    var wakeAt: EngineTime?
    /// Idle poller time, in long polls, not yet counted as empty receives.
    var idlePolls: Double = 0
    var lastAccountedAt: EngineTime?

    init(settings: EngineSettings.EventSource) {
        self.settings = settings
        self.limit = settings.initialConcurrency
    }

    /// Counts the empty receives idle pollers made since the last call.
    mutating func accountIdle(at now: EngineTime, longPoll: Nanos) -> Int {
        defer { lastAccountedAt = now }
        guard let last = lastAccountedAt, now > last else { return 0 }
        let idle = max(0, limit - active)
        idlePolls += Double(idle) * Double(now - last) / Double(longPoll)
        let whole = Int(idlePolls)
        idlePolls -= Double(whole)
        return whole
    }

    /// Grows the concurrency by `scaleUpPerMinute` per minute of sustained backlog.
    mutating func scaleUp(at now: EngineTime, cap: Int) {
        guard let since = lastScaleAt else { lastScaleAt = now; return }
        let perStep = Span.minutes(1) / Int64(max(1, settings.scaleUpPerMinute))
        let steps = Int((now - since) / perStep)
        if steps > 0 {
            limit = min(max(cap, settings.initialConcurrency), limit + steps)
            lastScaleAt = since + Nanos(steps) * perStep
        }
    }

    /// No backlog: scaling restarts from here, and the surplus pollers (beyond the `busy`
    /// ones: running a batch, or holding one a throttled function could not take) drift
    /// back down.
    mutating func settle(at now: EngineTime, busy: Int) {
        lastScaleAt = now
        if limit > settings.initialConcurrency && limit > busy + 1 { limit -= 1 }
    }
}
