import PaytopStore
import PaytopVocabulary

/// View 7: the business over the time range (DASHBOARD.md tiles 17–25) — the funnel as
/// bars, revenue and lost revenue per currency, conversion (settled ÷ received), losses by
/// stage and by error code with their actions, the PSP's latency and technical SLI, the
/// merchants (sortable, Enter lists a merchant's payments), and charts of revenue,
/// conversion and PSP latency. Below 140 columns the charts go first, then the error
/// codes; the funnel, money and merchants stay.
enum BusinessView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        guard let b = d.snapshot.business, b.eventsRecorded else {
            return p.emptyPane(r, title: "Business", "no business events in this store (yet, or it was recorded with --no-telemetry)")
        }
        let wide = r.width >= 140
        let (left, right) = r.splitColumns(wide ? 64 : r.width)
        let currencies = Reducer.currencies(d.snapshot)
        let moneyRows = 2 + max(1, Set(b.revenue.map(\.currency)).union(b.lostRevenue.map(\.currency)).count)
        var rest = left
        var top: Rect
        if wide {
            (top, rest) = rest.splitRows(FunnelStep.allCases.count + 3)
            funnel(&p, top, b, s)
            (top, rest) = rest.splitRows(moneyRows + 2)
            money(&p, p.box(top, title: "Revenue · conversion"), b, s)
            (top, rest) = rest.splitRows(LossStage.allCases.count + 2)
            stages(&p, top, b, s)
            (top, rest) = rest.splitRows(6)
            psp(&p, p.box(top, title: "PSP"), b)
            if rest.height >= 4 { SloView.errorCodes(&p, rest, title: "Error codes · actions", b, s) }
            merchantsAndCharts(&p, right, s, d, b, currencies)
        } else {
            (top, rest) = rest.splitRows(FunnelStep.allCases.count + 3)
            let (f, m) = top.splitColumns(top.width / 2)
            funnel(&p, f, b, s)
            money(&p, p.box(m, title: "Revenue · conversion"), b, s)
            let (merchantArea, below) = rest.splitRows(max(6, min(rest.height, b.merchants.count + 3)))
            merchants(&p, merchantArea, s, d, currencies, aovColumns: false)
            if below.height >= 4 {
                let (st, ps) = below.splitColumns(below.width / 2)
                stages(&p, st, b, s)
                psp(&p, p.box(ps, title: "PSP"), b)
            }
        }
    }

    /// The funnel as bars (a pane Tab reaches: Enter lists those lost after the selected step).
    static func funnel(_ p: inout Painter, _ area: Rect, _ b: BusinessReport, _ s: ConsoleState) {
        p.buffer.panesDrawn.append(.list(.funnel))
        let focused = s.focusedList == .funnel
        let r = p.box(area, title: "Funnel · \(s.timeRange.label)" + (focused ? " · Enter: lost after the step" : ""), focused: focused)
        let received = b.count(.received)
        let barWidth = max(4, r.width - 32)
        for (i, (step, n)) in b.funnel.enumerated() where i < r.height {
            let y = r.y + i
            let share = received == 0 ? 0 : Double(n) / Double(received)
            var x = p.text(step.label.fit(14), r.x + 1, y, focused && s.selected(.funnel) == i ? .selection : .text, clip: r)
            x = p.text(Format.count(n).fit(7), x, y, .text, clip: r)
            x = p.text(String(format: "%6.1f%% ", share * 100), x, y, share < 0.95 && step != .received ? .warn : .muted, clip: r)
            p.gauge(share, x, y, width: barWidth, role: step == .settled ? .ok : .accent, clip: r)
        }
        if r.height > b.funnel.count {
            p.text("each step as a share of received", r.x + 1, r.y + b.funnel.count, .muted, clip: r)
        }
    }

    /// Conversion with its definition and window, then each currency's revenue and lost
    /// revenue on one line (amounts of different currencies are never added).
    static func money(_ p: inout Painter, _ r: Rect, _ b: BusinessReport, _ s: ConsoleState) {
        var x = p.text("conversion ", r.x + 1, r.y, .text, clip: r)
        p.text(Format.percent(b.conversion, digits: 2), x, r.y, (b.conversion ?? 1) > 0.95 ? .ok : .bad, clip: r)
        p.text("= settled ÷ received · \(s.timeRange.label)", r.x + 1, r.y + 1, .muted, clip: r)
        let currencies = Set(b.revenue.map(\.currency)).union(b.lostRevenue.map(\.currency)).sorted()
        if currencies.isEmpty { p.text("no amounts in the window", r.x + 1, r.y + 2, .muted, clip: r) }
        let width = (b.revenue + b.lostRevenue).map { Buffer.columns($0.amount.description) }.max() ?? 4
        for (i, c) in currencies.enumerated() where 2 + i < r.height {
            let y = r.y + 2 + i
            x = p.text(c + " ", r.x + 1, y, .text, clip: r)
            let revenue = b.revenue.first { $0.currency == c }?.amount.description ?? "0.00"
            x = p.text(String(repeating: " ", count: max(0, width - Buffer.columns(revenue))) + revenue, x, y, .ok, clip: r)
            let lost = b.lostRevenue.first { $0.currency == c }?.amount.description ?? "0.00"
            p.text("  lost " + lost, x, y, lost == "0.00" ? .muted : .bad, clip: r)
        }
    }

    /// "EUR 12.50" each, for `Format.whole` or a `.whole` cell.
    static func items(_ list: [BusinessReport.Amount]) -> [String] { list.map { "\($0.currency) \($0.amount)" } }

    /// Losses by stage (a pane Tab reaches: Enter lists the checkouts lost at the selected stage).
    static func stages(_ p: inout Painter, _ area: Rect, _ b: BusinessReport, _ s: ConsoleState) {
        p.buffer.panesDrawn.append(.list(.lossStages))
        let focused = s.focusedList == .lossStages
        let r = p.box(area, title: "Lost by stage" + (focused ? " · Enter: its checkouts" : ""), focused: focused)
        for (i, (stage, loss)) in b.stages.enumerated() where i < r.height {
            let y = r.y + i
            let role: Theme.Role = focused && s.selected(.lossStages) == i ? .selection : (loss.checkouts > 0 ? .warn : .text)
            var x = p.text(stage.label.fit(18), r.x + 1, y, role, clip: r)
            x = p.text(Format.count(loss.checkouts).fit(7), x, y, .text, clip: r)
            p.text(loss.amounts.isEmpty ? "—" : Format.whole(items(loss.amounts), width: r.maxX - x - 1), x, y, .muted, clip: r)
        }
    }

    static func psp(_ p: inout Painter, _ r: Rect, _ b: BusinessReport) {
        guard let l = b.pspLatency else {
            p.text("no PSP responses in the window", r.x + 1, r.y, .muted, clip: r)
            return
        }
        p.text("latency  p50 \(l.p50) · p95 \(l.p95) · p99 \(l.p99) · avg " + String(format: "%.0f", l.mean) + " · max \(l.max) ms",
               r.x + 1, r.y, .text, clip: r)
        if r.height > 1 {
            let sli = b.pspTechnicalSLI
            p.text("technical SLI " + Format.percent(sli, digits: 3) + "  (\(b.pspTechnicalFailures) technical failures of \(Format.count(b.pspResponses)); declines excluded)",
                   r.x + 1, r.y + 1, (sli ?? 1) >= 0.999 ? .ok : .bad, clip: r)
        }
        if r.height > 2 { p.text("\(Format.count(l.count)) responses", r.x + 1, r.y + 2, .muted, clip: r) }
    }

    static func merchants(_ p: inout Painter, _ area: Rect, _ s: ConsoleState, _ d: ConsoleData, _ currencies: [String], aovColumns: Bool) {
        let sortLabel: String
        switch s.merchantSort {
        case .orders: sortLabel = "orders"
        case .settled: sortLabel = "settled"
        case .failed: sortLabel = "failed"
        case .errorRate: sortLabel = "error %"
        case .merchant: sortLabel = "merchant"
        case .revenue(let c): sortLabel = "revenue " + c
        }
        let inner = p.box(area, title: "Merchants · by \(sortLabel) · O sorts · Enter lists payments", focused: s.focus == 0)
        // Narrow: the settled count goes (orders − failed), then revenue headers shorten; every
        // revenue stays a whole decimal amount in its own currency's column.
        let longest = (d.snapshot.business?.merchants.flatMap { $0.revenue.map { Buffer.columns($0.amount.description) } }.max() ?? 8) + 1
        let showSettled = inner.width >= 56 + currencies.count * max(longest, 14)
        let showFailed = inner.width >= 46 + currencies.count * longest
        var columns: [Table.Column] = [.init("merchant", width: 17), .init("orders", width: 9, .right)]
        if showSettled { columns.append(.init("settled", width: 10, .right)) }
        if showFailed { columns.append(.init("failed", width: 9, .right)) }
        columns.append(.init("error %", width: 10, .right))
        let fixed = columns.count
        let room = inner.width - 1 - columns.reduce(0) { $0 + $1.width }
        let perCurrency = aovColumns && room >= currencies.count * 30 ? 2 : 1
        let width = max(longest, min(18, room / max(1, currencies.count * perCurrency)))
        for c in currencies {
            columns.append(.init(width >= 15 ? "revenue " + c : c, width: width, .right))
            if perCurrency == 2 { columns.append(.init("AOV " + c, width: min(12, width), .right)) }
        }
        var sortColumn: Int
        switch s.merchantSort {
        case .merchant: sortColumn = 0
        case .orders: sortColumn = 1
        case .settled: sortColumn = showSettled ? 2 : 1
        case .failed: sortColumn = showFailed ? fixed - 2 : fixed - 1
        case .errorRate: sortColumn = fixed - 1
        case .revenue(let c): sortColumn = fixed + (currencies.firstIndex(of: c) ?? 0) * perCurrency
        }
        let rows = Reducer.sortedMerchants(s, d.snapshot).map { m -> Table.Row in
            var cells: [Table.Cell] = [.init(m.merchantID), .init(Format.count(m.orders))]
            if showSettled { cells.append(.init(Format.count(m.settled))) }
            if showFailed { cells.append(.init(Format.count(m.failed), m.failed > 0 ? .warn : nil)) }
            cells.append(.init(Format.percent(m.errorRate), (m.errorRate ?? 0) > 0.05 ? .bad : nil))
            for c in currencies {
                cells.append(.init(m.revenue.first { $0.currency == c }?.amount.description ?? "—"))
                if perCurrency == 2 { cells.append(.init(m.averageOrderValue(c)?.description ?? "—", .muted)) }
            }
            return Table.Row(cells)
        }
        if rows.isEmpty { p.text("no orders in the window", inner.x + 1, inner.y, .muted, clip: inner); return }
        Table(columns, sortColumn: sortColumn).draw(&p, inner, rows: rows, selected: s.focus == 0 ? s.selected(.business) : nil)
    }

    static func merchantsAndCharts(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData, _ b: BusinessReport, _ currencies: [String]) {
        let tableHeight = min(max(6, b.merchants.count + 3), max(6, r.height / 3))
        let (table, charts) = r.splitRows(tableHeight)
        merchants(&p, table, s, d, currencies, aovColumns: true)
        guard charts.height >= 8, d.snapshot.series != nil else { return }
        let each = charts.height / 3
        let (revenue, more) = charts.splitRows(each)
        let (conversion, latency) = more.splitRows(each)
        ChartPane.draw(&p, revenue, .revenue, title: "Revenue per currency per minute · \(s.timeRange.label)", s, d, listMarks: false)
        ChartPane.draw(&p, conversion, .conversion, title: "Conversion per minute (settled ÷ received)", s, d, listMarks: false)
        ChartPane.draw(&p, latency, .pspLatency, title: "PSP latency", s, d)
    }
}
