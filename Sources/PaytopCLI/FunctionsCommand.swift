import ArgumentParser
import Foundation
import PaytopClickHouse
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// `paytop functions`: the Functions view's figures (DASHBOARD.md tiles 1–14) from the same
/// store query the console draws them with.
struct FunctionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "functions",
        abstract: "Per function and the PSP: invocations, errors, throttles, cold starts, durations cold and warm; API latency; DynamoDB; step success.",
        discussion: """
            Counters are summed over the window of engine time ending at the store's clock; percentiles are \
            nearest-rank over the window's whole roll-up minutes, merged from their histograms (two significant \
            digits). Step success, in messages (the executor and wallet take SQS batches): execution messages \
            processed (1→3), results messages sent (1→5) and results messages processed (1→7), each ÷ the \
            execution messages the initializer sent. With --clickhouse URL the same figures come from the \
            OpenTelemetry Collector ClickHouse exporter's metric tables (sums, gauges, histograms named as \
            CloudWatch names them; docs/clickhouse.md), aggregated by ClickHouse.
            """
    )

    @OptionGroup var window: WindowOptions
    @OptionGroup var clickhouse: ClickHouseOptions

    func validate() throws { try clickhouse.refuse(with: window.store) }

    func run() throws {
        let nanos = try window.nanos()
        let report = try ClickHouseOptions.reading {
            let reading: any FunctionsReading = try clickhouse.client().map { try ClickHouseFunctionsReading($0) }
                ?? StoreFunctionsReading(try Store.openForReading(path: window.store.path))
            return try reading.functions(since: nanos)
        }
        if !report.metricsRecorded {
            FileHandle.standardError.write(Data("paytop: \(try clickhouse.location(window.store)) holds no metrics (recorded with --no-telemetry?); every figure is 0\n".utf8))
        }
        if window.json {
            print(FunctionsJSON.object(report, window: window).encoded)
            return
        }
        print(FunctionsText.lines(report, window: window).joined(separator: "\n"))
    }
}

enum FunctionsJSON {
    static func number(_ v: Double) -> JSONValue { .number((v * 1000).rounded() / 1000) }

    static func distribution(_ d: MetricWindow.Distribution?) -> JSONValue {
        guard let d else { return .null }
        return .object(["count": .number(Double(d.count)), "p50": number(d.p50), "p95": number(d.p95), "p99": number(d.p99),
                        "avg": number(d.mean), "max": number(d.max)])
    }

    static func object(_ r: FunctionsReport, window: WindowOptions) -> JSONValue {
        .object([
            "at": .string(EngineTime(nanos: r.at).description),
            "window": window.json(at: r.at, from: r.from),
            "functions": .array(r.rows.map { row in
                var o: [String: JSONValue] = [
                    "function": .string(row.hop.key),
                    "invocations": .number(Double(row.invocations)),
                    "errors": .number(Double(row.errors)),
                    "throttles": .number(Double(row.throttles)),
                    "cold_starts": .number(Double(row.coldStarts)),
                    "cold_start_rate": row.coldStartRate.map(number) ?? .null,
                    "peak_concurrency": number(row.peakConcurrency),
                    "duration_ms": distribution(row.duration),
                    "cold_duration_ms": distribution(row.cold),
                    "warm_duration_ms": distribution(row.warm),
                ]
                if let s = r.seconds { o["invocations_per_second"] = number(Double(row.invocations) / s) }
                if case .function(let f) = row.hop { o["name"] = .string(f.deployedName) }
                return .object(o)
            }),
            "api": .object([
                "requests": .number(Double(r.api.requests)), "4xx": .number(Double(r.api.clientErrors)),
                "5xx": .number(Double(r.api.serverErrors)), "latency_ms": distribution(r.api.latency),
                "integration_latency_ms": distribution(r.api.integrationLatency),
                "initializer_duration_ms": distribution(r.api.initializerDuration),
            ]),
            "dynamodb": .array(r.dynamo.map {
                .object(["table": .string($0.table.rawValue), "operation": .string($0.operation.rawValue),
                         "calls": .number(Double($0.calls)), "failures": .number(Double($0.failures)),
                         "latency_ms": distribution($0.latency)])
            }),
            "dynamodb_tables": .array(r.tables.map {
                .object(["table": .string($0.table.rawValue), "consumed_read_capacity_units": .number(Double($0.readUnits)),
                         "consumed_write_capacity_units": .number(Double($0.writeUnits)),
                         "throttled_requests": .number(Double($0.throttled)),
                         "read_throttle_events": .number(Double($0.readThrottleEvents)),
                         "write_throttle_events": .number(Double($0.writeThrottleEvents))])
            }),
            "step_success": .object([
                "1_3": r.steps.oneToThree.map(number) ?? .null, "1_5": r.steps.oneToFive.map(number) ?? .null,
                "1_7": r.steps.oneToSeven.map(number) ?? .null,
            ]),
        ])
    }
}

enum FunctionsText {
    static func ms(_ d: MetricWindow.Distribution?) -> String {
        guard let d else { return "—" }
        return String(format: "p50 %.1f · p95 %.1f · p99 %.1f ms", d.p50, d.p95, d.p99)
    }

    static func lines(_ r: FunctionsReport, window: WindowOptions) -> [String] {
        var out = [window.heading("Functions", at: r.at), ""]
        for row in r.rows {
            var line = pad(row.hop.key, 12)
                + "\(Int(row.invocations).grouped) invocations · \(row.errors) errors · \(row.throttles) throttles"
            if case .function = row.hop {
                line += " · \(row.coldStarts) cold starts" + (row.coldStartRate.map { String(format: " (%.2f%%)", $0 * 100) } ?? "")
                line += String(format: " · peak concurrency %.0f", row.peakConcurrency)
            }
            out.append(line)
            out.append("            duration " + ms(row.duration))
            if case .function = row.hop {
                out.append("            cold " + ms(row.cold) + "  ·  warm " + ms(row.warm))
            }
        }
        out.append("")
        out.append("API Gateway \(Int(r.api.requests).grouped) requests · \(r.api.clientErrors) 4xx · \(r.api.serverErrors) 5xx")
        out.append("  Latency             " + ms(r.api.latency))
        out.append("  IntegrationLatency  " + ms(r.api.integrationLatency))
        out.append("  initializer Duration " + ms(r.api.initializerDuration))
        out.append("")
        out.append("DynamoDB (calls · failures · latency)")
        for d in r.dynamo {
            out.append("  " + pad("\(d.operation.rawValue) \(d.table.rawValue)", 34)
                       + "\(Int(d.calls).grouped) · \(d.failures) · " + ms(d.latency))
        }
        for t in r.tables {
            out.append("  " + pad(t.table.rawValue, 14)
                       + "ConsumedReadCapacityUnits \(t.readUnits) · ConsumedWriteCapacityUnits \(t.writeUnits) · ThrottledRequests \(t.throttled)"
                       + (t.readThrottleEvents + t.writeThrottleEvents > 0
                          ? " · ReadThrottleEvents \(t.readThrottleEvents) · WriteThrottleEvents \(t.writeThrottleEvents)" : ""))
        }
        out.append("")
        func pct(_ v: Double?) -> String { v.map { String(format: "%.2f%%", $0 * 100) } ?? "—" }
        out.append("step success  1→3 \(pct(r.steps.oneToThree)) · 1→5 \(pct(r.steps.oneToFive)) · 1→7 \(pct(r.steps.oneToSeven))")
        return out
    }
}
