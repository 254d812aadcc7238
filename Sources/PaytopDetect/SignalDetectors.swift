import PaytopVocabulary

/// One signal's verdict on one minute: violating or not, in words.
public struct SignalReading: Sendable, Equatable {
    public let kind: SignalKind
    public let subject: SignalSubject
    /// The minute counts against the sustain rule.
    public let violating: Bool
    /// So far past its threshold, with so many events, that it needs no second minute.
    public let overwhelming: Bool
    public let detail: String
}

/// A signal that passed its sustain rule in the minute just judged.
public struct FiredSignal: Sendable, Equatable {
    public let kind: SignalKind
    public let subject: SignalSubject
    /// The first violating minute of the sustained run (its start).
    public let firstAt: Int64
    public let detail: String
}

/// The detectors (docs/problems.md): each minute of engine time, every signal's reading
/// against its own trailing baseline, and the sustain rule that turns readings into
/// signals. Deterministic: the same minutes in give the same signals out.
public final class SignalDetectors {
    public let thresholds: DetectorThresholds
    private var states: [SignalKey: SignalState] = [:]
    /// SLO bad and valid events, newest minute last, for the burn windows.
    private var sloMinutes: [SloName: [MinuteFigures.Rate]] = [:]
    private var lastInvestigateItems: Int?
    private let sloTargets: [SloName: Double]

    public init(thresholds: DetectorThresholds = .standard, sloTargets: [SloName: Double]) {
        self.thresholds = thresholds
        self.sloTargets = sloTargets
    }

    struct SignalKey: Hashable { let kind: SignalKind; let subject: SignalSubject }

    /// What one signal remembers: its last few verdicts, and the values of its recent
    /// normal minutes (violating minutes never teach the baseline).
    struct SignalState {
        var recent: [(start: Int64, violating: Bool)] = []
        var baseline: [Double] = []
        var baselineEvents: [(events: Int, total: Int)] = []
    }

    /// Judges one minute; returns the signals sustained in it and every reading (the
    /// tracker closes problems whose signals read normal).
    public func judge(_ m: MinuteFigures) -> (fired: [FiredSignal], readings: [SignalReading]) {
        var readings: [SignalReading] = []
        let t = thresholds
        for (f, r) in m.functionErrors.sorted(by: { $0.key < $1.key }) {
            readings.append(rate(.errorRate, .function(f), r, t.functionErrors, what: "of \(f.rawValue) invocations failed"))
        }
        readings.append(rate(.pspErrors, .psp, m.pspErrors, t.pspErrors, what: "of PSP calls answered 5xx"))
        readings.append(rate(.api5xx, .api, m.api5xx, t.api5xx, what: "of API requests answered 5xx"))
        for code in DeclineCode.all {
            let r = MinuteFigures.Rate(events: m.pspDeclines[code] ?? 0, total: m.pspCalls)
            readings.append(rate(.declines, .declineCode(code), r, t.declines, what: "of PSP calls declined \(code)"))
        }
        readings.append(rate(.throttling, .api, m.api429, t.throttling, what: "of API requests throttled (429)"))
        for (f, r) in m.functionThrottles.sorted(by: { $0.key < $1.key }) {
            readings.append(rate(.throttling, .function(f), r, t.throttling, what: "of \(f.rawValue) invocations throttled"))
        }
        for (f, l) in m.functionLatency.sorted(by: { $0.key < $1.key }) {
            readings.append(latency(.function(f), l, what: "\(f.rawValue) p95"))
        }
        if let l = m.pspLatency { readings.append(latency(.psp, l, what: "PSP p95")) }
        if let l = m.apiLatency { readings.append(latency(.api, l, what: "API p95")) }
        for q in QueueName.allCases {
            if q.isDeadLetterQueue {
                if let d = m.queueDepth[q] {
                    let age = m.queueAge[q] ?? 0
                    readings.append(SignalReading(kind: .deadLetters, subject: .queue(q), violating: d > 0, overwhelming: d > 0,
                                                  detail: "\(d.grouped) dead letter\(d == 1 ? "" : "s") in \(q.rawValue)"))
                    readings.append(SignalReading(kind: .dlqAge, subject: .queue(q), violating: age > t.dlqAgeSeconds,
                                                  overwhelming: age > t.dlqAgeSeconds,
                                                  detail: "oldest dead letter \(DurationText.words(seconds: age)) old (limit \(DurationText.words(seconds: t.dlqAgeSeconds)))"))
                }
            } else if let age = m.queueAge[q], let visible = m.queueVisible[q] {
                readings.append(backlog(q, age: age, visible: visible))
            }
        }
        readings.append(conversion(m.conversion))
        for s in SloName.allCases {
            if let r = m.slo[s] { readings.append(burn(s, r)) }
        }
        if let items = m.investigateItems {
            let grew = items > (lastInvestigateItems ?? 0)
            readings.append(SignalReading(kind: .reconciliation, subject: .reconciliation, violating: grew, overwhelming: grew,
                                          detail: "\(items.grouped) reconciliation item\(items == 1 ? "" : "s") no rule explains"))
            lastInvestigateItems = items
        }
        var fired: [FiredSignal] = []
        for r in readings {
            let key = SignalKey(kind: r.kind, subject: r.subject)
            var s = states[key, default: SignalState()]
            s.recent.append((m.start, r.violating))
            if s.recent.count > t.sustainOf { s.recent.removeFirst(s.recent.count - t.sustainOf) }
            let count = s.recent.filter(\.violating).count
            if r.violating, r.overwhelming || count >= t.sustainMinutes {
                let first = s.recent.first(where: \.violating)!.start
                fired.append(FiredSignal(kind: r.kind, subject: r.subject, firstAt: first, detail: r.detail))
            }
            states[key] = s
        }
        return (fired, readings)
    }

    // MARK: - Baselines

    private func learn(_ key: SignalKey, value: Double? = nil, events: (Int, Int)? = nil) {
        var s = states[key, default: SignalState()]
        if let value {
            s.baseline.append(value)
            if s.baseline.count > thresholds.baselineMinutes { s.baseline.removeFirst() }
        }
        if let events {
            s.baselineEvents.append(events)
            if s.baselineEvents.count > thresholds.baselineMinutes { s.baselineEvents.removeFirst() }
        }
        states[key] = s
    }

    /// The pooled rate of the trailing normal minutes (0 before any).
    private func baselineRate(_ key: SignalKey) -> Double {
        let b = states[key]?.baselineEvents ?? []
        let total = b.reduce(0) { $0 + $1.total }
        return total > 0 ? Double(b.reduce(0) { $0 + $1.events }) / Double(total) : 0
    }

    /// The median of the trailing normal minutes' values (nil before enough of them).
    private func baselineMedian(_ key: SignalKey) -> Double? {
        let b = states[key]?.baseline ?? []
        guard b.count >= thresholds.baselineWarmup else { return nil }
        let sorted = b.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    // MARK: - Rules

    /// Events per total against the baseline: past the larger of a floor, a multiple of the
    /// baseline and the baseline plus a margin, with at least so many events.
    private func rate(_ kind: SignalKind, _ subject: SignalSubject, _ r: MinuteFigures.Rate, _ rule: DetectorThresholds.RateRule,
                      what: String) -> SignalReading {
        let key = SignalKey(kind: kind, subject: subject)
        let base = baselineRate(key)
        let limit = max(rule.floor, base * rule.factor, base + rule.margin)
        let value = r.rate ?? 0
        let enough = r.total >= rule.minTotal && r.events >= rule.minEvents
        let violating = enough && value > limit
        if !violating, r.total > 0 { learn(key, events: (r.events, r.total)) }
        let overwhelming = violating && r.events >= rule.minEvents * 4 && value >= 2 * limit
        return SignalReading(kind: kind, subject: subject, violating: violating, overwhelming: overwhelming,
                             detail: "\(Self.pct(value)) \(what) (\(r.events.grouped) of \(r.total.grouped); baseline \(Self.pct(base)))")
    }

    /// A p95 against the median of its recent normal minutes' p95.
    private func latency(_ subject: SignalSubject, _ l: MinuteFigures.Latency, what: String) -> SignalReading {
        let key = SignalKey(kind: .latency, subject: subject)
        let rule = thresholds.latency
        let base = baselineMedian(key)
        let violating: Bool
        var limit = 0.0
        if let base, l.count >= rule.minTotal {
            limit = max(base * rule.factor, base + rule.margin)
            violating = l.p95 > limit
        } else {
            violating = false
        }
        if !violating, l.count >= rule.minTotal { learn(key, value: l.p95) }
        let overwhelming = violating && l.p95 >= 3 * limit
        let baseText = base.map { DurationText.words(millis: $0) } ?? "learning"
        return SignalReading(kind: .latency, subject: subject, violating: violating, overwhelming: overwhelming,
                             detail: "\(what) \(DurationText.words(millis: l.p95)) (baseline \(baseText), \(l.count.grouped) samples)")
    }

    /// Messages piling up: more visible than the baseline allows, the oldest past a floor.
    /// Age alone misleads: one message failing its three receives sits 15 minutes (3 × the
    /// 300 s visibility timeout) in a queue that is otherwise empty.
    private func backlog(_ q: QueueName, age: Double, visible: Int) -> SignalReading {
        let key = SignalKey(kind: .backlog, subject: .queue(q))
        let rule = thresholds.backlog
        let base = baselineMedian(key) ?? 0
        let limit = max(Double(rule.floorMessages), base * rule.factor)
        let violating = Double(visible) > limit && age > rule.floorSeconds
        if !violating { learn(key, value: Double(visible)) }
        return SignalReading(kind: .backlog, subject: .queue(q), violating: violating, overwhelming: violating && Double(visible) > 4 * limit,
                             detail: "\(visible.grouped) messages waiting in \(q.rawValue) (limit \(Int(limit).grouped)), oldest \(DurationText.words(seconds: age)) old")
    }

    /// The share of ended checkouts that settled, against the pooled share of recent normal minutes.
    private func conversion(_ r: MinuteFigures.Rate) -> SignalReading {
        let key = SignalKey(kind: .conversion, subject: .business)
        let rule = thresholds.conversion
        let b = states[key]?.baselineEvents ?? []
        let total = b.reduce(0) { $0 + $1.total }
        let base: Double? = b.count >= thresholds.baselineWarmup && total > 0
            ? Double(b.reduce(0) { $0 + $1.events }) / Double(total) : nil
        let value = r.rate
        var violating = false
        if let base, let value, r.total >= rule.minTotal { violating = value < base - rule.drop }
        if !violating, r.total > 0 { learn(key, events: (r.events, r.total)) }
        let text = value.map(Self.pct) ?? "no checkout ended"
        return SignalReading(kind: .conversion, subject: .business, violating: violating,
                             overwhelming: violating && (value ?? 1) < (base ?? 0) - 2 * rule.drop,
                             detail: "conversion \(text) (\(r.events.grouped) of \(r.total.grouped) settled; baseline \(base.map(Self.pct) ?? "learning"))")
    }

    /// The SRE Workbook's page rule on the minutes this process has seen: the 5-minute and
    /// the 1-hour burn rate both above 14.4 (an hour not yet seen: the minutes there are).
    private func burn(_ s: SloName, _ r: MinuteFigures.Rate) -> SignalReading {
        var minutes = sloMinutes[s, default: []]
        minutes.append(r)
        if minutes.count > 60 { minutes.removeFirst(minutes.count - 60) }
        sloMinutes[s] = minutes
        let budget = 1 - (sloTargets[s] ?? 0.99)
        func burnRate(_ last: Int) -> (Double, Int) {
            let w = minutes.suffix(last)
            let valid = w.reduce(0) { $0 + $1.total }
            guard valid > 0, budget > 0 else { return (0, valid) }
            return (Double(w.reduce(0) { $0 + $1.events }) / Double(valid) / budget, valid)
        }
        let (short, shortValid) = burnRate(5)
        let (long, _) = burnRate(60)
        let rule = thresholds.burn
        let violating = shortValid >= rule.minValid && short > rule.rate && long > rule.rate
        return SignalReading(kind: .sloBurn, subject: .slo(s), violating: violating, overwhelming: violating,
                             detail: "\(s.rawValue) burning \(Self.times(short)) (5 min) and \(Self.times(long)) (1 h); page above \(Self.times(rule.rate))")
    }

    static func pct(_ v: Double) -> String {
        let p = v * 100
        return p >= 10 || p == 0 ? "\(Int(p.rounded())) %" : String(format1: p) + " %"
    }

    static func times(_ v: Double) -> String {
        v >= 100 || v == v.rounded() ? "\(Int(v.rounded()))×" : String(format1: v) + "×"
    }
}

extension String {
    /// One decimal, without Foundation.
    init(format1 v: Double) {
        let tenths = Int((v * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
