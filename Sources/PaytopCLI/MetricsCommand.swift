import ArgumentParser
import Foundation
import PaytopEngine
import PaytopStore
import PaytopVocabulary
import PaytopJSON

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print a metric's series: one line per period (value, or count/percentiles for distributions).",
        discussion: """
            Example: paytop metrics ApproximateNumberOfMessagesVisible --dimension QueueName=payment-execution-queue-dlq
            Without NAME, lists the series the store holds.
            """
    )

    @Argument(help: "Metric name, e.g. Duration, Latency, ApproximateAgeOfOldestMessage.") var name: String?
    @Option(help: ArgumentHelp("Only series with this dimension (repeatable).", valueName: "key=value")) var dimension: [String] = []
    @Option(help: "Period length in seconds: 60 (roll-ups, default) or 1 (live stores).") var period: Int = 60
    @Option(help: "The last N periods per series.") var last: Int = 30
    @OptionGroup var store: StoreOptions
    @Flag(help: "Print as JSON lines.") var json = false

    func run() throws {
        let c = try Store.openForReading(path: store.path)
        guard let name else {
            let s = try c.cached("SELECT name, dimensions, unit, kind FROM metric_series ORDER BY name, dimensions")
            for r in try s.all({ ($0.string(0), $0.string(1), $0.string(2), $0.string(3)) }) {
                print(WaterfallText.pad(r.0, 40) + WaterfallText.pad(r.3, 13) + WaterfallText.pad(r.2, 12) + inert(r.1))
            }
            return
        }
        var filters: [(String, String)] = []
        for d in dimension {
            let parts = d.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CLIError(message: "--dimension must be key=value, got \(inert(d))") }
            filters.append((parts[0], parts[1]))
        }
        let series = try c.cached("SELECT series_id, dimensions, unit, kind FROM metric_series WHERE name = ? ORDER BY dimensions")
        series.bind(1, name)
        let all = try series.all { ($0.int(0), $0.string(1), $0.string(2), $0.string(3)) }
        series.reset()
        let chosen = all.filter { s in
            let dims = (try? JSONValue.parse(s.1))?.objectValue ?? [:]
            return filters.allSatisfy { dims[$0.0]?.stringValue == $0.1 }
        }
        guard !chosen.isEmpty else {
            throw CLIError(message: "no metric \(inert(name))\(filters.isEmpty ? "" : " with those dimensions") in \(store.path); `paytop metrics` lists them", code: 1)
        }
        let points = try c.cached("""
            SELECT period_start, value, count, min, max, p50, p95, p99 FROM
              (SELECT * FROM metric_data WHERE series_id = ? AND period_seconds = ? ORDER BY period_start DESC LIMIT ?)
            ORDER BY period_start
            """)
        for s in chosen {
            points.bind(1, s.0).bind(2, period).bind(3, last)
            let rows = try points.all { p in
                (p.int(0), p.isNull(1) ? nil : p.double(1), p.optionalInt(2), p.isNull(3) ? nil : p.double(3),
                 p.isNull(4) ? nil : p.double(4), p.isNull(5) ? nil : p.double(5), p.isNull(6) ? nil : p.double(6),
                 p.isNull(7) ? nil : p.double(7))
            }
            points.reset()
            if !json { print("\(inert(name)) \(inert(s.1)) · \(s.3) · \(s.2) · \(period) s periods") }
            for r in rows {
                let at = EngineTime(nanos: r.0).description
                if json {
                    var o: [String: JSONValue] = ["name": .string(name), "dimensions": (try? JSONValue.parse(s.1)) ?? .null,
                                                  "unit": .string(s.2), "period_start": .string(at), "period_seconds": .number(Double(period))]
                    if let v = r.1 { o["value"] = .number(v) }
                    if let n = r.2 { o["count"] = .number(Double(n)) }
                    for (k, v) in [("min", r.3), ("max", r.4), ("p50", r.5), ("p95", r.6), ("p99", r.7)] { if let v { o[k] = .number(v) } }
                    print(JSONValue.object(o).encoded)
                } else if s.3 == "distribution", let n = r.2 {
                    print("  \(at)  n=\(n)  p50 \(fmt(r.5)) p95 \(fmt(r.6)) p99 \(fmt(r.7)) max \(fmt(r.4)) \(s.2)")
                } else {
                    print("  \(at)  \(fmt(r.1))")
                }
            }
        }
    }

    private func fmt(_ v: Double?) -> String {
        guard let v else { return "-" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.1f", v)
    }
}
