import ArgumentParser
import Foundation
import PaytopClickHouse
import PaytopStore
import TOMLKit
import PaytopJSON
import PaytopVocabulary

struct SloCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slo",
        abstract: "SLIs, error budgets, burn rates, alerts and the error-budget policy of each SLO.",
        discussion: """
            Windows are engine time ending at the store's clock. Burn rate = error rate ÷ (1 − target). \
            PAGE when the 1 h and 5 min burn rates both exceed 14.4, or 6 h and 30 min both exceed 6; TICKET \
            when 1 d and 2 h both exceed 3, or 3 d and 6 h both exceed 1 (the SRE Workbook's table). --slo FILE replaces the built-in SLOs (see sample-data/slo.toml). With \
            --clickhouse URL the counters come from the OpenTelemetry Collector ClickHouse exporter's metric tables, \
            summed by ClickHouse (docs/clickhouse.md); the clock there is the latest span or log record.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @Flag(help: "Print as JSON.") var json = false
    @Option(help: ArgumentHelp("SLO definitions (TOML).", valueName: "file")) var slo: String?

    func validate() throws { try clickhouse.refuse(with: store) }

    func run() throws {
        let definitions = try slo.map { try SloFile.load(path: $0) } ?? SloDefinition.defaults
        let report = try ClickHouseOptions.reading {
            let reading: any SloReading = try clickhouse.client().map { try ClickHouseSloReading($0) }
                ?? StoreSloReading(try Store.openForReading(path: store.path))
            return try reading.slo(definitions: definitions)
        }
        if json {
            print(Self.json(report).encoded)
            return
        }
        print("SLOs at \(EngineTime(nanos: report.at)) (engine time)")
        for o in report.objectives {
            let sli = o.sli.map { String(format: "%.3f%%", $0 * 100) } ?? "no events"
            print("")
            print("\(o.definition.name) — \(inert(o.definition.description))")
            print(String(format: "  target %.2f%% over %g days · SLI %@ (%@ good / %@ valid)",
                         o.definition.target * 100, o.definition.windowDays, sli, Int(o.good).grouped, Int(o.valid).grouped))
            if let late = o.badInFlight, late > 0 {
                print("  \(Int(late).grouped) of the bad events are checkouts still in flight past the objective")
            }
            if let consumed = o.budgetConsumed, let policy = o.policy {
                print(String(format: "  error budget consumed %.1f%% · ", consumed * 100) + policy.description)
            } else {
                print("  not enough data yet (\(Int(o.valid).grouped) events; a budget verdict needs \(Int(o.eventsForVerdict).grouped)): no budget, policy or alert")
            }
            let burns = o.windows.map { w in "\(w.label) " + (w.burnRate.map { String(format: "%.2f", $0) } ?? "—") }
            print("  burn rates  " + burns.joined(separator: " · ") + "  → alert: \(o.alert?.rawValue ?? "none")")
        }
        if let conv = report.conversion {
            print("")
            print(String(format: "conversion (KPI, not an SLO; settled ÷ received over %lld days): %.2f%% — %@", report.conversionWindowDays, conv * 100,
                         conv > 0.95 ? "healthy funnel" : "below 95%: potential UX, PSP or fraud-rule issues"))
        }
    }
}

extension SloCommand {
    /// `paytop slo --json`: null where the report has too few events to say.
    static func json(_ report: SloReport) -> JSONValue {
        let slos: [JSONValue] = report.objectives.map { o in
            let alerts: [JSONValue] = o.alerts.map { a in
                .object(["severity": .string(a.rule.severity.rawValue), "long_window": .string(a.rule.long),
                         "short_window": .string(a.rule.short), "threshold": .number(a.rule.threshold),
                         "long_burn_rate": .rounded(a.longBurn, 100), "short_burn_rate": .rounded(a.shortBurn, 100),
                         "firing": .bool(a.firing), "seconds_to_exhaustion": a.secondsToExhaustion.map { .number($0.rounded()) } ?? .null])
            }
            let burns = Dictionary(uniqueKeysWithValues: o.windows.map { ($0.label, JSONValue.rounded($0.burnRate, 100)) })
            return .object([
                "name": .string(o.definition.name), "description": .string(o.definition.description),
                "target": .number(o.definition.target), "window_days": .number(o.definition.windowDays),
                "good": .number(Double(o.good)), "valid": .number(Double(o.valid)),
                "sli": .rounded(o.sli, 1_000_000),
                "enough_data": .bool(o.enoughData), "events_for_verdict": .number(Double(o.eventsForVerdict)),
                "bad_in_flight": o.badInFlight.map { .number(Double($0)) } ?? .null,
                "budget_consumed_pct": .rounded(o.budgetConsumed.map { $0 * 100 }, 10),
                "burn_rates": .object(burns),
                "alert": .string(o.alert?.rawValue ?? "none"), "policy": o.policy.map { .string($0.description) } ?? .null,
                "alerts": .array(alerts),
            ])
        }
        return .object([
            "at": .string(EngineTime(nanos: report.at).description),
            "conversion": .rounded(report.conversion, 10_000),
            "conversion_healthy": report.conversion.map { .bool($0 > 0.95) } ?? .null,
            "conversion_definition": "settled ÷ received",
            "conversion_window_days": .number(Double(report.conversionWindowDays)),
            "slos": .array(slos),
        ])
    }
}

/// SLO definitions in TOML, in the spirit of OpenSLO and Sloth: one [[slo]] table each.
enum SloFile {
    static func load(path: String) throws -> [SloDefinition] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError(message: "cannot read SLO file \(path)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw CLIError(message: "SLO file \(path), line \(e.source.begin.line): \(e.description)")
        }
        guard let list = table["slo"]?.array, !list.isEmpty else {
            throw CLIError(message: "SLO file \(path) has no [[slo]] tables")
        }
        var out: [SloDefinition] = []
        for (i, item) in list.enumerated() {
            guard let t = item.table else { throw CLIError(message: "SLO file \(path): slo[\(i)] is not a table") }
            let known: Set<String> = ["name", "description", "target", "window_days", "good", "valid", "dimensions"]
            for (k, _) in t where !known.contains(k) {
                throw CLIError(message: "SLO file \(path): slo[\(i)] has unknown key \"\(k)\"")
            }
            guard let name = t["name"]?.string else { throw CLIError(message: "SLO file \(path): slo[\(i)] needs a name") }
            let target = t["target"]?.double ?? t["target"]?.int.map(Double.init)
            guard let target, target > 0, target < 1 else {
                throw CLIError(message: "SLO file \(path): \(name): target must be a fraction between 0 and 1, e.g. 0.995")
            }
            let window = t["window_days"]?.double ?? t["window_days"]?.int.map(Double.init) ?? 30
            guard window > 0 && window <= 365 else { throw CLIError(message: "SLO file \(path): \(name): window_days must be 1–365") }
            var dims = "{}"
            if let d = t["dimensions"]?.table {
                var pairs: [(String, String)] = []
                for (k, v) in d { pairs.append((k, v.string ?? "\(v)")) }
                dims = JSONText.object(pairs.sorted { $0.0 < $1.0 })
            }
            out.append(SloDefinition(name: name, description: t["description"]?.string ?? "", target: target,
                                     windowDays: window, goodMetric: t["good"]?.string ?? MetricName.sloGoodEvents.rawValue,
                                     validMetric: t["valid"]?.string ?? MetricName.sloValidEvents.rawValue, dimensions: dims))
        }
        return out
    }
}
