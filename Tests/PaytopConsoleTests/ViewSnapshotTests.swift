import Foundation
import Testing
@testable import PaytopConsole
import PaytopEngine
import PaytopVocabulary
@testable import PaytopStore

/// Every view rendered from a fixed-seed store, compared cell-text by cell-text with the
/// files in Snapshots/. Set PAYTOP_RECORD_SNAPSHOTS=1 to rewrite them after a deliberate
/// change (and read the diff).
@Suite(.serialized) struct ViewSnapshotTests {
    static let snapshotDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// A store with traffic, a PSP outage, a bad release and its rollback.
    static func fixture() throws -> (String, ConsoleData, String) {
        let path = NSTemporaryDirectory() + "paytop-console-fixture-\(UUID().uuidString.prefix(8)).db"
        var settings = EngineSettings()
        settings.seed = 77
        settings.ratePerSecond = 10
        let scenario = try Scenario.parse("""
            name = "fixture"
            [[timeline]]
            at = "2m"
            command = "fault"
            kind = "psp-outage"
            on = true
            [[timeline]]
            at = "3m"
            command = "deploy"
            service = "executor"
            version = "1.3.0"
            regression = "latency"
            [[timeline]]
            at = "4m"
            command = "fault"
            kind = "psp-outage"
            on = false
            """)
        var options = Engine.Options(storePath: path, mode: .simulated, settings: settings, scenario: scenario)
        options.requireNewStore = true
        let engine = try Engine(options)
        _ = try SimulationRunner.run(engine, checkouts: 4_000)
        try engine.close()
        let c = try Store.openForReading(path: path)
        let snap = try ConsoleSnapshot.load(c, limits: ConsoleLimits.snapshot, windowNanos: ConsoleState().timeRange.nanos)
        let settled = try c.cached("SELECT checkout_id FROM payment_event WHERE outcome = 'SUCCESS' ORDER BY checkout_id LIMIT 1")
        _ = try settled.step()
        let id = settled.string(0)
        settled.reset()
        let trace = try TraceWaterfall.load(c, checkoutID: id)
        var data = ConsoleData(snapshot: snap, trace: trace)
        data.typical = try TypicalSpans.load(c, from: snap.at - 3_600_000_000_000, to: snap.at)
        // The Problems view shows the outage's problem.
        data.problem = try snap.problems.first.flatMap { try ProblemDetail.load(c, id: $0.id) }
        return (path, data, id)
    }

    func render(_ view: ViewID, _ d: ConsoleData, traceID: String, width: Int = 120, height: Int = 36) -> String {
        var s = ConsoleState()
        s.width = width
        s.height = height
        s.view = view
        s.traceCheckoutID = traceID
        s.problemID = d.problem?.analysis.problem.id
        let theme = Theme.builtIn("monochrome")!
        return Screen.render(s, d, theme: theme, glyphs: .unicode).lines.joined(separator: "\n") + "\n"
    }

    @Test func everyViewMatchesItsSnapshot() throws {
        let (path, d, id) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        for view in ViewID.allCases {
            try Self.compare(render(view, d, traceID: id), "\(view.rawValue)-\(view.title.lowercased())")
        }
    }

    /// Compares a frame with its file in Snapshots/ (or rewrites it with PAYTOP_RECORD_SNAPSHOTS=1).
    static func compare(_ text: String, _ name: String) throws {
        let file = snapshotDir.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["PAYTOP_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: snapshotDir, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "the frame differs from \(file.lastPathComponent)")
    }

    /// The dashboard views at 200×60, where every pane has room (charts included), and at
    /// the minimum size, where they degrade in their stated order.
    @Test func dashboardViewsMatchTheirSnapshotsLargeAndSmall() throws {
        let (path, d, id) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        for view in [ViewID.business, .functions, .slos, .overview, .queues, .releases, .problems] {
            for (w, h) in [(200, 60), (80, 24)] {
                try Self.compare(render(view, d, traceID: id, width: w, height: h), "\(view.rawValue)-\(view.title.lowercased())-\(w)x\(h)")
            }
        }
        // The figures on screen are the twins': the funnel's received count and the revenue.
        let business = render(.business, d, traceID: id, width: 200, height: 60)
        let b = try #require(d.snapshot.business)
        #expect(business.contains(Format.count(b.count(.received))))
        for a in b.revenue { #expect(business.contains(a.amount.description), "\(a.currency) revenue on screen") }
        let functions = render(.functions, d, traceID: id, width: 200, height: 60)
        #expect(functions.contains("PutItem PaymentEvent"))
        #expect(functions.contains("ConsumedWriteCapacityUnits"))
        // The Problems view: the outage's problem, its top cause, its impact and exemplars.
        let problems = render(.problems, d, traceID: id, width: 200, height: 60)
        let detail = try #require(d.problem)
        #expect(problems.contains(String(detail.analysis.problem.title.prefix(40))))
        #expect(detail.analysis.causes.first?.fault == "psp-outage" && problems.contains("PSP outage switched on"))
        #expect(problems.contains("\(Format.count(Int64(detail.analysis.impact.checkouts))) checkouts"))
        for e in detail.analysis.exemplars { #expect(problems.contains(e)) }
        #expect(problems.contains("━"), "the problem's window is marked on its chart's axis")
        // The scenario's fault and deploy are marked on the charts' time axis and listed.
        #expect(d.snapshot.series?.marks.count ?? 0 >= 3)
        #expect(functions.contains("PSP outage on") && functions.contains("deployed executor 1.3.0"))
    }

    /// A drill: the Payments view on a merchant's whole history, as Enter in view 7 opens it.
    @Test func aMerchantsHistoryInThePaymentsView() throws {
        let (path, d, id) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        var filter = CheckoutSearch.Filter()
        filter.merchant = "seller-acct-003"
        var data = d
        data.drilled = try CheckoutSearch.find(try Store.openForReading(path: path), filter)
        var s = ConsoleState()
        s.width = 120; s.height = 36; s.view = .payments; s.traceCheckoutID = id
        s.drill = .init(title: "merchant seller-acct-003 · whole history", filter: filter)
        let frame = Screen.render(s, data, theme: Theme.builtIn("monochrome")!, glyphs: .unicode).lines.joined(separator: "\n") + "\n"
        try Self.compare(frame, "3-payments-drill")
        #expect(frame.contains("merchant seller-acct-003 · whole history: 100, newest 100"))
        #expect(data.drilled.allSatisfy { $0.merchants.contains("seller-acct-003") } && data.drilled.count == 100)
        #expect(frame.contains(data.drilled[0].checkoutID))
    }

    /// The waterfall beside a typical checkout: the checkout whose initializer took longest
    /// (a cold start) has its slow spans marked against their operations' medians.
    @Test func theWaterfallMarksWhatIsSlowerThanTypical() throws {
        let (path, d, _) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let c = try Store.openForReading(path: path)
        let q = try c.cached("""
            SELECT checkout_id FROM span WHERE name = 'initializer' AND checkout_id IS NOT NULL
            ORDER BY end_time_unix_nano - start_time_unix_nano DESC LIMIT 1
            """)
        _ = try q.step()
        let slow = q.string(0)
        q.reset()
        var data = d
        data.trace = try TraceWaterfall.load(c, checkoutID: slow)
        let typical = try #require(data.typical)
        let frame = render(.trace, data, traceID: slow, width: 200, height: 60)
        try Self.compare(frame, "4-trace-typical")
        let spans = try #require(data.trace?.shown?.spans)
        let outliers = spans.filter { typical.outlierRatio(service: $0.serviceName, name: $0.name, nanos: $0.end - $0.start) != nil }
        #expect(!outliers.isEmpty && frame.contains("\(outliers.count) slower than typical"))
        #expect(frame.contains("typical") && frame.contains("×"), "an outlier shows how many times its median it took")
        #expect(typical.traces > 100 && typical.traces <= TypicalSpans.sampleSize)
    }

    /// The time cursor on the Overview's errors chart in the outage, the checkouts behind its
    /// bucket, and a range over the outage compared with the rest of the window.
    @Test func aCursorOnTheErrorsChartItsBucketsCheckoutsAndARangeCompared() throws {
        let (path, d, _) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let c = try Store.openForReading(path: path)
        let theme = Theme.builtIn("monochrome")!
        func frame(_ s: ConsoleState, _ d: ConsoleData) -> Buffer { Screen.render(s, d, theme: theme, glyphs: .unicode) }
        func text(_ b: Buffer) -> String { b.lines.joined(separator: "\n") + "\n" }
        var s = ConsoleState()
        s.width = 200; s.height = 60
        // The frame says which charts it drew; Tab reaches them after the view's four panes.
        let first = frame(s, d)
        #expect(first.panesDrawn == [.chart(.throughput), .chart(.errors)])
        _ = Reducer.reduce(&s, .panesShown(first.panesDrawn), data: d)
        for _ in 0..<5 { _ = Reducer.reduce(&s, key: .tab, data: d) }
        #expect(s.focusedChart == .errors)
        // The outage is the engine's minutes 2 to 4: the cursor on the fourth minute.
        let series = try #require(d.snapshot.series)
        let start = EngineTime.simulationEpoch.nanos
        #expect(ChartCursor.width(series) == 60_000_000_000 && series.from == start)
        for k in [Key.char("g"), .right, .right, .right] { _ = Reducer.reduce(&s, key: k, data: d) }
        #expect(s.cursor == start + 180_000_000_000)
        let withCursor = text(frame(s, d))
        try Self.compare(withCursor, "1-overview-errors-cursor")
        #expect(withCursor.contains("22:33:00–22:34:00") && withCursor.contains("▲") && withCursor.contains("Enter checkouts"))
        // Enter: the checkouts that failed or errored in that minute, every one of them in the outage.
        var cursorState = s
        let effects = Reducer.reduce(&cursorState, key: .enter, data: d)
        guard case .loadCheckouts(let filter)? = effects.first else { Issue.record("no drill: \(effects)"); return }
        var drilled = d
        drilled.drilled = try CheckoutSearch.find(c, filter)
        #expect(drilled.drilled.count > 50 && cursorState.view == .payments)
        let list = text(frame(cursorState, drilled))
        try Self.compare(list, "3-payments-errors-bucket")
        #expect(list.contains("errors 22:33:00–22:34:00 · failed or errored") && list.contains(drilled.drilled[0].checkoutID))
        // v at 22:32, two buckets on, v: the outage's three minutes against the rest of the window.
        for k in [Key.left, .char("v"), .right, .right] { _ = Reducer.reduce(&s, key: k, data: d) }
        let marking = text(frame(s, d))
        #expect(marking.contains("1══2══3▲▲▲"), "the range being marked is drawn on the axis, under the control marks and the cursor")
        let compare = Reducer.reduce(&s, key: .char("v"), data: d)
        guard case .compare(let range, let baseline)? = compare.first else { Issue.record("no comparison: \(compare)"); return }
        #expect(range == (start + 120_000_000_000)...(start + 300_000_000_000 - 1) && baseline.lowerBound == range.upperBound + 1)
        var compared = d
        compared.comparison = try RangeComparison.compare(c, from: range.lowerBound, to: range.upperBound,
                                                          baselineFrom: baseline.lowerBound, baselineTo: baseline.upperBound)
        let pane = text(frame(s, compared))
        try Self.compare(pane, "1-overview-compare")
        let top = try #require(compared.comparison?.differences.first)
        #expect(pane.contains("Compare errors 22:32:00–22:35:00") && pane.contains(top.value))
    }

    /// At the minimum size view 9 keeps each mismatch's kind, checkout and both amounts whole.
    @Test func reconciliationKeepsItsAmountsAtTheMinimumSize() throws {
        let (path, d, id) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let mismatches = try #require(d.snapshot.reconciliation?.mismatches)
        #expect(!mismatches.isEmpty)
        for (width, height) in [(80, 24), (200, 60)] {
            let screen = render(.reconciliation, d, traceID: id, width: width, height: height)
            let shown = mismatches.prefix(3)
            for m in shown {
                #expect(screen.contains(m.kind.rawValue), "\(width)×\(height): kind of #\(m.id)")
                #expect(screen.contains(m.checkoutID ?? m.pspReference ?? "?"), "\(width)×\(height): reference of #\(m.id)")
                if let p = m.pspAmount { #expect(screen.contains("\(p) \(m.pspCurrency ?? "")"), "\(width)×\(height): amount of #\(m.id)") }
            }
            #expect(!screen.contains("…  "), "\(width)×\(height): no column cut mid-amount")
        }
    }

    /// Every stage label of the Overview's pipeline is followed by its arrow, at any width.
    @Test func pipelineLabelsNeverCollide() throws {
        let (path, d, id) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        #expect(OverviewView.stageLabels == ["API", "Initializer", "execution-queue", "Executor", "PSP", "results-queue", "Wallet"])
        for width in [80, 100, 120, 140, 200] {
            let header = String(render(.overview, d, traceID: id, width: width).split(separator: "\n")[2])
            let labels = width >= 100 ? OverviewView.stageLabels : OverviewView.shortStageLabels
            var rest = Substring(header)
            for label in labels {
                // Each label in order, each but the last followed by its arrow.
                let wanted = label == labels.last ? label : label + " ──►"
                guard let r = rest.range(of: wanted) else {
                    Issue.record("\(width) columns: no \"\(wanted)\" in order in \(header)")
                    break
                }
                rest = rest[r.upperBound...]
            }
        }
    }

    @Test func theHelpOverlayAndTheTooSmallScreen() throws {
        var s = ConsoleState()
        s.width = 60
        s.height = 20
        let small = Screen.render(s, ConsoleData(snapshot: ConsoleSnapshot()), theme: Theme.builtIn("dark")!, glyphs: .unicode).lines
        #expect(small[0] == " paytop needs 80×24; this terminal is 60×20.")
        #expect(small[1] == " Enlarge it, or press q to quit.")
        s.width = 100
        s.height = 30
        s.showHelp = true
        let help = Screen.render(s, ConsoleData(snapshot: ConsoleSnapshot()), theme: Theme.builtIn("dark")!, glyphs: .unicode).lines
        #expect(help.contains { $0.contains("keys · Esc closes") })
        #expect(help.contains { $0.contains("PSP outage / slow PSP / card-decline surge") })
    }

    @Test func theHeaderShowsOTLPExportAndItsDrops() throws {
        var snap = ConsoleSnapshot()
        var export = ExportStatus(endpoint: "http://127.0.0.1:4318")
        export.spansExported = 12_000; export.logsExported = 300; export.metricPointsExported = 45
        export.dropped = 512; export.failedRequests = 7; export.lastError = "connection refused"
        snap.exports = [export]
        var s = ConsoleState()
        s.width = 160
        s.height = 40
        let theme = Theme.builtIn("dark")!
        let buffer = Screen.render(s, ConsoleData(snapshot: snap, apiURL: "http://127.0.0.1:8080"), theme: theme, glyphs: .unicode)
        let header = buffer.lines[0]
        #expect(header.contains("api 127.0.0.1:8080"))
        #expect(header.contains("otlp 12.3k sent"))
        let dropped = try #require(header.range(of: "512 DROPPED"))
        let x = header.distance(from: header.startIndex, to: dropped.lowerBound)
        #expect(buffer[x, 0].style == theme[.badge], "drops are drawn as a badge")
        snap.exports[0].dropped = 0
        let clean = Screen.render(s, ConsoleData(snapshot: snap), theme: theme, glyphs: .unicode).lines[0]
        #expect(clean.contains("otlp 12.3k sent") && !clean.contains("DROPPED"))
    }

    @Test func theHeaderSaysWhenTheStoreLagsTheEmbeddedEngine() throws {
        var s = ConsoleState()
        s.width = 160
        s.height = 40
        let theme = Theme.builtIn("dark")!
        var d = ConsoleData(snapshot: ConsoleSnapshot())
        d.storeBehindMillis = 240  // within a commit: the normal cadence, not said
        #expect(!Screen.render(s, d, theme: theme, glyphs: .unicode).lines[0].contains("BEHIND"))
        d.storeBehindMillis = 2_160
        let buffer = Screen.render(s, d, theme: theme, glyphs: .unicode)
        let badge = try #require(buffer.lines[0].range(of: "STORE 2.1 s BEHIND"))
        #expect(buffer[buffer.lines[0].distance(from: buffer.lines[0].startIndex, to: badge.lowerBound), 0].style == theme[.badge])
    }

    /// A checkout known only from received events (log lines with no trace id): the
    /// trace view draws their timeline and says no spans arrived, instead of "no trace".
    @Test func aCheckoutWithEventsButNoSpansShowsItsEvents() {
        func event(_ name: BusinessEventName, _ outcome: EventOutcome, _ ms: Int64) -> TraceWaterfall.EventLine {
            .init(name: name.name, outcome: outcome, stage: "X", at: 1_000_000_000 + ms * 1_000_000, amount: "42.00", currency: "EUR",
                  paymentOrderID: nil, merchantID: nil, errorCode: nil, pspLatencyMillis: nil, spanID: nil, service: "payments-wallet")
        }
        let events = [event(.requestReceived, .received, 0), event(.pspResponse, .success, 520), event(.checkoutSettled, .success, 1_500)]
        var w = TraceWaterfall(checkoutID: "chk-local-1", traces: [.init(traceID: nil, startedAt: 1_000_000_000, spans: [], events: events)],
                               outcome: nil, isPaymentDone: false)
        w.received = true
        var s = ConsoleState()
        s.width = 120
        s.height = 30
        s.view = .trace
        s.traceCheckoutID = "chk-local-1"
        let text = Screen.render(s, ConsoleData(snapshot: ConsoleSnapshot(), trace: w), theme: Theme.builtIn("dark")!, glyphs: .unicode)
            .lines.joined(separator: "\n")
        #expect(text.contains("no spans · 3 business events"), "\(text)")
        #expect(text.contains("No spans arrived for this checkout"))
        #expect(text.contains("checkout.settled") && text.contains("+1.50 s") && text.contains("42.00 EUR"), "\(text)")
    }

    @Test func dataIsDrawnInertAndAsciiTerminalsGetAscii() {
        var snap = ConsoleSnapshot()
        snap.payments = [.init(checkoutID: "chk-\u{1B}[31mred", state: .success, orders: 1, amount: "1.00", currency: "USD",
                               merchants: ["seller-\u{1B}]0;pwned\u{07}"], failureCode: nil, createdAt: 0, doneAt: 0)]
        var s = ConsoleState()
        s.width = 140
        s.height = 30
        s.view = .payments
        let buffer = Screen.render(s, ConsoleData(snapshot: snap), theme: Theme.builtIn("dark")!, glyphs: .ascii)
        let text = buffer.lines.joined(separator: "\n")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("chk-\\u{1B}[31mred"))
        #expect(text.contains("seller-\\u{1B}]0;pwned\\u{7}"))
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func themesLoadAndUnknownOnesAreRefused() throws {
        for name in Theme.builtInNames { #expect(try Theme.named(name).name == name) }
        #expect(throws: Theme.LoadError.self) { try Theme.named("no-such-theme") }
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in Theme.builtInNames {
            let t = try Theme.load(path: dir.appendingPathComponent("themes/\(name).toml").path)
            #expect(t.name == name && t.styles.count == Theme.Role.allCases.count)
        }
        #expect(Color.indexed(203).basic == .ansi(1))
        #expect(Theme.builtIn("dark")!.withoutColor()[.bad].fg == .default)
    }
}
