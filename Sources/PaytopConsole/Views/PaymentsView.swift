import PaytopStore
import PaytopVocabulary

/// Recent checkouts with state, orders, amounts, merchants and age; `/` filters.
enum PaymentsView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let list = Reducer.visiblePayments(s, d.snapshot)
        let title = "Payments (\(list.count)\(s.paymentFilter.isEmpty ? "" : " matching “\(s.paymentFilter)”")) · sorted by \(s.paymentSort.rawValue)"
        let b = p.box(r, title: title, focused: true)
        p.text("checkout".fit(26) + "state".fit(15) + "orders".fit(8) + "amount".fit(14) + "cur".fit(5) + "age".fit(9) + "merchants",
               b.x + 1, b.y, .muted, clip: b)
        let rows = b.height - 1
        let sel = s.selected(.payments)
        let first = max(0, min(sel - rows + 1, list.count - rows))
        for (i, pay) in list.dropFirst(first).prefix(rows).enumerated() {
            let y = b.y + 1 + i
            let selected = first + i == sel
            if selected { p.buffer.fill(Rect(x: b.x, y: y, width: b.width, height: 1), style: p.theme[.selection]) }
            let stateRole: Theme.Role = selected ? .selection : (pay.state == .success ? .ok : (pay.state == .failed || pay.state == .deadLettered ? .bad : .warn))
            let role: Theme.Role = selected ? .selection : .text
            var x = p.text(pay.checkoutID.fit(26), b.x + 1, y, role, clip: b)
            x = p.text((pay.state.rawValue + (pay.failureCode.map { " " + $0 } ?? "")).fit(15), x, y, stateRole, clip: b)
            x = p.text("\(pay.orders)".fit(8), x, y, role, clip: b)
            x = p.text(pay.amount.fit(14), x, y, role, clip: b)
            x = p.text(pay.currency.fit(5), x, y, role, clip: b)
            x = p.text(Format.age(max(0, (d.snapshot.at - pay.createdAt) / 1_000_000_000)).fit(9), x, y, role, clip: b)
            p.text(pay.merchants.joined(separator: ", "), x, y, role, clip: b)
        }
        if list.isEmpty { p.text("no checkouts\(s.paymentFilter.isEmpty ? " yet" : " match the filter")", b.x + 1, b.y + 1, .muted, clip: b) }
    }
}
