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
        x = p.text(amounts(rec.unreconciled), x, y, rec.unreconciled.values.contains { $0 != .zero } ? .warn : .ok, clip: b)
        p.text("   runs \(rec.runs)" + (rec.lastRunAt.map { " · last \(Format.clock($0))" } ?? ""), x, y, .muted, clip: b)
        y += 2
        let table = Table([
            .init("batch", width: 7, .right), .init("status", width: 9), .init("closed", width: 10), .init("lines", width: 10, .right),
            .init("matched", width: 10, .right), .init("auto", width: 6, .right), .init("manual", width: 8, .right),
            .init("investigate", width: 12, .right), .init("latency", width: 10, .right), .init("unreconciled", width: 0),
        ])
        let rows = rec.batches.map { batch -> Table.Row in
            let st = rec.status(batch)
            let role: Theme.Role = st == .green ? .ok : st == .yellow ? .warn : st == .red ? .bad : .muted
            return Table.Row([
                .init(String(batch.row.batchNo)), .init(st.rawValue, role), .init(Format.clock(batch.row.closedAt)),
                .init(Format.count(Int64(batch.row.settledLines))), .init(Format.count(Int64(batch.matched))),
                .init(counted(batch, .auto)), .init(counted(batch, .manual)), .init(counted(batch, .investigate)),
                .init(batch.meanLatencyNanos.map { Format.duration($0) } ?? "—"), .init(amounts(batch.unreconciled)),
            ], role: .text)
        }
        table.draw(&p, Rect(x: b.x, y: y, width: b.width, height: b.maxY - y), rows: rows,
                   selected: s.focus == 0 ? s.selected(.reconciliation) : nil)
        mismatches(&p, bottom, s, rec)
    }

    /// "open/found" of a class in a batch.
    static func counted(_ b: ReconciliationReport.Batch, _ c: MismatchClass) -> String {
        let found = b.found[c] ?? 0, open = b.open[c] ?? 0
        return found == 0 ? "0" : "\(open)/\(found)"
    }

    static func amounts(_ d: [String: Money]) -> String {
        let nonzero = d.filter { $0.value != .zero }.sorted { $0.key < $1.key }
        return nonzero.isEmpty ? "none" : nonzero.map { "\($0.value) \($0.key)" }.joined(separator: " · ")
    }

    static func mismatches(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ rec: ReconciliationReport) {
        let open = rec.open.values.reduce(0, +)
        let b = p.box(r, title: "Mismatches · \(open) open · the latest \(rec.mismatches.count), open first · Enter: trace",
                      focused: s.focus == 1)
        guard !rec.mismatches.isEmpty else {
            p.text("none: every settled line matched a capture and every capture settled", b.x + 1, b.y, .ok, clip: b)
            return
        }
        let table = Table([
            .init("id", width: 7, .right), .init("class", width: 12), .init("kind", width: 22), .init("checkout / reference", width: 26),
            .init("batch", width: 6, .right), .init("ledger", width: 16, .right), .init("psp", width: 16, .right),
            .init("status", width: 9), .init("resolution", width: 0),
        ])
        let rows = rec.mismatches.map { m -> Table.Row in
            let role: Theme.Role = m.status == .resolved ? .muted : (m.mismatchClass == .investigate ? .bad : m.mismatchClass == .manual ? .warn : .text)
            return Table.Row([
                .init(String(m.id)), .init(m.mismatchClass.rawValue), .init(m.kind.rawValue),
                .init(m.checkoutID ?? m.pspReference ?? "?"), .init(String(m.batchNo)),
                .init(m.ledgerAmount.map { "\($0) \(m.ledgerCurrency ?? "")" } ?? "—"),
                .init(m.pspAmount.map { "\($0) \(m.pspCurrency ?? "")" } ?? "—"),
                .init(m.status.rawValue), .init(m.resolution ?? (m.status == .open ? "" : "resolved")),
            ], role: role)
        }
        table.draw(&p, b, rows: rows, selected: s.focus == 1 ? s.selected(.reconciliation) : nil)
    }
}
