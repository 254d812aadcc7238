import PaytopVocabulary

/// One simulated Lambda function: concurrency, warm environments, cold starts and the
/// CloudWatch counters AWS keeps for it.
final class FunctionRuntime {
    let name: FunctionName
    var settings: EngineSettings.Function
    private(set) var busy = 0
    /// Idle environments, most recently used last (reused first, as Lambda does).
    private var idle: [(id: Int, lastUsed: EngineTime)] = []
    private var nextEnvironment = 1
    var counters = Counters()
    // Per metric period: durations, init durations and peak concurrency.
    private var durations: [(nanos: Nanos, coldStart: Bool)] = []
    private var initDurations: [Nanos] = []
    private var periodMax = 0
    var recordsDurations = false

    struct Counters: Codable, Equatable {
        var invocations = 0
        var errors = 0
        var throttles = 0
        var timeouts = 0
        var coldStarts = 0
        var maxConcurrent = 0
        var durationNanos: Int64 = 0
    }

    struct Lease {
        let environment: Int
        let coldStart: Bool
        let initDuration: Nanos
    }

    init(name: FunctionName, settings: EngineSettings.Function) {
        self.name = name
        self.settings = settings
    }

    /// Starts an invocation, or returns nil (and counts a throttle) when the function has
    /// no concurrency left. `limit` is its reservation or what the account has free.
    func acquire(at now: EngineTime, limit: Int, random: inout SeededRandom) -> Lease? {
        guard busy < limit else {
            counters.throttles += 1
            return nil
        }
        busy += 1
        counters.invocations += 1
        counters.maxConcurrent = max(counters.maxConcurrent, busy)
        periodMax = max(periodMax, busy)
        let expiry = Span.seconds(settings.idleExpirySeconds)
        if let top = idle.last, now - top.lastUsed > expiry {
            idle.removeAll()  // the most recent one expired, so all older ones did too
        }
        if let env = idle.popLast() {
            return Lease(environment: env.id, coldStart: false, initDuration: 0)
        }
        counters.coldStarts += 1
        let id = nextEnvironment
        nextEnvironment += 1
        let initDuration = random.nanos(Span.seconds(settings.coldStartMinSeconds), Span.seconds(settings.coldStartMaxSeconds))
        if recordsDurations { initDurations.append(initDuration) }
        return Lease(environment: id, coldStart: true, initDuration: initDuration)
    }

    /// Ends an invocation. A timed-out environment is discarded rather than reused.
    func release(_ lease: Lease, at now: EngineTime, started: EngineTime, reusable: Bool) {
        busy -= 1
        counters.durationNanos += now - started
        if recordsDurations { durations.append((now - started, lease.coldStart)) }
        if reusable { idle.append((lease.environment, now)) }
    }

    func takeDurations() -> [(nanos: Nanos, coldStart: Bool)] { defer { durations.removeAll(keepingCapacity: true) }; return durations }
    func takeInitDurations() -> [Nanos] { defer { initDurations.removeAll(keepingCapacity: true) }; return initDurations }
    func takePeriodMaxConcurrency() -> Int { defer { periodMax = busy }; return periodMax }

    /// What Lambda reports when the handler runs past the function's timeout.
    var timeoutMessage: String {
        let hundredths = Int((settings.timeoutSeconds * 100).rounded())
        let frac = hundredths % 100
        return "Task timed out after \(hundredths / 100).\(frac < 10 ? "0" : "")\(frac) seconds"
    }

    /// Environments that are warm right now.
    var warmEnvironments: Int { idle.count }
}
