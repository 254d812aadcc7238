import PaytopStore
import PaytopVocabulary

/// The chart keys (docs/drill.md): a time cursor on the focused chart (← → move it a
/// bucket, PgUp PgDn ten, g G to the ends), Enter lists the checkouts behind its bucket,
/// v … v marks a range and compares it with the rest of the window; the compare pane's keys.
extension Reducer {
    /// A key for the focused chart, or nil when the chart does not take it.
    static func chartKey(_ s: inout ConsoleState, _ key: Key, _ chart: ChartID, _ data: ConsoleData) -> [Effect]? {
        guard let series = data.snapshot.series else { return nil }
        func move(_ steps: Int64) -> [Effect] {
            s.cursor = ChartCursor.moved(s.cursor, by: steps, series)
            s.status = nil
            return []
        }
        switch key {
        case .left, .char("h"): return move(-1)
        case .right, .char("l"): return move(1)
        case .pageUp: return move(-10)
        case .pageDown: return move(10)
        case .home, .char("g"): return move(-1_000_000)
        case .end, .char("G"): return move(1_000_000)
        case .enter:
            guard let cursor = s.cursor else {
                s.status = .init(text: "← → put the time cursor on the chart; Enter lists the checkouts behind its bucket", isError: true)
                return []
            }
            let bucket = ChartCursor.span(cursor, series)
            return drill(&s, title: "\(chart.name) \(clockSpan(bucket)) · \(chart.behind.phrase)", ChartCursor.filter(chart, bucket))
        case .char("v"):
            guard let cursor = s.cursor else {
                s.status = .init(text: "← → put the time cursor on the chart first; v marks where a range starts", isError: true)
                return []
            }
            guard let mark = s.rangeMark else {
                s.rangeMark = cursor
                s.status = .init(text: "range from \(Format.clock(cursor)) · move with ← → and press v again to compare it", isError: false)
                return []
            }
            s.rangeMark = nil
            let range = min(mark, cursor)...ChartCursor.span(max(mark, cursor), series).upperBound
            guard let baseline = ChartCursor.baseline(of: range, series) else {
                s.status = .init(text: "the range covers the whole window: nothing is left to compare it with", isError: true)
                return []
            }
            s.compare = .init(chart: chart, range: range, baseline: baseline)
            s.status = nil
            return [.compare(range: range, baseline: baseline)]
        case .escape where s.rangeMark != nil:
            s.rangeMark = nil
            s.status = nil
            return []
        case .escape where s.cursor != nil:
            s.cursor = nil
            s.status = nil
            return []
        default: return nil
        }
    }

    /// The compare pane: j k move, Enter lists the range's checkouts with the value, Esc closes.
    static func compareKey(_ s: inout ConsoleState, _ key: Key, _ data: ConsoleData) -> [Effect] {
        guard var c = s.compare else { return [] }
        let list = data.comparison?.differences ?? []
        switch key {
        case .up, .char("k"): c.selected = max(0, c.selected - 1)
        case .down, .char("j"): c.selected = max(0, min(list.count - 1, c.selected + 1))
        case .home, .char("g"): c.selected = 0
        case .end, .char("G"): c.selected = max(0, list.count - 1)
        case .escape: s.compare = nil; return []
        case .char("q"): s.quit = true; return [.quit]
        case .enter:
            guard c.selected < list.count else { return [] }
            let d = list[c.selected]
            var f = d.checkouts(in: c.range)
            f.limit = ConsoleLimits.drill
            s.compare = nil
            return drill(&s, title: "\(d.dimension.rawValue) \(d.value) · \(clockSpan(c.range))", f)
        default: break
        }
        s.compare = c
        return []
    }

    /// 22:33:00–22:34:00.
    static func clockSpan(_ r: ClosedRange<Int64>) -> String {
        Format.clock(r.lowerBound) + "–" + Format.clock(r.upperBound + 1)
    }
}
