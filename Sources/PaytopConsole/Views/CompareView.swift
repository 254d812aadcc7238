import PaytopStore

/// The compare pane (docs/drill.md): a range marked on a chart against the rest of its
/// window — per attribute value, its share among the range's checkouts and the baseline's,
/// largest difference first, as a bar of each. Enter lists the range's checkouts with the
/// selected value; Esc closes.
enum CompareView {
    static func draw(_ p: inout Painter, _ body: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        guard let c = s.compare else { return }
        let w = min(body.width - 4, 120), h = min(body.height - 2, 40)
        let r = Rect(x: body.x + (body.width - w) / 2, y: body.y + (body.height - h) / 2, width: w, height: h)
        p.buffer.fill(r, style: p.theme[.text])
        let title = "Compare \(c.chart.name) \(Reducer.clockSpan(c.range)) with \(Reducer.clockSpan(c.baseline)) · Enter checkouts · Esc closes"
        let inner = p.box(r, title: title, focused: true)
        guard let result = d.comparison else {
            p.text("comparing…", inner.x + 1, inner.y, .muted, clip: inner)
            return
        }
        p.text("\(result.rangeCheckouts) checkouts in the range, \(result.baselineCheckouts) in the baseline (each side up to \(RangeComparison.sampleSize), spread over it)",
               inner.x + 1, inner.y, .muted, clip: inner)
        let area = Rect(x: inner.x, y: inner.y + 2, width: inner.width, height: inner.height - 2)
        if result.differences.isEmpty {
            p.text(result.rangeCheckouts == 0 ? "no checkouts arrived in the range" : "no attribute's share differs by a point or more",
                   area.x + 1, area.y, .muted, clip: area)
            return
        }
        let bar = max(6, (area.width - 62) / 2)
        let table = Table([
            .init("attribute", width: 18), .init("value", width: 20), .init("range", width: 8, .right), .init("", width: bar + 1),
            .init("baseline", width: 9, .right), .init("", width: bar + 1), .init("difference", width: 0, .right),
        ], sortColumn: 6)
        let rows = result.differences.map { diff in
            Table.Row([
                .init(diff.dimension.rawValue), .init(diff.value), .init(Format.percent(diff.rangeShare, digits: 0)),
                .init(p.bar(diff.rangeShare, width: bar), .bad), .init(Format.percent(diff.baselineShare, digits: 0)),
                .init(p.bar(diff.baselineShare, width: bar), .muted),
                .init((diff.difference >= 0 ? "+" : "") + String(format: "%.0f pts", diff.difference * 100), diff.difference > 0 ? .bad : .ok),
            ])
        }
        table.draw(&p, area, rows: rows, selected: c.selected)
    }
}
