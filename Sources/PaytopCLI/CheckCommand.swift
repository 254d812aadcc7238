import ArgumentParser
import PaytopStore
import PaytopVocabulary
import PaytopJSON

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a store's money and state invariants; exit 1 on any violation.",
        discussion: "Checks: SQLite's quick check of the file (--full: its integrity check), then \(InvariantCheck.invariants.joined(separator: ", ")). See docs/engine.md."
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Run SQLite's full integrity check (indexes too) instead of its quick check.")
    var full = false

    func run() throws {
        let report: InvariantReport
        do {
            report = try InvariantCheck.run(try Store.openForReading(path: store.path), integrity: full ? .full : .quick)
        } catch StoreError.damaged(_, let problem) {
            report = InvariantCheck.damaged(problem)  // its schema cannot even be read
        }
        if json {
            print(report.json.encoded)
        } else {
            let counts = "\((report.counts["checkouts"] ?? 0).grouped) checkouts, \((report.counts["orders"] ?? 0).grouped) orders, \((report.counts["ledger_entries"] ?? 0).grouped) ledger entries"
            if report.isClean {
                print("ok: \(report.checked.count) invariants hold over \(counts) in \(store.path)")
            } else {
                print(report.counts.isEmpty ? "VIOLATED in \(store.path):" : "VIOLATED in \(store.path) (\(counts)):")
                for line in report.violationLines { print(line) }
                let failed = Set(report.violations.map(\.invariant))
                for name in report.checked where !failed.contains(name) { print("  ✔ \(name)") }
                if failed.contains(InvariantCheck.integrity) {
                    print("  not checked on a damaged file: \(InvariantCheck.invariants.joined(separator: ", "))")
                }
            }
        }
        if !report.isClean { throw ExitCode(1) }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Summarise a store: checkouts by outcome, orders, queues, wallets, faults."
    )

    @OptionGroup var store: StoreOptions

    @Flag(help: "Print as JSON.")
    var json = false

    func run() throws {
        let c = try Store.openForReading(path: store.path)
        let s = try StoreSummary.load(c)
        let faults = try StoredEngineState.load(c).faults  // nil for a store no engine has run on
        if json {
            var o: [String: JSONValue] = [
                "checkouts_by_outcome": .object(s.checkoutsByOutcome.mapValues { .number(Double($0)) }),
                "orders_by_status": .object(s.ordersByStatus.mapValues { .number(Double($0)) }),
                "queue_depths": .object(s.queueDepths.mapValues { .number(Double($0)) }),
                "wallet_totals": .object(s.walletTotals.mapValues { .string($0.description) }),
            ]
            if let t = s.engineState["clock"], let n = Int64(t) { o["engine_time"] = .string(EngineTime(nanos: n).description) }
            if let f = faults { o["faults"] = .array(FaultBadge.active(f).map { .string($0.label) }) }
            print(JSONValue.object(o).encoded)
            return
        }
        if let t = s.engineState["clock"], let n = Int64(t) { print("engine time  \(EngineTime(nanos: n))") }
        print("checkouts    " + s.checkoutsByOutcome.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.grouped)" }.joined(separator: " · "))
        print("orders       " + s.ordersByStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.grouped)" }.joined(separator: " · "))
        print("queues       " + QueueName.allCases.map { "\($0.rawValue) \((s.queueDepths[$0.rawValue] ?? 0).grouped)" }.joined(separator: " · "))
        print("wallets      " + s.walletTotals.keys.sorted().map { "\($0) \(s.walletTotals[$0]!)" }.joined(separator: " · "))
        if let f = faults {
            let active = FaultBadge.active(f).map(\.label)
            print("faults       " + (active.isEmpty ? "none" : active.joined(separator: " · ")))
        }
    }
}
