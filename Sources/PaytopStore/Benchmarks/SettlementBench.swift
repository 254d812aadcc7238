import PaytopVocabulary

/// What `paytop bench --reconcile` needs from the store: a copy with its settlement and
/// reconciliation forgotten (so its charges settle again in one batch), and the floor a
/// reconciliation cannot beat — reading the rows it must read, with no matching.
public enum SettlementBench {
    /// Forgets every batch, line, posting, match and mismatch (on a scratch copy only).
    public static func forgetSettlement(_ c: Connection) throws {
        try c.transaction {
            for table in ["settlement_line", "settlement_batch", "settlement_entry", "settlement_deferred", "reconciled_charge",
                          "reconciliation_run", "reconciliation_mismatch"] {
                try c.execute("DELETE FROM \(table)")
            }
        }
    }

    /// Reads a batch's Settled lines and the ledger's captures of its window, as the job
    /// does, and returns how many of each it read (captures: one per order).
    public static func readFloor(_ c: Connection, batch: SettlementBatchRow) throws -> (lines: Int, charges: Int) {
        try c.read {
            var lines = 0
            try SettlementBook.forEachSettledLine(c, batch: batch.batchNo) { _ in lines += 1 }
            let s = try c.cached("""
                SELECT o.checkout_id, e.amount, e.currency, e.created_at
                FROM ledger_entry e JOIN payment_order o ON o.payment_order_id = e.payment_order_id
                WHERE e.account = ? AND e.direction = 'debit' AND e.created_at < ?
                """)
            s.bind(1, LedgerAccount.pspReceivable).bind(2, batch.closedAt)
            defer { s.reset() }
            var charges = 0
            while try s.step() { _ = (s.string(0), s.string(1), s.string(2), s.int(3)); charges += 1 }
            return (lines, charges)
        }
    }
}
