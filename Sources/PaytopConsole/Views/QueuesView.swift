import PaytopStore
import PaytopVocabulary

/// Every queue and DLQ with depth, age and rates; the dead letters themselves.
enum QueuesView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let snap = d.snapshot
        let (top, bottom) = r.splitRows(8)
        let t = p.box(top, title: "Queues", focused: s.focus == 0)
        let sparkWidth = max(8, t.width - 96)
        p.text("queue".fit(30) + "visible".fit(9) + "in flight".fit(11) + "age".fit(9) + "age trend".fit(sparkWidth + 2)
               + "sent".fit(10) + "received".fit(10) + "deleted", t.x + 1, t.y, .muted, clip: t)
        for (i, q) in snap.queues.enumerated() where t.y + 1 + i < t.maxY {
            let y = t.y + 1 + i
            let selected = s.focus == 0 && s.selected(.queues) == i
            if selected { p.buffer.fill(Rect(x: t.x, y: y, width: t.width, height: 1), style: p.theme[.selection]) }
            let dl = q.name.isDeadLetterQueue && q.visible + q.inFlight > 0
            let role: Theme.Role = selected ? .selection : (dl ? .bad : .text)
            var x = p.text(q.name.rawValue.fit(30), t.x + 1, y, role, clip: t)
            x = p.text("\(q.visible)".fit(9), x, y, role, clip: t)
            x = p.text("\(q.inFlight)".fit(11), x, y, role, clip: t)
            x = p.text(Format.age(q.oldestAgeSeconds).fit(9), x, y, role, clip: t)
            x = p.text(p.sparkline(q.ageSpark, width: sparkWidth).fit(sparkWidth + 2), x, y, selected ? .selection : .accent, clip: t)
            x = p.text(Format.rate(q.sentPerSecond).fit(10), x, y, role, clip: t)
            x = p.text(Format.rate(q.receivedPerSecond).fit(10), x, y, role, clip: t)
            p.text(Format.rate(q.deletedPerSecond), x, y, role, clip: t)
        }
        let dead = snap.queues.filter { $0.name.isDeadLetterQueue }.reduce(0) { $0 + $1.visible + $1.inFlight }
        let shown = dead > snap.deadLetters.count ? ", oldest \(snap.deadLetters.count) shown" : ""
        let b = p.box(bottom, title: "Dead letters (\(dead)\(shown)) · r redrives the selected DLQ · Enter opens the trace", focused: s.focus == 1)
        if snap.deadLetters.isEmpty {
            p.text("no dead letters", b.x + 1, b.y, .muted, clip: b)
            return
        }
        p.text("checkout".fit(26) + "queue".fit(30) + "receives".fit(10) + "age".fit(9) + "last error", b.x + 1, b.y, .muted, clip: b)
        let rows = b.height - 1
        let sel = s.focus == 1 ? s.selected(.queues) : -1
        let first = max(0, min(sel - rows + 1, snap.deadLetters.count - rows))
        for (i, dl) in snap.deadLetters.dropFirst(first).prefix(rows).enumerated() {
            let y = b.y + 1 + i
            let selected = first + i == sel
            if selected { p.buffer.fill(Rect(x: b.x, y: y, width: b.width, height: 1), style: p.theme[.selection]) }
            let role: Theme.Role = selected ? .selection : .text
            var x = p.text(dl.checkoutID.fit(26), b.x + 1, y, role, clip: b)
            x = p.text(dl.queue.rawValue.fit(30), x, y, role, clip: b)
            x = p.text("\(dl.receiveCount)".fit(10), x, y, role, clip: b)
            x = p.text(Format.age(dl.ageSeconds).fit(9), x, y, role, clip: b)
            p.text(dl.lastError, x, y, selected ? .selection : .bad, clip: b)
        }
    }
}
