import Foundation
import PaytopStore
import PaytopVocabulary

/// One checkout's waterfall: span tree (fold/unfold), kind, service, version, duration,
/// bars on a time axis scaled to the trace, queue waits, errors; the critical path (each
/// span's time on it, its spans and waits in the path's colour); the selected span's
/// attributes with its self time; each span beside its operation's median over the time
/// range (a typical checkout), the outliers marked; the statistics per service and
/// operation; the checkout's business events.
enum TraceView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        guard let id = s.traceCheckoutID else {
            let b = p.box(r, title: "Trace")
            p.text("press t and type a checkout_id (Tab completes), or Enter on a payment or a dead letter", b.x + 1, b.y, .muted, clip: b)
            return
        }
        guard let w = d.trace, let t = w.shown else {
            let b = p.box(r, title: "Trace · \(id)")
            p.text(d.traceMissing ?? "loading…", b.x + 1, b.y, d.traceMissing == nil ? .muted : .bad, clip: b)
            return
        }
        if w.hasNoSpans { return eventsOnly(&p, r, w, t) }
        let rows = TraceLayout.rows(w, folded: s.folded)
        let start = t.spans.map(\.start).min() ?? t.startedAt
        let end = max(t.spans.map(\.end).max() ?? start, start + 1)
        let state = w.received ? "received · " + (w.outcomeFromEvents ?? "no settled or failed event yet")
            : w.outcome ?? (w.isPaymentDone ? "DONE" : "IN FLIGHT")
        // Where the time went: the critical path through the queue waits, and self times.
        let path = CriticalPath.of(t.spans)
        let onPath = path?.onPath ?? [:]
        let waits = path?.segments.filter { $0.kind == .queueWait } ?? []
        let waited = waits.reduce(0) { $0 + $1.nanos }
        let pathNote = path.map { " · critical path: \(Int((Double(waited) / Double(max(1, $0.end - $0.start)) * 100).rounded())) % waiting in queues" } ?? ""
        // Against a typical checkout: each span beside its operation's median over the range.
        let typical = d.typical.flatMap { $0.traces > 0 ? $0 : nil }
        func outlier(_ sp: TraceWaterfall.SpanLine) -> Double? {
            typical?.outlierRatio(service: sp.serviceName, name: sp.name, nanos: sp.end - sp.start)
        }
        let outliers = t.spans.filter { outlier($0) != nil }.count
        let typicalNote = typical.map { " · \(outliers) slower than typical (> \(Int(TypicalSpans.outlierRatio))× the median of \($0.traces) checkouts, \(s.timeRange.label))" } ?? ""
        let (top, bottom) = r.splitRows(max(8, r.height - 9))
        let b = p.box(top, title: "Trace \(w.checkoutID) · \(w.received && w.traces.count > 1 ? "\(w.traces.count) traces" : "trace \((t.traceID ?? "").prefix(4))…\((t.traceID ?? "").suffix(4))") · \(t.spans.count) spans · \(Format.duration(end - start)) · \(state)\(pathNote)\(typicalNote)",
                      focused: s.focus == 0)
        let nameWidth = min(44, b.width / 3), kindWidth = 9, serviceWidth = 20, pathWidth = 10, typicalWidth = typical == nil ? 0 : 16
        let barX = b.x + 1 + nameWidth + kindWidth + serviceWidth + pathWidth + typicalWidth
        let barWidth = max(10, b.maxX - barX - 1)
        let visible = b.height - 1
        let sel = min(s.selectedSpan, max(0, rows.count - 1))
        let first = Table.firstVisible(selected: sel, visible: visible, count: rows.count)
        var header: [Table.Column] = [.init("span", width: nameWidth), .init("kind", width: kindWidth), .init("service", width: serviceWidth),
                                      .init("on path", width: pathWidth)]
        if typical != nil { header.append(.init("typical", width: typicalWidth)) }
        let columns = Table(header)
        columns.draw(&p, b, rows: rows.map { row in
            let sp = row.span
            let marker = row.hasChildren ? (row.folded ? p.glyphs.folded : p.glyphs.unfolded) + " " : "  "
            var cells: [Table.Cell] = [
                .init((String(repeating: "  ", count: row.depth) + marker + sp.name).fit(nameWidth - 1)), .init(sp.kind.rawValue, .muted),
                .init("\(sp.serviceName) \(sp.serviceVersion)"), .init(onPath[sp.spanID].map { Format.duration($0) } ?? "", .warn),
            ]
            if let typical {
                // The operation's median; an outlier says how many times it took.
                let median = typical.median(service: sp.serviceName, name: sp.name)
                cells.append(outlier(sp).map { .init(String(format: "×%.1f ", $0) + Format.duration(median!), .bad) }
                             ?? .init(median.map { Format.duration($0) } ?? "—", .muted))
            }
            return Table.Row(cells, role: sp.status == .error ? .bad : .text)
        }, selected: sel)
        var axisEnd = barX
        for i in 0...4 {
            let label = Format.duration((end - start) * Int64(i) / 4)
            let x = min(barX + barWidth * i / 4, b.maxX - Buffer.columns(label) - 1)
            if x >= axisEnd { axisEnd = p.text(label, x, b.y, .muted, clip: b) + 1 }
        }
        var byID: [String: TraceWaterfall.SpanLine] = [:]
        for sp in t.spans { byID[sp.spanID] = sp }
        for (i, row) in rows.dropFirst(first).prefix(visible).enumerated() {
            let y = b.y + 1 + i
            let selected = first + i == sel
            let sp = row.span
            // The bar, and for a consumer the wait since its producer ended.
            func col(_ t: Int64) -> Int { barX + Int(Double(t - start) / Double(end - start) * Double(barWidth - 1)) }
            let bx = col(sp.start), ex = max(col(sp.end), bx + 1)
            if sp.kind == .consumer, let parent = sp.parentSpanID.flatMap({ byID[$0] }) {
                let px = col(parent.end)
                // A wait on the critical path in the path's colour.
                let waitOnPath = waits.contains { $0.end == sp.start }
                if bx - px > 1 { p.text(String(repeating: p.glyphs.wait, count: bx - px - 1), px + 1, y, waitOnPath ? .warn : .muted, clip: b) }
            }
            let barRole: Theme.Role = sp.status == .error ? .bad : (selected ? .selection : (onPath[sp.spanID] != nil ? .warn : .accent))
            p.text(String(repeating: p.glyphs.full, count: ex - bx), bx, y, barRole, clip: b)
            var label = " " + Format.duration(sp.end - sp.start)
            if sp.status == .error { label += " " + p.glyphs.cross + " " + (sp.statusMessage ?? "error") }
            if sp.coldStart { label += " cold" }
            // The label goes after the bar, or before it when the bar ends near the edge.
            let labelX = ex + Buffer.columns(label) <= b.maxX - 1 || bx - Buffer.columns(label) < barX ? ex : bx - Buffer.columns(label)
            p.text(label, labelX, y, sp.status == .error ? .bad : .muted, clip: b)
        }
        // Below: the selected span, the statistics per service and operation (wide
        // terminals), the business events.
        let wide = bottom.width >= 140
        let (attrsRect, rest) = bottom.splitColumns(wide ? bottom.width / 3 : bottom.width / 2)
        let (statsRect, eventsRect) = wide ? rest.splitColumns(rest.width / 2) : (Rect(x: rest.x, y: rest.y, width: 0, height: 0), rest)
        let selectedSpan = sel < rows.count ? rows[sel].span : nil
        let a = p.box(attrsRect, title: "span · \(selectedSpan?.name ?? "-")", focused: s.focus == 1)
        if let sp = selectedSpan {
            let selfTime = TraceStatistics.selfTimes(t.spans)[sp.spanID] ?? 0
            var lines: [(String, String)] = [("span_id", sp.spanID), ("duration", Format.duration(sp.end - sp.start)),
                                             ("self time", Format.duration(selfTime)),
                                             ("on critical path", onPath[sp.spanID].map { Format.duration($0) } ?? "no"),
                                             ("typical (median)", typical?.median(service: sp.serviceName, name: sp.name).map {
                                                 Format.duration($0) + (outlier(sp).map { String(format: " · this one ×%.1f", $0) } ?? "")
                                             } ?? "—"),
                                             ("status", sp.status.name + (sp.statusMessage.map { ": " + $0 } ?? ""))]
            if let obj = (try? JSONSerialization.jsonObject(with: Data(sp.attributes.utf8))) as? [String: Any] {
                for k in obj.keys.sorted() { lines.append((k, "\(obj[k]!)")) }
            }
            for l in sp.linkedFrom { lines.append(("linked from", l)) }
            for (i, (k, v)) in lines.prefix(a.height).enumerated() {
                let x = p.text(k.fit(30), a.x + 1, a.y + i, .muted, clip: a)
                p.text(v, x, a.y + i, .text, clip: a)
            }
        }
        if wide { statistics(&p, p.box(statsRect, title: "self time by service · operation", focused: false), t.spans) }
        events(&p, p.box(eventsRect, title: "business events", focused: false), t.events, start: start)
    }

    /// Jaeger's trace statistics: self time, total and count per service and operation.
    static func statistics(_ p: inout Painter, _ r: Rect, _ spans: [TraceWaterfall.SpanLine]) {
        let table = Table([.init("self", width: 9), .init("share", width: 8, .right), .init("n", width: 4, .right),
                           .init("service · operation", width: 0)])
        table.draw(&p, r, rows: TraceStatistics.of(spans).rows.map { row in
            Table.Row([.init(Format.duration(row.selfNanos)), .init(String(format: "%.1f%%", row.selfPercent), .muted),
                       .init("\(row.count)", .muted), .init("\(row.service) · \(row.operation)")])
        }, selected: nil)
    }

    /// A checkout known from its business events only (log lines with no trace id): the
    /// events timeline, and that no span arrived.
    static func eventsOnly(_ p: inout Painter, _ r: Rect, _ w: TraceWaterfall, _ t: TraceWaterfall.Trace) {
        let start = t.events.map(\.at).min() ?? t.startedAt
        let end = t.events.map(\.at).max() ?? start
        let state = w.outcomeFromEvents ?? "no settled or failed event yet"
        let b = p.box(r, title: "Trace \(w.checkoutID) · no spans · \(t.events.count) business events over \(Format.duration(end - start)) · received · \(state)",
                      focused: true)
        p.text("No spans arrived for this checkout: its business events came from log lines without a trace id.", b.x + 1, b.y, .warn, clip: b)
        events(&p, Rect(x: b.x, y: b.y + 2, width: b.width, height: max(0, b.height - 2)), t.events, start: start)
    }

    /// Business events in time order, each at its offset from `start`.
    static func events(_ p: inout Painter, _ e: Rect, _ list: [TraceWaterfall.EventLine], start: Int64) {
        let table = Table([.init("at", width: 9), .init("event", width: 19), .init("outcome", width: 10), .init("detail", width: 0)])
        table.draw(&p, e, rows: list.map { ev in
            var detail = [ev.errorCode].compactMap { $0 }
            if let amount = ev.amount, let cur = ev.currency { detail.append("\(amount) \(cur)") }
            return Table.Row([.init("+" + Format.duration(ev.at - start), .muted), .init(EventWords.shortName(ev.name)),
                              .init(ev.outcome.rawValue, EventWords.role(ev.outcome)), .whole(detail, empty: "")])
        }, selected: nil)
    }
}
