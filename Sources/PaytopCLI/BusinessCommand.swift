import ArgumentParser
import Foundation
import PaytopClickHouse
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// `paytop business`: the Business view's figures (DASHBOARD.md tiles 17–25) from the
/// same store query the console draws them with.
struct BusinessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "business",
        abstract: "Funnel, revenue and lost revenue per currency, conversion, losses by stage and error code, merchants, PSP latency.",
        discussion: """
            Counted from the business roll-ups over whole minutes of engine time ending at the store's clock \
            (--since 1h: the minute holding that start, and every minute after it). Conversion is settled ÷ \
            received, as the seed defines it. Amounts are per currency and never added across currencies. With \
            --clickhouse URL the same figures come from the OpenTelemetry Collector ClickHouse exporter's otel_logs, \
            counted by ClickHouse (docs/clickhouse.md); the clock there is the latest span or log record.
            """
    )

    @OptionGroup var window: WindowOptions
    @OptionGroup var clickhouse: ClickHouseOptions

    func validate() throws { try clickhouse.refuse(with: window.store) }

    func run() throws {
        let nanos = try window.nanos()
        let report = try ClickHouseOptions.reading {
            let reading: any BusinessReading = try clickhouse.client().map { try ClickHouseBusinessReading($0) }
                ?? StoreBusinessReading(try Store.openForReading(path: window.store.path))
            return try reading.business(since: nanos)
        }
        if !report.eventsRecorded {
            FileHandle.standardError.write(Data("paytop: \(try clickhouse.location(window.store)) holds no business events (recorded with --no-telemetry?); every figure is 0\n".utf8))
        }
        if window.json {
            print(BusinessJSON.object(report, window: window).encoded)
            return
        }
        print(BusinessText.lines(report, window: window).joined(separator: "\n"))
    }
}

enum BusinessJSON {
    static func amounts(_ list: [BusinessReport.Amount]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: list.map { ($0.currency, JSONValue.string($0.amount.description)) }))
    }

    static func ratio(_ v: Double?) -> JSONValue { .rounded(v, 1_000_000) }

    static func object(_ r: BusinessReport, window: WindowOptions) -> JSONValue {
        let received = r.count(.received)
        return .object([
            "at": .string(EngineTime(nanos: r.at).description),
            "window": window.json(at: r.at, from: r.from),
            "funnel": .object(Dictionary(uniqueKeysWithValues: r.funnel.map { ($0.step.key, JSONValue.number(Double($0.count))) })),
            "funnel_pct_of_received": .object(Dictionary(uniqueKeysWithValues: r.funnel.map {
                ($0.step.key, received == 0 ? JSONValue.null : .number((Double($0.count) / Double(received) * 10_000).rounded() / 100))
            })),
            "conversion": ratio(r.conversion),
            "conversion_definition": "settled ÷ received",
            "revenue": amounts(r.revenue),
            "lost_revenue": amounts(r.lostRevenue),
            "stages": .array(r.stages.map {
                .object(["stage": .string($0.stage.label), "checkouts": .number(Double($0.loss.checkouts)),
                         "lost": amounts($0.loss.amounts)])
            }),
            "error_codes": .array(r.errorCodes.map {
                .object(["code": .string($0.code), "category": .string($0.category.rawValue), "checkouts": .number(Double($0.loss.checkouts)),
                         "lost": amounts($0.loss.amounts), "action": .string($0.action)])
            }),
            "merchants": .array(r.merchants.map { m in
                .object([
                    "merchant_id": .string(m.merchantID), "orders": .number(Double(m.orders)),
                    "settled": .number(Double(m.settled)), "failed": .number(Double(m.failed)),
                    "error_rate": ratio(m.errorRate), "revenue": amounts(m.revenue),
                    "average_order_value": .object(Dictionary(uniqueKeysWithValues: m.revenue.compactMap { a in
                        m.averageOrderValue(a.currency).map { (a.currency, JSONValue.string($0.description)) }
                    })),
                ])
            }),
            "psp_latency_ms": r.pspLatency.map { l in
                .object(["count": .number(Double(l.count)), "p50": .number(Double(l.p50)), "p95": .number(Double(l.p95)),
                         "p99": .number(Double(l.p99)), "avg": .number((l.mean * 100).rounded() / 100), "max": .number(Double(l.max))])
            } ?? .null,
            "psp_responses": .number(Double(r.pspResponses)),
            "psp_technical_failures": .number(Double(r.pspTechnicalFailures)),
            "psp_technical_sli": ratio(r.pspTechnicalSLI),
        ])
    }
}

enum BusinessText {
    static func money(_ list: [BusinessReport.Amount]) -> String {
        list.isEmpty ? "—" : list.map { "\($0.currency) \($0.amount)" }.joined(separator: " · ")
    }

    static func lines(_ r: BusinessReport, window: WindowOptions) -> [String] {
        var out = [window.heading("Business", at: r.at)]
        let received = r.count(.received)
        out.append("")
        out.append("funnel")
        for (step, n) in r.funnel {
            let pct = received == 0 ? "" : String(format: "%6.2f%%", Double(n) / Double(received) * 100)
            out.append("  " + pad(step.label, 14) + pad(String(Int(n).grouped), 10, left: true) + "  " + pct)
        }
        out.append("conversion (settled ÷ received): " + (r.conversion.map { String(format: "%.2f%%", $0 * 100) } ?? "no requests"))
        out.append("revenue: " + money(r.revenue))
        out.append("lost revenue: " + money(r.lostRevenue))
        out.append("")
        out.append("losses by stage")
        for (stage, loss) in r.stages {
            out.append("  " + pad(stage.label, 18) + pad(String(Int(loss.checkouts).grouped), 8, left: true)
                       + "  " + money(loss.amounts))
        }
        if !r.errorCodes.isEmpty {
            out.append("")
            out.append("error codes")
            for e in r.errorCodes {
                out.append("  " + pad(inert(e.code), 20) + pad(String(Int(e.loss.checkouts).grouped), 8, left: true)
                           + "  " + money(e.loss.amounts) + "  → " + e.action)
            }
        }
        if !r.merchants.isEmpty {
            out.append("")
            out.append("merchants (orders · settled · failed · error % · revenue)")
            for m in r.merchants {
                out.append("  " + pad(inert(m.merchantID), 20)
                           + "\(m.orders) · \(m.settled) · \(m.failed) · " + (m.errorRate.map { String(format: "%.2f%%", $0 * 100) } ?? "—")
                           + " · " + money(m.revenue))
            }
        }
        out.append("")
        if let l = r.pspLatency {
            out.append("PSP latency (ms): p50 \(l.p50) · p95 \(l.p95) · p99 \(l.p99) · avg " + String(format: "%.1f", l.mean) + " · max \(l.max) over \(l.count) responses")
        } else {
            out.append("PSP latency: no PSP responses")
        }
        out.append("PSP technical SLI: " + (r.pspTechnicalSLI.map { String(format: "%.3f%%", $0 * 100) } ?? "no PSP responses")
                   + " (\(r.pspTechnicalFailures) technical failures of \(r.pspResponses) responses; declines excluded)")
        return out
    }
}
