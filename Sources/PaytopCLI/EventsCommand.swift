import ArgumentParser
import Foundation
import PaytopStore
import PaytopClickHouse
import PaytopJSON
import PaytopVocabulary

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print business events; --follow keeps printing new ones, --json one object per line.",
        discussion: """
            --json prints each event as one JSON object per line, in the shape of the seed's example log \
            (level, message, timestamp, event_name, …) with paytop's consistent field names, so jq and log \
            shippers can read it. With --clickhouse URL the events come from the OpenTelemetry Collector ClickHouse \
            exporter's otel_logs, read as ingest reads log records (docs/clickhouse.md); --follow is not built \
            there yet.
            """
    )

    @OptionGroup var store: StoreOptions
    @Flag(name: .shortAndLong, help: "Keep printing events as they are recorded (Ctrl-C stops).") var follow = false
    @Flag(help: "One JSON object per line.") var json = false
    @Option(help: "Only this checkout's events.") var checkout: String?
    @Option(help: "Print the last N events (default 50; 0 for all).") var last: Int = 50
    @OptionGroup var clickhouse: ClickHouseOptions

    func validate() throws {
        guard last >= 0 else { throw ValidationError("--last must be 0 or more") }
        try clickhouse.refuse(with: store)
        if clickhouse.given && follow { throw ValidationError("--follow reads paytop's own store; on ClickHouse it is not built yet") }
    }

    func run() throws {
        if let client = try clickhouse.client() {
            let events = try ClickHouseOptions.reading {
                try ClickHouseEventReading(client).events(last: last == 0 ? nil : last, checkoutID: checkout)
            }
            for e in events { emit(e) }
            return
        }
        let c = try Store.openForReading(path: store.path)
        var cursor: Int64 = 0
        let first = try BusinessEventFeed.read(c, limit: last == 0 ? Int.max : last, checkoutID: checkout, latest: last > 0)
        for e in first { emit(e); cursor = e.eventNo }
        guard follow else { return }
        if cursor == 0 { cursor = try BusinessEventFeed.latestEventNo(c) }
        StopSignals.install()
        while StopSignals.received == 0 {
            let batch = try BusinessEventFeed.read(c, after: cursor, limit: 1000, checkoutID: checkout)
            for e in batch { emit(e); cursor = e.eventNo }
            if batch.count < 1000 { usleep(250_000) }
        }
    }

    func emit(_ e: BusinessEventFeed.Event) {
        if json {
            writeLine(Self.json(e).encoded)
        } else {
            var line = EngineTime(nanos: e.bizTimestamp).description + "  " + WaterfallText.pad(e.name, 28)
                + WaterfallText.pad(e.outcome.rawValue, 10) + inert(e.checkoutID ?? "-")
            if let a = e.amountTotal, let cur = e.amountCurrency { line += "  \(inert(a)) \(inert(cur))" }
            if let m = e.merchantID { line += "  " + inert(m) }
            if let code = e.errorCode { line += "  " + inert(code) }
            writeLine(line)
        }
    }

    /// Unbuffered, so `--follow | jq` sees each event as it comes.
    func writeLine(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    static func json(_ e: BusinessEventFeed.Event) -> JSONValue {
        let ts = EngineTime(nanos: e.bizTimestamp).description
        var o: [String: JSONValue] = [
            "level": .string(e.outcome.isFailure ? "WARNING" : "INFO"),
            "message": .string(e.message), "timestamp": .string(ts), "biz_timestamp": .string(ts),
            "event_name": .string(e.name), "event_type": .string(e.type), "event_domain": "payments",
            "event_provider": "payment-service", "event_version": "1.0", "outcome": .string(e.outcome.rawValue),
            "stage": .string(e.stage), "service_name": .string(e.serviceName), "service_version": .string(e.serviceVersion),
            "function_name": .string(FunctionName(rawValue: e.serviceName)?.deployedName ?? e.serviceName),
        ]
        func put(_ k: String, _ v: String?) { if let v { o[k] = .string(v) } }
        put("checkout_id", e.checkoutID); put("amount_total", e.amountTotal); put("amount_currency", e.amountCurrency)
        put("payment_order_id", e.paymentOrderID); put("merchant_id", e.merchantID); put("error_code", e.errorCode)
        put("error_category", e.errorCategory?.rawValue); put("trace_id", e.traceID); put("span_id", e.spanID)
        if let n = e.orderCount { o["order_count"] = .number(Double(n)) }
        if let ms = e.pspLatencyMillis { o["psp_latency_ms"] = .number(Double(ms)) }
        return .object(o)
    }
}
