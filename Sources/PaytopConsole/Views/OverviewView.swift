import PaytopStore
import PaytopVocabulary

/// The pipeline as a flow with live rates and health, queue depths, SLO gauges, business
/// figures and a tail of business events.
enum OverviewView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let snap = d.snapshot
        let (top, rest) = r.splitRows(5)
        let pipe = p.box(top, title: "Pipeline", focused: s.focus == 0)
        let noMetrics = s.watchingReceived && !snap.hasPipelineMetrics
        if noMetrics { p.note(ReceivedNotes.pipeline, pipe) } else { pipeline(&p, pipe, snap) }
        let (middle, bottom) = rest.splitRows(7)
        let (ql, sr) = middle.splitColumns(r.width * 2 / 5)
        let queueBox = p.box(ql, title: "Queues", focused: s.focus == 1)
        if noMetrics { p.note(ReceivedNotes.queues, queueBox) } else { queues(&p, queueBox, snap) }
        slos(&p, p.box(sr, title: "SLOs", focused: s.focus == 2), snap)
        let (bl, er) = bottom.splitColumns(r.width * 2 / 5)
        // Tall terminals: throughput and errors over the range below the business figures.
        let (businessArea, charts) = bl.splitRows(bl.height >= 30 ? 8 : bl.height)
        business(&p, p.box(businessArea, title: "Business", focused: s.focus == 3), snap, s.timeRange)
        if charts.height >= 20, !noMetrics, snap.series != nil {
            let (throughput, errors) = charts.splitRows(charts.height / 2)
            ChartPane.draw(&p, throughput, .throughput, title: "Throughput · \(s.timeRange.label)", s, d, listMarks: false)
            ChartPane.draw(&p, errors, .errors, title: "Errors", s, d)
        }
        events(&p, p.box(er, title: "Events", focused: false), snap)
    }

    static func pipeline(_ p: inout Painter, _ r: Rect, _ snap: ConsoleSnapshot) {
        guard r.height >= 3 else { return }
        let stages = stages(r.width - 2, arrow: Buffer.columns(" " + p.glyphs.arrow) + 1)
        let names = stages.map(\.label)
        func fn(_ n: FunctionName) -> ConsoleSnapshot.FunctionRow? { snap.functions.first { $0.name == n } }
        func q(_ n: QueueName) -> ConsoleSnapshot.QueueRow? { snap.queues.first { $0.name == n } }
        let exec = q(.execution), execDLQ = q(.executionDLQ)
        let res = q(.results), resDLQ = q(.resultsDLQ)
        let outage = snap.faults.pspOutage
        var lines: [[(String, Theme.Role)]] = Array(repeating: [], count: names.count)
        lines[0] = [(Format.rate(snap.apiPerSecond), .text), ("p99 " + Format.millis(snap.apiP99Millis), .muted),
                    (snap.api5xxPerSecond > 0 ? "5xx " + Format.rate(snap.api5xxPerSecond) : "", .bad)]
        for (i, n) in [(1, FunctionName.initializer), (3, .executor), (6, .wallet)] {
            let f = fn(n)
            let errPct = (f?.invocationsPerSecond ?? 0) > 0 ? (f!.errorsPerSecond / f!.invocationsPerSecond) : 0
            lines[i] = [(Format.rate(f?.invocationsPerSecond ?? 0), .text),
                        (errPct > 0 ? String(format: "%.0f%% err", errPct * 100) : "0 err", errPct > 0.05 ? .bad : (errPct > 0 ? .warn : .muted)),
                        ((f?.throttlesPerSecond ?? 0) > 0 ? "throttled" : "p99 " + Format.millis(f?.p99Millis ?? 0), (f?.throttlesPerSecond ?? 0) > 0 ? .warn : .muted)]
        }
        func queueLines(_ main: ConsoleSnapshot.QueueRow?, _ dlq: ConsoleSnapshot.QueueRow?) -> [(String, Theme.Role)] {
            let depth = (main?.visible ?? 0) + (main?.inFlight ?? 0)
            let dl = (dlq?.visible ?? 0) + (dlq?.inFlight ?? 0)
            return [("\(depth) msgs  age \(Format.age(main?.oldestAgeSeconds ?? 0))", depth > 100 ? .warn : .text),
                    ("DLQ \(dl)" + (dl > 0 ? "  age \(Format.age(dlq?.oldestAgeSeconds ?? 0))" : ""), dl > 0 ? .bad : .ok), ("", .text)]
        }
        lines[2] = queueLines(exec, execDLQ)
        lines[5] = queueLines(res, resDLQ)
        let pspErr = snap.pspPerSecond > 0 ? snap.psp500PerSecond / snap.pspPerSecond : 0
        lines[4] = [(outage ? "\(p.glyphs.cross) 500" : Format.rate(snap.pspPerSecond), outage || pspErr > 0.05 ? .bad : .text),
                    ("p95 " + Format.millis(snap.pspP95Millis), snap.faults.pspLatencyFactor != 1 ? .warn : .muted),
                    (snap.psp402PerSecond > 0 ? "decl " + Format.rate(snap.psp402PerSecond) : "", .warn)]
        var x = r.x + 1
        for (i, n) in names.enumerated() {
            let colWidth = stages[i].width
            let health: Theme.Role = lines[i].contains { $0.1 == .bad } ? .bad : (lines[i].contains { $0.1 == .warn } ? .warn : .ok)
            let end = p.text(n, x, r.y, health, clip: r)
            if i < names.count - 1 { p.text(" " + p.glyphs.arrow, end, r.y, .border, clip: Rect(x: r.x, y: r.y, width: min(r.width, x + colWidth - r.x), height: 1)) }
            for (j, (t, role)) in lines[i].prefix(r.height - 1).enumerated() {
                p.text(t.fit(colWidth - 1), x, r.y + 1 + j, role, clip: r)
            }
            x += colWidth
        }
    }

    /// The pipeline's stages in the order a checkout meets them, named after the
    /// vocabulary's functions and queues ("execution-queue" for payment-execution-queue).
    static let stageLabels: [String] = {
        func queue(_ q: QueueName) -> String {
            q.rawValue.hasPrefix("payment-") ? String(q.rawValue.dropFirst("payment-".count)) : q.rawValue
        }
        func function(_ f: FunctionName) -> String { f.rawValue.prefix(1).uppercased() + f.rawValue.dropFirst() }
        return ["API", function(.initializer), queue(.execution), function(.executor), "PSP", queue(.results), function(.wallet)]
    }()

    /// The same stages in a few letters, for terminals too narrow for the full names.
    static let shortStageLabels = ["API", "Init", "exec-q", "Exec", "PSP", "res-q", "Wallet"]

    /// Each stage's label and column: a label and its arrow always fit (so labels never
    /// run into the next one) — the full names where they fit, short ones where not — and
    /// what is left of `total` is shared out evenly.
    static func stages(_ total: Int, arrow: Int) -> [(label: String, width: Int)] {
        func widths(_ labels: [String], minimum: Int) -> [Int] {
            labels.enumerated().map { i, l in max(minimum, Buffer.columns(l) + (i < labels.count - 1 ? arrow : 1)) }
        }
        var labels = stageLabels
        var w = widths(labels, minimum: 10)
        if w.reduce(0, +) > total { w = widths(labels, minimum: 0) }
        if w.reduce(0, +) > total { labels = shortStageLabels; w = widths(labels, minimum: 10) }
        if w.reduce(0, +) > total { w = widths(labels, minimum: 0) }
        let spare = total - w.reduce(0, +)
        if spare > 0 {
            for i in w.indices { w[i] += spare / w.count + (i < spare % w.count ? 1 : 0) }
        }
        return Array(zip(labels, w))
    }

    static func queues(_ p: inout Painter, _ r: Rect, _ snap: ConsoleSnapshot) {
        let labels: [QueueName: String] = [.execution: "execution", .executionDLQ: "execution DLQ", .results: "results",
                                           .resultsDLQ: "results DLQ"]
        let sparkWidth = max(4, r.width - 36)
        let table = Table([.init("queue", width: 14), .init("", width: sparkWidth + 1),
                           .init("msgs", width: 7, .right), .init("age", width: 0)])
        table.draw(&p, r, rows: snap.queues.map { q in
            let alarm = q.name.isDeadLetterQueue && q.visible + q.inFlight > 0
            return Table.Row([.init(labels[q.name] ?? q.name.rawValue, alarm ? .bad : .text),
                              .init(p.sparkline(q.depthSpark, width: sparkWidth), alarm ? .bad : .accent),
                              .init((q.visible + q.inFlight).grouped), .init(Format.age(q.oldestAgeSeconds), .muted)])
        }, selected: nil)
    }

    static func slos(_ p: inout Painter, _ r: Rect, _ snap: ConsoleSnapshot) {
        guard let report = snap.slo else {
            p.text("no SLO data yet", r.x + 1, r.y, .muted, clip: r)
            return
        }
        // Name, SLI and burn rate always; the budget takes what is left after room for an
        // alert: a gauge and its words where they fit, the words alone where not.
        let spare = max(8, r.width - 2 - 17 - 9 - 11 - 6)
        let gaugeWidth = spare >= 18 ? spare - 12 : 0
        var y = r.y
        for o in report.objectives where y < r.maxY {
            var x = p.text(o.definition.name.fit(17), r.x + 1, y, .text, clip: r)
            x = p.text(Format.percent(o.sli).fit(9), x, y, (o.sli ?? 1) >= o.definition.target ? .ok : .bad, clip: r)
            if let consumed = o.budgetConsumed {
                let left = max(0, 1 - consumed)
                if gaugeWidth > 0 {
                    p.gauge(left, x, y, width: gaugeWidth, role: left > 0.5 ? .ok : (left > 0.25 ? .warn : .bad), clip: r)
                    x += gaugeWidth + 1
                }
                let words = left > 0 ? String(format: "%.0f%% left", left * 100) : "exhausted"
                x = p.text(words.fit(gaugeWidth > 0 ? 11 : spare), x, y, left > 0 ? .text : .bad, clip: r)
            } else {
                // The longest wording that fits whole in the budget's place.
                let words = ["not enough data yet (\(Format.count(o.valid)) events)", "not enough data", "no data"]
                    .first { Buffer.columns($0) < spare } ?? ""
                x = p.text(words.fit(spare), x, y, .muted, clip: r)
            }
            let burn = o.windows.first { $0.label == "1h" }?.burnRate
            x = p.text(("burn " + SloWords.burn(burn)).fit(11), x, y, (burn ?? 0) > 1 ? .warn : .muted, clip: r)
            if let alert = o.alert { x = p.text(alert.rawValue + " ", x, y, .bad, clip: r) }
            if let late = o.badInFlight, late > 0 { p.text("\(Format.count(late)) late", x, y, .bad, clip: r) }
            y += 1
        }
        let judged = report.objectives.compactMap { o in o.budgetConsumed.map { (o, $0) } }
        if y < r.maxY {
            if let (worst, consumed) = judged.max(by: { $0.1 < $1.1 }), let policy = worst.policy {
                p.text("policy  " + policy.description, r.x + 1, y, consumed > 1 ? .bad : .muted, clip: r)
            } else {
                p.text("policy  none until an SLO's budget has data", r.x + 1, y, .muted, clip: r)
            }
        }
    }

    static func business(_ p: inout Painter, _ r: Rect, _ snap: ConsoleSnapshot, _ range: ConsoleState.TimeRange) {
        var y = r.y
        let b = snap.business
        let conv = b?.conversion
        var x = p.text("conversion  ", r.x + 1, y, .text, clip: r)
        x = p.text(Format.percent(conv, digits: 1), x, y, (conv ?? 1) > 0.95 ? .ok : .bad, clip: r)
        p.text("  = settled ÷ received · \(range.label)", x, y, .muted, clip: r)
        y += 1
        // Per currency, exact, never added across currencies (view 7 has the rest); wide
        // boxes put them on one line, narrow ones one a line while three lines stay free.
        // Amounts are never cut: too narrow for the label beside them, they go below it.
        let revenue = BusinessView.items(b?.revenue ?? [])
        let label = "revenue      "
        let oneLine = label + (revenue.isEmpty ? "none settled" : revenue.joined(separator: " · "))
        let widest = revenue.map(Buffer.columns).max() ?? 0
        if Buffer.columns(oneLine) <= r.width - 2 {
            if y < r.maxY { p.text(oneLine, r.x + 1, y, revenue.isEmpty ? .muted : .text, clip: r); y += 1 }
        } else {
            let indent = Buffer.columns(label) + widest <= r.width - 2 ? Buffer.columns(label) : 0
            if indent == 0, y < r.maxY { p.text("revenue", r.x + 1, y, .text, clip: r); y += 1 }
            let lines = max(1, min(revenue.count, r.maxY - 3 - y))
            for i in 0..<lines where y < r.maxY {
                let lead = i == 0 && indent > 0 ? label : String(repeating: " ", count: indent)
                let item = lines < revenue.count && i == lines - 1
                    ? Format.whole(Array(revenue[i...]), width: r.width - 2 - indent) : revenue[i]
                p.text(lead + item, r.x + 1, y, .text, clip: r)
                y += 1
            }
        }
        if y < r.maxY {
            x = p.text("throughput   ", r.x + 1, y, .text, clip: r)
            p.text(p.sparkline(snap.throughputSpark, width: max(4, r.width - 16)), x, y, .accent, clip: r)
            y += 1
        }
        if y < r.maxY {
            x = p.text("declines     ", r.x + 1, y, .text, clip: r)
            let text = snap.declines.isEmpty ? "none" : snap.declines.prefix(3).map { "\($0.code) \($0.count)" }.joined(separator: "  ")
            p.text(text, x, y, snap.declines.isEmpty ? .muted : .warn, clip: r)
            y += 1
        }
        if y < r.maxY, let rec = snap.reconciliation, let batch = rec.batches.first {
            // The seed's daily reconciliation tile: the latest batch's colour and the open items.
            let st = rec.status(batch)
            x = p.text("reconcile    ", r.x + 1, y, .text, clip: r)
            x = p.text("batch \(batch.row.batchNo) \(st.rawValue.uppercased())", x, y,
                       st == .green ? .ok : st == .yellow ? .warn : st == .red ? .bad : .muted, clip: r)
            p.text("  \(rec.openNeedingAPerson) open" + (rec.alerting ? " · ALERT > \(rec.alertThreshold)" : ""), x, y,
                   rec.alerting ? .bad : .muted, clip: r)
        }
    }

    static func events(_ p: inout Painter, _ r: Rect, _ snap: ConsoleSnapshot) {
        // The checkout column only where the detail keeps room for an amount beside it.
        let withCheckout = r.width >= 98
        var columns: [Table.Column] = [.init("time", width: 9), .init("event", width: 20), .init("outcome", width: 10)]
        if withCheckout { columns.append(.init("checkout", width: 23)) }
        let table = Table(columns + [.init("detail", width: 0)])
        table.draw(&p, r, rows: snap.events.suffix(max(0, r.height - 1)).reversed().map { e in
            // What went wrong first, then the amount, then the merchant: as many as fit whole.
            var detail = [e.errorCode].compactMap { $0 }
            if let a = e.amountTotal, let c = e.amountCurrency { detail.append("\(a) \(c)") }
            if let m = e.merchantID { detail.append(m) }
            var cells: [Table.Cell] = [.init(Format.clock(e.bizTimestamp), .muted), .init(EventWords.shortName(e.name)),
                                       .init(e.outcome.rawValue, EventWords.role(e.outcome))]
            if withCheckout { cells.append(.init(e.checkoutID ?? "-", .muted)) }
            return Table.Row(cells + [.whole(detail, empty: "")])
        }, selected: nil)
    }
}

import Foundation
