import PaytopStore
import PaytopVocabulary

/// Turns fired signals into problems (docs/problems.md): a signal joins the open problem
/// that already holds it, else reopens the problem that held it if that closed recently,
/// else joins the problem on the same path whose signals are still violating, else opens one.
/// A problem closes once all its signals have read normal for a while; its severity only
/// rises. Every problem that changed in a minute is handed out whole (`drain`).
public final class ProblemTracker {
    struct Entry {
        let kind: SignalKind
        let subject: SignalSubject
        var firstAt: Int64
        var lastAt: Int64
        var detail: String
    }

    struct Problem {
        let id: Int64
        var openedAt: Int64
        var firstSignalAt: Int64
        var lastViolationAt: Int64
        var closedAt: Int64?
        var severity: ProblemSeverity
        var signals: [Entry]
        var normalMinutes = 0

        func holds(_ kind: SignalKind, _ subject: SignalSubject) -> Bool {
            signals.contains { $0.kind == kind && $0.subject == subject }
        }
    }

    private let thresholds: DetectorThresholds
    private var problems: [Problem] = []
    private var nextID: Int64
    private var changed: [Int64] = []
    private static let minute: Int64 = 60_000_000_000

    public init(thresholds: DetectorThresholds = .standard, nextID: Int64 = 1) {
        self.thresholds = thresholds
        self.nextID = nextID
    }

    /// Problems a store already holds, open or closed lately, so that a resumed engine
    /// goes on with them (and numbers new ones after them).
    public func restore(_ rows: [ProblemRow], nextID: Int64) {
        self.nextID = max(self.nextID, nextID)
        for r in rows {
            let entries = r.signals.compactMap { s -> Entry? in
                guard let k = SignalKind(rawValue: s.kind), let sub = SignalSubject(text: s.subject) else { return nil }
                return Entry(kind: k, subject: sub, firstAt: s.firstAt, lastAt: s.lastAt, detail: s.detail)
            }
            problems.append(Problem(id: r.id, openedAt: r.openedAt, firstSignalAt: r.firstSignalAt, lastViolationAt: r.lastViolationAt,
                                    closedAt: r.closedAt,
                                    severity: ProblemSeverity(rawValue: r.severity) ?? .minor, signals: entries))
        }
    }

    /// The open problems' count.
    public var openCount: Int { problems.filter { $0.closedAt == nil }.count }

    /// One judged minute ending at `minuteEnd`.
    public func step(minuteEnd: Int64, fired: [FiredSignal], readings: [SignalReading]) {
        let t = thresholds
        var violating = Set<String>()
        for r in readings where r.violating { violating.insert(Self.key(r.kind, r.subject)) }
        for f in fired { place(f, at: minuteEnd) }
        for i in problems.indices where problems[i].closedAt == nil {
            if problems[i].signals.contains(where: { violating.contains(Self.key($0.kind, $0.subject)) }) {
                problems[i].normalMinutes = 0
                problems[i].lastViolationAt = minuteEnd
                for j in problems[i].signals.indices where violating.contains(Self.key(problems[i].signals[j].kind, problems[i].signals[j].subject)) {
                    problems[i].signals[j].lastAt = minuteEnd
                }
                mark(problems[i].id)
            } else {
                problems[i].normalMinutes += 1
                if problems[i].normalMinutes >= t.closeAfterMinutes {
                    problems[i].closedAt = problems[i].lastViolationAt
                    mark(problems[i].id)
                }
            }
        }
        // Closed problems past their reopening window are done with.
        let forget = minuteEnd - Int64(t.reopenWithinMinutes) * Self.minute
        problems.removeAll { p in p.closedAt.map { $0 < forget } ?? false }
    }

    /// The problems changed since the last call, whole, in id order.
    public func drain() -> [ProblemRow] {
        guard !changed.isEmpty else { return [] }
        let ids = Set(changed)
        changed.removeAll()
        return problems.filter { ids.contains($0.id) }.sorted { $0.id < $1.id }.map(Self.row)
    }

    // MARK: -

    private func place(_ f: FiredSignal, at minuteEnd: Int64) {
        let t = thresholds
        let detail = f.detail
        if let i = problems.firstIndex(where: { $0.closedAt == nil && $0.holds(f.kind, f.subject) }) {
            update(i, f, detail)
            return
        }
        // A queue's other signal (its dead letters grown old) joins the problem that holds the queue.
        if case .queue = f.subject, let i = problems.firstIndex(where: { p in p.closedAt == nil && p.signals.contains { $0.subject == f.subject } }) {
            update(i, f, detail)
            return
        }
        let reopenAfter = minuteEnd - Int64(t.reopenWithinMinutes) * Self.minute
        if let i = problems.lastIndex(where: { p in p.closedAt.map { $0 >= reopenAfter } ?? false && p.holds(f.kind, f.subject) }) {
            problems[i].closedAt = nil
            problems[i].normalMinutes = 0
            update(i, f, detail)
            return
        }
        let joinAfter = minuteEnd - Int64(t.joinWithinMinutes) * Self.minute
        let mergeAfter = minuteEnd - Int64(t.mergeForMinutes) * Self.minute
        if let i = problems.lastIndex(where: { p in
            p.closedAt == nil && p.openedAt >= mergeAfter
                && p.signals.contains { Self.path($0.kind) == Self.path(f.kind) && $0.lastAt >= joinAfter
                    && (!Self.standing($0.kind) || Self.standing(f.kind)) }
        }) {
            problems[i].signals.append(Entry(kind: f.kind, subject: f.subject, firstAt: f.firstAt, lastAt: minuteEnd, detail: detail))
            problems[i].firstSignalAt = min(problems[i].firstSignalAt, f.firstAt)
            problems[i].severity = max(problems[i].severity, Self.severity(f.kind))
            mark(problems[i].id)
            return
        }
        let p = Problem(id: nextID, openedAt: minuteEnd, firstSignalAt: f.firstAt, lastViolationAt: minuteEnd,
                        closedAt: nil, severity: Self.severity(f.kind),
                        signals: [Entry(kind: f.kind, subject: f.subject, firstAt: f.firstAt, lastAt: minuteEnd, detail: detail)])
        nextID += 1
        problems.append(p)
        mark(p.id)
    }

    private func update(_ i: Int, _ f: FiredSignal, _ detail: String) {
        if let j = problems[i].signals.firstIndex(where: { $0.kind == f.kind && $0.subject == f.subject }) {
            problems[i].signals[j].detail = detail
        } else {
            problems[i].signals.append(Entry(kind: f.kind, subject: f.subject, firstAt: f.firstAt, lastAt: f.firstAt, detail: detail))
        }
        problems[i].severity = max(problems[i].severity, Self.severity(f.kind))
        mark(problems[i].id)
    }

    private func mark(_ id: Int64) { if !changed.contains(id) { changed.append(id) } }

    private static func key(_ k: SignalKind, _ s: SignalSubject) -> String { k.rawValue + "\u{0}" + s.text }

    /// Signals that stay while dead letters wait, whatever else happens: a problem holding
    /// only these takes in more dead letters but no other new signal (the seed's standing
    /// dead-letter problem does not swallow a later outage).
    private static func standing(_ k: SignalKind) -> Bool { k == .deadLetters || k == .dlqAge }

    /// The payment path (API → functions → PSP → queues → SLOs) or the back office.
    private static func path(_ k: SignalKind) -> Int { k == .reconciliation ? 1 : 0 }

    static func severity(_ k: SignalKind) -> ProblemSeverity {
        switch k {
        case .sloBurn: return .critical
        case .errorRate, .pspErrors, .api5xx, .deadLetters, .declines, .conversion, .throttling, .reconciliation: return .major
        case .latency, .backlog, .dlqAge: return .minor
        }
    }

    /// What is wrong where: the root signal (deepest on the checkout's path), then what else it reaches.
    static func title(_ signals: [Entry]) -> String {
        let ordered = signals.sorted { ($0.subject, kindOrder($0.kind)) < ($1.subject, kindOrder($1.kind)) }
        guard let root = ordered.first else { return "" }
        var head: String
        switch root.kind {
        case .sloBurn: head = "\(root.subject.title) burning its budget"
        case .errorRate: head = "Errors in \(root.subject.title)"
        case .pspErrors: head = "PSP failing (5xx)"
        case .api5xx: head = "API answering 5xx"
        case .latency: head = "\(root.subject.title) slow"
        case .deadLetters: head = "Dead letters in \(root.subject.title)"
        case .dlqAge: head = "Old dead letters in \(root.subject.title)"
        case .backlog: head = "Backlog in \(root.subject.title)"
        case .conversion: head = "Conversion dropping"
        case .declines: head = "Decline surge: \(root.subject.title)"
        case .throttling: head = "\(root.subject.title) throttled"
        case .reconciliation: head = "Red reconciliation batch"
        }
        if head.first?.isLowercase == true { head = head.prefix(1).uppercased() + head.dropFirst() }
        var others: [String] = []
        for s in ordered.dropFirst() where s.subject != root.subject {
            let name = s.subject.title
            if !others.contains(name) { others.append(name) }
        }
        if others.isEmpty { return head }
        let shown = others.prefix(3).joined(separator: ", ")
        return head + " — reaching " + shown + (others.count > 3 ? " and \(others.count - 3) more" : "")
    }

    private static func kindOrder(_ k: SignalKind) -> Int { SignalKind.allCases.firstIndex(of: k)! }

    static func row(_ p: Problem) -> ProblemRow {
        ProblemRow(id: p.id, title: title(p.signals), severity: p.severity.rawValue, openedAt: p.openedAt, firstSignalAt: p.firstSignalAt,
                   lastViolationAt: p.lastViolationAt, closedAt: p.closedAt,
                   signals: p.signals.map { ProblemSignalRow(kind: $0.kind.rawValue, subject: $0.subject.text, firstAt: $0.firstAt,
                                                             lastAt: $0.lastAt, detail: $0.detail) })
    }
}
