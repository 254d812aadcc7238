import PaytopStore
import PaytopVocabulary

/// Where Enter and the drill keys lead: a problem's detail, a drill's checkouts (docs/drill.md),
/// a trace, a span found or folded.
extension Reducer {
    /// Opens a view: its first pane focused, no chart cursor (the charts it draws are
    /// learned from its first frame).
    static func show(_ s: inout ConsoleState, _ v: ViewID) {
        s.view = v
        s.focus = 0
        s.cursor = nil
        s.rangeMark = nil
        s.panesShown = []
    }

    /// The Problems view's selection moved (or the view opened): load the selected
    /// problem's detail unless it is the one shown.
    static func problemSelected(_ s: inout ConsoleState, _ snap: ConsoleSnapshot) -> [Effect] {
        let i = min(s.selected(.problems), max(0, snap.problems.count - 1))
        guard i < snap.problems.count else { return [] }
        s.selection[.problems] = i
        let id = snap.problems[i].id
        guard id != s.problemID else { return [] }
        s.problemID = id
        s.selectedExemplar = 0
        return [.loadProblem(id)]
    }

    /// Opens the Payments view on the checkouts a filter names.
    static func drill(_ s: inout ConsoleState, title: String, _ filter: CheckoutSearch.Filter) -> [Effect] {
        s.drill = ConsoleState.Drill(title: title, filter: filter)
        s.paymentFilter = ""
        s.selection[.payments] = 0
        show(&s, .payments)
        s.status = .init(text: "\(title) · Enter opens a trace · Esc goes back to the newest payments", isError: false)
        return [.loadCheckouts(filter)]
    }

    /// The selected problem's affected checkouts: failed or delayed in its window.
    static func drillProblem(_ s: inout ConsoleState, _ snap: ConsoleSnapshot) -> [Effect] {
        guard s.selected(.problems) < snap.problems.count else { return [] }
        let p = snap.problems[s.selected(.problems)]
        var f = CheckoutSearch.Filter()
        f.from = ProblemAnalysis.windowStart(p)
        f.to = p.closedAt
        f.affected = true
        f.limit = ConsoleLimits.drill
        return drill(&s, title: "problem #\(p.id) · affected checkouts", f)
    }

    static func openTrace(_ s: inout ConsoleState, _ id: String) -> [Effect] {
        show(&s, .trace)
        s.traceCheckoutID = id
        s.selectedSpan = 0
        s.folded = []
        return [.loadTrace(id)]
    }

    /// Selects the next (1) or previous (-1) shown span whose name, service or status
    /// message contains the search, wrapping around.
    static func findSpan(_ s: inout ConsoleState, _ trace: TraceWaterfall?, step: Int) {
        let q = s.spanQuery.lowercased()
        guard !q.isEmpty else { s.status = .init(text: "/ searches the spans", isError: true); return }
        let rows = TraceLayout.rows(trace, folded: s.folded)
        guard !rows.isEmpty else { return }
        for k in 1...rows.count {
            let i = ((s.selectedSpan + step * k) % rows.count + rows.count) % rows.count
            let sp = rows[i].span
            if sp.name.lowercased().contains(q) || sp.serviceName.lowercased().contains(q)
                || (sp.statusMessage?.lowercased().contains(q) ?? false) {
                s.selectedSpan = i
                s.status = nil
                return
            }
        }
        s.status = .init(text: "no shown span matches “\(s.spanQuery)” (E expands every span)", isError: true)
    }

    /// Folds (true), unfolds (false) or toggles (nil) the selected span of the trace.
    static func foldKey(_ s: inout ConsoleState, fold: Bool?, _ trace: TraceWaterfall?) -> [Effect] {
        let rows = TraceLayout.rows(trace, folded: s.folded)
        guard s.selectedSpan < rows.count, rows[s.selectedSpan].hasChildren else { return [] }
        let id = rows[s.selectedSpan].span.spanID
        let isFolded = s.folded.contains(id)
        if fold ?? !isFolded { s.folded.insert(id) } else { s.folded.remove(id) }
        return []
    }
}
