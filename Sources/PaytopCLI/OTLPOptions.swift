import ArgumentParser
import Foundation
import PaytopExport
import PaytopClickHouse
import PaytopStore

/// `--otlp-endpoint URL`: export spans and business events while the engine runs.
struct OTLPOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Also send spans, business events (as OTLP logs) and 60-s metrics to this OTLP/HTTP collector, e.g. http://127.0.0.1:4318.",
                               valueName: "url"))
    var otlpEndpoint: String?

    func validate() throws {
        if let otlpEndpoint {
            do { _ = try BlockingHTTPClient.url(otlpEndpoint) } catch { throw ValidationError("--otlp-endpoint: \(error)") }
        }
    }

    func makeExporter(storePath: String) throws -> OTLPExporter? {
        try otlpEndpoint.map { try OTLPExporter(endpoint: $0, storePath: storePath) }
    }
}

/// Sends what is left (at most `timeout` seconds) and says how the export went on stderr.
/// Returns the final counters.
@discardableResult
func finishExport(_ exporter: OTLPExporter?, timeout: Double = 10) -> OTLPExporter.Counters? {
    guard let exporter else { return nil }
    let c = exporter.finish(timeout: timeout)
    printError("paytop: OTLP export to \(exporter.endpoint): \(c.spansExported.grouped) spans, \(c.logsExported.grouped) log records and \(c.metricPointsExported.grouped) metric points sent"
               + (c.dropped > 0 ? ", \(c.dropped.grouped) dropped" : ", none dropped")
               + (c.failedRequests > 0 ? " · \(c.failedRequests) failed requests, last: \(inert(c.lastError ?? ""))" : ""))
    return c
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Send a recorded store's spans, business events and metrics to an OTLP/HTTP collector, or write them into ClickHouse.",
        discussion: """
            --otlp-endpoint: spans go to URL/v1/traces, business events (log records tied to their span) to URL/v1/logs \
            and the 60-s metric roll-ups to URL/v1/metrics, \
            in the OTLP protobuf encoding, with the engine's own ids and timestamps. Failed requests are retried \
            with backoff (OTLP's retryable answers: none, 429, 502, 503, 504); exits 1 if anything could not be sent.
            --clickhouse: the spans and business events into the OpenTelemetry Collector clickhouseexporter's \
            otel_traces and otel_logs (created with the exporter's columns when absent), as the exporter maps OTLP \
            (docs/clickhouse.md), and the 60-s metric roll-ups into its sum, gauge and histogram tables. Exits 2 with one sentence if ClickHouse refuses.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The collector's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318.", valueName: "url"))
    var otlpEndpoint: String?

    @OptionGroup var clickhouse: ClickHouseOptions

    func validate() throws {
        guard (otlpEndpoint == nil) != !clickhouse.given else { throw ValidationError("give --otlp-endpoint URL or --clickhouse URL") }
        if let otlpEndpoint {
            do { _ = try BlockingHTTPClient.url(otlpEndpoint) } catch { throw ValidationError("--otlp-endpoint: \(error)") }
        }
    }

    func run() throws {
        _ = try Store.openForReading(path: store.path)
        if clickhouse.given { return try exportToClickHouse() }
        guard let otlpEndpoint else { return }
        let exporter = try OTLPExporter(endpoint: otlpEndpoint, storePath: store.path)
        let started = ContinuousClock.now
        let read = try RecordedTelemetry.read(storePath: store.path) { exporter.submit($0) }
        let c = finishExport(exporter, timeout: 60)!
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
        printError("paytop: read \(read.spans.grouped) spans and \(read.events.grouped) business events from \(store.path) in "
                   + String(format: "%.2f s (%.0f items/s)", seconds, Double(read.spans + read.events) / max(seconds, 1e-9)))
        if c.dropped > 0 { throw ExitCode(1) }
    }

    func exportToClickHouse() throws {
        let started = ContinuousClock.now
        try ClickHouseOptions.reading {
            guard let client = try clickhouse.client(timeoutSeconds: 60) else { return }
            let written = try ClickHouseExport.store(storePath: store.path, client: client)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let e = client.endpoint
            printError("paytop: wrote \(written.spans.grouped) spans, \(written.logs.grouped) business events and \(written.metricPoints.grouped) metric points "
                       + "from \(store.path) into \(e.database).\(e.tables.traces), \(e.tables.logs), \(e.tables.sum), \(e.tables.gauge) and \(e.tables.histogram) at "
                       + "\(e.description) in " + String(format: "%.2f s", seconds))
        }
    }
}
