import Foundation
import PaytopClickHouse
import PaytopConsole
import PaytopJSON
import PaytopStore

/// `paytop bench --clickhouse URL`: each view's read on ClickHouse, as its command or the
/// console makes it (the reading's schema look-up, its queries over HTTP, decoding and
/// assembling), medians of `runs` after one warm-up (docs/clickhouse.md has the figures).
struct ClickHouseBench {
    let url: String, checkout: String?, runs: Int, json: Bool

    func run() throws {
        try ClickHouseOptions.reading {
            let client = ClickHouseClient(try ClickHouseEndpoint(url: url), timeoutSeconds: 60)
            let e = client.endpoint
            let spans = try ClickHouseSchema.rowCount(client, table: e.tables.traces)
            let logs = try ClickHouseSchema.rowCount(client, table: e.tables.logs)
            guard let id = try checkout ?? ClickHouseEventReading(client).events(last: 1, checkoutID: nil).first?.checkoutID else {
                throw CLIError(message: "ClickHouse at \(e.description) holds no business event naming a checkout; give --checkout ID")
            }
            let hour: Int64 = 3_600_000_000_000
            // The console reads its tables once and then every 2 s: its snapshot is what repeats.
            let console = try ClickHouseConsoleReading(client)
            let cases: [(String, () throws -> Void)] = [
                ("trace by checkout_id", { _ = try ClickHouseTraceReading(client).waterfall(checkoutID: id) }),
                ("events, the last 50", { _ = try ClickHouseEventReading(client).events(last: 50, checkoutID: nil) }),
                ("events of a checkout", { _ = try ClickHouseEventReading(client).events(last: nil, checkoutID: id) }),
                ("business, all", { _ = try ClickHouseBusinessReading(client).business(since: nil) }),
                ("business, 1 h", { _ = try ClickHouseBusinessReading(client).business(since: hour) }),
                ("functions, all", { _ = try ClickHouseFunctionsReading(client).functions(since: nil) }),
                ("functions, 1 h", { _ = try ClickHouseFunctionsReading(client).functions(since: hour) }),
                ("slo", { _ = try ClickHouseSloReading(client).slo(definitions: SloDefinition.defaults) }),
                ("metrics, the series", { _ = try ClickHouseMetricsReading(client).series(named: nil) }),
                ("console overview, 1 h", {
                    _ = try console.snapshot(limits: ConsoleLimits.snapshot, windowNanos: hour, parts: ViewID.overview.parts)
                }),
                ("console functions, 1 h", {
                    _ = try console.snapshot(limits: ConsoleLimits.snapshot, windowNanos: hour, parts: ViewID.functions.parts)
                }),
            ]
            var results: [(String, Double, Double)] = []
            for (name, body) in cases {
                try body()
                var times: [Double] = []
                for _ in 0..<runs {
                    let start = ContinuousClock.now
                    try body()
                    let d = ContinuousClock.now - start
                    times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
                }
                times.sort()
                results.append((name, times[times.count / 2], times[0]))
            }
            if json {
                print(JSONValue.object([
                    "spans": .number(Double(spans)), "log_records": .number(Double(logs)), "checkout_id": .string(id), "runs": .number(Double(runs)),
                    "reads": .array(results.map { .object(["read": .string($0.0), "median_ms": .rounded($0.1, 10), "min_ms": .rounded($0.2, 10)]) }),
                ]).encoded)
                return
            }
            print("ClickHouse at \(e.description) (\(e.database)): \(Int(spans).grouped) spans, \(Int(logs).grouped) log records; checkout \(inert(id)); medians of \(runs) after a warm-up")
            for (name, median, least) in results {
                print(WaterfallText.pad(name, 26) + String(format: "%8.1f ms   (min %.1f)", median, least))
            }
        }
    }
}
