import ArgumentParser
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// `paytop problems`: the problems the detectors opened, with their causes, impact and
/// exemplars (docs/problems.md); `paytop problems show ID` one of them whole.
struct ProblemsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "problems",
        abstract: "Problems the detectors opened: what is wrong where, why, and what it cost.",
        discussion: """
            Open problems first, then the newest. Causes are ranked: control events (faults, deploys, \
            rollbacks, traffic changes) shortly before the first signal, and attribute differences between \
            the affected checkouts and the others of the window. Amounts are per currency.
            """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self)

    static let onlyPaytopsStore = "problems are detected into paytop's own store (by its engine, or `paytop collect` as telemetry arrives):"
    static let onClickHouse = "`paytop slo` says what is burning and `paytop functions`, `paytop business` what moved"

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every problem (the default).")
        @OptionGroup var window: WindowOptions
        @OptionGroup var clickhouse: ClickHouseOptions
        @Flag(help: "Open problems only.") var open = false

        func run() throws {
            try clickhouse.refuseOnClickHouse(ProblemsCommand.onlyPaytopsStore, instead: ProblemsCommand.onClickHouse)
            let c = try Store.openForReading(path: window.store.path)
            // An analysis reads the affected checkouts' index more than once: keep it cached.
            try Store.limitPageCache(c, megabytes: ProblemAnalysis.pageCacheMegabytes)
            try Store.mapForReading(c, megabytes: 8_192)
            let since = try window.nanos()
            let analyses = try ProblemAnalysis.list(c, openOnly: open, window: since)
            if window.json {
                print(JSONValue.object(["problems": .array(analyses.map(ProblemsCommand.json))]).encoded)
                return
            }
            if analyses.isEmpty {
                print(open ? "no open problem" : "no problem")
                return
            }
            for a in analyses { ProblemsCommand.printSummary(a) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One problem whole.")
        @Argument(help: "The problem's id.") var id: Int64
        @OptionGroup var store: StoreOptions
        @OptionGroup var clickhouse: ClickHouseOptions
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            try clickhouse.refuseOnClickHouse(ProblemsCommand.onlyPaytopsStore, instead: ProblemsCommand.onClickHouse)
            let c = try Store.openForReading(path: store.path)
            try Store.limitPageCache(c, megabytes: ProblemAnalysis.pageCacheMegabytes)
            try Store.mapForReading(c, megabytes: 8_192)
            guard let a = try ProblemAnalysis.one(c, id: id) else { throw CLIError(message: "no problem \(id) in \(store.path)") }
            if json {
                print(JSONValue.object(["problems": .array([ProblemsCommand.json(a)])]).encoded)
                return
            }
            ProblemsCommand.printSummary(a)
            print("  signals")
            for s in a.problem.signals {
                print("    \(ISO8601.time(nanos: s.firstAt))  \(s.kind) · \(inert(s.subject)) — \(inert(s.detail))")
            }
            print("  causes")
            for c in a.causes { print("    \(c.rank). [\(c.kind.rawValue) \(JSONValue.rounded(c.score, 1000).encoded)] \(inert(c.evidence))") }
            if a.causes.isEmpty { print("    none found") }
            if !a.exemplars.isEmpty {
                print("  exemplars  " + a.exemplars.joined(separator: " ") + (a.typical.map { "  (typical: \($0))" } ?? ""))
            }
        }
    }

    static func printSummary(_ a: ProblemAnalysis) {
        let p = a.problem
        let state = p.closedAt == nil ? "OPEN" : "closed"
        print("#\(p.id) \(state) \(p.severity.uppercased())  \(inert(p.title))")
        let closed = p.closedAt.map { " → \(EngineTime(nanos: $0))" } ?? ""
        print("  \(EngineTime(nanos: p.openedAt))\(closed) · first signal \(EngineTime(nanos: p.firstSignalAt))")
        let i = a.impact
        var line = "  impact: \(i.checkouts.grouped) checkouts (\(i.failed.grouped) failed, \(i.delayed.grouped) delayed), \(i.merchants.grouped) merchants"
        if !i.lost.isEmpty { line += " · lost " + money(i.lost) }
        if !i.atRisk.isEmpty { line += " · at risk " + money(i.atRisk) }
        print(line)
        if let top = a.causes.first { print("  likely cause: \(inert(top.evidence))") }
    }

    static func money(_ m: [String: Money]) -> String {
        m.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The JSON contract: times ISO-8601 UTC with milliseconds (engine time), amounts
    /// as decimal strings; a field that does not apply is absent.
    static func json(_ a: ProblemAnalysis) -> JSONValue {
        let p = a.problem
        var o: [String: JSONValue] = [
            "id": .number(Double(p.id)), "title": .string(p.title),
            "state": .string((p.closedAt == nil ? ProblemState.open : .closed).rawValue),
            "severity": .string(p.severity), "opened_at": .string(ISO8601.format(nanos: p.openedAt)),
            "first_signal_at": .string(ISO8601.format(nanos: p.firstSignalAt)),
            "signals": .array(p.signals.map { s in
                .object(["kind": .string(s.kind), "subject": .string(s.subject), "first_at": .string(ISO8601.format(nanos: s.firstAt)),
                         "detail": .string(s.detail)])
            }),
            "causes": .array(a.causes.map(cause)),
            "impact": impact(a.impact),
            "exemplars": .array(a.exemplars.map { .string($0) }),
        ]
        if let closed = p.closedAt { o["closed_at"] = .string(ISO8601.format(nanos: closed)) }
        return .object(o)
    }

    static func cause(_ c: ProblemAnalysis.Cause) -> JSONValue {
        var o: [String: JSONValue] = ["rank": .number(Double(c.rank)), "kind": .string(c.kind.rawValue),
                                      "score": .rounded(c.score, 1000), "evidence": .string(c.evidence)]
        if let f = c.fault { o["fault"] = .string(f) }
        if let f = c.function { o["function"] = .string(f.rawValue); o["service"] = .string(f.deployedName) }
        if let v = c.version { o["version"] = .string(v) }
        if let d = c.dimension { o["dimension"] = .string(d.rawValue) }
        if let v = c.value { o["value"] = .string(v) }
        return .object(o)
    }

    static func impact(_ i: ProblemAnalysis.Impact) -> JSONValue {
        func amounts(_ m: [String: Money]) -> JSONValue { .object(m.mapValues { .string($0.description) }) }
        return .object([
            "checkouts": .number(Double(i.checkouts)), "failed": .number(Double(i.failed)), "delayed": .number(Double(i.delayed)),
            "lost": amounts(i.lost), "at_risk": amounts(i.atRisk), "merchants": .number(Double(i.merchants)),
            "budget_burned": .object(i.budgetBurned.mapValues { .rounded($0, 10) }),
        ])
    }
}
