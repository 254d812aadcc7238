import PaytopVocabulary

/// What reconciliation stands at, for `paytop reconcile` and the console's view 9: the
/// recent batches with their matches and mismatches, the open items by class, the amount
/// still unreconciled per currency, and the mismatch list.
public struct ReconciliationReport: Sendable, Equatable {
    public struct Batch: Sendable, Equatable {
        public var row: SettlementBatchRow
        public var matched: Int
        /// Every mismatch found in the batch, by class, and those still open.
        public var found: [MismatchClass: Int]
        public var open: [MismatchClass: Int]
        /// Mean time from the PSP's charge to its reconciliation, for the batch's matches.
        public var meanLatencyNanos: Int64?
        public var unreconciled: [String: Money]
    }

    public var batches: [Batch] = []
    public var found: [MismatchClass: Int] = [:]
    public var open: [MismatchClass: Int] = [:]
    public var unreconciled: [String: Money] = [:]
    public var mismatches: [MismatchRow] = []
    public var lastRunAt: Int64?
    public var runs = 0

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
        try c.read {
            var r = ReconciliationReport()
            var byBatch: [Int64: Batch] = [:]
            for row in try SettlementBook.recentBatches(c, limit: batchLimit) {
                byBatch[row.batchNo] = Batch(row: row, matched: 0, found: [:], open: [:], meanLatencyNanos: nil, unreconciled: [:])
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
            let matched = try c.cached("""
                SELECT batch_no, count(*), avg(reconciled_at - charged_at) FROM reconciled_charge
                WHERE batch_no >= ? GROUP BY batch_no
                """)
            defer { matched.reset() }
            matched.bind(1, byBatch.keys.min() ?? Int64.max)
            while try matched.step() {
                guard var b = byBatch[matched.int(0)] else { continue }
                b.matched = Int(matched.int(1))
                b.meanLatencyNanos = matched.optionalDouble(2).map { Int64($0) }
                byBatch[matched.int(0)] = b
            }
            for m in try ReconciliationBook.openMismatches(c) {
                guard let (currency, amount) = unreconciledAmount(m) else { continue }
                r.unreconciled[currency, default: .zero] += amount
                byBatch[m.batchNo]?.unreconciled[currency, default: .zero] += amount
            }
            r.batches = byBatch.values.sorted { $0.row.batchNo > $1.row.batchNo }
            r.mismatches = try ReconciliationBook.recentMismatches(c, limit: mismatchLimit)
            let runs = try c.cached("SELECT count(*), max(at) FROM reconciliation_run")
            defer { runs.reset() }
            if try runs.step() { r.runs = Int(runs.int(0)); r.lastRunAt = runs.optionalInt(1) }
            return r
        }
    }
}
