import PaytopStore
import PaytopVocabulary

/// View 5: each SLO with its SLI, budget gauge, burn rates and policy; the alert table
/// (each SRE Workbook rule: its window pair, threshold, burn rates, time to exhaustion and
/// state); the PSP technical SLI; error budget remaining and 1 h burn rate over the time
/// range (as Pyrra draws them); and the error codes with the seed dashboard's actions.
/// Below 140 columns the history charts go first, then the error codes.
enum SloView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        guard let report = d.snapshot.slo else {
            return p.emptyPane(r, title: "SLOs", "no SLO data: the store has no metrics yet (or was recorded with --no-telemetry)")
        }
        let wide = r.width >= 140
        let (left, right) = r.splitColumns(wide ? r.width / 2 : r.width)
        let objectivesHeight = min(left.height, report.objectives.count * 4 + 3)
        let (top, rest) = left.splitRows(objectivesHeight)
        objectives(&p, p.box(top, title: "SLOs · 30-day windows of engine time" + (s.focus == 0 ? " · Enter: bad events" : ""), focused: s.focus == 0), s, report)
        let alertRows = report.objectives.count * SloReport.alertRules.count + 1
        let (alertArea, below) = rest.splitRows(min(rest.height, alertRows + 2))
        alerts(&p, alertArea, report, s)
        let (pspArea, codesArea) = below.splitRows(min(below.height, 4))
        pspSLI(&p, p.box(pspArea, title: "PSP technical SLI · \(s.timeRange.label)"), d.snapshot.business)
        if !wide {
            if codesArea.height >= 3 { errorCodes(&p, codesArea, title: "error codes · suggested actions", d.snapshot.business, s) }
            return
        }
        errorCodes(&p, codesArea, title: "error codes · suggested actions", d.snapshot.business, s)
        guard d.snapshot.series != nil else { return }
        let (budget, burn) = right.splitRows(right.height / 2)
        ChartPane.draw(&p, budget, .budget, title: "Error budget remaining % · \(s.timeRange.label)", s, d, listMarks: false)
        ChartPane.draw(&p, burn, .burn, title: "Burn rate (1 h window)", s, d)
    }

    static func objectives(_ p: inout Painter, _ b: Rect, _ s: ConsoleState, _ report: SloReport) {
        var y = b.y
        for (i, o) in report.objectives.enumerated() where y + 2 < b.maxY {
            let selected = s.selected(.slos) == i
            var x = p.text(o.definition.name.fit(18), b.x + 1, y, selected ? .accent : .title, clip: b)
            x = p.text("SLI " + Format.percent(o.sli, digits: 3) + " ", x, y, (o.sli ?? 1) >= o.definition.target ? .ok : .bad, clip: b)
            x = p.text(String(format: "target %.2f%%  ", o.definition.target * 100), x, y, .muted, clip: b)
            x = p.text("\(o.good.grouped)/\(o.valid.grouped) good  ", x, y, .muted, clip: b)
            if let late = o.badInFlight, late > 0 {
                x = p.text("\(late.grouped) bad still in flight  ", x, y, .bad, clip: b)
            }
            p.text(o.alert?.rawValue ?? "no alert", x, y, o.alert == nil ? .ok : .bad, clip: b)
            y += 1
            x = p.text("budget ", b.x + 3, y, .text, clip: b)
            if let consumed = o.budgetConsumed {
                let left = max(0, 1 - consumed)
                let gw = max(10, b.width / 3)
                p.gauge(left, x, y, width: gw, role: left > 0.5 ? .ok : (left > 0.25 ? .warn : .bad), clip: b)
                p.text(String(format: " %.1f%% consumed", consumed * 100), x + gw, y, consumed > 1 ? .bad : .text, clip: b)
            } else {
                p.text(SloWords.notEnoughData(o), x, y, .muted, clip: b)
            }
            y += 1
            let burns = o.windows.map { "\($0.label) " + SloWords.burn($0.burnRate) }.joined(separator: "  ")
            p.text("burn   " + burns, b.x + 3, y, .muted, clip: b)
            y += 1
            if let policy = o.policy {
                p.text("policy " + policy.description, b.x + 3, y, policy == .freeze ? .bad : (policy == .normal ? .muted : .warn), clip: b)
            } else {
                p.text("policy none until the budget has data", b.x + 3, y, .muted, clip: b)
            }
            y += 1
        }
        if y < b.maxY, let c = report.conversion {
            p.text("conversion KPI " + Format.percent(c, digits: 1) + " (settled ÷ received, last \(report.conversionWindowDays)d)"
                   + (c > 0.95 ? " · healthy funnel" : " · below 95%: UX, PSP or fraud-rule issues"),
                   b.x + 1, y, c > 0.95 ? .ok : .bad, clip: b)
        }
    }

    static func exhaustion(_ seconds: Double?) -> String {
        guard let s = seconds else { return "—" }
        if s >= 86_400 * 99 { return "> 99d" }
        if s >= 86_400 { return String(format: "%.1fd", s / 86_400) }
        return Format.age(Int64(s))
    }

    /// The burn-rate alerts (a pane Tab reaches: Enter lists the bad events of the selected
    /// alert's long window).
    static func alerts(_ p: inout Painter, _ area: Rect, _ report: SloReport, _ s: ConsoleState) {
        p.buffer.panesDrawn.append(.list(.alerts))
        let focused = s.focusedList == .alerts
        let r = p.box(area, title: "Alerts · multiwindow, multi-burn-rate (SRE Workbook)" + (focused ? " · Enter: bad events" : ""), focused: focused)
        let table = Table([.init("SLO", width: 17), .init("severity", width: 9), .init("windows", width: 9), .init("> burn", width: 8, .right),
                           .init("long", width: 8, .right), .init("short", width: 8, .right), .init("exhausts in", width: 12, .right),
                           .init("state", width: 0)])
        // Firing rules first, so that a short pane still shows what needs attention.
        var rows: [Table.Row] = []
        for (o, a) in Reducer.alertRows(report) {
            do {
                func hot(_ burn: Double?) -> Theme.Role? { (burn ?? 0) > a.rule.threshold ? .warn : nil }
                let state = a.firing ? " FIRING" : (o.enoughData ? " ok" : " no data")
                rows.append(Table.Row([.init(o.definition.name), .init(a.rule.severity.rawValue), .init(a.rule.long + "/" + a.rule.short),
                                       .init(String(format: "%g", a.rule.threshold)),
                                       .init(SloWords.burn(a.longBurn), hot(a.longBurn)),
                                       .init(SloWords.burn(a.shortBurn), hot(a.shortBurn)),
                                       .init(exhaustion(a.secondsToExhaustion), .muted),
                                       .init(state, a.firing ? .bad : (o.enoughData ? .ok : .muted))]))
            }
        }
        table.draw(&p, r, rows: rows, selected: focused ? s.selected(.alerts) : nil)
    }

    static func pspSLI(_ p: inout Painter, _ r: Rect, _ b: BusinessReport?) {
        guard r.height > 0 else { return }
        guard let b, b.pspResponses > 0 else {
            p.text("no PSP responses in the range", r.x + 1, r.y, .muted, clip: r)
            return
        }
        let sli = b.pspTechnicalSLI
        p.text("SLI " + Format.percent(sli, digits: 3) + " = 1 − (PSP_SERVER_ERROR + CONNECTION_ERROR) ÷ PSP responses",
               r.x + 1, r.y, (sli ?? 1) >= 0.999 ? .ok : .bad, clip: r)
        if r.height > 1 {
            p.text("\(b.pspTechnicalFailures) technical failures of \(Format.count(b.pspResponses)) responses; business declines are not failures",
                   r.x + 1, r.y + 1, .muted, clip: r)
        }
    }

    /// The error codes of the lost checkouts with the seed dashboard's actions (a pane Tab
    /// reaches: Enter lists the checkouts with the selected code).
    static func errorCodes(_ p: inout Painter, _ area: Rect, title: String, _ b: BusinessReport?, _ s: ConsoleState) {
        p.buffer.panesDrawn.append(.list(.errorCodes))
        let focused = s.focusedList == .errorCodes
        let r = p.box(area, title: title + (focused ? " · Enter: its checkouts" : ""), focused: focused)
        let codes = b?.errorCodes ?? []
        guard !codes.isEmpty else {
            p.text("no lost checkouts in the range", r.x + 1, r.y, .muted, clip: r)
            return
        }
        let table = Table([.init("code", width: 20), .init("n", width: 7, .right), .init("action", width: 24), .init("lost", width: 0)])
        table.draw(&p, r, rows: codes.map { e in
            Table.Row([.init(e.code), .init(Format.count(e.loss.checkouts)), .init(e.action),
                       .whole(BusinessView.items(e.loss.amounts), .muted)], role: e.category == .technical ? .bad : .warn)
        }, selected: focused ? s.selected(.errorCodes) : nil)
    }
}

/// How the SLO panes say what a report leaves out.
enum SloWords {
    /// A burn rate, or "—" for a window with too few events.
    static func burn(_ rate: Double?) -> String { rate.map { String(format: "%.1f", $0) } ?? "—" }

    static func notEnoughData(_ o: SloReport.Objective) -> String {
        "not enough data yet (\(o.valid.grouped) events; a verdict needs \(o.eventsForVerdict.grouped))"
    }
}
