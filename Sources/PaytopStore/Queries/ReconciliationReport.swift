import PaytopVocabulary

/// What reconciliation stands at, for `paytop reconcile` and the console's view 9: the
/// recent batches with their matches and mismatches, the open items by class, the amount
/// still unreconciled per currency, and the mismatch list.
public struct ReconciliationReport: Sendable, Equatable {
    public struct Batch: Sendable, Equatable {
        public var row: SettlementBatchRow
        /// Every mismatch found in the batch, by class, and those still open.
        public var found: [MismatchClass: Int]
        public var open: [MismatchClass: Int]
        public var unreconciled: [String: Money]

        /// Lines the batch's run matched clean (0 until it is reconciled).
        public var matched: Int { row.matched ?? 0 }
        /// Mean time from the PSP's charge to its reconciliation, for the batch's matches.
        public var meanLatencyNanos: Int64? { row.meanLatencyNanos }
    }

    public var batches: [Batch] = []
    public var found: [MismatchClass: Int] = [:]
    public var open: [MismatchClass: Int] = [:]
    public var unreconciled: [String: Money] = [:]
    public var mismatches: [MismatchRow] = []
    public var lastRunAt: Int64?
    public var runs = 0
    /// The last run's alert threshold (the seed's 10 until a run says otherwise).
    public var alertThreshold = 10

    /// Open items that need a person.
    public var openNeedingAPerson: Int { (open[.manual] ?? 0) + (open[.investigate] ?? 0) }
    /// The seed's alert: more open manual and investigate items than the threshold.
    public var alerting: Bool { openNeedingAPerson > alertThreshold }

    public func status(_ b: Batch) -> BatchStatus {
        BatchStatus.of(reconciled: b.row.reconciledAt != nil, openManual: b.open[.manual] ?? 0,
                       openInvestigate: b.open[.investigate] ?? 0, threshold: alertThreshold)
    }

    /// The amount a mismatch leaves unreconciled, in its currency: the difference of a
    /// matched pair in one currency (the whole line for a duplicate), else the amount of
    /// whichever side exists.
    public static func unreconciledAmount(_ m: MismatchRow) -> (String, Money)? {
        if m.kind == .duplicate, let p = m.pspAmount, let pc = m.pspCurrency { return (pc, p) }
        if let l = m.ledgerAmount, let p = m.pspAmount, let lc = m.ledgerCurrency, lc == m.pspCurrency {
            return (lc, Money(minorUnits: abs(l.minorUnits - p.minorUnits)))
        }
        if let p = m.pspAmount, let pc = m.pspCurrency { return (pc, p) }
        if let l = m.ledgerAmount, let lc = m.ledgerCurrency { return (lc, l) }
        return nil
    }

    public static func load(_ c: Connection, batchLimit: Int = 50, mismatchLimit: Int = 500) throws -> ReconciliationReport {
        try c.read { try loadInside(c, batchLimit: batchLimit, mismatchLimit: mismatchLimit) }
    }

    /// `load` inside the caller's read transaction.
    public static func loadInside(_ c: Connection, batchLimit: Int, mismatchLimit: Int) throws -> ReconciliationReport {
        do {
            var r = ReconciliationReport()
            var byBatch: [Int64: Batch] = [:]
            for row in try SettlementBook.recentBatches(c, limit: batchLimit) {
                byBatch[row.batchNo] = Batch(row: row, found: [:], open: [:], unreconciled: [:])
            }
            let counts = try c.cached("SELECT batch_no, class, status, count(*) FROM reconciliation_mismatch GROUP BY batch_no, class, status")
            defer { counts.reset() }
            while try counts.step() {
                guard let cls = MismatchClass(rawValue: counts.string(1)) else { continue }
                let n = Int(counts.int(3))
                let open = counts.string(2) == MismatchStatus.open.rawValue
                r.found[cls, default: 0] += n
                if open { r.open[cls, default: 0] += n }
                if var b = byBatch[counts.int(0)] {
                    b.found[cls, default: 0] += n
                    if open { b.open[cls, default: 0] += n }
                    byBatch[counts.int(0)] = b
                }
            }
            for m in try ReconciliationBook.openMismatches(c) {
                guard let (currency, amount) = unreconciledAmount(m) else { continue }
                r.unreconciled[currency, default: .zero] += amount
                byBatch[m.batchNo]?.unreconciled[currency, default: .zero] += amount
            }
            r.batches = byBatch.values.sorted { $0.row.batchNo > $1.row.batchNo }
            r.mismatches = try ReconciliationBook.recentMismatches(c, limit: mismatchLimit)
            let runs = try c.cached("""
                SELECT count(*), max(at), (SELECT alert_threshold FROM reconciliation_run ORDER BY run_no DESC LIMIT 1)
                FROM reconciliation_run
                """)
            defer { runs.reset() }
            if try runs.step() {
                r.runs = Int(runs.int(0))
                r.lastRunAt = runs.optionalInt(1)
                r.alertThreshold = runs.optionalInt(2).map { Int($0) } ?? r.alertThreshold
            }
            return r
        }
    }
}
