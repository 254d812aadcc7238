import PaytopStore
import PaytopVocabulary

/// Recent checkouts with state, orders, amounts, merchants and age; `/` filters.
enum PaymentsView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let list = Reducer.visiblePayments(s, d)
        if s.watchingReceived && d.snapshot.payments.isEmpty && s.drill == nil { return p.emptyPane(r, title: "Payments", ReceivedNotes.payments) }
        let source = s.drill.map { "\($0.title): \(list.count)\(d.drilled.count >= $0.filter.limit && $0.filter.limit > 0 ? ", newest \($0.filter.limit)" : "")" }
            ?? "Payments (\(list.count)"
        let title = source + (s.drill == nil ? ")" : "") + (s.paymentFilter.isEmpty ? "" : " matching “\(s.paymentFilter)”")
            + " · sorted by \(s.paymentSort.rawValue)" + (s.drill == nil ? "" : " · Esc: the newest payments")
        let b = p.box(r, title: title, focused: true)
        let sortColumn: Int? = switch s.paymentSort {
        case .newest: 6
        case .amount: 3
        case .state: 1
        case .slowest: 5
        }
        let table = Table([
            .init("checkout", width: 26), .init("state", width: 24), .init("orders", width: 8, .right),
            .init("amount", width: 14, .right), .init("cur", width: 5), .init("took", width: 10), .init("age", width: 9), .init("merchants", width: 0),
        ], sortColumn: sortColumn)
        let rows = list.map { pay in
            let stateRole: Theme.Role = pay.state == .success ? .ok : (pay.state == .failed || pay.state == .deadLettered ? .bad : .warn)
            return Table.Row([
                .init(pay.checkoutID), .init(pay.state.rawValue + (pay.failureCode.map { " " + $0 } ?? ""), stateRole),
                .init("\(pay.orders)"), .init(pay.amount), .init(pay.currency),
                .init(Format.duration(pay.took(d.snapshot.at)), pay.doneAt == nil ? .muted : nil),
                .init(Format.age(max(0, (d.snapshot.at - pay.createdAt) / 1_000_000_000))),
                .init(pay.merchants.joined(separator: ", ")),
            ])
        }
        table.draw(&p, b, rows: rows, selected: s.selected(.payments))
        if list.isEmpty { p.text("no checkouts\(s.paymentFilter.isEmpty ? " yet" : " match the filter")", b.x + 1, b.y + 1, .muted, clip: b) }
    }
}
