import PaytopStore
import PaytopVocabulary

/// Enter on a list row (docs/drill.md): the funnel, losses by stage, error codes, a
/// function, an SLO and its alerts each list the checkouts behind them over the console's
/// time range.
extension Reducer {
    /// The time range's window ending at the store's clock (nil start: all engine time).
    static func window(_ s: ConsoleState, _ snap: ConsoleSnapshot) -> (from: Int64?, to: Int64) {
        (s.timeRange.nanos.map { snap.at - $0 }, snap.at)
    }

    static func windowed(_ s: ConsoleState, _ snap: ConsoleSnapshot) -> CheckoutSearch.Filter {
        var f = CheckoutSearch.Filter()
        (f.from, f.to) = window(s, snap)
        f.limit = ConsoleLimits.drill
        return f
    }

    /// The burn-rate alerts as the SLO view lists them: firing first, then each SLO's rules in order.
    public static func alertRows(_ report: SloReport) -> [(SloReport.Objective, SloReport.AlertState)] {
        report.objectives.flatMap { o in o.alerts.map { (o, $0) } }.enumerated()
            .sorted { ($0.element.1.firing ? 0 : 1, $0.offset) < ($1.element.1.firing ? 0 : 1, $1.offset) }.map(\.element)
    }

    static func listCount(_ l: ListPane, _ snap: ConsoleSnapshot) -> Int {
        switch l {
        case .funnel: return snap.business?.funnel.count ?? 0
        case .lossStages: return snap.business?.stages.count ?? 0
        case .errorCodes: return snap.business?.errorCodes.count ?? 0
        case .alerts: return snap.slo.map { alertRows($0).count } ?? 0
        }
    }

    static func moveInList(_ s: inout ConsoleState, _ l: ListPane, _ delta: Int, _ snap: ConsoleSnapshot) {
        s.listSelection[l] = max(0, min(listCount(l, snap) - 1, s.selected(l) + delta))
    }

    static func enterList(_ s: inout ConsoleState, _ l: ListPane, _ snap: ConsoleSnapshot) -> [Effect] {
        let i = s.selected(l)
        guard i < listCount(l, snap) else { return [] }
        var f = windowed(s, snap)
        let when = s.timeRange.label
        switch l {
        case .funnel:
            let step = snap.business!.funnel[i].step
            switch step {
            case .received: return rejected(&s)
            case .settled:
                f.state = .success
                return drill(&s, title: "settled · \(when)", f)
            default:
                // Lost after this step: failed at the stage that follows it.
                f.stage = step.lossAfter
                return drill(&s, title: "reached \(step.label), lost at \(f.stage!.key) · \(when)", f)
            }
        case .lossStages:
            let stage = snap.business!.stages[i].stage
            guard stage != .validation else { return rejected(&s) }
            f.stage = stage
            return drill(&s, title: "lost at \(stage.key) · \(when)", f)
        case .errorCodes:
            let code = snap.business!.errorCodes[i].code
            guard snap.business!.errorCodes[i].category != .validation else { return rejected(&s) }
            f.errorCode = code
            return drill(&s, title: "error \(code) · \(when)", f)
        case .alerts:
            let (o, a) = alertRows(snap.slo!)[i]
            guard let slo = SloName(rawValue: o.definition.name) else { return unknownSlo(&s, o.definition.name) }
            f.from = DurationText.nanos(a.rule.long).map { snap.at - $0 }
            f.badFor = slo
            return drill(&s, title: "\(slo.rawValue) bad events · last \(a.rule.long) (the \(a.rule.long)/\(a.rule.short) alert's long window)", f)
        }
    }

    /// Enter on an SLO: its bad events over the time range.
    static func enterSlo(_ s: inout ConsoleState, _ snap: ConsoleSnapshot) -> [Effect] {
        let list = snap.slo?.objectives ?? []
        guard s.selected(.slos) < list.count else { return [] }
        let name = list[s.selected(.slos)].definition.name
        guard let slo = SloName(rawValue: name) else { return unknownSlo(&s, name) }
        var f = windowed(s, snap)
        f.badFor = slo
        return drill(&s, title: "\(slo.rawValue) bad events · \(s.timeRange.label)", f)
    }

    static func rejected(_ s: inout ConsoleState) -> [Effect] {
        s.status = .init(text: "a request rejected at validation never became a checkout: paytop events --name checkout.rejected lists them",
                         isError: true)
        return []
    }

    static func unknownSlo(_ s: inout ConsoleState, _ name: String) -> [Effect] {
        s.status = .init(text: "\(name) is not one of paytop's SLOs: no rule says which checkouts are its bad events", isError: true)
        return []
    }

    /// Enter (or c) on a function: the checkouts it worked on longest (or its cold starts served).
    static func enterFunction(_ s: inout ConsoleState, _ snap: ConsoleSnapshot, cold: Bool) -> [Effect] {
        let rows = snap.functionsReport?.rows ?? []
        guard s.selected(.functions) < rows.count else { return [] }
        guard case .function(let fn) = rows[s.selected(.functions)].hop else {
            s.status = .init(text: "the PSP is not a function of the pipeline: select initializer, executor or wallet", isError: true)
            return []
        }
        var f = windowed(s, snap)
        f.invocationsOf = fn
        f.cold = cold
        return drill(&s, title: cold ? "\(fn.rawValue) cold starts · \(s.timeRange.label)"
                                     : "\(fn.rawValue) · longest work first · \(s.timeRange.label)", f)
    }
}
