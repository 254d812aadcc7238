import PaytopStore
import PaytopVocabulary

/// The reconciliation job (the seed's section 3.4): for every settlement batch not yet
/// reconciled, match its Settled lines against the ledger's captures in both directions,
/// record each match and each mismatch with its class, carry timing items to the next
/// batch (where they resolve themselves, or become not_settled), and re-check items that
/// wait for the pipeline (a capture credited after a redrive). One run is one transaction.
public final class ReconciliationService {
    struct Outcome: Equatable {
        var batches: [Int64] = []
        var lines = 0
        var matched = 0
        var found: [MismatchRow] = []
        var resolved = 0
        /// Charge → reconciled, for every charge this run matched.
        var latencies: [Nanos] = []
    }

    /// The store behind the matcher, inside the run's transaction.
    struct StoreLedger: LedgerLookup {
        let c: Connection

        func charge(checkoutID: String) throws -> LedgerCharge? { try ReconciliationBook.ledgerCharge(c, checkoutID: checkoutID) }
        func checkoutID(pspReference: String) throws -> String? { try ReconciliationBook.checkoutID(c, pspReference: pspReference) }
        func standing(checkoutID: String) throws -> CheckoutStanding { try ReconciliationBook.standing(c, checkoutID: checkoutID) }
    }

    /// The store, with the capture of the line's Merchant Reference already read.
    struct PrefetchedLedger: LedgerLookup {
        let store: StoreLedger
        let reference: String?
        let capture: LedgerCharge?

        func charge(checkoutID: String) throws -> LedgerCharge? {
            checkoutID == reference ? capture : try store.charge(checkoutID: checkoutID)
        }
        func checkoutID(pspReference: String) throws -> String? { try store.checkoutID(pspReference: pspReference) }
        func standing(checkoutID: String) throws -> CheckoutStanding { try store.standing(checkoutID: checkoutID) }
    }

    private let ctx: EngineContext
    /// The store's file, for the second connection that reads a batch's lines ahead.
    private let storePath: String

    init(_ ctx: EngineContext, storePath: String) {
        self.ctx = ctx
        self.storePath = storePath
    }

    func run(on c: Connection, schedule: SettlementSchedule, source: String) throws -> Outcome {
        let now = ctx.now.nanos
        let ledger = StoreLedger(c: c)
        return try ReconciliationBook.transaction(c) {
            var out = Outcome()
            var open = try ReconciliationBook.openMismatches(c)
            // First, items that wait for the pipeline: a seller credited since (a redrive); its
            // capture must not look like a new charge to the batches below.
            for i in open.indices where open[i].kind == .capturedNotCredited && open[i].status == .open {
                guard let id = open[i].checkoutID, let charge = try ledger.charge(checkoutID: id) else { continue }
                try ReconciliationBook.insert(ReconciledChargeRow(
                    checkoutID: id, batchNo: open[i].batchNo, lineNo: open[i].lineNo ?? 0, matchedBy: .merchantReference,
                    chargedAt: open[i].firstSeen, capturedAt: charge.capturedAt, reconciledAt: now), c)
                resolve(&open[i], now: now, "seller credited after the charge settled")
                open[i].ledgerAmount = charge.amount
                open[i].ledgerCurrency = charge.currency
                try ReconciliationBook.update(open[i], c)
                out.resolved += 1
            }
            for batch in try SettlementBook.unreconciledBatches(c) {
                try reconcile(batch, c, ledger, schedule, &open, &out, now: now)
            }
            try ReconciliationBook.insert(ReconciliationRunRow(
                at: now, source: source, batches: out.batches, lines: out.lines, matched: out.matched,
                found: out.found.count, resolved: out.resolved, alertThreshold: schedule.alertThreshold), c)
            return out
        }
    }

    private func reconcile(_ batch: SettlementBatchRow, _ c: Connection, _ ledger: StoreLedger, _ schedule: SettlementSchedule,
                           _ open: inout [MismatchRow], _ out: inout Outcome, now: Int64) throws {
        let matchedBefore = out.matched, latenciesBefore = out.latencies.count
        let windowStart = try SettlementBook.batch(c, number: batch.batchNo - 1)?.closedAt ?? 0
        // Lines are matched by reference through the store (each match recorded at once,
        // so a second line for a charge is a duplicate); the captures of the batch's
        // window that no line took are read afterwards. Memory holds only those.
        var matcher = ReconciliationMatcher(fees: schedule.fees, remembersTaken: false)
        // Lines waiting for their seller's credit, from earlier runs or batches of this one.
        for m in open + out.found where m.status == .open && m.kind == .capturedNotCredited {
            if let id = m.checkoutID { matcher.expectCreditPending(checkoutID: id) }
        }
        // Timing items of earlier batches may settle in this one.
        var waiting: [String: Int] = [:]
        for (i, m) in open.enumerated() where m.status == .open && (m.kind == .timing || m.kind == .notSettled) {
            guard let id = m.checkoutID, let charge = try ledger.charge(checkoutID: id) else { continue }
            waiting[id] = i
            matcher.expect(charge)
        }
        func record(_ line: SettlementLineRow, _ given: ReconciliationMatcher.Finding) throws {
            out.lines += 1
            var finding = given
            if case .matched(let charge, let by, _) = given, try !ReconciliationBook.insert(ReconciledChargeRow(
                checkoutID: charge.checkoutID, batchNo: batch.batchNo, lineNo: line.lineNo, matchedBy: by,
                chargedAt: line.createdAt, capturedAt: charge.capturedAt, reconciledAt: now), c) {
                finding = .duplicate(charge)  // an earlier line, in this batch or before, settled it
            }
            switch finding {
            case .matched(let charge, _, let problem):
                if let i = waiting[charge.checkoutID] {
                    resolve(&open[i], now: now, "settled in batch \(batch.batchNo)")
                    open[i].pspReference = line.pspReference
                    open[i].pspAmount = line.grossCredit
                    open[i].pspCurrency = line.grossCurrency
                    open[i].lineNo = line.lineNo
                    try ReconciliationBook.update(open[i], c)
                    out.resolved += 1
                }
                if problem == nil {
                    out.matched += 1
                    out.latencies.append(now - line.createdAt)
                }
            case .duplicate, .duplicateOfUncredited, .unmatched: break
            }
            if let m = Self.mismatch(finding, line, batch: batch.batchNo, at: now) { try found(m) }
        }
        func found(_ m: MismatchRow) throws {
            var m = m
            m.id = try ReconciliationBook.insert(m, c)
            out.found.append(m)
        }
        try SettlementReadAhead.forEachSettledLineWithCapture(storePath: storePath, batch: batch.batchNo) { line, capture in
            let prefetched = PrefetchedLedger(store: ledger, reference: line.merchantReference, capture: capture)
            if let finding = try matcher.match(line, prefetched) { try record(line, finding) }
        }
        try ReconciliationBook.forEachUnreconciledCapture(c, capturedFrom: windowStart, before: batch.closedAt) { capture in
            if waiting[capture.checkoutID] == nil { matcher.expect(capture: capture) }
        }
        for (line, finding) in try matcher.finish(ledger) { try record(line, finding) }
        for charge in matcher.unmatchedExpected {
            if let i = waiting[charge.checkoutID] {
                // A second batch without it: no longer a timing difference.
                guard open[i].kind == .timing else { continue }
                open[i].kind = .notSettled
                open[i].mismatchClass = MismatchKind.notSettled.mismatchClass
                open[i].resolution = "not in batch \(batch.batchNo) either"
                try ReconciliationBook.update(open[i], c)
            } else {
                var m = Self.timing(charge, batch: batch.batchNo, at: now)
                m.id = try ReconciliationBook.insert(m, c)
                out.found.append(m)
                open.append(m)
            }
        }
        let matched = out.matched - matchedBefore
        let latencies = out.latencies.dropFirst(latenciesBefore)
        try ReconciliationBook.markReconciled(batch: batch.batchNo, at: now, matched: matched,
                                              meanLatency: latencies.isEmpty ? nil : Int64(latencies.reduce(0.0) { $0 + Double($1) } / Double(latencies.count)), c)
        out.batches.append(batch.batchNo)
    }

    /// A user's settlement report against the ledger, read-only: every Settled line
    /// matched, and the ledger's charges of the period the file covers (its batch, else
    /// the span of its Creation Dates) matched back against it. Nothing is written.
    public struct FileOutcome: Equatable {
        public var batch: SettlementBatchRow?
        public var periodStart: Int64
        public var periodEnd: Int64
        public var lines: Int
        public var matched: Int
        public var mismatches: [MismatchRow]
    }

    public static func check(_ lines: [SettlementLineRow], on c: Connection, settings: EngineSettings,
                             at now: Int64) throws -> FileOutcome {
        let schedule: SettlementSchedule
        do { schedule = try SettlementSchedule(settings) } catch let e as SettlementSchedule.Invalid {
            throw StoreError.failed("stored settings: \(e.description)")
        }
        return try ReconciliationBook.read(c) {
            let numbers = Set(lines.map(\.batchNo))
            let batch = try numbers.count == 1 ? SettlementBook.batch(c, number: numbers.first!) : nil
            let from = batch?.periodStart ?? (lines.map(\.createdAt).min() ?? 0)
            let before = batch?.periodEnd ?? ((lines.map(\.createdAt).max() ?? 0) + 1_000_000_000)
            let ledger = StoreLedger(c: c)
            var matcher = ReconciliationMatcher(fees: schedule.fees, remembersTaken: true)
            for charge in try ReconciliationBook.ledgerCharges(c, chargedFrom: from, before: before) { matcher.expect(charge) }
            var out = FileOutcome(batch: batch, periodStart: from, periodEnd: before, lines: lines.count, matched: 0, mismatches: [])
            let no = batch?.batchNo ?? 0
            func record(_ line: SettlementLineRow, _ f: ReconciliationMatcher.Finding) {
                if case .matched(_, _, nil) = f { out.matched += 1 }
                if let m = mismatch(f, line, batch: no, at: now) { out.mismatches.append(m) }
            }
            for line in lines { if let f = try matcher.match(line, ledger) { record(line, f) } }
            for (line, f) in try matcher.finish(ledger) { record(line, f) }
            for charge in matcher.unmatchedExpected { out.mismatches.append(timing(charge, batch: no, at: now)) }
            for i in out.mismatches.indices { out.mismatches[i].id = Int64(i + 1) }
            return out
        }
    }

    /// The mismatch a line's finding is, if any: a break of a matched pair, a duplicate,
    /// or a line the ledger lacks. Shared by the job and by a user's file.
    static func mismatch(_ finding: ReconciliationMatcher.Finding, _ line: SettlementLineRow, batch: Int64,
                         at now: Int64) -> MismatchRow? {
        func row(_ kind: MismatchKind, _ charge: LedgerCharge?, checkoutID: String?) -> MismatchRow {
            MismatchRow(kind: kind, checkoutID: checkoutID, pspReference: line.pspReference, ledgerAmount: charge?.amount,
                        ledgerCurrency: charge?.currency, pspAmount: line.grossCredit, pspCurrency: line.grossCurrency,
                        batchNo: batch, lineNo: line.lineNo, firstSeen: now)
        }
        switch finding {
        case .matched(let charge, _, let problem):
            return problem.map { row($0, charge, checkoutID: charge.checkoutID) }
        case .duplicate(let charge):
            return row(.duplicate, charge, checkoutID: charge.checkoutID)
        case .duplicateOfUncredited(let checkoutID):
            return row(.duplicate, nil, checkoutID: checkoutID)
        case .unmatched(let kind, _):
            return row(kind, nil, checkoutID: kind == .unknownReference ? nil : line.merchantReference)
        }
    }

    /// A ledger charge no line settled: a timing item (it may settle in the next batch).
    static func timing(_ charge: LedgerCharge, batch: Int64, at now: Int64) -> MismatchRow {
        MismatchRow(kind: .timing, checkoutID: charge.checkoutID, pspReference: nil, ledgerAmount: charge.amount,
                    ledgerCurrency: charge.currency, pspAmount: nil, pspCurrency: nil, batchNo: batch, lineNo: nil, firstSeen: now)
    }

    private func resolve(_ m: inout MismatchRow, now: Int64, _ how: String) {
        m.status = .resolved
        m.resolvedAt = now
        m.resolution = how
    }
}
