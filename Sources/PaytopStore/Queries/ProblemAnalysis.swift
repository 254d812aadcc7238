import PaytopJSON
import PaytopVocabulary

/// A problem's causes, impact and exemplars, read from the checkouts, business events and
/// control events of its window (docs/problems.md): the detectors store what they saw,
/// this says why and what it cost, from the record as it stands.
public struct ProblemAnalysis: Sendable {
    public struct Cause: Sendable, Equatable {
        public var rank = 0
        public var kind: CauseKind
        public var fault: String?
        public var function: FunctionName?
        public var version: String?
        public var dimension: CauseDimension?
        public var value: String?
        /// 0–1: how well it explains the problem.
        public var score: Double
        public var evidence: String
        /// When the control event happened (nil for attribute differences).
        public var at: Int64?
    }

    public struct Impact: Sendable, Equatable {
        /// Checkouts that failed or were delayed past the settlement objective in the window.
        public var checkouts = 0
        public var failed = 0
        public var delayed = 0
        /// Amounts of failed checkouts, per currency (never summed across currencies).
        public var lost: [String: Money] = [:]
        /// Amounts of delayed checkouts not yet settled, per currency.
        public var atRisk: [String: Money] = [:]
        public var merchants = 0
        /// Per SLO: the share of its error budget (over its window) the problem's window burned, in percent.
        public var budgetBurned: [String: Double] = [:]
    }

    public var problem: ProblemRow
    public var causes: [Cause]
    public var impact: Impact
    public var exemplars: [String]
    /// The affected checkout whose time is the median of the affected ones.
    public var typical: String?

    /// The exemplars, then the typical checkout when it is not one of them.
    public var exemplarsAndTypical: [String] {
        guard let typical, !exemplars.contains(typical) else { return exemplars }
        return exemplars + [typical]
    }

    /// Before the first signal (less the delay its kind has by nature), control events this
    /// far back may be its cause.
    public static let causeLookback: Int64 = 15 * 60_000_000_000
    /// Some signals come late by nature: a dead letter after its message's three receives
    /// (3 × the 300 s visibility timeout), an old dead letter later still.
    static func expectedDelay(_ k: SignalKind?) -> Int64 {
        switch k {
        case .deadLetters?: return 15 * 60_000_000_000
        case .dlqAge?: return 30 * 60_000_000_000
        default: return 0
        }
    }
    /// Checkouts are compared from this long before the first signal (and its natural delay).
    public static let windowLead: Int64 = 2 * 60_000_000_000

    /// The earliest signal's kind: it sets how late the first signal may come after its cause.
    static func firstKind(_ problem: ProblemRow) -> SignalKind? {
        problem.signals.min { $0.firstAt < $1.firstAt }.flatMap { SignalKind(rawValue: $0.kind) }
    }

    /// Where the problem's checkouts start: a little before its first signal, less the delay
    /// that signal has by nature (a dead letter's checkout was accepted 15 minutes before).
    public static func windowStart(_ problem: ProblemRow) -> Int64 {
        problem.firstSignalAt - windowLead - expectedDelay(firstKind(problem))
    }
    /// The settlement objective: a checkout unsettled this long after acceptance is delayed.
    public static let delayedAfter: Int64 = 120_000_000_000

    /// Every problem (open first, then newest), each analysed, in one read transaction;
    /// `window`: only those open or closed within it, ending at the store's clock.
    public static func list(_ c: Connection, openOnly: Bool = false, window: Int64? = nil) throws -> [ProblemAnalysis] {
        try c.readIf(true) {
            let now = try StoredEngineState.load(c).now
            return try ProblemBook.list(c, openOnly: openOnly, since: window.map { now - $0 }).map { try load(c, problem: $0, now: now) }
        }
    }

    /// One problem analysed, or nil when the store holds none with that id.
    public static func one(_ c: Connection, id: Int64, transaction: Bool = true) throws -> ProblemAnalysis? {
        try c.readIf(transaction) {
            let now = try StoredEngineState.load(c).now
            return try ProblemBook.problem(c, id: id).map { try load(c, problem: $0, now: now) }
        }
    }

    public static func load(_ c: Connection, problem: ProblemRow, now: Int64, exemplarCount: Int = 5) throws -> ProblemAnalysis {
        let from = windowStart(problem)
        let to = max(from, problem.closedAt ?? now)
        guard let traces = try TraceRange.of(c, from: from, to: to) else {
            return ProblemAnalysis(problem: problem, causes: try rank(c, problem, []), impact: try measure(c, nil, from: from, to: to, now: now),
                                   exemplars: [], typical: nil)
        }
        let impact = try measure(c, traces, from: from, to: to, now: now)
        // Exemplars: spread over the affected checkouts, the ended ones (in the order they
        // came) before those still open; the typical one is the middle.
        let count = impact.checkouts
        let step = max(1, count / max(1, exemplarCount))
        var positions = Array(stride(from: 0, to: count, by: step).prefix(exemplarCount))
        if count > 0 { positions.append(count / 2) }
        let picked = try affectedCheckouts(c, traces, at: positions, now: now)
        let exemplars = Array(picked.dropLast(count > 0 ? 1 : 0))
        let typical = count > 0 ? picked.last : nil
        // Causes: the checkouts from the window's start to a while after the first signal.
        let compareTo = min(to, problem.firstSignalAt + compareSpan)
        let sample = try TraceRange.of(c, from: from, to: compareTo).map { try comparisonSample(c, $0, now: now) } ?? []
        return ProblemAnalysis(problem: problem, causes: try rank(c, problem, sample), impact: impact, exemplars: exemplars,
                               typical: typical)
    }

    static func rank(_ c: Connection, _ problem: ProblemRow, _ sample: [WindowCheckout]) throws -> [Cause] {
        var causes = try controlCauses(c, problem: problem, checkouts: sample)
        causes += attributeCauses(sample, controls: causes)
        causes.sort { ($0.score, $0.at ?? 0) > ($1.score, $1.at ?? 0) }
        for i in causes.indices { causes[i].rank = i + 1 }
        return Array(causes.prefix(8))
    }

    // MARK: - The window's checkouts

    /// Causes compare the checkouts from the window's start to this long after the first
    /// signal: a cause shows in the checkouts it hit first, and a long problem's later
    /// hours add reading, not evidence.
    public static let compareSpan: Int64 = 10 * 60_000_000_000
    /// At most this many affected checkouts, and as many others, spread evenly over the
    /// compared span: a share of 500 is within ±4.5 points (95 %), and causes differ by 20 or more.
    public static let sampleSize = 500
    /// The page cache a connection analysing problems wants: the affected checkouts' index
    /// of a long incident on a big store is a few MB, read by three queries.
    public static let pageCacheMegabytes = 32

    /// The ended checkouts `payment_event_affected` holds, its WHERE word for word (so the
    /// planner can use it): slower than the settlement objective, or failed other than by a
    /// business decline.
    static let endedAffected = """
        (done_at - created_at > 120000000000 OR (outcome = 'FAILED' AND coalesce(failure_code, '') NOT IN \
        ('INSUFFICIENT_FUNDS','CARD_DECLINED','EXPIRED_CARD','INVALID_CARD','FRAUD_SUSPECTED')))
        """
    /// A failed checkout that was not a business decline.
    static let failedTerm = """
        (outcome = 'FAILED' AND coalesce(failure_code, '') NOT IN \
        ('INSUFFICIENT_FUNDS','CARD_DECLINED','EXPIRED_CARD','INVALID_CARD','FRAUD_SUSPECTED'))
        """
    /// Open past the objective at `?3` (the store's clock), through `payment_event_open`.
    static let openLate = "is_payment_done = 0 AND ?3 - created_at > 120000000000"

    struct WindowCheckout {
        let checkoutID: String
        let createdAt: Int64
        let failed: Bool
        let delayed: Bool
        let unsettled: Bool
        let amount: Money
        let currency: String
        let failureCode: String?
        let merchants: [String]
        var releases: [String] = []
        var affected: Bool { failed || delayed }
    }

    /// The affected checkouts at `positions` (ascending but for the last) of the ended ones
    /// in trace order followed by the open ones, in one pass that reads only those ids.
    static func affectedCheckouts(_ c: Connection, _ traces: ClosedRange<Int64>, at positions: [Int], now: Int64) throws -> [String] {
        guard !positions.isEmpty else { return [] }
        let s = try c.cached("""
            SELECT * FROM (SELECT checkout_id FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected) ORDER BY trace_no)
            UNION ALL SELECT * FROM (SELECT checkout_id FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate) ORDER BY trace_no)
            """)
        s.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
        defer { s.reset() }
        let wanted = Set(positions)
        let last = positions.max()!
        var found: [Int: String] = [:]
        var i = 0
        while i <= last, try s.step() {
            if wanted.contains(i) { found[i] = s.string(0) }
            i += 1
        }
        return positions.compactMap { found[$0] }
    }

    /// Up to `sampleSize` affected checkouts of the range and as many others, each with its
    /// sellers and the releases of the pipeline's functions it ran.
    static func comparisonSample(_ c: Connection, _ traces: ClosedRange<Int64>, now: Int64) throws -> [WindowCheckout] {
        let columns = "trace_no, checkout_id, created_at, done_at, outcome, failure_code, amount_total, currency, seller_info"
        let count = try c.cached("""
            SELECT (SELECT count(*) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected))
                 + (SELECT count(*) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate))
            """)
        count.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
        let affectedCount = try count.step() ? count.int(0) : 0
        count.reset()
        let affected = try c.cached("""
            SELECT \(columns) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected) AND trace_no % ?4 = 0
            UNION ALL SELECT \(columns) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate) AND trace_no % ?4 = 0
            """)
        // The stride leaves every k-th by trace number; a small set is read whole.
        let k = affectedCount > Int64(sampleSize) ? affectedCount / Int64(sampleSize) : 1
        affected.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now).bind(4, k)
        var out = try rows(affected, now: now).filter(\.1.affected)
        let others = try c.cached("""
            SELECT \(columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM trace t JOIN payment_event p ON p.checkout_id = t.checkout_id
            WHERE t.trace_no BETWEEN ?1 AND ?2 AND t.trace_no % ?3 = 0
            """)
        let span = traces.upperBound - traces.lowerBound + 1
        others.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, max(1, span / Int64(sampleSize)))
        out += try rows(others, now: now).filter { !$0.1.affected }
        return try withReleases(c, out)
    }

    /// The checkouts with the releases of the pipeline's functions that served them.
    static func withReleases(_ c: Connection, _ checkouts: [(Int64, WindowCheckout)]) throws -> [WindowCheckout] {
        let r = try c.cached("""
            SELECT DISTINCT v.service_name, v.service_version FROM business_event_data e
            JOIN service_version v ON v.service_code = e.service_code WHERE e.trace_no = ?
            """)
        var sample: [WindowCheckout] = []
        sample.reserveCapacity(checkouts.count)
        for (traceNo, var k) in checkouts {
            r.bind(1, traceNo)
            while try r.step() {
                // Releases of the pipeline's functions (the ones deploys change), by either spelling.
                guard let f = FunctionName(rawValue: r.string(0)) ?? FunctionName(deployedName: r.string(0)) else { continue }
                k.releases.append(f.rawValue + " " + r.string(1))
            }
            r.reset()
            sample.append(k)
        }
        return sample
    }

    /// Reads `WindowCheckout`s (with their trace numbers) from a statement selecting the
    /// sample's columns.
    static func rows(_ s: Statement, now: Int64) throws -> [(Int64, WindowCheckout)] {
        var out: [(Int64, WindowCheckout)] = []
        while try s.step() {
            let created = s.int(2)
            let done = s.optionalInt(3)
            let code = s.optionalString(5)
            let decline = code.map { DeclineCode.all.contains($0) } ?? false
            let elapsed = (done ?? now) - created
            let merchants = (try? JSONValue.parse(s.string(8)))?.objectValue?.values.compactMap(\.stringValue) ?? []
            out.append((s.int(0), WindowCheckout(
                checkoutID: s.string(1), createdAt: created, failed: s.optionalString(4) == "FAILED" && !decline,
                delayed: elapsed > delayedAfter, unsettled: done == nil && elapsed > delayedAfter,
                amount: Money(decimalString: s.string(6)) ?? .zero, currency: s.string(7), failureCode: code,
                merchants: Array(Set(merchants)).sorted())))
        }
        s.reset()
        return out
    }

    /// The problem's impact, counted by SQL over the affected checkouts alone (the
    /// partial indexes find them), and each SLO's budget burned in the window.
    static func measure(_ c: Connection, _ traces: ClosedRange<Int64>?, from: Int64, to: Int64, now: Int64) throws -> Impact {
        var i = Impact()
        if let traces {
            let amount = "CAST(replace(amount_total, '.', '') AS INTEGER)"
            let ended = try c.cached("""
                SELECT currency, count(*), sum(\(failedTerm)), sum(CASE WHEN \(failedTerm) THEN \(amount) ELSE 0 END)
                FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected) GROUP BY currency ORDER BY currency
                """)
            ended.bind(1, traces.lowerBound).bind(2, traces.upperBound)
            while try ended.step() {
                let n = Int(ended.int(1)), failed = Int(ended.int(2))
                i.checkouts += n
                i.failed += failed
                i.delayed += n - failed
                if failed > 0 { i.lost[ended.string(0), default: .zero] += Money(minorUnits: ended.int(3)) }
            }
            ended.reset()
            let open = try c.cached("""
                SELECT currency, count(*), sum(\(amount)) FROM payment_event
                WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate) GROUP BY currency ORDER BY currency
                """)
            open.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
            while try open.step() {
                i.checkouts += Int(open.int(1))
                i.delayed += Int(open.int(1))
                i.atRisk[open.string(0), default: .zero] += Money(minorUnits: open.int(2))
            }
            open.reset()
            let merchants = try c.cached("""
                SELECT count(DISTINCT m) FROM (
                    SELECT j.value AS m FROM payment_event p, json_each(p.seller_info) j
                    WHERE p.trace_no BETWEEN ?1 AND ?2 AND \(endedAffected)
                    UNION ALL SELECT j.value FROM payment_event p, json_each(p.seller_info) j
                    WHERE p.trace_no BETWEEN ?1 AND ?2 AND \(openLate))
                """)
            merchants.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
            i.merchants = try merchants.step() ? Int(merchants.int(0)) : 0
            merchants.reset()
        }
        for d in SloDefinition.defaults {
            let bad = try MetricWindow.total(c, d.validMetric, d.dimensions, from: from, to: to)
                - MetricWindow.total(c, d.goodMetric, d.dimensions, from: from, to: to)
            let windowStart = to - Int64(d.windowDays * 86_400e9)
            let valid = try MetricWindow.total(c, d.validMetric, d.dimensions, from: windowStart, to: to)
            let budget = (1 - d.target) * Double(valid)
            if bad > 0, budget > 0 { i.budgetBurned[d.name] = (Double(bad) / budget * 1000).rounded() / 10 }
        }
        return i
    }

    // MARK: - Causes

    /// Control events from the lookback to a minute after the first signal, each scored by
    /// how near it came before the first signal and how well its kind explains the
    /// problem's signals (the deepest one most); a deploy also by how much more often the
    /// affected checkouts ran its version than the unaffected ones of the same window.
    static func controlCauses(_ c: Connection, problem: ProblemRow, checkouts: [WindowCheckout]) throws -> [Cause] {
        let delay = expectedDelay(firstKind(problem))
        let s = try c.cached("SELECT at, command, args FROM control_event WHERE at >= ? AND at <= ? ORDER BY at, id")
        s.bind(1, problem.firstSignalAt - causeLookback - delay).bind(2, problem.firstSignalAt + 60_000_000_000)
        let signals = problem.signals.compactMap { r -> (SignalKind, SignalSubject)? in
            guard let k = SignalKind(rawValue: r.kind), let sub = SignalSubject(text: r.subject) else { return nil }
            return (k, sub)
        }
        let rootDepth = signals.map(\.1.depth).min() ?? 0
        var out: [Cause] = []
        while try s.step() {
            let at = s.int(0)
            guard let args = try? JSONValue.parse(s.string(2)),
                  let command = try? ControlCommand.parse(name: s.string(1), args: args),
                  var cause = candidate(command) else { continue }
            let relevance = signals.map { k, sub in
                CauseRelevance.of(command, k, sub) * (sub.depth == rootDepth ? 1 : 0.6)
            }.max() ?? 0
            guard relevance > 0 else { continue }
            let lead = problem.firstSignalAt - at
            let nearness = lead >= 0 ? max(0.1, 1 - Double(max(0, lead - delay)) / Double(causeLookback)) : 0.5
            var score = relevance * nearness
            var evidence = "\(cause.evidence) at \(ISO8601.time(nanos: at)), \(Self.lead(lead)) the first signal"
            if case .deploy(let f, let v, _) = command {
                let tag = f.rawValue + " " + v
                let (inAffected, inRest) = shares(checkouts) { $0.releases.contains(tag) }
                score *= 0.4 + 0.6 * max(0, inAffected - inRest)
                evidence += "; \(pct(inAffected)) of affected checkouts ran \(tag), \(pct(inRest)) of the others"
            }
            cause.score = (score * 1000).rounded() / 1000
            cause.evidence = evidence
            cause.at = at
            out.append(cause)
        }
        s.reset()
        return out
    }

    private static func candidate(_ command: ControlCommand) -> Cause? {
        switch command {
        case .pspOutage(true): return Cause(kind: .fault, fault: "psp-outage", score: 0, evidence: "PSP outage switched on")
        case .pspLatency(true, let x):
            return Cause(kind: .fault, fault: "psp-latency", score: 0, evidence: "PSP latency ×\(Int(x)) switched on")
        case .pspDeclines(true, let rate, let code):
            return Cause(kind: .fault, fault: "psp-declines", dimension: .declineCode, value: code, score: 0,
                         evidence: "PSP declines (\(Int((rate * 100).rounded())) % \(code)) switched on")
        case .functionErrors(let f, let rate) where rate > 0:
            return Cause(kind: .fault, fault: "function-errors", function: f, score: 0,
                         evidence: "\(f.rawValue) errors (\(Int((rate * 100).rounded())) %) switched on")
        case .settlementDrift(let d?) where d.rate > 0:
            return Cause(kind: .fault, fault: "settlement-drift", score: 0, evidence: "settlement drift switched on")
        case .deploy(let f, let v, _): return Cause(kind: .deploy, function: f, version: v, score: 0, evidence: "\(f.rawValue) \(v) deployed")
        case .rollback(let f): return Cause(kind: .rollback, function: f, score: 0, evidence: "\(f.rawValue) rolled back")
        case .rate(let r): return Cause(kind: .traffic, score: 0, evidence: "traffic set to \(Int(r))/s")
        default: return nil
        }
    }

    /// Grafana's comparison: per dimension, each value's share among affected checkouts
    /// minus its share among the others of the window; a dimension scores its largest
    /// difference. Attribute differences describe, change events explain: when a control
    /// event explains the problem, attributes rank below it (half their difference).
    static func attributeCauses(_ checkouts: [WindowCheckout], controls: [Cause]) -> [Cause] {
        let affected = checkouts.filter(\.affected)
        let rest = checkouts.filter { !$0.affected }
        guard affected.count >= 5 else { return [] }
        var out: [Cause] = []
        let damp = controls.contains { $0.score >= 0.3 } ? 0.5 : 1.0
        for dim in CauseDimension.allCases {
            let values = { (k: WindowCheckout) in attributeValues(dim, k) }
            var a: [String: Int] = [:], b: [String: Int] = [:]
            for k in affected { for v in Set(values(k)) { a[v, default: 0] += 1 } }
            for k in rest { for v in Set(values(k)) { b[v, default: 0] += 1 } }
            var best: (String, Double, Double, Double)?
            for v in Set(a.keys).union(b.keys).sorted() {
                let sa = Double(a[v] ?? 0) / Double(affected.count)
                let sb = rest.isEmpty ? 0 : Double(b[v] ?? 0) / Double(rest.count)
                if best == nil || sa - sb > best!.1 { best = (v, sa - sb, sa, sb) }
            }
            guard let (value, diff, sa, sb) = best, diff >= 0.2 else { continue }
            var cause = Cause(kind: .attribute, dimension: dim, value: value, score: (diff * damp * 1000).rounded() / 1000,
                              evidence: "\(pct(sa)) of affected checkouts have \(dim.rawValue) \(value); \(pct(sb)) of the others")
            if dim == .release {
                let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2 { cause.function = FunctionName(rawValue: parts[0]); cause.version = parts[1] }
            }
            out.append(cause)
        }
        return out
    }

    /// A checkout's values of one compared dimension.
    static func attributeValues(_ dim: CauseDimension, _ k: WindowCheckout) -> [String] {
        switch dim {
        case .release: return k.releases
        case .pspErrorCode: return k.failed ? [k.failureCode ?? "none"] : []
        case .declineCode: return k.failureCode.flatMap { DeclineCode.all.contains($0) ? [$0] : nil } ?? []
        case .merchant: return k.merchants
        case .currency: return [k.currency]
        case .amountBand: return [band(k.amount)]
        }
    }

    static func shares(_ checkouts: [WindowCheckout], _ has: (WindowCheckout) -> Bool) -> (Double, Double) {
        var a = 0, an = 0, b = 0, bn = 0
        for k in checkouts {
            if k.affected { an += 1; if has(k) { a += 1 } } else { bn += 1; if has(k) { b += 1 } }
        }
        return (an == 0 ? 0 : Double(a) / Double(an), bn == 0 ? 0 : Double(b) / Double(bn))
    }

    static func band(_ m: Money) -> String {
        switch m.minorUnits {
        case ..<1_000: return "under 10"
        case ..<10_000: return "10–100"
        case ..<100_000: return "100–1,000"
        default: return "1,000 and over"
        }
    }

    static func pct(_ v: Double) -> String { "\(Int((v * 100).rounded())) %" }

    static func lead(_ nanos: Int64) -> String {
        if nanos == 0 { return "the minute of" }
        return nanos > 0 ? DurationText.words(nanos: nanos) + " before" : DurationText.words(nanos: -nanos) + " after"
    }
}

/// How well a control command explains one signal (0: not at all, 1: exactly): which
/// signals each kind of change produces when it goes wrong.
public enum CauseRelevance {
    public static func of(_ command: ControlCommand, _ kind: SignalKind, _ subject: SignalSubject) -> Double {
        switch command {
        case .pspOutage:
            switch (kind, subject) {
            case (.pspErrors, _): return 1
            case (.errorRate, .function(.executor)): return 0.8
            case (.backlog, _), (.deadLetters, _), (.sloBurn, _), (.conversion, _): return 0.5
            default: return 0.2
            }
        case .pspLatency:
            switch (kind, subject) {
            case (.latency, .psp): return 1
            case (.latency, .function(.executor)), (.errorRate, .function(.executor)): return 0.8
            case (.backlog, _), (.sloBurn, _), (.deadLetters, _): return 0.5
            default: return 0.2
            }
        case .pspDeclines(_, _, let code):
            switch (kind, subject) {
            case (.declines, .declineCode(let c)): return c == code ? 1 : 0.3
            case (.conversion, _), (.sloBurn, _): return 0.6
            default: return 0.1
            }
        case .functionErrors(let f, _):
            switch (kind, subject) {
            case (.errorRate, .function(let g)): return f == g ? 1 : 0.3
            case (.deadLetters, _), (.backlog, _), (.sloBurn, _), (.reconciliation, _): return 0.5
            default: return 0.1
            }
        case .settlementDrift:
            return kind == .reconciliation ? 1 : 0
        case .deploy(let f, _, _), .rollback(let f):
            let weight = { if case .rollback = command { return 0.5 } else { return 1.0 } }()
            switch (kind, subject) {
            case (.errorRate, .function(let g)), (.latency, .function(let g)): return (f == g ? 0.9 : 0.2) * weight
            case (.api5xx, _), (.latency, .api): return (f == .initializer ? 0.7 : 0.2) * weight
            case (.deadLetters, _), (.backlog, _), (.sloBurn, _): return 0.3 * weight
            default: return 0.1 * weight
            }
        case .rate:
            switch kind {
            case .throttling: return 1
            case .backlog: return 0.8
            case .latency, .sloBurn: return 0.5
            default: return 0.1
            }
        default:
            return 0
        }
    }
}
