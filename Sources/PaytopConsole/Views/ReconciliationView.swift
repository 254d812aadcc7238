import PaytopStore
import PaytopVocabulary

/// View 9: the PSP's settlement batches with their colour (the seed's green / yellow /
/// red tile), counts by class, amount unreconciled per currency and charge → reconciled
/// latency; below, the mismatches, open first (Enter opens the checkout's trace). The
/// same figures as `paytop reconcile`, from the same store query.
enum ReconciliationView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        guard let rec = d.snapshot.reconciliation else {
            let b = p.box(r, title: "Reconciliation", focused: true)
            p.text("no settlement batch yet: the PSP closes one at each cut-off (settlement_interval, settlement_cutoff);",
                   b.x + 1, b.y, .muted, clip: b)
            p.text("a simulation closes its last one when it ends · R rehearses settlement drift · c reconciles now",
                   b.x + 1, b.y + 1, .muted, clip: b)
            return
        }
        let batchesHeight = min(max(7, rec.batches.count + 6), r.height / 2)
        let top = Rect(x: r.x, y: r.y, width: r.width, height: batchesHeight)
        let bottom = Rect(x: r.x, y: r.y + batchesHeight, width: r.width, height: r.height - batchesHeight)
        let latest = rec.batches.first.map { rec.status($0) }
        var title = "Reconciliation"
        if let latest { title += " · batch \(rec.batches.first!.row.batchNo) \(latest.rawValue.uppercased())" }
        if rec.alerting { title += " · ALERT \(rec.openNeedingAPerson) open > \(rec.alertThreshold)" }
        let b = p.box(top, title: title, focused: s.focus == 0)
        var y = b.y
        var x = p.text("open  ", b.x + 1, y, .muted, clip: b)
        for cls in MismatchClass.allCases {
            let n = rec.open[cls] ?? 0
            x = p.text("\(cls.rawValue) \(n)   ", x, y, n == 0 ? .ok : (cls == .investigate ? .bad : .warn), clip: b)
        }
        x = p.text("found  " + MismatchClass.allCases.map { "\($0.rawValue) \(rec.found[$0] ?? 0)" }.joined(separator: " · "),
                   x + 2, y, .muted, clip: b)
        y += 1
        x = p.text("unreconciled  ", b.x + 1, y, .muted, clip: b)
        let runs = "   runs \(rec.runs)" + (rec.lastRunAt.map { " · last \(Format.clock($0))" } ?? "")
        let unreconciled = amounts(rec.unreconciled)
        let fits = Buffer.columns(unreconciled.joined(separator: " · ") + runs) <= b.maxX - x - 1
        x = p.text(unreconciled.isEmpty ? "none" : Format.whole(unreconciled, width: b.maxX - x - 1), x, y,
                   rec.unreconciled.values.contains { $0 != .zero } ? .warn : .ok, clip: b)
        if fits || unreconciled.isEmpty { p.text(runs, x, y, .muted, clip: b) }
        y += 2
        // Narrow terminals drop the close time and the latency first; the counts stay.
        let wide = b.width >= Self.wideWidth
        var columns: [Table.Column] = [.init("batch", width: 7, .right), .init("status", width: 9)]
        if wide { columns.append(.init("closed", width: 10)) }
        columns += [.init("lines", width: 8, .right), .init("matched", width: 9, .right), .init("auto", width: 6, .right),
                    .init("manual", width: 8, .right), .init("invest.", width: 8, .right)]
        if wide { columns.append(.init("latency", width: 10, .right)) }
        columns.append(.init("unreconciled", width: 0))
        let table = Table(columns)
        let rows = rec.batches.map { batch -> Table.Row in
            let st = rec.status(batch)
            let role: Theme.Role = st == .green ? .ok : st == .yellow ? .warn : st == .red ? .bad : .muted
            var cells: [Table.Cell] = [.init(String(batch.row.batchNo)), .init(st.rawValue, role)]
            if wide { cells.append(.init(Format.clock(batch.row.closedAt))) }
            cells += [.init(Format.count(Int64(batch.row.settledLines))), .init(Format.count(Int64(batch.matched))),
                      .init(counted(batch, .auto)), .init(counted(batch, .manual)), .init(counted(batch, .investigate))]
            if wide { cells.append(.init(batch.meanLatencyNanos.map { Format.duration($0) } ?? "—")) }
            cells.append(.whole(amounts(batch.unreconciled), empty: "none"))
            return Table.Row(cells, role: .text)
        }
        table.draw(&p, Rect(x: b.x, y: y, width: b.width, height: b.maxY - y), rows: rows,
                   selected: s.focus == 0 ? s.selected(.reconciliation) : nil)
        mismatches(&p, bottom, s, rec)
    }

    /// From this inner width on, every column shows.
    static let wideWidth = 110

    /// "open/found" of a class in a batch.
    static func counted(_ b: ReconciliationReport.Batch, _ c: MismatchClass) -> String {
        let found = b.found[c] ?? 0, open = b.open[c] ?? 0
        return found == 0 ? "0" : "\(open)/\(found)"
    }

    /// "12.50 EUR" for each currency with an amount left, in currency order.
    static func amounts(_ d: [String: Money]) -> [String] {
        d.filter { $0.value != .zero }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
    }

    static func mismatches(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ rec: ReconciliationReport) {
        let open = rec.open.values.reduce(0, +)
        let b = p.box(r, title: "Mismatches · \(open) open · the latest \(rec.mismatches.count), open first · Enter: trace",
                      focused: s.focus == 1)
        guard !rec.mismatches.isEmpty else {
            p.text("none: every settled line matched a capture and every capture settled", b.x + 1, b.y, .ok, clip: b)
            return
        }
        // Narrow terminals drop the class (the kind and the row's colour say it), the batch
        // (the table above has it), status and resolution, and keep the kind, the checkout
        // and both amounts whole.
        let wide = b.width >= Self.wideWidth
        var columns: [Table.Column] = [.init("id", width: wide ? 7 : 5, .right)]
        if wide { columns.append(.init("class", width: 12)) }
        columns += [.init("kind", width: 22), .init("checkout / reference", width: wide ? 26 : 23)]
        if wide { columns.append(.init("batch", width: 6, .right)) }
        columns += [.init("ledger", width: wide ? 16 : 14, .right), .init("psp", width: wide ? 16 : 0, .right)]
        if wide { columns += [.init("status", width: 9), .init("resolution", width: 0)] }
        let table = Table(columns)
        let rows = rec.mismatches.map { m -> Table.Row in
            let role: Theme.Role = m.status == .resolved ? .muted : (m.mismatchClass == .investigate ? .bad : m.mismatchClass == .manual ? .warn : .text)
            var cells: [Table.Cell] = [.init(String(m.id))]
            if wide { cells.append(.init(m.mismatchClass.rawValue)) }
            cells += [.init(m.kind.rawValue), .init(m.checkoutID ?? m.pspReference ?? "?")]
            if wide { cells.append(.init(String(m.batchNo))) }
            cells += [.init(m.ledgerAmount.map { "\($0) \(m.ledgerCurrency ?? "")" } ?? "—"),
                      .init(m.pspAmount.map { "\($0) \(m.pspCurrency ?? "")" } ?? "—")]
            if wide { cells += [.init(m.status.rawValue), .init(m.resolution ?? (m.status == .open ? "" : "resolved"))] }
            return Table.Row(cells, role: role)
        }
        table.draw(&p, b, rows: rows, selected: s.focus == 1 ? s.selected(.reconciliation) : nil)
    }
}
