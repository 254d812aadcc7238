import PaytopVocabulary
import ArgumentParser
import Foundation
import PaytopStore
import PaytopClickHouse
import PaytopJSON

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Print the trace waterfall of one checkout, with its business events.",
        discussion: """
            Exits 1 when the store holds no trace for the checkout_id. With --clickhouse URL it reads the \
            OpenTelemetry Collector ClickHouse exporter's tables instead (docs/clickhouse.md): the traces whose log \
            records or spans name the checkout, as received telemetry (no payment state, what the events say).
            """
    )

    @Argument(help: "The checkout_id.") var checkoutID: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @Flag(help: "Print as JSON.") var json = false

    func validate() throws { try clickhouse.refuse(with: store) }

    func run() throws {
        let reading: any TraceReading = try ClickHouseOptions.reading {
            if let client = try clickhouse.client() { return try ClickHouseTraceReading(client) }
            return StoreTraceReading(try Store.openForReading(path: store.path))
        }
        let location = try clickhouse.location(store)
        guard let w = try ClickHouseOptions.reading({ try reading.waterfall(checkoutID: checkoutID) }) else {
            let why = try reading.emptyReason().map { " (\($0))" } ?? ""
            throw CLIError(message: "no trace for checkout_id \(inert(checkoutID)) in \(location)\(why)", code: 1)
        }
        print(json ? WaterfallText.json(w).encoded : WaterfallText.render(w))
    }
}

/// The waterfall as text: an indented span tree with offsets, durations, kinds, services,
/// queue waits and errors, then the checkout's business events in time order.
enum WaterfallText {
    static func render(_ w: TraceWaterfall) -> String {
        var out: [String] = []
        for t in w.traces {
            let start = t.spans.map(\.start).min() ?? t.startedAt
            let end = max(t.spans.map(\.end).max() ?? start, t.events.map(\.at).max() ?? start)
            let state = w.received
                ? "RECEIVED · " + (w.outcomeFromEvents ?? "no settled or failed event yet")
                : w.outcome ?? (w.isPaymentDone ? "DONE" : (t.spans.contains { $0.kind == .producer } ? "IN FLIGHT" : "NOT ACCEPTED"))
            guard let traceID = t.traceID else {
                out.append("checkout \(inert(w.checkoutID)) · no spans arrived for it · \(t.events.count) business events from log lines "
                           + "without a trace id · \(duration(end - start)) · \(state)")
                appendEvents(t.events, start: start, to: &out)
                out.append("")
                continue
            }
            out.append("checkout \(inert(w.checkoutID)) · trace \(traceID) · \(t.spans.count) spans · \(duration(end - start)) · \(state)")
            out.append(pad("offset", 11) + pad("duration", 11) + pad("kind", 10) + pad("service", 20) + "span")
            let children = Dictionary(grouping: t.spans, by: { $0.parentSpanID ?? "" })
            let ids = Set(t.spans.map(\.spanID))
            var byID: [String: TraceWaterfall.SpanLine] = [:]
            for s in t.spans { byID[s.spanID] = s }
            func walk(_ s: TraceWaterfall.SpanLine, depth: Int) {
                var line = pad("+" + duration(s.start - start), 11) + pad(duration(s.end - s.start), 11) + pad(s.kind.rawValue, 10)
                    + pad("\(s.serviceName) \(s.serviceVersion)", 20) + String(repeating: "  ", count: depth) + inert(s.name)
                if s.kind == .consumer, let p = s.parentSpanID.flatMap({ byID[$0] }), p.kind == .producer {
                    line += "  (waited \(duration(s.start - p.end)) in the queue)"
                }
                if s.coldStart { line += "  [cold start]" }
                if s.status == .error { line += "  ✖ " + inert(s.statusMessage ?? "error") }
                for l in s.linkedFrom { line += "  ← linked from " + l }
                out.append(line)
                for e in s.events {
                    let detail = (try? JSONValue.parse(e.attributes))?["exception.message"]?.stringValue.map { ": " + inert($0) } ?? ""
                    out.append(pad("+" + duration(e.at - start), 11) + pad("", 41) + String(repeating: "  ", count: depth + 1)
                               + "· " + inert(e.name) + detail)
                }
                for child in (children[s.spanID] ?? []).sorted(by: { ($0.start, $0.spanID) < ($1.start, $1.spanID) }) {
                    walk(child, depth: depth + 1)
                }
            }
            let roots = t.spans.filter { $0.parentSpanID == nil || !ids.contains($0.parentSpanID!) }
            for r in roots.sorted(by: { ($0.start, $0.spanID) < ($1.start, $1.spanID) }) { walk(r, depth: 0) }
            appendEvents(t.events, start: start, to: &out)
            out.append("")
        }
        appendCriticalPath(w.shown?.spans ?? [], to: &out)
        return out.joined(separator: "\n").trimmingCharacters(in: .newlines)
    }

    /// Where the time went: the critical path's segments, then the statistics' largest
    /// self times.
    static func appendCriticalPath(_ spans: [TraceWaterfall.SpanLine], to out: inout [String]) {
        guard let path = CriticalPath.of(spans) else { return }
        let whole = max(1, path.end - path.start)
        func pct(_ n: Int64) -> String { String(format: "%5.1f %%", Double(n) / Double(whole) * 100) }
        out.append("critical path · \(duration(whole)) end to end")
        for seg in path.segments {
            out.append(pad("+" + duration(seg.start - path.start), 11) + pad(duration(seg.nanos), 11) + pad(pct(seg.nanos), 9)
                       + (seg.kind == .queueWait ? "┈ " : "") + inert(seg.name))
        }
        out.append("")
        out.append(pad("self time", 11) + pad("total", 11) + pad("share", 9) + pad("count", 7) + "service · operation")
        for r in TraceStatistics.of(spans).rows.prefix(12) {
            out.append(pad(duration(r.selfNanos), 11) + pad(duration(r.totalNanos), 11) + pad(String(format: "%5.1f %%", r.selfPercent), 9)
                       + pad("\(r.count)", 7) + inert(r.service) + " · " + inert(r.operation))
        }
    }

    static func appendEvents(_ events: [TraceWaterfall.EventLine], start: Int64, to out: inout [String]) {
        guard !events.isEmpty else { return }
        out.append("business events:")
        for e in events {
            var line = pad("+" + duration(e.at - start), 11) + pad(e.name, 28) + pad(e.outcome.rawValue, 10)
            if let a = e.amount, let cur = e.currency { line += " \(inert(a)) \(inert(cur))" }
            if let m = e.merchantID { line += " " + inert(m) }
            if let code = e.errorCode { line += " " + inert(code) }
            if let ms = e.pspLatencyMillis { line += " psp \(ms) ms" }
            out.append(line)
        }
    }

    static func json(_ w: TraceWaterfall) -> JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        func ms(_ nanos: Int64) -> JSONValue { .rounded(Double(nanos) / 1e6, 1000) }
        let spans = w.shown?.spans ?? []
        // Where the checkout's time went, end to end (docs/telemetry.md).
        let path = CriticalPath.of(spans)?.segments.map { seg -> JSONValue in
            var o: [String: JSONValue] = ["kind": .string(seg.kind.rawValue), "name": .string(seg.name),
                                          "start": .string(ISO8601.format(nanos: seg.start)), "ms": ms(seg.nanos)]
            if let id = seg.spanID { o["span_id"] = .string(id) }
            return .object(o)
        } ?? []
        let statistics = TraceStatistics.of(spans).rows.map { r -> JSONValue in
            .object(["service": .string(r.service), "operation": .string(r.operation), "count": .number(Double(r.count)),
                     "total_ms": ms(r.totalNanos), "self_ms": ms(r.selfNanos), "self_pct": .rounded(r.selfPercent, 100)])
        }
        return .object([
            "critical_path": .array(path),
            "statistics": .array(statistics),
            "checkout_id": .string(w.checkoutID),
            "outcome": opt(w.outcome),
            "is_payment_done": .bool(w.isPaymentDone),
            "received": .bool(w.received),
            "outcome_from_events": opt(w.outcomeFromEvents),
            "traces": .array(w.traces.map { t in
                var o: [String: JSONValue] = [
                    "no_spans": .bool(t.spans.isEmpty),
                    "spans": .array(t.spans.map { s in
                        .object([
                            "span_id": .string(s.spanID), "parent_span_id": opt(s.parentSpanID), "name": .string(s.name),
                            "kind": .string(s.kind.rawValue), "service_name": .string(s.serviceName),
                            "service_version": .string(s.serviceVersion),
                            "start_time_unix_nano": .string(String(s.start)), "end_time_unix_nano": .string(String(s.end)),
                            "status_code": .string(s.status.name), "status_message": opt(s.statusMessage),
                            "attributes": (try? JSONValue.parse(s.attributes)) ?? .null,
                            "linked_from": .array(s.linkedFrom.map { .string($0) }),
                            "events": .array(s.events.map { e in
                                .object(["name": .string(e.name), "time_unix_nano": .string(String(e.at)),
                                         "attributes": (try? JSONValue.parse(e.attributes)) ?? .null])
                            }),
                        ])
                    }),
                    "business_events": .array(t.events.map { e in
                        .object([
                            "event_name": .string(e.name), "outcome": .string(e.outcome.rawValue), "stage": .string(e.stage),
                            "biz_timestamp": .string(EngineTime(nanos: e.at).description), "amount_total": opt(e.amount),
                            "amount_currency": opt(e.currency), "payment_order_id": opt(e.paymentOrderID),
                            "merchant_id": opt(e.merchantID), "error_code": opt(e.errorCode),
                            "psp_latency_ms": e.pspLatencyMillis.map { .number(Double($0)) } ?? .null,
                            "span_id": opt(e.spanID), "service_name": .string(e.service),
                        ])
                    }),
                ]
                if let id = t.traceID { o["trace_id"] = .string(id) }  // absent for events that came without one
                return .object(o)
            }),
        ])
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }

    /// 842 µs, 42 ms, 2.41 s, 15m02s.
    static func duration(_ nanos: Int64) -> String {
        let n = max(0, nanos)
        if n < 1_000_000 { return "\(n / 1000) µs" }
        if n < 1_000_000_000 { return "\(n / 1_000_000) ms" }
        if n < 60_000_000_000 { return String(format: "%.2f s", Double(n) / 1e9) }
        let s = n / 1_000_000_000
        return s < 3600 ? String(format: "%dm%02ds", s / 60, s % 60) : String(format: "%dh%02dm", s / 3600, s % 3600 / 60)
    }
}
