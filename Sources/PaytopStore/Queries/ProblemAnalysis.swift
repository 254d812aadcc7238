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

        public init() {}
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
}
