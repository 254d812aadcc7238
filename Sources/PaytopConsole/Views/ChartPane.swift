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

    /// Draws `lines` boxed under `title`; returns nothing. Marks listed when `listMarks`.
    static func draw(_ p: inout Painter, _ r: Rect, title: String, _ lines: [DashboardSeries.Line], _ d: ConsoleData,
                     focused: Bool = false, listMarks: Bool = true, format: @escaping @Sendable (Double) -> String) {
        guard r.height >= 4 else { return }
        let snap = d.snapshot
        guard let series = snap.series else {
            let inner = p.box(r, title: title, focused: focused)
            p.text("no series in this store yet", inner.x + 1, inner.y, .muted, clip: inner)
            return
        }
        draw(&p, r, title: title, lines, series, windows: windows(snap.problems, now: snap.at), focused: focused,
             listMarks: listMarks, format: format)
    }

    /// Draws `lines` of `series` boxed under `title`, `windows` heavy on the time axis.
    static func draw(_ p: inout Painter, _ r: Rect, title: String, _ lines: [DashboardSeries.Line], _ series: DashboardSeries,
                     windows: [Chart.Window], focused: Bool = false, listMarks: Bool = true,
                     format: @escaping @Sendable (Double) -> String) {
        guard r.height >= 4 else { return }
        let inner = p.box(r, title: title, focused: focused)
        let marks = series.marks
        let listed = listMarks ? min(marks.count, max(0, inner.height - 6) / 2) : 0
        let (chartArea, list) = inner.splitRows(inner.height - listed)
        let chart = Chart(series: lines.map { Chart.Series($0.label, $0.points) }, from: series.from, to: series.to,
                          markers: markers(marks), windows: windows, format: format)
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
