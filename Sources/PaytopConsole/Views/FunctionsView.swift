import PaytopStore
import PaytopVocabulary

/// View 8: the functions over the time range (DASHBOARD.md tiles 1–14) — per function and
/// the PSP invocations, errors, throttles, concurrency, durations with cold starts against
/// warm; API Gateway's latency against its integration latency against the initializer's
/// duration; DynamoDB per table and operation; step success; and charts of throughput,
/// errors and the three latencies. Below 140 columns the charts go first, then DynamoDB's
/// capacity table.
enum FunctionsView {
    static func draw(_ p: inout Painter, _ r: Rect, _ s: ConsoleState, _ d: ConsoleData) {
        guard let f = d.snapshot.functionsReport, f.metricsRecorded else {
            if s.watchingReceived { return p.emptyPane(r, title: "Functions", ReceivedNotes.functions) }
            return p.emptyPane(r, title: "Functions", "no metrics in this store (yet, or it was recorded with --no-telemetry)")
        }
        let wide = r.width >= 140
        let (hopsArea, rest) = r.splitRows(f.rows.count + 4)
        let hopsFocused = s.focus == 0
        hops(&p, p.box(hopsArea, title: "Functions · \(s.timeRange.label)" + (hopsFocused ? " · Enter: longest work · c: cold starts" : ""),
                       focused: hopsFocused), f, wide: wide, selected: hopsFocused ? s.selected(.functions) : nil)
        let (left, right) = rest.splitColumns(wide ? 84 : rest.width)
        let (apiArea, below) = left.splitRows(6)
        api(&p, p.box(apiArea, title: "API Gateway · Latency vs IntegrationLatency vs initializer Duration"), f)
        let dynamoHeight = min(below.height, f.dynamo.count + 4 + (wide ? DynamoTable.allCases.count + 1 : 0))
        let (dynamoArea, stepArea) = below.splitRows(max(0, below.height >= dynamoHeight + 3 ? dynamoHeight : below.height - 3))
        dynamo(&p, p.box(dynamoArea, title: "DynamoDB · per table and operation"), f, capacity: wide)
        let (stepBox, traffic) = stepArea.splitRows(wide ? min(stepArea.height, 4) : stepArea.height)
        steps(&p, p.box(stepBox, title: "Step success (in messages)"), f)
        guard wide, right.height >= 8, d.snapshot.series != nil else { return }
        if traffic.height >= 8 {
            ChartPane.draw(&p, traffic, .invocations, title: "Invocations per function", s, d, listMarks: false)
        }
        let each = right.height / 3
        let (a, more) = right.splitRows(each)
        let (b, c) = more.splitRows(each)
        ChartPane.draw(&p, a, .throughput, title: "Throughput", s, d, listMarks: false)
        ChartPane.draw(&p, b, .errors, title: "Errors", s, d, listMarks: false)
        ChartPane.draw(&p, c, .latency, title: "API Latency vs IntegrationLatency vs Duration", s, d)
    }

    static func ms(_ v: Double?) -> String { v.map { Format.millis($0) } ?? "—" }

    static func hops(_ p: inout Painter, _ r: Rect, _ f: FunctionsReport, wide: Bool, selected: Int?) {
        // Narrow, the invocation count and throttles go first (the rate stays; throttles show
        // in the pipeline's health); the percentiles stay.
        var columns: [Table.Column] = [.init("function", width: 13), .init("inv/s", width: 8, .right)]
        if wide { columns.append(.init("invocations", width: 12, .right)) }
        columns += [.init("errors", width: 8, .right), .init("err %", width: 7, .right)]
        if wide { columns.append(.init("throttles", width: 10, .right)) }
        columns += [.init("cold", width: 10, .right), .init("p50", width: 9, .right), .init("p95", width: 9, .right), .init("p99", width: 9, .right)]
        if wide {
            columns += [.init("conc", width: 6, .right), .init("cold p50", width: 10, .right), .init("cold p95", width: 10, .right),
                        .init("warm p50", width: 10, .right), .init("warm p95", width: 10, .right)]
        }
        let rows = f.rows.map { row -> Table.Row in
            let isFunction: Bool
            if case .function = row.hop { isFunction = true } else { isFunction = false }
            var cells: [Table.Cell] = [.init(row.hop.key), .init(f.seconds.map { Format.rate(Double(row.invocations) / $0) } ?? "—")]
            if wide { cells.append(.init(Format.count(row.invocations))) }
            cells += [.init(Format.count(row.errors), row.errors > 0 ? .bad : nil),
                      .init(Format.percent(row.errorRate, digits: 1), (row.errorRate ?? 0) > 0.01 ? .bad : nil)]
            if wide { cells.append(.init(isFunction ? Format.count(row.throttles) : "—", row.throttles > 0 ? .warn : nil)) }
            cells += [.init(isFunction ? "\(Format.count(row.coldStarts)) " + Format.percent(row.coldStartRate, digits: 1) : "—", .muted),
                      .init(ms(row.duration?.p50)), .init(ms(row.duration?.p95)), .init(ms(row.duration?.p99))]
            if wide {
                cells += [.init(isFunction ? String(format: "%.0f", row.peakConcurrency) : "—"),
                          .init(ms(row.cold?.p50), .muted), .init(ms(row.cold?.p95), .muted),
                          .init(ms(row.warm?.p50)), .init(ms(row.warm?.p95))]
            }
            return Table.Row(cells)
        }
        Table(columns).draw(&p, r, rows: rows, selected: selected)
        if r.height > rows.count + 1 {
            p.text("percentiles over whole minutes · cold: started a new environment", r.x + 1,
                   r.y + rows.count + 1, .muted, clip: r)
        }
    }

    static func api(_ p: inout Painter, _ r: Rect, _ f: FunctionsReport) {
        let a = f.api
        p.text("\(Format.count(a.requests)) requests · \(Format.count(a.clientErrors)) 4xx · \(Format.count(a.serverErrors)) 5xx",
               r.x + 1, r.y, a.serverErrors > 0 ? .warn : .text, clip: r)
        for (i, (label, dist)) in [("Latency", a.latency), ("IntegrationLatency", a.integrationLatency),
                                   ("initializer Duration", a.initializerDuration)].enumerated() where i + 1 < r.height {
            let x = p.text(label.fit(22), r.x + 1, r.y + 1 + i, .text, clip: r)
            let text = dist.map { "p50 \(Format.millis($0.p50)) · p95 \(Format.millis($0.p95)) · p99 \(Format.millis($0.p99)) · avg \(Format.millis($0.mean))" } ?? "—"
            p.text(text, x, r.y + 1 + i, .muted, clip: r)
        }
    }

    static func dynamo(_ p: inout Painter, _ r: Rect, _ f: FunctionsReport, capacity: Bool) {
        guard r.height > 0 else { return }
        let narrow = r.width < 80
        let calls = Table([.init("operation · table", width: narrow ? 32 : 34), .init("calls", width: 9, .right), .init("failures", width: 9, .right),
                           .init("p50", width: 9, .right), .init("p95", width: 9, .right)] + (narrow ? [] : [.init("p99", width: 9, .right)]))
        let rows = f.dynamo.map { c in
            Table.Row([.init("\(c.operation.rawValue) \(c.table.rawValue)"), .init(Format.count(c.calls)),
                       .init(Format.count(c.failures), c.failures > 0 ? .bad : nil), .init(ms(c.latency?.p50)),
                       .init(ms(c.latency?.p95))] + (narrow ? [] : [.init(ms(c.latency?.p99))]))
        }
        if rows.isEmpty { p.text("no DynamoDB calls in the window", r.x + 1, r.y, .muted, clip: r); return }
        let (top, bottom) = r.splitRows(capacity ? min(r.height, rows.count + 1) : r.height)
        calls.draw(&p, top, rows: rows, selected: nil)
        guard capacity, bottom.height > 1 else { return }
        let units = Table([.init("table", width: 14), .init("ConsumedReadCapacityUnits", width: 27, .right),
                           .init("ConsumedWriteCapacityUnits", width: 28, .right), .init("ThrottledRequests", width: 0)])
        units.draw(&p, bottom, rows: f.tables.map {
            Table.Row([.init($0.table.rawValue), .init(Format.count($0.readUnits)), .init(Format.count($0.writeUnits)),
                       .init(" " + Format.count($0.throttled), $0.throttled > 0 ? .bad : nil)])
        }, selected: nil)
    }

    static func steps(_ p: inout Painter, _ r: Rect, _ f: FunctionsReport) {
        guard r.height > 0 else { return }
        var x = r.x + 1
        for (label, v) in [("1→3 executed", f.steps.oneToThree), ("1→5 results sent", f.steps.oneToFive), ("1→7 credited", f.steps.oneToSeven)] {
            x = p.text(label + " ", x, r.y, .text, clip: r)
            x = p.text(Format.percent(v, digits: 2) + "   ", x, r.y, (v ?? 1) >= 0.99 ? .ok : .bad, clip: r)
        }
        if r.height > 1 {
            p.text("of \(Format.count(f.steps.initialized)) execution messages the initializer sent", r.x + 1, r.y + 1, .muted, clip: r)
        }
    }
}
