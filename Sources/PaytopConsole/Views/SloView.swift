import PaytopStore

/// Each SLO with its SLI, budget gauge, burn rates, alert and policy; the conversion KPI;
/// error codes with what to do about them (as the seed's dashboard maps them).
enum SloView {
    static let actions: [(String, String)] = [
        ("INSUFFICIENT_FUNDS", "customer-side: offer another payment method"),
        ("CARD_DECLINED", "issuer declined: customer contacts the bank; watch for a surge (fraud rules?)"),
        ("EXPIRED_CARD", "customer updates the card; prompt before checkout"),
        ("INVALID_CARD", "check card capture and tokenisation in the client"),
        ("FRAUD_SUSPECTED", "review fraud rules and recent rule changes"),
        ("PSP_SERVER_ERROR", "PSP unavailable: check its status, then redrive the execution DLQ"),
    ]

    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let (top, bottom) = r.splitRows(max(8, r.height - 9))
        let b = p.box(top, title: "SLOs · 30-day windows of engine time", focused: true)
        guard let report = d.snapshot.slo else {
            p.text("no SLO data: the store has no metrics yet (or was recorded with --no-telemetry)", b.x + 1, b.y, .muted, clip: b)
            return
        }
        var y = b.y
        for (i, o) in report.objectives.enumerated() where y + 3 < b.maxY {
            let selected = s.selected(.slos) == i
            let left = max(0, 1 - o.budgetConsumed)
            var x = p.text(o.definition.name.fit(18), b.x + 1, y, selected ? .accent : .title, clip: b)
            x = p.text("SLI " + Format.percent(o.sli, digits: 3) + " ", x, y, (o.sli ?? 1) >= o.definition.target ? .ok : .bad, clip: b)
            x = p.text(String(format: "target %.2f%%  ", o.definition.target * 100), x, y, .muted, clip: b)
            x = p.text("\(o.good)/\(o.valid) good  ", x, y, .muted, clip: b)
            p.text(o.alert == "none" ? "no alert" : o.alert, x, y, o.alert == "none" ? .ok : .bad, clip: b)
            y += 1
            x = p.text("budget ", b.x + 3, y, .text, clip: b)
            let gw = max(10, b.width / 3)
            p.gauge(left, x, y, width: gw, role: left > 0.5 ? .ok : (left > 0.25 ? .warn : .bad), clip: b)
            p.text(String(format: " %.1f%% consumed", o.budgetConsumed * 100), x + gw, y, o.budgetConsumed > 1 ? .bad : .text, clip: b)
            y += 1
            let burns = o.windows.map { String(format: "%@ %.1f", $0.label, $0.burnRate) }.joined(separator: "  ")
            p.text("burn   " + burns, b.x + 3, y, .muted, clip: b)
            y += 1
            p.text("policy " + o.policy, b.x + 3, y, o.budgetConsumed > 1 ? .bad : (o.budgetConsumed > 0.5 ? .warn : .muted), clip: b)
            y += 2
        }
        if y < b.maxY, let c = report.conversion {
            p.text("conversion KPI " + Format.percent(c, digits: 1) + (c > 0.95 ? " · healthy funnel" : " · below 95%: UX, PSP or fraud-rule issues"),
                   b.x + 1, y, c > 0.95 ? .ok : .bad, clip: b)
        }
        let e = p.box(bottom, title: "error codes · suggested actions", focused: false)
        let counts = Dictionary(d.snapshot.declines.map { ($0.code, $0.count) }, uniquingKeysWith: +)
        for (i, (code, action)) in actions.prefix(e.height).enumerated() {
            let n = counts[code] ?? 0
            var x = p.text(code.fit(20), e.x + 1, e.y + i, n > 0 ? .warn : .text, clip: e)
            x = p.text("\(n)".fit(7), x, e.y + i, .muted, clip: e)
            p.text(action, x, e.y + i, .text, clip: e)
        }
    }
}
