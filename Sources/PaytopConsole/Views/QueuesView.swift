import PaytopStore
import PaytopVocabulary

/// Every queue and DLQ with depth, age and rates; the dead letters themselves.
enum QueuesView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        let snap = d.snapshot
        if s.watchingReceived && !snap.hasPipelineMetrics { return p.emptyPane(r, title: "Queues", ReceivedNotes.queues) }
        var (top, bottom) = r.splitRows(8)
        // Tall terminals get queue depth and DLQ age over the time range beside the dead letters.
        if bottom.height >= 24, snap.series != nil {
            let (letters, charts) = bottom.splitColumns(r.width >= 140 ? r.width / 2 : r.width)
            if r.width >= 140 {
                bottom = letters
                let (depth, age) = charts.splitRows(charts.height / 2)
                ChartPane.draw(&p, depth, .queueDepth, title: "Queue depth (visible + in flight) · \(s.timeRange.label)", s, d, listMarks: false)
                ChartPane.draw(&p, age, .dlqAge, title: "DLQ age of oldest message (s)", s, d)
            }
        }
        let t = p.box(top, title: "Queues", focused: s.focus == 0)
        let sparkWidth = max(8, t.width - 96)
        let queues = Table([
            .init("queue", width: 30), .init("visible", width: 9), .init("in flight", width: 11), .init("age", width: 9),
            .init("age trend", width: sparkWidth + 2), .init("sent", width: 10), .init("received", width: 10), .init("deleted", width: 0),
        ])
        let queueRows = snap.queues.map { q in
            let dl = q.name.isDeadLetterQueue && q.visible + q.inFlight > 0
            return Table.Row([
                .init(q.name.rawValue), .init("\(q.visible)"), .init("\(q.inFlight)"), .init(Format.age(q.oldestAgeSeconds)),
                .init(p.sparkline(q.ageSpark, width: sparkWidth), .accent), .init(Format.rate(q.sentPerSecond)),
                .init(Format.rate(q.receivedPerSecond)), .init(Format.rate(q.deletedPerSecond)),
            ], role: dl ? .bad : .text)
        }
        queues.draw(&p, t, rows: queueRows, selected: s.focus == 0 ? s.selected(.queues) : nil)
        let dead = snap.queues.filter { $0.name.isDeadLetterQueue }.reduce(0) { $0 + $1.visible + $1.inFlight }
        let shown = dead > snap.deadLetters.count ? ", oldest \(snap.deadLetters.count) shown" : ""
        let b = p.box(bottom, title: "Dead letters (\(dead)\(shown)) · r redrives the selected DLQ · Enter opens the trace", focused: s.focus == 1)
        if snap.deadLetters.isEmpty {
            p.text("no dead letters", b.x + 1, b.y, .muted, clip: b)
            return
        }
        let letters = Table([
            .init("checkout", width: 26), .init("queue", width: 30), .init("receives", width: 10), .init("age", width: 9),
            .init("last error", width: 0),
        ])
        let letterRows = snap.deadLetters.map { dl in
            Table.Row([.init(dl.checkoutID), .init(dl.queue.rawValue), .init("\(dl.receiveCount)"), .init(Format.age(dl.ageSeconds)),
                       .init(dl.lastError, .bad)])
        }
        letters.draw(&p, b, rows: letterRows, selected: s.focus == 1 ? s.selected(.queues) : nil)
    }
}
