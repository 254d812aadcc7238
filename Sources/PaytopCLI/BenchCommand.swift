import ArgumentParser
import Foundation
import PaytopConsole
import PaytopEngine
import PaytopStore
import PaytopVocabulary
import PaytopJSON

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the engine: checkouts/s and rows/s against a raw bulk-insert ceiling.",
        discussion: """
            Each run simulates --checkouts with the default error mix into a fresh store, then bulk-inserts the \
            same rows into another fresh store with plain prepared INSERTs (10,000 rows per transaction): the \
            ceiling. Prints each run and the medians; build with -c release for meaningful figures.
            """
    )

    @Option(help: "Checkouts per run.") var checkouts: Int = 100_000
    @Option(help: "Runs; medians are reported.") var runs: Int = 3
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "Arrival rate (engine time).") var rate: Double = 50
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Benchmark payment state only, without traces and events.") var noTelemetry = false
    @Option(help: ArgumentHelp("Instead of simulating, time trace lookups and the SLO report on this existing store.", valueName: "path"))
    var queries: String?
    @Option(help: ArgumentHelp("Instead of simulating, time settling, reconciling and reporting every charge of this store in one batch (on a copy).", valueName: "path"))
    var reconcile: String?
    @Flag(help: "Instead of simulating, time OTLP/HTTP span ingest (paytop collect's path) and the console's frames meanwhile.")
    var ingest = false
    @Option(help: ArgumentHelp("Instead of simulating, time each view's read on this ClickHouse (docs/clickhouse.md).", valueName: "url"))
    var clickhouse: String?
    @Option(help: ArgumentHelp("The checkout whose trace the ClickHouse benchmark reads (default: the latest event's).", valueName: "id"))
    var checkout: String?
    @Option(help: "Simulated checkouts whose spans the ingest benchmark sends.") var ingestCheckouts: Int = 20_000
    @Option(help: "Client connections of the ingest benchmark (10: the Collector exporter's default sending_queue consumers).")
    var clients: Int = 10

    func validate() throws {
        guard checkouts > 0, runs > 0 else { throw ValidationError("--checkouts and --runs must be positive") }
    }

    func run() throws {
        if let queries { return try benchQueries(queries) }
        if let reconcile { return try benchReconcile(reconcile) }
        if let clickhouse { return try ClickHouseBench(url: clickhouse, checkout: checkout, runs: runs, json: json).run() }
        if ingest {
            return try IngestBench(checkouts: max(1, ingestCheckouts), runs: runs, clients: max(1, clients), seed: seed, json: json).run()
        }
        var rows: [(checkoutsPerSecond: Double, rowsPerSecond: Double, ceiling: Double, bytesPerCheckout: Double, rss: Int)] = []
        for i in 1...runs {
            let path = NSTemporaryDirectory() + "paytop-bench-\(getpid())-\(i).db"
            let copy = path + ".ceiling.db"
            removeStore(path); removeStore(copy)
            defer { removeStore(path); removeStore(copy) }
            var settings = EngineSettings()
            settings.seed = seed
            settings.ratePerSecond = rate
            settings.telemetry = !noTelemetry
            var options = Engine.Options(storePath: path, mode: .simulated, settings: settings)
            options.requireNewStore = true
            let engine = try Engine(options)
            let engineCPU0 = ThreadClock.cpuNanos()
            let result = try SimulationRunner.run(engine, checkouts: checkouts)
            let engineCPU = Double(ThreadClock.cpuNanos() - engineCPU0) / 1e9
            let writerCPU = engine.writerCPUSeconds
            try engine.close()
            let inStore = try StoreSummary.load(try Store.openForReading(path: path)).totalRows
            // Peak memory of the simulation itself: measured after run 1's simulation, before
            // any ceiling has loaded rows into memory (later runs inherit that peak).
            let rss = i == 1 ? maxResidentMB() : rows[0].rss
            let ceiling = try RawInsertCeiling.measure(source: path, target: copy)
            let cps = Double(result.checkoutsGenerated) / result.wallSeconds
            // Rows per second counts the rows the run left in the store, the same rows the ceiling inserts.
            let rps = Double(inStore) / result.wallSeconds
            let bytes = Double(fileSize(path)) / Double(result.checkoutsGenerated)
            rows.append((cps, rps, ceiling.rowsPerSecond, bytes, rss))
            if !json {
                print(String(format: "run %d: %@ checkouts in %.2f s · %@ checkouts/s · %@ rows/s (store rows %@, writer ops %@) · ceiling %@ rows/s · ratio %.2f · %.0f bytes/checkout · simulation max RSS %d MB · CPU: engine thread %.2f s, writer thread %.2f s",
                             i, result.checkoutsGenerated.grouped, result.wallSeconds, Int(cps).grouped, Int(rps).grouped,
                             inStore.grouped, result.rowsCommitted.grouped, Int(ceiling.rowsPerSecond).grouped,
                             rps / ceiling.rowsPerSecond, bytes, rss, engineCPU, writerCPU))
            }
        }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
        let cps = median(rows.map(\.checkoutsPerSecond)), rps = median(rows.map(\.rowsPerSecond))
        let ceil = median(rows.map(\.ceiling)), ratio = median(rows.map { $0.rowsPerSecond / $0.ceiling })
        if json {
            print(JSONValue.object([
                "checkouts": .number(Double(checkouts)), "runs": .number(Double(runs)),
                "median_checkouts_per_second": .number(cps.rounded()), "median_rows_per_second": .number(rps.rounded()),
                "median_ceiling_rows_per_second": .number(ceil.rounded()), "median_ratio": .number((ratio * 100).rounded() / 100),
                "median_bytes_per_checkout": .number(median(rows.map(\.bytesPerCheckout)).rounded()),
                "max_rss_mb": .number(Double(rows.map(\.rss).max() ?? 0)),
            ]).encoded)
        } else {
            print(String(format: "median of %d: %@ checkouts/s · %@ rows/s · ceiling %@ rows/s · ratio %.2f · simulation max RSS %d MB",
                         runs, Int(cps).grouped, Int(rps).grouped, Int(ceil).grouped, ratio, rows.map(\.rss).max() ?? 0))
        }
    }
}

/// Peak resident memory of this process, in MB.
func maxResidentMB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss / 1024)
}

extension BenchCommand {
    /// The drill's lists a bench times (docs/drill.md), each as the console asks it (up to
    /// `ConsoleLimits.drill`): a chart bucket's checkouts by what the chart counts — a minute
    /// `busy` names (the outage's sixth where there is one) — the slow ones, an error code's,
    /// a merchant's whole history, a stage's losses, cold starts, an SLO's and an alert's bad
    /// events, a function's longest work and cold starts, and a compared value's.
    /// The hour-long windows are the hour from that minute (an incident's hour).
    static func drillLists(busy: Int64) -> [(String, CheckoutSearch.Filter)] {
        let hour: Int64 = 3_600_000_000_000
        let bucket = busy...(busy + 60_000_000_000 - 1)
        func anHour(_ set: (inout CheckoutSearch.Filter) -> Void) -> CheckoutSearch.Filter {
            var f = CheckoutSearch.Filter()
            f.from = busy; f.to = busy + hour; f.limit = ConsoleLimits.drill
            set(&f)
            return f
        }
        func whole(_ set: (inout CheckoutSearch.Filter) -> Void) -> CheckoutSearch.Filter {
            var f = CheckoutSearch.Filter()
            f.limit = ConsoleLimits.drill
            set(&f)
            return f
        }
        var lists: [(String, CheckoutSearch.Filter)] = ChartID.allCases.map { ("\($0.name) chart's bucket (\($0.behind.phrase))", ChartCursor.filter($0, bucket)) }
        lists += [
            ("slower than 2m, all time", whole { $0.slowerThan = 120_000_000_000 }),
            ("error code PSP_SERVER_ERROR, all time", whole { $0.errorCode = ErrorCodes.pspServerError }),
            ("merchant seller-acct-003, whole history", whole { $0.merchant = "seller-acct-003" }),
            ("lost at the PSP, all time", whole { $0.stage = .psp }),
            ("cold starts, all time", whole { $0.cold = true }),
        ]
        lists += SloName.allCases.map { slo in ("\(slo.rawValue) bad events, an hour", anHour { $0.badFor = slo }) }
        lists += [
            ("settlement alert's long window (6h)", anHour { $0.to = busy + 6 * hour; $0.badFor = .settlement }),
            ("funnel: lost after queued, an hour", anHour { $0.stage = .psp }),
            ("error code CARD_DECLINED, an hour", anHour { $0.errorCode = DeclineCode.cardDeclined }),
            ("executor's longest work, an hour", anHour { $0.invocationsOf = .executor }),
            ("executor's longest work, 10 minutes", anHour { $0.invocationsOf = .executor; $0.to = busy + hour / 6 }),
            ("initializer's longest work, 5 minutes", anHour { $0.invocationsOf = .initializer; $0.to = busy + hour / 12 }),
            ("executor's cold starts, an hour", anHour { $0.invocationsOf = .executor; $0.cold = true }),
            ("a compared value: currency EUR in the bucket", whole { $0.from = bucket.lowerBound; $0.to = bucket.upperBound; $0.currency = "EUR" }),
        ]
        return lists
    }

    /// Median and p95 of `paytop trace` lookups (random accepted checkouts) and of the SLO
    /// report, measured in-process on a recorded store.
    func benchQueries(_ path: String) throws {
        let c = try Store.openForReading(path: path)
        let total = try CheckoutLookup.count(c)
        guard total > 0 else { throw CLIError(message: "\(path) holds no checkouts") }
        var random = SeededRandom(seed: seed)
        var ids: [String] = []
        for _ in 0..<200 {
            if let id = try CheckoutLookup.checkoutID(c, at: Int(random.int(in: 0...Int64(total - 1)))) { ids.append(id) }
        }
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try body()
            return seconds(ContinuousClock.now - start) * 1000
        }
        var traceTimes: [Double] = []
        var spans = 0
        for id in ids {
            traceTimes.append(try time { spans += try TraceWaterfall.load(c, checkoutID: id)?.traces.first?.spans.count ?? 0 })
        }
        var sloTimes: [Double] = []
        for _ in 0..<20 { sloTimes.append(try time { _ = try SloReport.load(c) }) }
        func pct(_ xs: [Double], _ p: Double) -> Double { let s = xs.sorted(); return s[min(s.count - 1, Int(Double(s.count) * p))] }
        print(String(format: "store %@: %@ checkouts", path, total.grouped))
        print(String(format: "trace lookup: median %.2f ms · p95 %.2f ms · max %.2f ms over %d lookups (%.1f spans each)",
                     pct(traceTimes, 0.5), pct(traceTimes, 0.95), traceTimes.max() ?? 0, ids.count, Double(spans) / Double(ids.count)))
        print(String(format: "SLO report: median %.2f ms · p95 %.2f ms over %d runs",
                     pct(sloTimes, 0.5), pct(sloTimes, 0.95), sloTimes.count))
        // The drill's lists (docs/drill.md): the first page of each, as the console asks.
        let at = try StoredEngineState.load(c).now
        let outage = try FaultHistory.firstOn(c, kind: "psp-outage")
        let busy = ChartCursor.bucket((outage ?? at - 1_800_000_000_000) + 300_000_000_000, width: 60_000_000_000)
        print("the chart buckets: the minute from \(ISO8601.format(nanos: busy))" + (outage == nil ? "" : " (the outage's sixth)"))
        for (what, filter) in Self.drillLists(busy: busy) {
            var times: [Double] = []
            var found = 0
            for _ in 0..<10 { times.append(try time { found = try CheckoutSearch.find(c, filter).count }) }
            print(String(format: "checkouts %@: median %.2f ms · p95 %.2f ms (%d found; medians of 10)", what, pct(times, 0.5), pct(times, 0.95), found))
        }
        // The compare pane (a 5-minute range against the hour before) and the trace view's typical checkout (an hour).
        var compareTimes: [Double] = [], typicalTimes: [Double] = []
        for _ in 0..<5 {
            compareTimes.append(try time { _ = try RangeComparison.compare(c, from: busy, to: busy + 300_000_000_000 - 1,
                                                                         baselineFrom: busy - 3_600_000_000_000, baselineTo: busy - 1) })
            typicalTimes.append(try time { _ = try TypicalSpans.load(c, from: busy, to: busy + 3_600_000_000_000) })
        }
        print(String(format: "compare a range: median %.2f ms; a typical checkout's spans (1 h): median %.2f ms (5 runs each)",
                     pct(compareTimes, 0.5), pct(typicalTimes, 0.5)))
        // Every problem analysed (paytop problems).
        var problemTimes: [Double] = []
        for _ in 0..<5 { problemTimes.append(try time { _ = try ProblemAnalysis.list(c) }) }
        print(String(format: "problems, each analysed: median %.2f ms over 5 runs", pct(problemTimes, 0.5)))
        // The Business and Functions views' queries and the charts' series, per time range.
        for range in ConsoleState.TimeRange.allCases {
            var business: [Double] = [], functions: [Double] = [], charts: [Double] = []
            for _ in 0..<20 {
                business.append(try time { _ = try BusinessReport.load(c, since: range.nanos) })
                functions.append(try time { _ = try FunctionsReport.load(c, since: range.nanos) })
                charts.append(try time { _ = try DashboardSeries.load(c, at: at, windowNanos: range.nanos) })
            }
            print(String(format: "range %@: business queries median %.2f ms · p95 %.2f ms; functions %.2f ms; chart series %.2f ms (medians of 20)",
                         range.rawValue, pct(business, 0.5), pct(business, 0.95), pct(functions, 0.5), pct(charts, 0.5)))
        }
        // The console: reading its snapshot (all of engine time: the most to draw), and
        // rendering a 200×60 frame from it, charts included.
        var snapshotTimes: [Double] = []
        var snapshot = ConsoleSnapshot()
        for _ in 0..<10 {
            snapshotTimes.append(try time { snapshot = try ConsoleSnapshot.load(c, limits: ConsoleLimits.snapshot, windowNanos: nil) })
        }
        let trace = try TraceWaterfall.load(c, checkoutID: ids[0])
        let data = ConsoleData(snapshot: snapshot, trace: trace)
        let theme = try Theme.named("dark")
        for view in ViewID.allCases {
            var state = ConsoleState()
            state.width = 200
            state.height = 60
            state.view = view
            state.traceCheckoutID = ids[0]
            state.timeRange = .all
            var renders: [Double] = []
            for _ in 0..<50 { renders.append(time { _ = Screen.render(state, data, theme: theme, glyphs: .unicode) }) }
            print(String(format: "render %@ 200×60: median %.3f ms · p95 %.3f ms", view.title, pct(renders, 0.5), pct(renders, 0.95)))
        }
        print(String(format: "console snapshot read, every part: median %.2f ms · p95 %.2f ms over %d reads",
                     pct(snapshotTimes, 0.5), pct(snapshotTimes, 0.95), snapshotTimes.count))
        // What the console reads for one view: only the parts it draws, over the default range.
        for view in [ViewID.payments, .overview, .functions] {
            var times: [Double] = []
            for _ in 0..<10 {
                times.append(try time { _ = try ConsoleSnapshot.load(c, limits: ConsoleLimits.snapshot,
                                                                     windowNanos: ConsoleState().timeRange.nanos, parts: view.parts) })
            }
            print(String(format: "console snapshot read for %@ (%@): median %.2f ms · p95 %.2f ms", view.title,
                         ConsoleState().timeRange.rawValue, pct(times, 0.5), pct(times, 0.95)))
        }
    }
}

