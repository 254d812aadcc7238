/// A time-series line chart, as btop and ratatui's `Chart` draw them: series as braille
/// lines (2×4 dots a cell), a labelled value axis on the left, a time axis below with the
/// control events (faults, deploys, rollbacks, redrives, rate changes) marked at their
/// time, and a legend. In ASCII mode each series is a line of its own character, one
/// point a cell.
public struct Chart: Sendable {
    public struct Series: Sendable {
        public var label: String
        /// (engine time, value), in time order.
        public var points: [(t: Int64, v: Double)]
        public init(_ label: String, _ points: [(t: Int64, v: Double)]) { self.label = label; self.points = points }
    }

    /// A control event on the time axis, drawn as its `symbol` and listed under the chart.
    public struct Marker: Sendable, Equatable {
        public var t: Int64
        public var symbol: Character
        public init(t: Int64, symbol: Character) { self.t = t; self.symbol = symbol }
    }

    /// A stretch of time drawn heavy on the time axis: a problem's window, first signal to
    /// close (or now).
    public struct Window: Sendable, Equatable {
        public var from: Int64, to: Int64
        public init(from: Int64, to: Int64) { self.from = from; self.to = to }
    }

    public var series: [Series]
    public var from: Int64, to: Int64
    /// Formats a value-axis label.
    public var format: @Sendable (Double) -> String
    public var markers: [Marker]
    public var windows: [Window]
    /// The time cursor's bucket: its columns drawn as a line behind the series, the legend
    /// replaced by each series' value in it.
    public var cursor: Window?
    /// A range being marked (or compared): the axis under it drawn double.
    public var marked: Window?

    public init(series: [Series], from: Int64, to: Int64, markers: [Marker] = [], windows: [Window] = [],
                format: @escaping @Sendable (Double) -> String) {
        self.series = series; self.from = from; self.to = max(to, from + 1); self.markers = markers; self.windows = windows
        self.format = format
    }

    /// The roles series are drawn in, in order.
    public static let palette: [Theme.Role] = [.accent, .ok, .warn, .bad, .title]
    /// ASCII mode: each series' own character.
    public static let asciiMarks: [Character] = ["*", "+", "o", "x", "#"]

    /// The highest value drawn: the data's maximum raised to a round figure (0 → 1).
    public var top: Double {
        let m = series.flatMap { $0.points.map(\.v) }.filter(\.isFinite).max() ?? 0
        return Chart.niceCeiling(m)
    }

    /// 1, 2, 2.5, 5 × 10^n at or above `v`.
    public static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var scale = 1.0
        while scale * 10 <= v { scale *= 10 }
        while scale > v { scale /= 10 }
        for f in [1.0, 2, 2.5, 5, 10] where f * scale >= v { return f * scale }
        return 10 * scale
    }

    /// The column of the plot (0 ..< width) a time falls in.
    public static func column(of t: Int64, from: Int64, to: Int64, width: Int) -> Int {
        guard width > 1, to > from else { return 0 }
        let f = Double(t - from) / Double(to - from)
        return min(width - 1, max(0, Int((f * Double(width - 1)).rounded())))
    }

    /// Draws the chart into `r`: the legend on the first line, the plot, the time axis and
    /// the marker line. Needs at least 5 lines and 20 columns; smaller, it says so.
    public func draw(_ p: inout Painter, _ r: Rect) {
        guard r.height >= 5, r.width >= 20 else {
            p.text("(no room for the chart)", r.x, r.y, .muted, clip: r)
            return
        }
        let ascii = p.glyphs.asciiOnly
        // Legend; at the cursor, each series' value in its bucket.
        var x = r.x
        if let c = cursor { x = p.text(Format.clock(c.from) + "–" + Format.clock(c.to + 1) + "  ", x, r.y, .accent, clip: r) }
        for (i, s) in series.enumerated() {
            let mark = ascii ? String(Chart.asciiMarks[i % Chart.asciiMarks.count]) : p.glyphs.full
            x = p.text(mark + " ", x, r.y, Chart.palette[i % Chart.palette.count], clip: r)
            x = p.text(s.label + (cursor.map { " " + value(s, in: $0) } ?? "") + "  ", x, r.y, .text, clip: r)
        }
        let top = self.top
        // Top, middle and zero, the middle left out where it would read as another (a top of 1
        // formatted whole once gave "1" twice).
        let middle = format(top / 2)
        let labels = [format(top), middle == format(top) || middle == format(0) ? "" : middle, format(0)]
        let axisWidth = min(12, (labels.map { Buffer.columns($0) }.max() ?? 1) + 1)
        let plot = Rect(x: r.x + axisWidth + 1, y: r.y + 1, width: r.width - axisWidth - 1, height: r.height - 3)
        guard plot.width > 2, plot.height > 0 else { return }
        // Value axis: top, middle and zero.
        let rows = [plot.y, plot.y + (plot.height - 1) / 2, plot.maxY - 1]
        for (label, y) in zip(labels, rows) {
            p.text(String(repeating: " ", count: axisWidth - Buffer.columns(label)) + label, r.x, y, .muted, clip: r)
        }
        for y in plot.y..<plot.maxY { p.text(ascii ? "|" : "┤", r.x + axisWidth, y, .border, clip: r) }
        // The cursor behind the series (their dots drawn over it).
        let cursorColumns = cursor.flatMap { c -> ClosedRange<Int>? in
            guard c.to >= from, c.from <= to else { return nil }
            return Chart.column(of: max(c.from, from), from: from, to: to, width: plot.width)...Chart.column(of: min(c.to, to), from: from, to: to, width: plot.width)
        }
        for col in cursorColumns.map(Array.init) ?? [] {
            for y in plot.y..<plot.maxY { p.text(ascii ? "|" : "│", plot.x + col, y, .accent, clip: plot) }
        }
        if ascii { plotASCII(&p, plot, top: top) } else { plotBraille(&p, plot, top: top) }
        // Time axis, its labels and the markers.
        let axisY = plot.maxY
        p.text((ascii ? "+" : "└") + String(repeating: ascii ? "-" : "─", count: plot.width), r.x + axisWidth, axisY, .border, clip: r)
        // Problem windows: the axis under them heavy, in the alarm colour.
        for w in windows where w.to >= from && w.from <= to {
            let a = Chart.column(of: max(w.from, from), from: from, to: to, width: plot.width)
            let b = Chart.column(of: min(w.to, to), from: from, to: to, width: plot.width)
            p.text(String(repeating: ascii ? "=" : "━", count: b - a + 1), plot.x + a, axisY, .bad, clip: r)
        }
        if let m = marked, m.to >= from, m.from <= to {
            let a = Chart.column(of: max(m.from, from), from: from, to: to, width: plot.width)
            let b = Chart.column(of: min(m.to, to), from: from, to: to, width: plot.width)
            p.text(String(repeating: ascii ? "=" : "═", count: b - a + 1), plot.x + a, axisY, .accent, clip: r)
        }
        for col in cursorColumns.map(Array.init) ?? [] { p.text(ascii ? "^" : "▲", plot.x + col, axisY, .accent, clip: r) }
        let markY = axisY + 1
        let start = Format.clock(from), end = Format.clock(to), mid = Format.clock(from + (to - from) / 2)
        p.text(start, plot.x, markY, .muted, clip: r)
        if plot.width > 3 * 9 { p.text(mid, plot.x + plot.width / 2 - 4, markY, .muted, clip: r) }
        p.text(end, plot.maxX - Buffer.columns(end), markY, .muted, clip: r)
        for m in markers where m.t >= from && m.t <= to {
            let col = plot.x + Chart.column(of: m.t, from: from, to: to, width: plot.width)
            p.text(String(m.symbol), col, axisY, .warn, clip: r)
        }
    }

    /// A series' mean over the points in a bucket ("—" for none).
    func value(_ s: Series, in w: Window) -> String {
        let vs = s.points.filter { $0.t >= w.from && $0.t <= w.to && $0.v.isFinite }.map(\.v)
        return vs.isEmpty ? "—" : format(vs.reduce(0, +) / Double(vs.count))
    }

    /// Each series as a braille line: consecutive points joined dot by dot.
    func plotBraille(_ p: inout Painter, _ plot: Rect, top: Double) {
        let dotsX = plot.width * 2, dotsY = plot.height * 4
        var bits = [UInt8](repeating: 0, count: plot.width * plot.height)
        var owner = [Int](repeating: -1, count: plot.width * plot.height)
        func set(_ dx: Int, _ dy: Int, _ series: Int) {
            guard dx >= 0, dy >= 0, dx < dotsX, dy < dotsY else { return }
            let cell = (dy / 4) * plot.width + dx / 2
            let (cx, cy) = (dx % 2, dy % 4)
            let bit: UInt8 = cy == 3 ? (cx == 0 ? 0x40 : 0x80) : UInt8(1 << (cx * 3 + cy))
            bits[cell] |= bit
            owner[cell] = series
        }
        for (i, s) in series.enumerated() {
            let dots = s.points.filter { $0.v.isFinite }.map { pt -> (Int, Int) in
                let dx = Chart.column(of: pt.t, from: from, to: to, width: dotsX)
                let dy = dotsY - 1 - min(dotsY - 1, max(0, Int((pt.v / top * Double(dotsY - 1)).rounded())))
                return (dx, dy)
            }
            for (a, b) in zip(dots, dots.dropFirst()) { Chart.line(a, b) { set($0, $1, i) } }
            if dots.count == 1 { set(dots[0].0, dots[0].1, i) }
        }
        for cy in 0..<plot.height {
            for cx in 0..<plot.width where bits[cy * plot.width + cx] != 0 {
                let ch = Character(Unicode.Scalar(0x2800 + UInt32(bits[cy * plot.width + cx]))!)
                let role = Chart.palette[owner[cy * plot.width + cx] % Chart.palette.count]
                p.text(String(ch), plot.x + cx, plot.y + cy, role, clip: plot)
            }
        }
    }

    /// ASCII mode: one character a cell, each series its own.
    func plotASCII(_ p: inout Painter, _ plot: Rect, top: Double) {
        for (i, s) in series.enumerated() {
            let cells = s.points.filter { $0.v.isFinite }.map { pt -> (Int, Int) in
                let cx = Chart.column(of: pt.t, from: from, to: to, width: plot.width)
                let cy = plot.height - 1 - min(plot.height - 1, max(0, Int((pt.v / top * Double(plot.height - 1)).rounded())))
                return (cx, cy)
            }
            let mark = String(Chart.asciiMarks[i % Chart.asciiMarks.count])
            let role = Chart.palette[i % Chart.palette.count]
            var drawn = Set<Int>()
            func put(_ cx: Int, _ cy: Int) {
                guard drawn.insert(cy * plot.width + cx).inserted else { return }
                p.text(mark, plot.x + cx, plot.y + cy, role, clip: plot)
            }
            for (a, b) in zip(cells, cells.dropFirst()) { Chart.line(a, b, put) }
            if cells.count == 1 { put(cells[0].0, cells[0].1) }
        }
    }

    /// Bresenham's line from a to b, both ends included.
    static func line(_ a: (Int, Int), _ b: (Int, Int), _ plot: (Int, Int) -> Void) {
        var (x0, y0) = a
        let (x1, y1) = b
        let dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1
        let dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            plot(x0, y0)
            if x0 == x1 && y0 == y1 { return }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x0 += sx }
            if e2 <= dx { err += dx; y0 += sy }
        }
    }
}
