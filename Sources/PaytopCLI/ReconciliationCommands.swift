import ArgumentParser
import Foundation
import PaytopEngine
import PaytopJSON
import PaytopStore
import PaytopVocabulary

struct SettlementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settlement",
        abstract: "Write a PSP settlement batch as a Settlement Details Report (Adyen's CSV layout).",
        discussion: "Default: the last batch the PSP closed. Merchant Reference is the checkout_id; Creation Date is UTC.")

    @Option(help: "The batch number.") var batch: Int64?
    @Option(help: ArgumentHelp("The batch closed on this UTC day.", valueName: "YYYY-MM-DD")) var date: String?
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var out: String?
    @OptionGroup var store: StoreOptions

    func run() throws {
        guard batch == nil || date == nil else { throw CLIError(message: "paytop settlement: give --batch or --date, not both") }
        let c = try Store.openForReading(path: store.path)
        let row: SettlementBatchRow
        if let batch {
            guard let r = try SettlementBook.batch(c, number: batch) else {
                throw CLIError(message: "paytop settlement: no batch \(batch) in \(store.path)", code: 1)
            }
            row = r
        } else if let date {
            guard let day = SettlementReport.parseDate(date + " 00:00:00") else {
                throw CLIError(message: "paytop settlement: --date must be YYYY-MM-DD, not \(inert(date))")
            }
            let start = day * 1_000_000_000
            guard let r = try SettlementBook.batches(c, closedFrom: start, before: start + 86_400_000_000_000).last else {
                throw CLIError(message: "paytop settlement: no batch closed on \(date)", code: 1)
            }
            row = r
        } else {
            guard let r = try SettlementBook.lastBatch(c) else {
                throw CLIError(message: "paytop settlement: the PSP has closed no batch in \(store.path) yet", code: 1)
            }
            row = r
        }
        try Self.writeReport(storePath: store.path, batch: row.batchNo, to: out)
        if let out { printError("wrote batch \(row.batchNo) (\(row.settledLines.grouped) settled lines) to \(out)") }
    }

    /// Writes a batch's report to a file (whole, then renamed into place), or to stdout.
    /// `paytop bench --reconcile` times this same function.
    static func writeReport(storePath: String, batch: Int64, to path: String?) throws {
        var sink = try ReportSink(path: path)
        sink.write(SettlementReport.header)
        var line = ""
        try SettlementReadAhead.forEachLine(storePath: storePath, batch: batch) {
            line.removeAll(keepingCapacity: true)
            SettlementReport.append($0, to: &line)
            sink.write(line)
        }
        try sink.close()
    }

    /// Buffered output to a file (written whole, then renamed into place) or stdout.
    struct ReportSink {
        let path: String?
        let temp: String?
        let handle: FileHandle
        var buffer: [UInt8] = []

        init(path: String?) throws {
            self.path = path
            if let path {
                let t = path + ".partial"
                guard FileManager.default.createFile(atPath: t, contents: nil), let h = FileHandle(forWritingAtPath: t) else {
                    throw CLIError(message: "paytop settlement: cannot write \(path)", code: 1)
                }
                temp = t
                handle = h
            } else {
                temp = nil
                handle = FileHandle.standardOutput
            }
            buffer.reserveCapacity(1 << 20)
        }

        mutating func write(_ line: String) {
            buffer.append(contentsOf: line.utf8)
            buffer.append(10)
            if buffer.count >= 1 << 20 { flush() }
        }

        mutating func flush() {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }

        mutating func close() throws {
            flush()
            guard let temp, let path else { return }
            try handle.close()
            if rename(temp, path) != 0 { throw CLIError(message: "paytop settlement: cannot write \(path)", code: 1) }
        }
    }
}

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Reconcile the PSP's settlement batches against the ledger, or check a settlement report file.",
        discussion: """
            Without --file: runs the reconciliation job now (through the running engine when one runs on the \
            store) and prints where reconciliation stands. With --file: matches a Settlement Details Report \
            (columns found by header name) against the ledger, read-only. Exit 0 when no manual or investigate \
            item is open, 1 when one is, 2 when the file does not parse.
            """)

    @Option(help: ArgumentHelp("A settlement report (CSV) to check against the ledger.", valueName: "file")) var file: String?
    @Flag(help: "Print as JSON.") var json = false
    @OptionGroup var store: StoreOptions

    func run() throws {
        if let file { return try checkFile(file) }
        try runJob()
        let c = try Store.openForReading(path: store.path)
        let report = try ReconciliationReport.load(c)
        if json { print(ReconciliationJSON.report(report).encoded) } else { ReconciliationJSON.printText(report) }
        if report.openNeedingAPerson > 0 { throw ExitCode(1) }
    }

    /// The job, in the engine that owns the store: the running one, or one opened for it.
    private func runJob() throws {
        guard Store.exists(store.path) else { throw StoreError.missing(path: store.path) }
        let probe = try Store.openForWriting(path: store.path, create: false)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if let beat = try ControlQueue.runningEngineHeartbeat(probe), now - beat < 3_000 {
            try ControlWriter(path: store.path, quiet: true).send(.reconcile)
            return
        }
        guard try Store.holdsARun(probe) else {
            throw CLIError(message: "paytop reconcile: no engine has run on \(store.path); nothing to reconcile", code: 1)
        }
        let engine = try Engine(Engine.Options(storePath: store.path, mode: .simulated))
        try engine.reconcile(source: "cli")
        try engine.close()
    }

    private func checkFile(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(message: "paytop reconcile: cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError(message: "paytop reconcile: \(path) is not UTF-8 text")
        }
        let lines: [SettlementLineRow]
        do { lines = try SettlementReport.parse(text) } catch let e as SettlementReport.ParseError {
            throw CLIError(message: "paytop reconcile: \(path): \(e.description); nothing was reconciled")
        }
        let c = try Store.openForReading(path: store.path)
        let settings = try Engine.storedSettings(c)
        let now = try StoredEngineState.load(c).clock
        let outcome = try ReconciliationService.check(lines, on: c, settings: settings, at: now)
        let openCount = outcome.mismatches.filter { $0.mismatchClass != .auto }.count
        if json {
            print(ReconciliationJSON.file(outcome, path: path).encoded)
        } else {
            print("\(inert(path)): \(outcome.lines.grouped) settled lines, \(outcome.matched.grouped) matched clean, "
                  + "\(outcome.mismatches.count) mismatches"
                  + (outcome.batch.map { " (batch \($0.batchNo))" } ?? " (period of its Creation Dates)"))
            for m in outcome.mismatches { print("  " + ReconciliationJSON.line(m)) }
        }
        if openCount > 0 { throw ExitCode(1) }
    }
}

/// The JSON and text shapes of `paytop reconcile` (the console's view 9 shows the same).
enum ReconciliationJSON {
    static func counts(_ d: [MismatchClass: Int]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: MismatchClass.allCases.map { ($0.rawValue, JSONValue.number(Double(d[$0] ?? 0))) }))
    }

    static func amounts(_ d: [String: Money]) -> JSONValue {
        .object(d.mapValues { .string($0.description) })
    }

    static func time(_ nanos: Int64?) -> JSONValue { nanos.map { .string(ISO8601.format(nanos: $0)) } ?? .null }

    static func mismatch(_ m: MismatchRow) -> JSONValue {
        .object([
            "id": .number(Double(m.id)), "class": .string(m.mismatchClass.rawValue), "kind": .string(m.kind.rawValue),
            "checkout_id": m.checkoutID.map(JSONValue.string) ?? .null,
            "psp_reference": m.pspReference.map(JSONValue.string) ?? .null,
            "ledger_amount": m.ledgerAmount.map { .string($0.description) } ?? .null,
            "ledger_currency": m.ledgerCurrency.map(JSONValue.string) ?? .null,
            "psp_amount": m.pspAmount.map { .string($0.description) } ?? .null,
            "psp_currency": m.pspCurrency.map(JSONValue.string) ?? .null,
            "batch": .number(Double(m.batchNo)), "line": m.lineNo.map { .number(Double($0)) } ?? .null,
            "first_seen": time(m.firstSeen), "status": .string(m.status.rawValue), "resolved_at": time(m.resolvedAt),
            "resolution": m.resolution.map(JSONValue.string) ?? .null,
        ])
    }

    static func report(_ r: ReconciliationReport) -> JSONValue {
        .object([
            "batches": .array(r.batches.map { b in
                .object([
                    "batch": .number(Double(b.row.batchNo)),
                    "status": .string(r.status(b).rawValue),
                    "period_start": time(b.row.periodStart), "period_end": time(b.row.periodEnd),
                    "closed_at": time(b.row.closedAt), "reconciled_at": time(b.row.reconciledAt),
                    "settled_lines": .number(Double(b.row.settledLines)), "matched": .number(Double(b.matched)),
                    "found": counts(b.found), "open": counts(b.open), "unreconciled": amounts(b.unreconciled),
                    "mean_latency_seconds": b.meanLatencyNanos.map { .number((Double($0) / 1e7).rounded() / 100) } ?? .null,
                ])
            }),
            "counts": counts(r.found), "open": counts(r.open), "unreconciled": amounts(r.unreconciled),
            "alert": .bool(r.alerting), "alert_threshold": .number(Double(r.alertThreshold)),
            "runs": .number(Double(r.runs)), "last_run_at": time(r.lastRunAt),
            "mismatches": .array(r.mismatches.map(mismatch)),
        ])
    }

    static func file(_ o: ReconciliationService.FileOutcome, path: String) -> JSONValue {
        var found: [MismatchClass: Int] = [:]
        for m in o.mismatches { found[m.mismatchClass, default: 0] += 1 }
        return .object([
            "file": .string(path), "batch": o.batch.map { .number(Double($0.batchNo)) } ?? .null,
            "period_start": time(o.periodStart), "period_end": time(o.periodEnd),
            "lines": .number(Double(o.lines)), "matched": .number(Double(o.matched)),
            "counts": counts(found), "mismatches": .array(o.mismatches.map(mismatch)),
        ])
    }

    static func line(_ m: MismatchRow) -> String {
        let ledger = m.ledgerAmount.map { "\($0) \(m.ledgerCurrency ?? "")" } ?? "—"
        let psp = m.pspAmount.map { "\($0) \(m.pspCurrency ?? "")" } ?? "—"
        return "#\(m.id) \(m.mismatchClass.rawValue) \(m.kind.rawValue) \(inert(m.checkoutID ?? m.pspReference ?? "?")) "
            + "batch \(m.batchNo) ledger \(ledger) psp \(psp) \(m.status.rawValue)"
            + (m.resolution.map { " (\(inert($0)))" } ?? "")
    }

    static func printText(_ r: ReconciliationReport) {
        guard !r.batches.isEmpty else {
            print("no settlement batch yet: the PSP closes one at each cut-off (settlement_interval, settlement_cutoff)")
            return
        }
        func list(_ d: [MismatchClass: Int]) -> String { MismatchClass.allCases.map { "\($0.rawValue) \(d[$0] ?? 0)" }.joined(separator: " · ") }
        print("reconciliation: \(r.runs) run\(r.runs == 1 ? "" : "s"), last at \(r.lastRunAt.map { ISO8601.format(nanos: $0) } ?? "never")")
        print("found  \(list(r.found))")
        print("open   \(list(r.open))")
        let unrec = r.unreconciled.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        print("unreconciled  " + (unrec.isEmpty ? "none" : unrec.joined(separator: " · ")))
        if r.alerting { print("ALERT  \(r.openNeedingAPerson) manual and investigate items open (threshold \(r.alertThreshold))") }
        print("")
        print("batch  status   closed                    lines    matched  auto manual investigate")
        for b in r.batches {
            let st = r.status(b).rawValue
            let closed = ISO8601.format(nanos: b.row.closedAt)
            let a = b.found[.auto] ?? 0, m = b.found[.manual] ?? 0, i = b.found[.investigate] ?? 0
            print(pad(String(b.row.batchNo), 5, left: true) + "  " + pad(st, 7) + "  " + pad(closed, 24) + "  "
                  + pad(b.row.settledLines.grouped, 7, left: true) + "  " + pad(b.matched.grouped, 9, left: true)
                  + "  " + pad(String(a), 4, left: true) + " " + pad(String(m), 6, left: true) + " " + pad(String(i), 11, left: true))
        }
        let open = r.mismatches.filter { $0.status == .open }
        if !open.isEmpty {
            print("")
            print("open mismatches:")
            for m in open.prefix(50) { print("  " + line(m)) }
            if open.count > 50 { print("  … \(open.count - 50) more (--json lists them)") }
        }
    }
}
