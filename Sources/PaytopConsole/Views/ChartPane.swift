import PaytopStore

/// A boxed chart over the console's time range, with the window's control events marked
/// on its time axis and listed under it (as many as fit), and the problems' windows drawn
/// heavy on the axis.
enum ChartPane {
    /// The marker of the n-th control event of the window: 1–9, then a–z.
    static func symbol(_ n: Int) -> Character {
        let symbols = Array("123456789abcdefghijklmnopqrstuvwxyz")
        return n < symbols.count ? symbols[n] : "+"
    }

    static func markers(_ marks: [DashboardSeries.ControlMark]) -> [Chart.Marker] {
        marks.enumerated().map { Chart.Marker(t: $1.at, symbol: symbol($0)) }
    }

    /// Draws one of the view's charts boxed under `title`, focused (with its time cursor and
    /// any range being marked) when Tab has reached it; the frame records it so Tab can.
    /// Marks listed when `listMarks`.
    static func draw(_ p: inout Painter, _ r: Rect, _ id: ChartID, title: String, _ s: ConsoleState, _ d: ConsoleData,
                     listMarks: Bool = true) {
        guard r.height >= 4 else { return }
        p.buffer.panesDrawn.append(.chart(id))
        let snap = d.snapshot
        let focused = s.focusedChart == id
        guard let series = snap.series else {
            let inner = p.box(r, title: title, focused: focused)
            p.text("no series in this store yet", inner.x + 1, inner.y, .muted, clip: inner)
            return
        }
        var cursor: Chart.Window?, marked: Chart.Window?
        if focused, let c = s.cursor {
            let bucket = ChartCursor.span(c, series)
            cursor = Chart.Window(from: bucket.lowerBound, to: bucket.upperBound)
            if let m = s.rangeMark { marked = Chart.Window(from: min(m, c), to: ChartCursor.span(max(m, c), series).upperBound) }
        }
        if let compare = s.compare, compare.chart == id { marked = Chart.Window(from: compare.range.lowerBound, to: compare.range.upperBound) }
        let hint = focused ? (s.cursor == nil ? " · ← → cursor" : " · Enter checkouts · v range") : ""
        draw(&p, r, title: title + hint, id.lines(series), series, windows: windows(snap.problems, now: snap.at), focused: focused,
             listMarks: listMarks, cursor: cursor, marked: marked, format: id.format)
    }

    /// Draws `lines` of `series` boxed under `title`, `windows` heavy on the time axis.
    static func draw(_ p: inout Painter, _ r: Rect, title: String, _ lines: [DashboardSeries.Line], _ series: DashboardSeries,
                     windows: [Chart.Window], focused: Bool = false, listMarks: Bool = true,
                     cursor: Chart.Window? = nil, marked: Chart.Window? = nil, format: @escaping @Sendable (Double) -> String) {
        guard r.height >= 4 else { return }
        let inner = p.box(r, title: title, focused: focused)
        let marks = series.marks
        let listed = listMarks ? min(marks.count, max(0, inner.height - 6) / 2) : 0
        let (chartArea, list) = inner.splitRows(inner.height - listed)
        var chart = Chart(series: lines.map { Chart.Series($0.label, $0.points) }, from: series.from, to: series.to,
                          markers: markers(marks), windows: windows, format: format)
        chart.cursor = cursor
        chart.marked = marked
        chart.draw(&p, Rect(x: chartArea.x + 1, y: chartArea.y, width: chartArea.width - 2, height: chartArea.height))
        // The latest marks that fit, each with its symbol, time and summary.
        for (i, (n, m)) in Array(marks.enumerated()).suffix(listed).enumerated() {
            let x = p.text("\(symbol(n)) ", list.x + 1, list.y + i, .warn, clip: list)
            p.text(Format.clock(m.at) + "  " + m.summary, x, list.y + i, .muted, clip: list)
        }
    }

    /// Each problem's window, first signal to close (or now): marked on every chart's axis.
    static func windows(_ problems: [ProblemRow], now: Int64) -> [Chart.Window] {
        problems.map { Chart.Window(from: $0.firstSignalAt, to: $0.closedAt ?? now) }
    }

    // Value-axis labels.
    static let perSecond: @Sendable (Double) -> String = { v in v >= 1000 ? String(format: "%.1fk", v / 1000) : (v >= 10 || v == 0 ? String(format: "%.0f", v) : String(format: "%.1f", v)) }
    static let millis: @Sendable (Double) -> String = { v in v >= 1000 ? String(format: "%.1fs", v / 1000) : String(format: "%.0fms", v) }
    static let count: @Sendable (Double) -> String = { v in Format.count(Int64(v.rounded())) }
    static let percent: @Sendable (Double) -> String = { v in String(format: "%.0f%%", v) }
    static let ratio: @Sendable (Double) -> String = { v in String(format: "%.1f", v) }
}
