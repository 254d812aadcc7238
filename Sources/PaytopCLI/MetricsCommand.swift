import ArgumentParser
import Foundation
import PaytopClickHouse
import PaytopStore
import PaytopVocabulary
import PaytopJSON

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print a metric's series: one line per period (value, or count/percentiles for distributions).",
        discussion: """
            Example: paytop metrics ApproximateNumberOfMessagesVisible --dimension QueueName=payment-execution-queue-dlq
            Without NAME, lists the series the store holds. With --clickhouse URL the series come from the \
            OpenTelemetry Collector ClickHouse exporter's sum, gauge and histogram tables (60-s periods; \
            docs/clickhouse.md).
            """
    )

    @Argument(help: "Metric name, e.g. Duration, Latency, ApproximateAgeOfOldestMessage.") var name: String?
    @Option(help: ArgumentHelp("Only series with this dimension (repeatable).", valueName: "key=value")) var dimension: [String] = []
    @Option(help: "Period length in seconds: 60 (roll-ups, default) or 1 (live stores).") var period: Int = 60
    @Option(help: "The last N periods per series.") var last: Int = 30
    @OptionGroup var store: StoreOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @Flag(help: "Print as JSON lines.") var json = false

    func validate() throws { try clickhouse.refuse(with: store) }

    func run() throws {
        let reading: any MetricsReading = try ClickHouseOptions.reading {
            if let client = try clickhouse.client() { return try ClickHouseMetricsReading(client) }
            return StoreMetricsReading(try Store.openForReading(path: store.path))
        }
        try ClickHouseOptions.reading { try show(reading) }
    }

    func show(_ reading: any MetricsReading) throws {
        guard let name else {
            for r in try reading.series(named: nil) {
                print(WaterfallText.pad(r.name, 40) + WaterfallText.pad(r.kind, 13) + WaterfallText.pad(r.unit, 12) + inert(r.dimensions))
            }
            return
        }
        var filters: [(String, String)] = []
        for d in dimension {
            let parts = d.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CLIError(message: "--dimension must be key=value, got \(inert(d))") }
            filters.append((parts[0], parts[1]))
        }
        let chosen = try reading.series(named: name).filter { s in
            let dims = (try? JSONValue.parse(s.dimensions))?.objectValue ?? [:]
            return filters.allSatisfy { dims[$0.0]?.stringValue == $0.1 }
        }
        guard !chosen.isEmpty else {
            throw CLIError(message: "no metric \(inert(name))\(filters.isEmpty ? "" : " with those dimensions") in \(try clickhouse.location(store)); `paytop metrics` lists them", code: 1)
        }
        for s in chosen {
            let rows = try reading.latestPoints(s, periodSeconds: period, n: last)
            if !json { print("\(inert(name)) \(inert(s.dimensions)) · \(s.kind) · \(s.unit) · \(period) s periods") }
            for r in rows {
                let at = EngineTime(nanos: r.periodStart).description
                if json {
                    var o: [String: JSONValue] = ["name": .string(name), "dimensions": (try? JSONValue.parse(s.dimensions)) ?? .null,
                                                  "unit": .string(s.unit), "period_start": .string(at), "period_seconds": .number(Double(period))]
                    if let v = r.value { o["value"] = .number(v) }
                    if let n = r.count { o["count"] = .number(Double(n)) }
                    for (k, v) in [("min", r.min), ("max", r.max), ("p50", r.p50), ("p95", r.p95), ("p99", r.p99)] { if let v { o[k] = .number(v) } }
                    print(JSONValue.object(o).encoded)
                } else if s.kind == "distribution", let n = r.count {
                    print("  \(at)  n=\(n)  p50 \(fmt(r.p50)) p95 \(fmt(r.p95)) p99 \(fmt(r.p99)) max \(fmt(r.max)) \(s.unit)")
                } else {
                    print("  \(at)  \(fmt(r.value))")
                }
            }
        }
    }

    private func fmt(_ v: Double?) -> String {
        guard let v else { return "-" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.1f", v)
    }
}
