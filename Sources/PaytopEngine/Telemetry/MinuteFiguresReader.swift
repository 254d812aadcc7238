import PaytopDetect
import PaytopStore
import PaytopVocabulary

/// Reads the detectors' `MinuteFigures` out of a roll-up minute's metric points, knowing
/// which series is which from the engine's own series handles (no names parsed).
struct MinuteFiguresReader {
    private enum Role {
        case invocations(FunctionName), errors(FunctionName), throttles(FunctionName), duration(FunctionName)
        case visible(QueueName), notVisible(QueueName), age(QueueName)
        case apiCount, api5xx, api429, apiLatency
        case pspCalls, psp500, pspLatency
        case settled, failed
        case good(SloName), valid(SloName)
    }

    private var roles: [Int: Role] = [:]

    init(_ s: MetricSeriesSet) {
        for (f, fs) in s.functions {
            roles[fs.invocations.id] = .invocations(f); roles[fs.errors.id] = .errors(f)
            roles[fs.throttles.id] = .throttles(f); roles[fs.duration.id] = .duration(f)
        }
        for (q, qs) in s.queues {
            roles[qs.visible.id] = .visible(q); roles[qs.notVisible.id] = .notVisible(q); roles[qs.age.id] = .age(q)
        }
        roles[s.apiCount.id] = .apiCount; roles[s.api5xx.id] = .api5xx; roles[s.api429.id] = .api429
        roles[s.apiLatency.id] = .apiLatency
        roles[s.pspCalls.id] = .pspCalls; roles[s.psp500.id] = .psp500; roles[s.pspLatency.id] = .pspLatency
        roles[s.settled.id] = .settled; roles[s.failed.id] = .failed
        for (n, g) in s.sloGood { roles[g.id] = .good(n) }
        for (n, v) in s.sloValid { roles[v.id] = .valid(n) }
    }

    /// The figures of the minute starting at `start`, from the points among `points` that
    /// are its roll-up (period 60 s); `declines` by code and `investigateItems` come from
    /// the PSP and the back office, which keep them outside the metric points.
    func figures(start: Int64, points: ArraySlice<MetricPointRow>, declines: [String: Int], investigateItems: Int?) -> MinuteFigures {
        var m = MinuteFigures(start: start)
        var invocations: [FunctionName: Int] = [:], errors: [FunctionName: Int] = [:], throttles: [FunctionName: Int] = [:]
        var good: [SloName: Int] = [:], valid: [SloName: Int] = [:]
        var settled = 0, failed = 0, apiCount = 0, api5xx = 0, api429 = 0, pspCalls = 0, psp500 = 0
        for p in points where p.periodSeconds == 60 && p.periodStart == start {
            guard let role = roles[p.seriesID] else { continue }
            let v: Double
            switch p.value { case .integer(let i): v = Double(i); case .real(let r): v = r }
            let n = Int(v)
            func latency() -> MinuteFigures.Latency? { p.p95.map { MinuteFigures.Latency(count: Int(p.count ?? 0), p95: $0) } }
            switch role {
            case .invocations(let f): invocations[f] = n
            case .errors(let f): errors[f] = n
            case .throttles(let f): throttles[f] = n
            case .duration(let f): m.functionLatency[f] = latency()
            case .visible(let q): m.queueDepth[q, default: 0] += n; m.queueVisible[q] = n
            case .notVisible(let q): m.queueDepth[q, default: 0] += n
            case .age(let q): m.queueAge[q] = v
            case .apiCount: apiCount = n
            case .api5xx: api5xx = n
            case .api429: api429 = n
            case .apiLatency: m.apiLatency = latency()
            case .pspCalls: pspCalls = n
            case .psp500: psp500 = n
            case .pspLatency: m.pspLatency = latency()
            case .settled: settled = n
            case .failed: failed = n
            case .good(let s): good[s] = n
            case .valid(let s): valid[s] = n
            }
        }
        for f in FunctionName.allCases {
            let inv = invocations[f] ?? 0
            m.functionErrors[f] = MinuteFigures.Rate(events: errors[f] ?? 0, total: inv)
            m.functionThrottles[f] = MinuteFigures.Rate(events: throttles[f] ?? 0, total: inv + (throttles[f] ?? 0))
        }
        m.api5xx = MinuteFigures.Rate(events: api5xx, total: apiCount)
        m.api429 = MinuteFigures.Rate(events: api429, total: apiCount)
        m.pspErrors = MinuteFigures.Rate(events: psp500, total: pspCalls)
        m.pspCalls = pspCalls
        m.pspDeclines = declines
        m.conversion = MinuteFigures.Rate(events: settled, total: settled + failed)
        for s in SloName.allCases {
            let v = valid[s] ?? 0
            m.slo[s] = MinuteFigures.Rate(events: v - (good[s] ?? 0), total: v)
        }
        m.investigateItems = investigateItems
        return m
    }
}
