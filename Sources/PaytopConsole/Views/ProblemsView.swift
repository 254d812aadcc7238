import PaytopStore
import PaytopVocabulary

/// The problems the detectors opened (open first), and the selected one whole: its
/// signals, ranked causes with their evidence, impact, the chart of its key signal with its
/// window and the control events marked, and the exemplars Enter opens as traces.
enum ProblemsView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let problems = d.snapshot.problems
        if let source = d.source {
            return p.emptyPane(r, title: "Problems", ReceivedNotes.problems(source))
        }
        guard !problems.isEmpty else {
            return p.emptyPane(r, title: "Problems", "no problems: the detectors judge every minute of engine time "
                + "(error rates, latency, dead letters, backlog, conversion, declines, throttling, SLO burn) and open "
                + "one when a signal holds · o switches a PSP outage on")
        }
        let listHeight = min(problems.count + 3, max(6, r.height / 3))
        let (top, bottom) = r.splitRows(listHeight)
        list(&p, top, s, problems, now: d.snapshot.at)
        guard let detail = d.problem, detail.analysis.problem.id == s.problemID else {
            let b = p.box(bottom, title: "Problem", focused: false)
            p.text(s.problemID == nil ? "select a problem (j/k)" : "analysing …", b.x + 1, b.y, .muted, clip: b)
            return
        }
        draw(&p, bottom, s, detail, d)
    }

    static func list(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ problems: [ProblemRow], now: Int64) {
        let open = problems.filter { $0.closedAt == nil }.count
        let b = p.box(r, title: "Problems · \(open) open, \(problems.count - open) closed", focused: s.focus == 0)
        let table = Table([
            .init("id", width: 6), .init("state", width: 8), .init("severity", width: 10), .init("opened", width: 10),
            .init("lasted", width: 10), .init("signals", width: 8), .init("title", width: 0),
        ])
        let rows = problems.map { pr in
            let severity = ProblemSeverity(rawValue: pr.severity)
            let lasted = (pr.closedAt ?? now) - pr.firstSignalAt
            return Table.Row([
                .init("#\(pr.id)"), .init(pr.closedAt == nil ? "OPEN" : "closed", pr.closedAt == nil ? .bad : .muted),
                .init(pr.severity, severity == .critical ? .bad : (severity == .major ? .warn : .text)),
                .init(Format.clock(pr.openedAt)), .init(Format.duration(max(0, lasted))), .init("\(pr.signals.count)"),
                .init(pr.title),
            ], role: pr.closedAt == nil ? .text : .muted)
        }
        table.draw(&p, b, rows: rows, selected: s.selected(.problems))
    }

    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ detail: ProblemDetail, _ d: ConsoleData) {
        let a = detail.analysis
        let pr = a.problem
        // Left: what is wrong and why; right: the key signal's chart over the exemplars.
        let (left, right) = r.splitColumns(r.width >= 120 ? r.width * 11 / 20 : r.width / 2)
        let b = p.box(left, title: "#\(pr.id) \(pr.severity) · \(pr.closedAt == nil ? "open" : "closed")", focused: false)
        var y = b.y
        func line(_ text: String, _ role: Theme.Role = .text, indent: Int = 1) {
            guard y < b.maxY else { return }
            p.text(text, b.x + indent, y, role, clip: b)
            y += 1
        }
        func heading(_ text: String) { line(text, .title) }
        line(pr.title, pr.closedAt == nil ? .bad : .text)
        line("first signal \(Format.clock(pr.firstSignalAt)) · opened \(Format.clock(pr.openedAt))"
             + (pr.closedAt.map { " · closed \(Format.clock($0))" } ?? " · open \(Format.duration(max(0, d.snapshot.at - pr.firstSignalAt)))"),
             .muted)
        heading("Impact")
        let i = a.impact
        line("\(Format.count(Int64(i.checkouts))) checkouts: \(Format.count(Int64(i.failed))) failed, "
             + "\(Format.count(Int64(i.delayed))) delayed · \(i.merchants) merchant\(i.merchants == 1 ? "" : "s")")
        let width = b.width - 14
        if !i.lost.isEmpty { line("lost     " + Format.whole(amounts(i.lost), width: width), .bad) }
        if !i.atRisk.isEmpty { line("at risk  " + Format.whole(amounts(i.atRisk), width: width), .warn) }
        if !i.budgetBurned.isEmpty {
            line("budget   " + Format.whole(i.budgetBurned.sorted { $0.key < $1.key }.map { "\($0.key) \(trim($0.value)) %" },
                                            width: width), .muted)
        }
        heading("Causes")
        if a.causes.isEmpty { line("none found", .muted) }
        for c in a.causes.prefix(max(1, (b.maxY - y) / 2 - 2)) {
            line("\(c.rank). \(c.kind.rawValue) · score \(trim(c.score))", c.rank == 1 ? .accent : .text)
            line(c.evidence, .muted, indent: 4)
        }
        heading("Signals")
        for sig in pr.signals.sorted(by: { ($0.firstAt, $0.kind, $0.subject) < ($1.firstAt, $1.kind, $1.subject) }) {
            line("\(Format.clock(sig.firstAt))  \(sig.kind) · \(sig.subject) — \(sig.detail)")
        }
        drawRight(&p, right, s, detail)
    }

    static func drawRight(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ detail: ProblemDetail) {
        let a = detail.analysis
        let ids = a.exemplarsAndTypical
        let (chartArea, exemplarArea) = r.splitRows(max(8, r.height - ids.count - 3))
        let key = keySignal(a.problem)
        let lines = key.map { chartLines(detail.series, $0.kind, $0.subject) } ?? []
        let title = key.map { "\($0.kind.rawValue) · \($0.subject.text)" } ?? "key signal"
        ChartPane.draw(&p, chartArea, title: title, lines, detail.series,
                       windows: [Chart.Window(from: a.problem.firstSignalAt, to: a.problem.closedAt ?? detail.series.to)],
                       format: format(key?.kind))
        let b = p.box(exemplarArea, title: "Exemplars · Enter opens the trace", focused: s.focus == 1)
        if ids.isEmpty {
            p.text("no affected checkouts in the window", b.x + 1, b.y, .muted, clip: b)
            return
        }
        let rows = ids.map { id in
            Table.Row([.init(id), .init(id == a.typical ? "typical" : "affected", .muted)])
        }
        Table([.init("checkout", width: 28), .init("", width: 0)]).draw(&p, b, rows: rows, selected: s.focus == 1 ? s.selectedExemplar : nil)
    }

    /// The signal the chart follows: the root's (the deepest subject in the pipeline), the
    /// earliest of those.
    static func keySignal(_ pr: ProblemRow) -> (kind: SignalKind, subject: SignalSubject)? {
        let signals = pr.signals.compactMap { row -> (SignalKind, SignalSubject, Int64)? in
            guard let k = SignalKind(rawValue: row.kind), let sub = SignalSubject(text: row.subject) else { return nil }
            return (k, sub, row.firstAt)
        }
        guard let rootDepth = signals.map(\.1.depth).min() else { return nil }
        return signals.filter { $0.1.depth == rootDepth }.min { $0.2 < $1.2 }.map { ($0.0, $0.1) }
    }

    /// The dashboard's lines that show a signal of this kind at this subject: the line of
    /// that subject where the set has one per subject, else the whole set.
    static func chartLines(_ s: DashboardSeries, _ kind: SignalKind, _ subject: SignalSubject) -> [DashboardSeries.Line] {
        func of(_ lines: [DashboardSeries.Line]) -> [DashboardSeries.Line] {
            let hit = lines.filter { $0.subject == subject }
            return hit.isEmpty ? lines : hit
        }
        switch kind {
        case .errorRate: return of(s.functionErrors)
        case .pspErrors: return of(s.errors)
        case .api5xx, .throttling: return s.errors.filter { $0.subject == .api }
        case .latency:
            switch subject {
            case .function: return of(s.functionP95)
            case .psp: return s.pspLatency
            default: return s.latency
            }
        case .deadLetters, .dlqAge: return of(s.dlqAge)
        case .backlog: return of(s.queueDepth)
        case .sloBurn: return of(s.burn)
        case .conversion, .declines: return s.conversion
        case .reconciliation: return s.revenue
        }
    }

    static func format(_ kind: SignalKind?) -> @Sendable (Double) -> String {
        switch kind {
        case .latency?: return ChartPane.millis
        case .conversion?, .declines?: return ChartPane.percent
        case .sloBurn?: return ChartPane.ratio
        case .deadLetters?, .dlqAge?, .backlog?: return ChartPane.count
        default: return ChartPane.perSecond
        }
    }

    static func amounts(_ m: [String: Money]) -> [String] { m.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" } }

    static func trim(_ v: Double) -> String { v == v.rounded() ? String(Int64(v)) : String(format: "%.2f", v) }
}
