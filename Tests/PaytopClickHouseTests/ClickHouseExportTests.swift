import Foundation
import PaytopTestSupport
import Testing
@testable import PaytopClickHouse
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// A simulation's spans exported into the exporter's traces table of a real ClickHouse
/// (chdb), read back as the exporter's users read them: every span once, each checkout's
/// trace equal span by span to the SQLite store's (ids, parents, names, kinds as
/// SPAN_KIND_*, times to the nanosecond, durations, status as STATUS_CODE_*, messages),
/// attribute values as strings, the trace-id lookup table filled by its view.
@Suite(.serialized) struct ClickHouseExportTests {
    @Test(.enabled(if: ClickHouseFront.available, "python3 with chdb (CI installs it)"))
    func aSimulationsSpansAreTheExportersRowsAndEqualTheStores() throws {
        let path = NSTemporaryDirectory() + "paytop-chx-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        var settings = EngineSettings()
        settings.seed = 21
        settings.ratePerSecond = 10
        let engine = try Engine(Engine.Options(storePath: path, mode: .simulated, settings: settings))
        _ = try SimulationRunner.run(engine, checkouts: 120)
        try engine.close()

        let front = try ClickHouseFront()
        let client = ClickHouseClient(try ClickHouseEndpoint(url: front.url + "/?database=otel", environment: [:]))
        let written = try ClickHouseExport.store(storePath: path, client: client, rowsPerInsert: 500)
        let c = try Store.openForReading(path: path)
        let spans = try c.scalarInt("SELECT count(*) FROM span") ?? 0
        let events = try c.scalarInt("SELECT count(*) FROM business_event") ?? 0
        let minutes = try c.scalarInt("SELECT count(*) FROM metric_data WHERE period_seconds = 60") ?? 0
        #expect(written == ClickHouseExport.Written(spans: Int(spans), logs: Int(events), metricPoints: Int(minutes)) && spans > 1_000 && events > 500)
        /// The first value of a one-row answer, as text (64-bit integers come quoted or not).
        func one(_ sql: String) throws -> String {
            let v = try client.read(sql).rows.first?.first
            return v?.stringValue ?? v?.numberValue.map { String(Int64($0)) } ?? ""
        }
        #expect(try one("SELECT count() FROM otel.otel_traces") == "\(spans)")
        #expect(try one("SELECT uniqExact(TraceId) FROM otel.otel_traces_trace_id_ts") == "\(try c.scalarInt("SELECT count(DISTINCT trace_id) FROM span") ?? 0)")
        let kinds = try client.read("SELECT DISTINCT SpanKind FROM otel.otel_traces ORDER BY SpanKind").rows.compactMap { $0.first?.stringValue }
        #expect(kinds == ["SPAN_KIND_CLIENT", "SPAN_KIND_CONSUMER", "SPAN_KIND_PRODUCER", "SPAN_KIND_SERVER"])  // paytop records no INTERNAL spans

        let q = try c.cached("SELECT checkout_id FROM trace WHERE checkout_id IS NOT NULL ORDER BY trace_no LIMIT 5")
        var checkouts: [String] = []
        while try q.step() { checkouts.append(q.string(0)) }
        q.reset()
        #expect(checkouts.count == 5)
        // The event feed through its reading contract: the same events, field by field (events at
        // the same nanosecond may come in another order: compared sorted; no event number there).
        let feed = try ClickHouseEventReading(client), storeFeed = StoreEventReading(c)
        func key(_ e: BusinessEventFeed.Event) -> String {
            "\(e.bizTimestamp) \(e.name) \(e.checkoutID ?? "") \(e.paymentOrderID ?? "") \(e.amountCurrency ?? "") \(e.spanID ?? "")"
        }
        func comparable(_ events: [BusinessEventFeed.Event]) -> [BusinessEventFeed.Event] {
            events.map { var e = $0; e.eventNo = 0; return e }.sorted { key($0) < key($1) }
        }
        let all = try storeFeed.events(last: nil, checkoutID: nil)
        let fromClickHouse = try feed.events(last: nil, checkoutID: nil)
        #expect(all.count == Int(events) && comparable(fromClickHouse) == comparable(all))
        #expect(try feed.events(last: 25, checkoutID: nil).count == 25)
        let ch = try ClickHouseTraceReading(client), sqlite = StoreTraceReading(c)
        for checkout in checkouts {
            let w = try #require(try sqlite.waterfall(checkoutID: checkout))
            // Read back through the reading contract: the same trace, span by span and event by event
            // (attribute values are strings there, as the exporter writes them; the payment state is not there).
            let back = try #require(try ch.waterfall(checkoutID: checkout))
            #expect(back.received && back.traces.count == 1 && back.outcomeFromEvents == w.outcome)
            let (a, b) = (try #require(w.shown), try #require(back.shown))
            #expect(a.traceID == b.traceID && a.startedAt == b.startedAt)
            // (Spans starting at the same nanosecond may come in either order: compared by id.)
            #expect(a.spans.sorted { $0.spanID < $1.spanID }.map { [$0.spanID, $0.parentSpanID ?? "", $0.name, $0.kind.rawValue, $0.serviceName, $0.serviceVersion, "\($0.start)", "\($0.end)",
                                   "\($0.status)", $0.statusMessage ?? "", "\($0.coldStart)", $0.linkedFrom.joined(separator: ",")] }
                    == b.spans.sorted { $0.spanID < $1.spanID }.map { [$0.spanID, $0.parentSpanID ?? "", $0.name, $0.kind.rawValue, $0.serviceName, $0.serviceVersion, "\($0.start)", "\($0.end)",
                                      "\($0.status)", $0.statusMessage ?? "", "\($0.coldStart)", $0.linkedFrom.joined(separator: ",")] })
            #expect(a.events == b.events, "\(a.events.count) \(b.events.count)")
            let t = try #require(w.shown)
            let r = try client.read("""
                SELECT SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, toString(toUnixTimestamp64Nano(Timestamp)), Duration,
                       StatusCode, StatusMessage, SpanAttributes['faas.trigger'], ResourceAttributes['service.namespace']
                FROM otel.otel_traces WHERE TraceId = '\(t.traceID!)' ORDER BY SpanId
                """)
            #expect(r.rows.count == t.spans.count)
            for (row, s) in zip(r.rows, t.spans.sorted { $0.spanID < $1.spanID }) {
                let v = row.map { $0.stringValue ?? ($0.numberValue.map { String(Int64($0)) } ?? "") }
                #expect(v[0] == s.spanID && v[1] == (s.parentSpanID ?? "") && v[2] == s.name && v[3] == "SPAN_KIND_" + s.kind.rawValue)
                #expect(v[4] == s.serviceName && v[5] == String(s.start) && v[6] == String(s.end - s.start), "\(v) \(s)")
                #expect(v[7] == (s.status == .error ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET") && v[8] == (s.statusMessage ?? ""))
                #expect(v[10] == "payments")
            }
            let own = try storeFeed.events(last: nil, checkoutID: checkout)
            let ownFromClickHouse = try feed.events(last: nil, checkoutID: checkout)
            #expect(!own.isEmpty && comparable(ownFromClickHouse) == comparable(own))
            // A checkout id that would break a hand-quoted query is only a checkout nobody has.
            #expect(try ch.waterfall(checkoutID: checkout + "' OR 1=1 --") == nil)
            // A Lambda's SERVER span says its trigger, as a string.
            #expect(r.rows.contains { $0[3].stringValue == "SPAN_KIND_SERVER" && !($0[9].stringValue ?? "").isEmpty })
            // Its business events: log records naming the checkout, tied to the trace and span, in the same order and times.
            let logs = try client.read("""
                SELECT LogAttributes['event.name'], toString(toUnixTimestamp64Nano(Timestamp)), TraceId, SpanId, LogAttributes['payment.outcome'],
                       SeverityText, ServiceName
                FROM otel.otel_logs WHERE LogAttributes['checkout_id'] = '\(checkout)' ORDER BY Timestamp, LogAttributes['event.name']
                """)
            let expected = t.events.sorted { ($0.at, $0.name) < ($1.at, $1.name) }
            #expect(logs.rows.count == expected.count && !expected.isEmpty)
            for (row, e) in zip(logs.rows, expected) {
                let v = row.map { $0.stringValue ?? "" }
                #expect(v[0] == e.name && v[1] == String(e.at) && v[2] == t.traceID && v[3] == (e.spanID ?? "") && v[4] == e.outcome.rawValue, "\(v) \(e)")
                #expect(v[5] == (e.errorCode == nil ? "INFO" : "WARN") && v[6] == e.service)
            }
        }
        // The business report: ClickHouse's GROUP BY over the log records equals the roll-ups,
        // over all of it and over windows of the clock (the latest record there, the engine's here).
        let business = StoreBusinessReading(c), chBusiness = try ClickHouseBusinessReading(client)
        for since in [nil, 300_000_000_000, 3_600_000_000_000] as [Int64?] {
            let a = try business.business(since: since), b = try chBusiness.business(since: since)
            #expect(a.at == b.at && a.from == b.from && BusinessFigures(a) == BusinessFigures(b), "since \(since ?? 0)")
            #expect(a.count(.received) > 0 && !a.revenue.isEmpty && a.pspLatency != nil)
        }
        // The same through paytop's projection (`paytop clickhouse prepare`): ClickHouse answers the
        // business queries from it (the plan says so), and every figure stays the same.
        try ExporterTables.prepare(client)
        let projected = try ClickHouseBusinessReading(client)
        #expect(projected.projection && !chBusiness.projection)
        for since in [nil, 300_000_000_000, 3_600_000_000_000] as [Int64?] {
            #expect(BusinessFigures(try business.business(since: since)) == BusinessFigures(try projected.business(since: since)), "since \(since ?? 0)")
        }
        // Forced, ClickHouse refuses a query no projection can answer: each business query can be.
        let at = try ClickHouseClock.latest(client, timestampTime: true), src = ClickHouseQueries.BusinessPart.plain(projection: true, timestampTime: true)
        for sql in [ClickHouseQueries.businessEventGroups(client.endpoint, fromNanos: nil, src),
                    ClickHouseQueries.businessEventGroups(client.endpoint, fromNanos: at - 3_600_000_000_000, src),
                    ClickHouseQueries.businessEventNames(client.endpoint, fromNanos: nil, src),
                    ClickHouseQueries.businessEventMinutes(client.endpoint, from: at - 3_600_000_000_000, to: at, src)] {
            #expect(throws: Never.self) { _ = try client.read(sql + ", force_optimize_projection = 1") }
        }
        // The Functions view's figures: the metric tables' sums, gauges and histograms (bounds at the
        // store's HDR buckets, so merged percentiles are exact) equal the roll-ups, window by window.
        let functions = StoreFunctionsReading(c), chFunctions = try ClickHouseFunctionsReading(client)
        for since in [nil, 60_000_000_000, 300_000_000_000] as [Int64?] {
            let a = try functions.functions(since: since), b = try chFunctions.functions(since: since)
            #expect(a == b, "since \(since ?? 0)")
            #expect(a.metricsRecorded && (a.row(.function(.initializer))?.invocations ?? 0) > 0 && a.api.latency != nil && !a.dynamo.isEmpty)
        }
        // SLIs, budgets and burn rates: every window's counters summed in one pass, the in-flight gauge, the conversion.
        let slo = try StoreSloReading(c).slo(definitions: SloDefinition.defaults)
        let chSlo = try ClickHouseSloReading(client).slo(definitions: SloDefinition.defaults)
        #expect(slo.at == chSlo.at && slo.objectives == chSlo.objectives && slo.conversion == chSlo.conversion)
        #expect(slo.objectives.allSatisfy { $0.valid > 0 } && slo.conversion != nil)
        // The console's screens: the snapshot every view draws, from both stores. Equal but for what only
        // paytop's store holds (payment state, dead letters, queue depth from its own messages) and a
        // minute's percentile in its top bucket (the recorded maximum there, the bucket's bound here).
        let limits = ConsoleSnapshot.Limits(deadLetters: 10, payments: 10, events: 60, declineWindow: 500)
        let chConsole = try ClickHouseConsoleReading(client)
        for window in [nil, 3_600_000_000_000] as [Int64?] {
            let a = try StoreConsoleReading(c, storePath: path).snapshot(limits: limits, windowNanos: window, parts: .all)
            let b = try chConsole.snapshot(limits: limits, windowNanos: window, parts: .all)
            #expect(a.at == b.at && b.holdsReceived && b.hasPipelineMetrics && b.payments.isEmpty)
            func close(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= max(0.01 * abs(x), 0.001) }
            #expect(a.functions.count == b.functions.count)
            for (x, y) in zip(a.functions, b.functions) {
                #expect(x.name == y.name && x.version == y.version && x.invocationsPerSecond == y.invocationsPerSecond
                        && x.errorsPerSecond == y.errorsPerSecond && x.throttlesPerSecond == y.throttlesPerSecond
                        && x.concurrent == y.concurrent && close(x.p99Millis, y.p99Millis), "\(x) \(y)")
            }
            #expect(a.apiPerSecond == b.apiPerSecond && a.api5xxPerSecond == b.api5xxPerSecond && a.api4xxPerSecond == b.api4xxPerSecond
                    && a.pspPerSecond == b.pspPerSecond && a.psp500PerSecond == b.psp500PerSecond && a.psp402PerSecond == b.psp402PerSecond)
            #expect(close(a.apiP99Millis, b.apiP99Millis) && close(a.pspP95Millis, b.pspP95Millis))
            #expect(a.throughputSpark == b.throughputSpark && !a.throughputSpark.isEmpty)
            #expect(a.queues.map { [$0.sentPerSecond, $0.receivedPerSecond, $0.deletedPerSecond] + $0.depthSpark + $0.ageSpark }
                    == b.queues.map { [$0.sentPerSecond, $0.receivedPerSecond, $0.deletedPerSecond] + $0.depthSpark + $0.ageSpark })
            #expect(a.declines.map { "\($0.code) \($0.count)" }.sorted() == b.declines.map { "\($0.code) \($0.count)" }.sorted())
            #expect(a.slo?.objectives == b.slo?.objectives && a.events.count == b.events.count)
            #expect(BusinessFigures(try #require(a.business)) == BusinessFigures(try #require(b.business)))
            #expect(a.functionsReport == b.functionsReport)
            let (x, y) = (try #require(a.series), try #require(b.series))
            #expect(x.from == y.from && x.to == y.to && x.periodSeconds == y.periodSeconds)
            func lines(_ l: [DashboardSeries.Line]) -> [String] { l.map { "\($0.label) " + $0.points.map { "\($0.t)=\($0.v)" }.joined(separator: ",") } }
            for (l, m) in [(x.throughput, y.throughput), (x.errors, y.errors), (x.invocations, y.invocations), (x.functionErrors, y.functionErrors),
                           (x.queueDepth, y.queueDepth), (x.dlqAge, y.dlqAge), (x.revenue, y.revenue), (x.conversion, y.conversion),
                           (x.budget, y.budget), (x.burn, y.burn)] {
                #expect(lines(l) == lines(m))
            }
            for (l, m) in [(x.latency, y.latency), (x.pspLatency, y.pspLatency), (x.functionP95, y.functionP95)] {
                #expect(l.map(\.label) == m.map(\.label))
                for (p, q) in zip(l, m) {
                    #expect(p.points.map(\.t) == q.points.map(\.t) && zip(p.points, q.points).allSatisfy { close($0.v, $1.v) }, "\(p.label)")
                }
            }
        }
        // With the trace-ordered projection too (`prepare --trace-order`), every trace reads the same.
        let before = try checkouts.map { try #require(try ch.waterfall(checkoutID: $0)) }
        try ExporterTables.prepare(client, traceOrder: true)
        let ordered = try ClickHouseTraceReading(client)
        for (checkout, w) in zip(checkouts, before) {
            let after = try #require(try ordered.waterfall(checkoutID: checkout))
            #expect(after.traces.map(\.spans) == w.traces.map(\.spans) && after.traces.map(\.events) == w.traces.map(\.events))
        }
        // (ClickHouse picks a projection only where it reads less: not on a table this small, so only its presence is checked.)
        #expect(try client.read("SELECT name FROM system.projections WHERE table = 'otel_traces'").rows.compactMap { $0.first?.stringValue }
                == [ClickHouseQueries.traceProjectionName])
        // A checkout's trace through the console's reading.
        #expect(try chConsole.waterfall(checkoutID: checkouts[0])?.shown?.spans.count == (try sqlite.waterfall(checkoutID: checkouts[0])?.shown?.spans.count))
    }
}
