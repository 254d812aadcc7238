import PaytopStore
import PaytopVocabulary

/// What the services share while the engine handles an event: engine time, the one
/// PRNG, the one scheduler, the operator's settings, faults and releases, the API's
/// counters, the checkouts in memory and the telemetry being recorded. The engine owns
/// one; each service holds it. It keeps no logic of its own beyond reading those.
final class EngineContext {
    var now: EngineTime
    var random: SeededRandom
    var scheduler = Scheduler()
    var settings: EngineSettings
    var faults = FaultState()
    var releases: [FunctionName: [Release]] = [:]
    var stats = EngineStats()
    let checkouts = CheckoutBook()
    let telemetry: TelemetryRecorder
    /// nil when telemetry is off.
    var metrics: MetricSeriesSet?
    /// Rows changed since the last flush; the engine flushes past its threshold.
    var pendingRows = 0

    init(settings: EngineSettings, startTime: EngineTime) {
        self.settings = settings
        self.now = startTime
        self.random = SeededRandom(seed: settings.seed)
        self.telemetry = TelemetryRecorder(enabled: settings.telemetry)
        for f in FunctionName.allCases {
            let s = settings.functions[f] ?? .init(reservedConcurrency: nil)
            releases[f] = [Release(version: s.version, regression: nil, deploymentID: "initial", revision: "initial",
                                   deployedAt: EngineTime.simulationEpoch.nanos)]
        }
    }

    /// The version of a function that is serving now.
    func currentRelease(_ f: FunctionName) -> Release { releases[f]!.last! }

    /// Checkouts whose message on a queue is poison (`poison-message`): its handler fails on
    /// it every time, redriven or not. In memory: a restarted engine forgets them.
    var poisoned: [QueueName: Set<String>] = [:]

    func isPoison(_ checkoutID: String, in q: QueueName) -> Bool { poisoned[q]?.contains(checkoutID) ?? false }

    /// The latency a `dynamodb-latency` fault adds to a call on these tables (the slowest's).
    func dynamoDelay(_ tables: DynamoTable...) -> Nanos {
        guard let d = faults.dynamoDelayMillis else { return 0 }
        return Span.seconds((tables.compactMap { d[$0] }.max() ?? 0) / 1000)
    }

    /// Whether an invocation of `f` fails by operator fault or a bad release.
    func functionFails(_ f: FunctionName) -> Bool {
        if let rate = faults.functionErrorRates[f], random.chance(rate) { return true }
        if currentRelease(f).regression == .errors, random.chance(Latencies.regressionErrorRate) { return true }
        return false
    }

    /// Extra time a latency-regressed release of `f` adds.
    func releaseLatency(_ f: FunctionName) -> Nanos {
        currentRelease(f).regression == .latency ? random.draw(Latencies.regressionLatency) : 0
    }

    /// Schedules an event for an invocation, or its timeout if the event would fall after it.
    func schedule(_ event: EngineEvent, for inv: Invocation, at t: EngineTime) {
        if t > inv.deadline {
            if !inv.timeoutScheduled {
                inv.timeoutScheduled = true
                scheduler.schedule(.invocationTimeout(inv), at: inv.deadline)
            }
        } else {
            scheduler.schedule(event, at: t)
        }
    }

    func markDirty(_ c: Checkout) {
        if checkouts.markDirty(c) { pendingRows += 1 + c.orders.count }
    }

    func markDirty(_ m: QueueMessage) {
        if checkouts.markDirty(m) { pendingRows += 1 }
    }
}
